import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyzeManifests, ManifestInput } from '../../lib/analysis/analyze';
import { meshSettingsFromConfig } from '../../lib/analysis/mesh-config';

/* What the fixtures of rule-fixtures.test.ts do not show: mesh settings, exact attachment, one finding per object. */

const ROOT = path.join(__dirname, '..', 'fixtures', 'analyze');
function load(rule: string, kind: 'fail' | 'pass'): ManifestInput[] {
  const file = path.join(ROOT, rule, `${kind}.yaml`);
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((v) => v && typeof v === 'object')
    .map((manifest, i) => ({ manifest, file, source: `${file}#${i}` }));
}
const of = (inputs: ManifestInput[], rule: string, settings = {}) => analyzeManifests(inputs, { settings }).filter((f) => f.rule === rule);

describe('IST0134 istio-service-entry-addresses', () => {
  test('reported on the ServiceEntry, naming the TCP port', () => {
    expect(of(load('istio-service-entry-addresses', 'fail'), 'istio-service-entry-addresses').map((f) => [f.code, f.kind, f.namespace, f.name, f.severity]))
      .toEqual([['IST0134', 'ServiceEntry', 'shop', 'orders-db', 'warning']]);
  });

  test('not reported when the mesh allocates addresses (DNS capture and auto-allocation in proxyMetadata)', () => {
    const settings = meshSettingsFromConfig({ meshConfig: { defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true', ISTIO_META_DNS_AUTO_ALLOCATE: 'true' } } } });
    expect(settings).toEqual({ serviceEntryAddressAllocation: true });
    expect(of(load('istio-service-entry-addresses', 'fail'), 'istio-service-entry-addresses', settings)).toEqual([]);
    // DNS capture alone allocates nothing.
    expect(meshSettingsFromConfig({ meshConfig: { defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } } } })).toEqual({});
  });

  test('the istiod HelmRelease of the manifests configures it too', () => {
    const istiod = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'istiod', namespace: 'istio-system' },
      spec: { chart: { spec: { chart: 'istiod' } }, values: { meshConfig: { defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true', ISTIO_META_DNS_AUTO_ALLOCATE: 'true' } } } } },
    };
    expect(of([...load('istio-service-entry-addresses', 'fail'), { manifest: istiod }], 'istio-service-entry-addresses')).toEqual([]);
  });
});

describe('IST0110 / IST0111 / IST0159 / IST0160: reported on each resource of the conflict, once', () => {
  test.each([
    ['istio-sidecar-selectors', 'Sidecar', ['reviews-egress', 'v1-egress'], /The Sidecars shop\/reviews-egress,shop\/v1-egress in namespace "shop" select the same workload pod "reviews"/],
    ['istio-sidecar-default', 'Sidecar', ['default', 'payments-egress'], /The Sidecars shop\/default,shop\/payments-egress in namespace "shop" have no workload selector/],
    ['istio-telemetry-selectors', 'Telemetry', ['reviews-logs', 'v1-tracing'], /select the same workload pod "reviews"/],
    ['istio-telemetry-default', 'Telemetry', ['mesh-default', 'mesh-tracing'], /the mesh, in the root namespace/],
  ])('%s', (rule, kind, names, message) => {
    const found = of(load(rule, 'fail'), rule);
    expect(found.map((f) => [f.kind, f.name, f.severity])).toEqual(names.map((n) => [kind, n, 'error']));
    expect(found[0].message).toMatch(message);
  });
});

test('IST0150 istio-external-name-port: an unnamed port too; IST0118 never reports ExternalName Services', () => {
  const [svc] = load('istio-external-name-port', 'fail');
  const unnamed = { ...svc, manifest: { ...svc.manifest, spec: { ...svc.manifest.spec, ports: [{ port: 5432 }] } } };
  expect(of([unnamed], 'istio-external-name-port').map((f) => f.message)).toEqual([expect.stringMatching(/port 5432 named \(none\)/)]);
  expect(of([unnamed], 'istio-port-name')).toEqual([]);
});

test('a Telemetry selecting no pods is IST0101 on the Telemetry (as istioctl), not IST0127', () => {
  const [deployment, namespace] = load('istio-telemetry-selectors', 'fail');
  const telemetry = { manifest: { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'typo', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'reveiws' } }, tracing: [{ randomSamplingPercentage: 1 }] } } };
  const found = analyzeManifests([deployment, namespace, telemetry]).filter((f) => f.kind === 'Telemetry');
  expect(found.map((f) => [f.code, f.rule, f.severity, f.name])).toEqual([['IST0101', 'istio-referenced-selector', 'warning', 'typo']]);
});

