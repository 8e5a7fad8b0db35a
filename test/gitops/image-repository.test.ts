import { Duration, Testing } from 'cdk8s';
import { ImageRepository, RegistryProvider } from '../../lib/gitops';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';


describe('ImageRepository', () => {
  test('default: 5m scan interval in flux-system', () => {
    const c = chart();
    const repo = new ImageRepository(c, 'podinfo', { image: 'ghcr.io/stefanprodan/podinfo' });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests).toEqual([{
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { image: 'ghcr.io/stefanprodan/podinfo', interval: '5m' },
    }]);
    expect(repo.image).toBe('ghcr.io/stefanprodan/podinfo');
  });

  test('keeps every field it sets', () => {
    const c = chart('apps');
    new ImageRepository(c, 'app', {
      name: 'app-images',
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app',
      interval: Duration.minutes(1),
      timeout: Duration.hours(2),
      secretName: 'ecr-pull',
      provider: RegistryProvider.AWS,
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests[0].metadata).toEqual({ name: 'app-images', namespace: 'apps' });
    expect(manifests[0].spec).toEqual({
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app',
      interval: '1m',
      timeout: '120m', // the ImageRepository timeout pattern has no hour unit
      secretRef: { name: 'ecr-pull' },
      provider: 'aws',
    });
  });

  test('accepts Docker Hub short names and registries with ports', () => {
    const c = chart();
    new ImageRepository(c, 'nginx', { image: 'nginx' });
    new ImageRepository(c, 'local', { image: 'localhost:5000/team/app' });
    expect(Testing.synth(c).map((m) => m.spec.image)).toEqual(['nginx', 'localhost:5000/team/app']);
  });

  test('throws on a tag, a digest or a scheme, suggesting the bare name', () => {
    expect(() => new ImageRepository(chart(), 'img', { image: 'ghcr.io/org/app:1.2.3' }))
      .toThrow(/^\[test\/img\] 'image' must not include a tag .*got "ghcr.io\/org\/app:1.2.3"\. Fix: pass "ghcr.io\/org\/app"/);
    expect(() => new ImageRepository(chart(), 'img', { image: 'localhost:5000/app:dev' }))
      .toThrow(/'image' must not include a tag .*got "localhost:5000\/app:dev"\. Fix: pass "localhost:5000\/app"/);
    expect(() => new ImageRepository(chart(), 'img', { image: 'ghcr.io/org/app@sha256:abc' }))
      .toThrow(/^\[test\/img\] 'image' must not include a digest .*got "ghcr.io\/org\/app@sha256:abc"\. Fix: pass "ghcr.io\/org\/app"/);
    expect(() => new ImageRepository(chart(), 'img', { image: 'https://ghcr.io/org/app' }))
      .toThrow(/^\[test\/img\] 'image' must not have a URL scheme, got "https:\/\/ghcr.io\/org\/app"\. Fix: drop "https:\/\/"/);
  });

  test('throws on an invalid name, secret name or interval', () => {
    expect(() => new ImageRepository(chart(), 'img', { image: 'ghcr.io/Org/App' }))
      .toThrow(/^\[test\/img\] 'image' must be an image repository name .*got "ghcr.io\/Org\/App"\. Fix:/);
    expect(() => new ImageRepository(chart(), 'img', { image: 'nginx', secretName: 'ECR' }))
      .toThrow(/^\[test\/img\] 'secretName' must be a DNS-1123 subdomain .*got "ECR"\. Fix:/);
    expect(() => new ImageRepository(chart(), 'img', { image: 'nginx', interval: Duration.millis(500) }))
      .toThrow(/^\[test\/img\] 'interval' must be a whole number of seconds, got "500ms"\. Fix:/);
  });
});
