import { Duration, Testing } from 'cdk8s';
import { HelmRepository, RegistryProvider, SourceKind } from '../../lib/gitops';
import { WARNING_METADATA } from '../../lib/private/warnings';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';


describe('HelmRepository', () => {
  test('default: https repository, 1h interval, flux-system namespace', () => {
    const c = chart();
    const repo = new HelmRepository(c, 'jetstack', { url: 'https://charts.jetstack.io' });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests).toEqual([{
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'jetstack', namespace: 'flux-system' },
      spec: { url: 'https://charts.jetstack.io', interval: '1h' },
    }]);
    expect(repo.oci).toBe(false);
    expect(repo.kind).toBe(SourceKind.HELM_REPOSITORY);
  });

  test('an oci:// URL sets type oci and allows a provider; keeps every field it sets', () => {
    const c = chart();
    const repo = new HelmRepository(c, 'flagger', {
      name: 'flagger-charts',
      namespace: 'flagger-system',
      url: 'oci://ghcr.io/fluxcd/charts',
      interval: Duration.minutes(30),
      timeout: Duration.minutes(2),
      secretName: 'ghcr-pull',
      provider: RegistryProvider.AZURE,
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(repo.oci).toBe(true);
    expect(manifests[0].metadata).toEqual({ name: 'flagger-charts', namespace: 'flagger-system' });
    expect(manifests[0].spec).toEqual({
      url: 'oci://ghcr.io/fluxcd/charts',
      type: 'oci',
      provider: 'azure',
      interval: '30m',
      timeout: '2m',
      secretRef: { name: 'ghcr-pull' },
    });
  });

  test('plain http works but records a warning', () => {
    const c = chart();
    const repo = new HelmRepository(c, 'internal', { url: 'http://charts.internal.example' });
    expectValidManifests(Testing.synth(c));
    expect(repo.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => m.data))
      .toEqual([expect.stringMatching(/plain HTTP.*\[gitops:plain-http-helm-repository\]$/)]);
  });

  test('fromHelmRepositoryName refers to an existing repository', () => {
    expect(HelmRepository.fromHelmRepositoryName('podinfo', 'apps')).toEqual({ kind: SourceKind.HELM_REPOSITORY, name: 'podinfo', namespace: 'apps' });
    expect(HelmRepository.fromHelmRepositoryName('podinfo').namespace).toBe('flux-system');
  });

  test('throws on a bad scheme', () => {
    expect(() => new HelmRepository(chart(), 'repo', { url: 'ftp://charts.example.com' }))
      .toThrow(/^\[test\/repo\] 'url' must be a URL starting with https:\/\/ or http:\/\/ or oci:\/\/, got "ftp:\/\/charts.example.com"\. Fix: use/);
    expect(() => new HelmRepository(chart(), 'repo', { url: 'charts.jetstack.io' }))
      .toThrow(/^\[test\/repo\] 'url' must be a URL starting with .*got "charts.jetstack.io"\. Fix:/);
  });

  test('throws on credentials in the URL, masking them', () => {
    const act = () => new HelmRepository(chart(), 'repo', { url: 'https://admin:hunter2@charts.example.com' });
    expect(act).toThrow(/^\[test\/repo\] 'url' must not contain credentials, got "https:\/\/\*\*\*@charts.example.com"\. Fix: .*secretName/);
    expect(act).not.toThrow(/hunter2/);
  });

  test('throws on a provider without OCI, a tag in an OCI URL, and a bad timeout', () => {
    expect(() => new HelmRepository(chart(), 'repo', { url: 'https://charts.jetstack.io', provider: RegistryProvider.AWS }))
      .toThrow(/^\[test\/repo\] 'provider' is only used for OCI repositories, got "aws"\. Fix: remove provider, or use an oci:\/\/ URL/);
    expect(() => new HelmRepository(chart(), 'repo', { url: 'oci://ghcr.io/fluxcd/charts/flagger:1.44.0' }))
      .toThrow(/^\[test\/repo\] 'url' must not include a tag .*got "oci:\/\/ghcr.io\/fluxcd\/charts\/flagger:1.44.0"\. Fix: drop the ":<tag>"/);
    expect(() => new HelmRepository(chart(), 'repo', { url: 'https://charts.jetstack.io', timeout: Duration.millis(10) }))
      .toThrow(/^\[test\/repo\] 'timeout' must be a whole number of seconds, got "10ms"\. Fix:/);
  });
});