describe('EnvoyFilter patches (IST0151-IST0155)', () => {
  const filter = (name: string, patches: object[], priority?: number) => ({ manifest: {
    apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name, namespace: 'shop' }, spec: { ...(priority ? { priority } : {}), configPatches: patches },
  } });
  const codes = (inputs: ManifestInput[]) => analyzeManifests(inputs).filter((f) => f.kind === 'EnvoyFilter').map((f) => [f.code, f.name]);

  test('ADD and REMOVE on routes are IST0153 and IST0154; REMOVE elsewhere is relative', () => {
    expect(codes([filter('a', [{ applyTo: 'HTTP_ROUTE', patch: { operation: 'ADD', value: {} } }, { applyTo: 'ROUTE_CONFIGURATION', patch: { operation: 'REMOVE' } }], 5)]))
      .toEqual([['IST0153', 'a'], ['IST0154', 'a']]);
    expect(codes([filter('b', [{ applyTo: 'HTTP_FILTER', patch: { operation: 'REMOVE' } }])])).toEqual([['IST0151', 'b']]);
  });

  test('a relative patch of a filter another patch targets with a proxyVersion is IST0155; ADD and INSERT_FIRST never warn', () => {
    const versioned = filter('v', [{ applyTo: 'HTTP_FILTER', match: { proxy: { proxyVersion: '^1\\.24.*' } }, patch: { operation: 'INSERT_FIRST', value: { name: 'envoy.filters.http.lua' } } }]);
    const relative = filter('r', [{ applyTo: 'HTTP_FILTER', patch: { operation: 'MERGE', value: { name: 'envoy.filters.http.lua' } } }]);
    expect(codes([versioned, relative])).toEqual([['IST0155', 'r']]);
    expect(codes([filter('c', [{ applyTo: 'CLUSTER', patch: { operation: 'ADD', value: { name: 'extra' } } }])])).toEqual([]);
  });
});

test('IST0157 istio-telemetry-provider: not reported when the MeshConfig has default access log providers', () => {
  const settings = meshSettingsFromConfig({ defaultProviders: { accessLogging: ['envoy'] } });
  expect(settings).toEqual({ defaultAccessLogProviders: true });
  expect(of(load('istio-telemetry-provider', 'fail'), 'istio-telemetry-provider').map((f) => [f.code, f.kind, f.name])).toEqual([['IST0157', 'Telemetry', 'access-logs']]);
  expect(of(load('istio-telemetry-provider', 'fail'), 'istio-telemetry-provider', settings)).toEqual([]);
});

test('IST0167 istio-sidecar-ambient: a Sidecar selecting ambient pods; such pods and namespaces have no IST0110/IST0111 conflicts', () => {
  const [namespace, deployment] = load('istio-sidecar-ambient', 'fail');
  const sidecar = (name: string, labels?: object) => ({ manifest: {
    apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace: 'shop' }, spec: { ...(labels ? { workloadSelector: { labels } } : {}), egress: [{ hosts: ['./*'] }] },
  } });
  const found = analyzeManifests([namespace, deployment, sidecar('a', { app: 'reviews' }), sidecar('b', { app: 'reviews' }), sidecar('c'), sidecar('d', {})]);
  expect(found.filter((f) => f.kind === 'Sidecar').map((f) => [f.code, f.name])).toEqual([['IST0167', 'a'], ['IST0167', 'b'], ['IST0167', 'c'], ['IST0167', 'd']]);
  // Not ambient: "d" (a workloadSelector without labels) is a second namespace default, as istioctl takes it.
  const injected = { ...namespace, manifest: { ...namespace.manifest, metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } } };
  expect(analyzeManifests([injected, deployment, sidecar('c'), sidecar('d', {})]).filter((f) => f.kind === 'Sidecar').map((f) => [f.code, f.name]))
    .toEqual([['IST0111', 'c'], ['IST0111', 'd']]);
});

