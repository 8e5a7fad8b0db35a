import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { FLUX_DEPENDS_ON, FLUX_SOURCE_REF, HELM_RELEASE_PINNED, PLATFORM_VALUES } from '../../lib/analysis/rules/delivery';
import { builtinRules, GitOpsCluster } from '../../lib';
import { findings } from '../util/rules';

let n = 0;
function obj(chart: Chart, apiVersion: string, kind: string, name: string, spec: Record<string, unknown>, namespace = 'flux-system'): void {
  new ApiObject(chart, `o${n++}`, { apiVersion, kind, metadata: { name, namespace }, spec } as any);
}
const ks = (chart: Chart, name: string, spec: Record<string, unknown> = {}) =>
  obj(chart, 'kustomize.toolkit.fluxcd.io/v1', 'Kustomization', name, { interval: '10m', path: './', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, ...spec });
const repo = (chart: Chart, name: string) => obj(chart, 'source.toolkit.fluxcd.io/v1', 'HelmRepository', name, { url: 'https://charts.example.com', interval: '1h' });
const release = (chart: Chart, name: string, chart_: string, extra: Record<string, unknown> = {}, version: unknown = '1.0.0') =>
  obj(chart, 'helm.toolkit.fluxcd.io/v2', 'HelmRelease', name, {
    interval: '10m', chart: { spec: { chart: chart_, version, sourceRef: { kind: 'HelmRepository', name: 'charts' } } }, ...extra,
  });
function chart(): Chart {
  return new Chart(Testing.app(), 'c');
}
const messages = (c: Chart, rule: string) => findings(c, rule).map((f) => f.message);

