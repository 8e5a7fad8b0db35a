import { Duration, Testing } from 'cdk8s';
import {
  Decryption, GitRepository, HelmRelease, HelmRepository, Kustomization, SourceKind, SubstituteFrom,
} from '../../lib/gitops';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';


const bootstrap = GitRepository.fromGitRepositoryName('flux-system');

describe('Kustomization', () => {
  test('default: prune, wait, 10m/1m/5m, source root', () => {
    const c = chart();
    new Kustomization(c, 'apps', { sourceRef: bootstrap });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests[0]).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: {
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        path: './',
        prune: true,
        wait: true,
        interval: '10m',
        retryInterval: '1m',
        timeout: '5m',
      },
    });
  });

  test('keeps every field it sets', () => {
    const c = chart();
    const repo = new GitRepository(c, 'fleet', { url: 'https://github.com/acme/fleet', namespace: 'gitops' });
    const infra = new Kustomization(c, 'infra', { sourceRef: repo, path: './infrastructure' });
    new Kustomization(c, 'apps', {
      sourceRef: repo,
      path: './apps/staging',
      prune: false,
      wait: false,
      interval: Duration.hours(1),
      retryInterval: Duration.seconds(30),
      timeout: Duration.seconds(150),
      healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'podinfo' }],
      dependsOn: [infra],
      substitute: { cluster_name: 'staging', _REGION: 'eu-west-1' },
      substituteFrom: [SubstituteFrom.configMap('cluster-vars'), SubstituteFrom.secret('cluster-secrets', { optional: true })],
      decryption: Decryption.sops({ secretName: 'sops-age' }),
      targetNamespace: 'podinfo',
      force: true,
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests.find((m) => m.metadata.name === 'apps')!.spec).toEqual({
      sourceRef: { kind: 'GitRepository', name: 'fleet', namespace: 'gitops' },
      path: './apps/staging',
      prune: false,
      wait: false,
      interval: '1h',
      retryInterval: '30s',
      timeout: '2m30s',
      healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'podinfo' }],
      dependsOn: [{ name: 'infra' }],
      postBuild: {
        substitute: { _REGION: 'eu-west-1', cluster_name: 'staging' },
        substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars' }, { kind: 'Secret', name: 'cluster-secrets', optional: true }],
      },
      decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
      targetNamespace: 'podinfo',
      force: true,
    });
  });

  test('empty substitute and substituteFrom render no postBuild', () => {
    const c = chart();
    new Kustomization(c, 'apps', { sourceRef: bootstrap, substitute: {}, substituteFrom: [] });
    expect(Testing.synth(c)[0].spec.postBuild).toBeUndefined();
  });

  test('dependsOn added later shows up, sorted, once, with the namespace only when it differs', () => {
    const c = chart();
    const apps = new Kustomization(c, 'apps', { sourceRef: bootstrap });
    const zeta = new Kustomization(c, 'zeta', { sourceRef: bootstrap });
    const configs = new Kustomization(c, 'configs', { sourceRef: bootstrap });
    const other = new Kustomization(c, 'other', { sourceRef: bootstrap, namespace: 'a-team' });
    expect(apps.addDependsOn(zeta)).toBe(apps);
    apps.addDependsOn(configs).addDependsOn(other).addDependsOn(zeta);
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests[0].spec.dependsOn).toEqual([{ name: 'other', namespace: 'a-team' }, { name: 'configs' }, { name: 'zeta' }]);
    expect(apps.dependsOn).toEqual([other, configs, zeta]);
  });

  test('health checks added later show up; constructs can be passed as health checks', () => {
    const c = chart();
    const ks = new Kustomization(c, 'infra', { sourceRef: bootstrap, wait: false });
    const repo = new HelmRepository(c, 'istio', { url: 'https://istio-release.storage.googleapis.com/charts' });
    const base = new HelmRelease(c, 'istio-base', { sourceRef: repo, chart: 'base', version: '1.30.3', namespace: 'istio-system' });
    ks.addHealthCheck(base).addHealthCheck({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'istiod', namespace: 'istio-system' });
    ks.addHealthCheck(base);
    const spec = Testing.synth(c).find((m) => m.kind === 'Kustomization')!.spec;
    expect(spec.healthChecks).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'istiod', namespace: 'istio-system' },
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'istio-base', namespace: 'istio-system' },
    ]);
  });

  test('throws on a bad path', () => {
    expect(() => new Kustomization(chart(), 'apps', { sourceRef: bootstrap, path: 'apps/staging' }))
      .toThrow(/^\[test\/apps\] 'path' must start with "\.\/", got "apps\/staging"\. Fix: .*e\.g\. "\.\/apps\/staging"/);
    expect(() => new Kustomization(chart(), 'apps', { sourceRef: bootstrap, path: './apps/../../etc' }))
      .toThrow(/^\[test\/apps\] 'path' must not contain "\.\." segments .*got "\.\/apps\/\.\.\/\.\.\/etc"\. Fix: pass a path relative/);
    expect(() => new Kustomization(chart(), 'apps', { sourceRef: bootstrap, path: '/apps' }))
      .toThrow(/^\[test\/apps\] 'path' must be relative to the source root, not absolute, got "\/apps"\. Fix: .*drop the leading/);
  });

  test('throws on self-dependency and cycles', () => {
    const c = chart();
    const a = new Kustomization(c, 'a', { sourceRef: bootstrap });
    const b = new Kustomization(c, 'b', { sourceRef: bootstrap, dependsOn: [a] });
    expect(() => a.addDependsOn(a))
      .toThrow(/^\[test\/a\] 'dependsOn' cannot contain the object itself, got "test\/a"\. Fix: remove the self-dependency/);
    expect(() => a.addDependsOn(b))
      .toThrow(/^\[test\/a\] 'dependsOn' would create a dependency cycle .*got "test\/a -> test\/b -> test\/a"\. Fix: remove one/);
  });

  test('throws on bad substitute keys, health checks with wait, and source kinds', () => {
    expect(() => new Kustomization(chart(), 'apps', { sourceRef: bootstrap, substitute: { 'cluster-name': 'x' } }))
      .toThrow(/^\[test\/apps\] 'substitute' keys must be variable names .*got "cluster-name"\. Fix: rename the variable, e\.g\. "cluster_name"/);
    expect(() => new Kustomization(chart(), 'apps', { sourceRef: bootstrap, substitute: { '1st': 'x' } }))
      .toThrow(/'substitute' keys must be variable names .*got "1st"\. Fix: .*"_1st"/);
    const healthChecks = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }];
    expect(() => new Kustomization(chart(), 'apps', { sourceRef: bootstrap, healthChecks }))
      .toThrow(/^\[test\/apps\] 'healthChecks' are ignored by Flux when wait is true .*got "Deployment\/x"\. Fix: pass wait: false/);
    expect(() => new Kustomization(chart(), 'apps', { sourceRef: { kind: SourceKind.HELM_REPOSITORY, name: 'x', namespace: 'flux-system' } }))
      .toThrow(/^\[test\/apps\] 'sourceRef.kind' must be one of GitRepository, OCIRepository, Bucket, ExternalArtifact, got "HelmRepository"\. Fix:/);
  });

  test('throws on bad health checks, durations and duplicate substituteFrom', () => {
    const ks = new Kustomization(chart(), 'apps', { sourceRef: bootstrap, wait: false });
    expect(() => ks.addHealthCheck({ apiVersion: 'apps', kind: 'Deployment', name: 'x' }))
      .toThrow(/^\[test\/apps\] 'healthChecks\[0\].apiVersion' must be an apiVersion .*got "apps"\. Fix:/);
    expect(() => ks.addHealthCheck({ apiVersion: 'v1', kind: 'service', name: 'x' }))
      .toThrow(/^\[test\/apps\] 'healthChecks\[0\].kind' must be a Kubernetes kind .*got "service"\. Fix:/);
    expect(() => new Kustomization(chart(), 'k', { sourceRef: bootstrap, retryInterval: Duration.millis(100) }))
      .toThrow(/^\[test\/k\] 'retryInterval' must be a whole number of seconds, got "100ms"\. Fix:/);
    expect(() => new Kustomization(chart(), 'k', { sourceRef: bootstrap, substituteFrom: [SubstituteFrom.secret('s'), SubstituteFrom.secret('s')] }))
      .toThrow(/^\[test\/k\] 'substituteFrom\[1\]' must not list the same object twice, got "Secret\/s"\. Fix:/);
    expect(() => new Kustomization(chart(), 'k', { sourceRef: bootstrap, targetNamespace: 'Apps' }))
      .toThrow(/^\[test\/k\] 'targetNamespace' must be a DNS-1123 label .*got "Apps"\. Fix:/);
  });
});