test('IST0147: a Pod with image auto that no injection applies to is an error', () => {
  const [namespace, deployment] = load('istio-image-auto', 'fail');
  const t = deployment.manifest.spec.template;
  const pod = { manifest: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gw', namespace: 'istio-ingress', ...t.metadata }, spec: t.spec } };
  expect(analyzeManifests([namespace, pod]).filter((f) => f.rule === 'istio-image-auto').map((f) => [f.code, f.severity, f.kind])).toEqual([['IST0147', 'error', 'Pod']]);
});

test('IST0122 istio-regex: unsupported RE2 syntax and syntax errors, in headers and CORS origins too', () => {
  const vs = { manifest: {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'api', namespace: 'shop' },
    spec: { hosts: ['api'], http: [{ match: [{ headers: { 'user-agent': { regex: '(a' } } }], corsPolicy: { allowOrigins: [{ regex: '(\\w)\\1' }] }, route: [{ destination: { host: 'api' } }] }] },
  } };
  expect(analyzeManifests([vs]).filter((f) => f.rule === 'istio-regex').map((f) => f.message.slice(0, f.message.indexOf(' (VirtualService')))).toEqual([
    expect.stringMatching(/^Field "http\[0\]\.match\[0\]\.headers\.user-agent" regular expression invalid: "\(a" \(.*Unterminated group/),
    expect.stringMatching(/^Field "http\[0\]\.corsPolicy\.allowOrigins\[0\]" regular expression invalid: "\(\\w\)\\1" \(.*back-reference/),
  ]);
});

test('IST0002 istio-deprecated: objects of removed Istio APIs and Sidecar egressProxy', () => {
  const role = { manifest: { apiVersion: 'rbac.istio.io/v1alpha1', kind: 'ServiceRole', metadata: { name: 'reader', namespace: 'shop' }, spec: { rules: [] } } };
  const sidecar = { manifest: { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: 'shop' }, spec: { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'egress' } } } } };
  expect(analyzeManifests([role, sidecar]).filter((f) => f.rule === 'istio-deprecated').map((f) => [f.code, f.kind, f.message.slice(0, 60)])).toEqual([
    ['IST0002', 'ServiceRole', 'Deprecated: Custom resource type "rbac.istio.io/ServiceRole"'],
    ['IST0002', 'Sidecar', 'Deprecated: OutboundTrafficPolicy.EgressProxy ignored (Sidec'],
  ]);
});

test('IST0175 istio-jwks-uri-fetch: on an istiod Deployment of the manifests too, and only when RequestAuthentications exist', () => {
  const [ra] = load('istio-jwks-uri-fetch', 'fail');
  const istiod = (env: object[]) => ({ manifest: {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod' } },
    spec: { selector: { matchLabels: { app: 'istiod' } }, template: { metadata: { labels: { app: 'istiod' } }, spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.29.3', env }] } } },
  } });
  const of175 = (inputs: ManifestInput[]) => analyzeManifests(inputs).filter((f) => f.code === 'IST0175').map((f) => [f.kind, f.name]);
  expect(of175([ra, istiod([])])).toEqual([['Deployment', 'istiod']]);
  expect(of175([ra, istiod([{ name: 'BLOCKED_CIDRS_IN_JWKS_URIS', value: '10.0.0.0/8' }])])).toEqual([]);
  expect(of175([istiod([])])).toEqual([]);
});