describe('delivery rules', () => {
  test('are built in', () => {
    expect(builtinRules()).toEqual(expect.arrayContaining([FLUX_DEPENDS_ON, FLUX_SOURCE_REF, HELM_RELEASE_PINNED, PLATFORM_VALUES]));
  });

  describe('flux-depends-on', () => {
    test('passes for existing targets and the bootstrap Kustomization', () => {
      const c = chart();
      ks(c, 'infra');
      ks(c, 'apps', { dependsOn: [{ name: 'infra' }, { name: 'flux-system' }] });
      expect(findings(c, 'flux-depends-on')).toEqual([]);
    });

    test('fails for a missing target, naming it and the fix', () => {
      const c = chart();
      ks(c, 'apps', { dependsOn: [{ name: 'infra-configs' }] });
      expect(messages(c, 'flux-depends-on')).toEqual([expect.stringMatching(
        /^Kustomization "flux-system\/apps" depends on Kustomization "flux-system\/infra-configs", which is not in this cluster's output.*Fix: add that Kustomization/)]);
    });

    test('fails for a cycle, once, naming its members', () => {
      const c = chart();
      ks(c, 'a', { dependsOn: [{ name: 'b' }] });
      ks(c, 'b', { dependsOn: [{ name: 'c' }] });
      ks(c, 'c', { dependsOn: [{ name: 'a' }] });
      ks(c, 'd', { dependsOn: [{ name: 'a' }] });
      expect(messages(c, 'flux-depends-on')).toEqual([expect.stringMatching(/cycle \(flux-system\/a -> flux-system\/b -> flux-system\/c -> flux-system\/a\)/)]);
    });

    test('checks HelmRelease dependsOn too', () => {
      const c = chart();
      repo(c, 'charts');
      release(c, 'istiod', 'istiod', { dependsOn: [{ name: 'istio-base' }] });
      expect(messages(c, 'flux-depends-on')).toEqual([expect.stringMatching(/^HelmRelease "flux-system\/istiod" depends on HelmRelease "flux-system\/istio-base"/)]);
    });

    test('runs per cluster: a target in another cluster does not count', () => {
      const app = new App();
      const staging = new GitOpsCluster(app, 'staging');
      const production = new GitOpsCluster(app, 'production');
      ks(new Chart(staging.configs, 'x'), 'only-in-staging');
      ks(new Chart(production.configs, 'y'), 'needs-it', { dependsOn: [{ name: 'only-in-staging' }] });
      expect(findings(app, 'flux-depends-on').map((f) => f.path)).toEqual([expect.stringMatching(/^production\//)]);
    });
  });

  describe('flux-source-ref', () => {
    test('passes for an existing HelmRepository and the bootstrap GitRepository', () => {
      const c = chart();
      repo(c, 'charts');
      release(c, 'x', 'x');
      ks(c, 'apps');
      expect(findings(c, 'flux-source-ref')).toEqual([]);
    });

    test('fails for a HelmRepository or GitRepository that is not there', () => {
      const c = chart();
      release(c, 'x', 'x');
      ks(c, 'apps', { sourceRef: { kind: 'GitRepository', name: 'fleet' } });
      expect(messages(c, 'flux-source-ref')).toEqual([
        expect.stringMatching(/^Kustomization "flux-system\/apps" reads GitRepository "flux-system\/fleet", which is not in this cluster's output\. Fix:/),
        expect.stringMatching(/^HelmRelease "flux-system\/x" reads HelmRepository "flux-system\/charts"/),
      ]);
    });
  });

  describe('helm-release-pinned', () => {
    test('passes for an exact version (with or without v, with a pre-release)', () => {
      const c = chart();
      repo(c, 'charts');
      release(c, 'a', 'a', {}, '1.30.3');
      release(c, 'b', 'b', {}, 'v1.21.1');
      release(c, 'c', 'c', {}, '2.0.0-rc.1');
      expect(findings(c, 'helm-release-pinned')).toEqual([]);
    });

    test.each([['>=1.0.0'], ['1.x'], ['*'], ['latest']])('fails for version %j', (version) => {
      const c = chart();
      repo(c, 'charts');
      release(c, 'a', 'a', {}, version);
      expect(messages(c, 'helm-release-pinned')).toEqual([expect.stringMatching(/so every new chart release is installed without a commit\. Fix: pin an exact version/)]);
    });
  });

  test('helm-release-pinned fails for a HelmRelease without a version (the latest chart)', () => {
    const c = chart();
    repo(c, 'charts');
    obj(c, 'helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'a', { interval: '10m', chart: { spec: { chart: 'a', sourceRef: { kind: 'HelmRepository', name: 'charts' } } } });
    expect(messages(c, 'helm-release-pinned')).toEqual([expect.stringMatching(/has version "\(unset: latest\)"/)]);
  });

  describe('platform-values', () => {
    const istiod = (c: Chart, values: Record<string, unknown>) => { repo(c, 'charts'); release(c, 'istiod', 'istiod', { values }); };
    const proxyConfig = (c: Chart, signer: string) => obj(c, 'networking.istio.io/v1beta1', 'ProxyConfig', 'signer', { environmentVariables: { ISTIO_META_CERT_SIGNER: signer } }, signer);
    const custom = (c: Chart, provider: string) => obj(c, 'security.istio.io/v1', 'AuthorizationPolicy', 'ext', { action: 'CUSTOM', provider: { name: provider }, rules: [{}] }, 'shop');

    test('passes when istiod has the signers and providers the objects use', () => {
      const c = chart();
      istiod(c, { global: { certSigners: ['clusterissuers.cert-manager.io/tenanta'] }, meshConfig: { extensionProviders: [{ name: 'opa' }] } });
      proxyConfig(c, 'tenanta');
      custom(c, 'opa');
      expect(findings(c, 'platform-values')).toEqual([]);
    });

    test('says nothing when istiod is not installed from the output', () => {
      const c = chart();
      proxyConfig(c, 'tenanta');
      custom(c, 'opa');
      expect(findings(c, 'platform-values')).toEqual([]);
    });

    test('fails for a signer istiod does not list, and a CUSTOM provider it does not define', () => {
      const c = chart();
      istiod(c, {});
      proxyConfig(c, 'tenanta');
      custom(c, 'opa');
      expect(messages(c, 'platform-values')).toEqual([
        expect.stringMatching(/^ProxyConfig "tenanta\/signer" asks for certificates from signer "tenanta".*Fix: add the tenant with MeshPlatform\.addTenantCertificateAuthority/),
        expect.stringMatching(/^AuthorizationPolicy "shop\/ext" uses the CUSTOM provider "opa".*Fix: declare it with MeshPlatform\.addAuthorizationProvider/),
      ]);
    });

    test('fails for VM auto-registration turned off while WorkloadGroups exist', () => {
      const c = chart();
      istiod(c, { pilot: { env: { PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: 'false' } } });
      obj(c, 'networking.istio.io/v1', 'WorkloadGroup', 'ratings', { template: { serviceAccount: 'x' } }, 'bookinfo');
      expect(messages(c, 'platform-values')).toEqual([expect.stringMatching(/turns WorkloadEntry auto-registration off/)]);
    });
  });
});
