import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  analyze, FindingSeverity, MeshApp, Gateway, MeshNamespace, PeerAuthentication, MeshWideMtls, MtlsMode, SidecarInjection,
  StrictMtlsNamespace,
} from '../../lib';
import { serviceOfUrl } from '../../lib/analysis/rules/security';
import { expectValidManifests } from '../util/schema';
import { TestWorkload } from '../util/security-fixtures';

/** S1's sample: web-frontend (optionally without sidecar) calling customers through CUSTOMER_SERVICE_URL. */
function s1(chart: Chart, options: { webSidecar?: boolean; namespace?: string } = {}): { web: MeshApp; customers: MeshApp } {
  const namespace = options.namespace ?? 'default';
  const customers = new MeshApp(chart, 'customers', {
    namespace,
    ports: [{ name: 'http', port: 80, targetPort: 3000 }],
    versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/customers:1.0.0' }],
  });
  const web = new MeshApp(chart, 'web-frontend', {
    namespace,
    sidecar: options.webSidecar ?? false,
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    env: { CUSTOMER_SERVICE_URL: kplus.EnvValue.fromValue(`http://customers.${namespace}.svc.cluster.local`) },
    versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/web-frontend:1.0.0' }],
  });
  return { web, customers };
}

function findings(chart: Chart, rule: string) {
  return analyze(chart.node.root as App).findings.filter((f) => f.rule === rule);
}

describe('rule sidecarless-mtls', () => {
  test('errors when a workload without sidecar calls a STRICT service (S1, call found in env), with the fix', () => {
    const chart = Testing.chart();
    s1(chart);
    new PeerAuthentication(chart, 'strict', { mode: MtlsMode.STRICT });
    const f = findings(chart, 'sidecarless-mtls');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe(FindingSeverity.ERROR);
    expect(f[0].path).toBe('test/web-frontend/Deployment-v1/Resource');
    expect(f[0].message).toMatch(/"default\/web-frontend-v1" has no sidecar and calls "default\/customers-v1" \(env CUSTOMER_SERVICE_URL=http:\/\/customers.default.svc.cluster.local\), which accepts only mTLS \(STRICT from PeerAuthentication "default" in "default"\): its requests will be reset \(ECONNRESET\)\. Fix: enable sidecar injection/);
  });

  test('warns under PERMISSIVE (the S1 default and the revert)', () => {
    const chart = Testing.chart();
    s1(chart);
    new PeerAuthentication(chart, 'permissive', { mode: MtlsMode.PERMISSIVE });
    const f = findings(chart, 'sidecarless-mtls');
    expect(f.map((x) => x.severity)).toEqual([FindingSeverity.WARNING]);
    expect(f[0].message).toMatch(/is PERMISSIVE \(PeerAuthentication "default" in "default"\) and will fail with ECONNRESET under STRICT/);
  });

  test('mesh-wide STRICT applies when the namespace has no policy; a workload PERMISSIVE exception turns it into a warning', () => {
    const chart = Testing.chart();
    const { customers } = s1(chart);
    new MeshWideMtls(chart, 'mesh');
    expect(findings(chart, 'sidecarless-mtls').map((x) => x.severity)).toEqual([FindingSeverity.ERROR]);
    new PeerAuthentication(chart, 'exception', { workload: customers, mode: MtlsMode.PERMISSIVE });
    expect(findings(chart, 'sidecarless-mtls').map((x) => x.severity)).toEqual([FindingSeverity.WARNING]);
  });

  test('no finding when both have sidecars, or under DISABLE', () => {
    const a = Testing.chart();
    s1(a, { webSidecar: true });
    new PeerAuthentication(a, 'strict');
    expect(findings(a, 'sidecarless-mtls')).toEqual([]);
    const b = Testing.chart();
    s1(b);
    new PeerAuthentication(b, 'off', { mode: MtlsMode.DISABLE });
    expect(findings(b, 'sidecarless-mtls')).toEqual([]);
  });

  test('a namespace labelled istio-injection=disabled means no sidecar, whatever the pod label says (S10 legacy)', () => {
    const chart = Testing.chart();
    new MeshNamespace(chart, 'legacy', { injection: SidecarInjection.DISABLED });
    new MeshNamespace(chart, 'foo');
    const sleep = new MeshApp(chart, 'sleep', { namespace: 'legacy', versions: [{ name: 'v1', image: 'curlimages/curl:8.8.0' }] });
    const httpbin = new MeshApp(chart, 'httpbin', { namespace: 'foo', ports: [{ name: 'http', port: 8000, targetPort: 8080 }], versions: [{ name: 'v1', image: 'kennethreitz/httpbin:0.9.2' }] });
    sleep.connectTo(httpbin);
    new MeshWideMtls(chart, 'mesh');
    const f = findings(chart, 'sidecarless-mtls');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/"legacy\/sleep-v1" has no sidecar and calls "foo\/httpbin-v1" \(connectTo\)/);
  });

  test('errors when a sidecar-less workload in a STRICT namespace is called by a meshed one (exposeVia the gateway)', () => {
    const chart = Testing.chart();
    const ns = new StrictMtlsNamespace(chart, 'shop', { denyAll: false });
    const web = new MeshApp(chart, 'web-frontend', { namespace: ns.name, sidecar: false, versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/web-frontend:1.0.0' }] });
    web.exposeVia(new Gateway(chart, 'gateway', { namespace: 'shop' }));
    const f = findings(chart, 'sidecarless-mtls');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe(FindingSeverity.ERROR);
    expect(f[0].message).toMatch(/"shop\/web-frontend-v1" has no sidecar in a namespace whose mTLS mode is STRICT .* is called by "istio-system\/gateway" \(exposeVia\).*Fix: enable sidecar injection/);
  });

  test('errors when allowFrom names a workload that turns out to have no sidecar (namespace without injection)', () => {
    const chart = Testing.chart();
    new MeshNamespace(chart, 'legacy', { injection: SidecarInjection.DISABLED });
    const legacy = new MeshApp(chart, 'batch', { namespace: 'legacy', versions: [{ name: 'v1', image: 'example/batch:1' }] });
    const api = new MeshApp(chart, 'api', { versions: [{ name: 'v1', image: 'example/api:1' }] });
    api.allowFrom(legacy);
    const f = findings(chart, 'sidecarless-mtls').filter((x) => x.message.startsWith('allowFrom'));
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe(FindingSeverity.ERROR);
    expect(f[0].message).toMatch(/allowFrom\("legacy\/batch-v1"\) on "default\/api-v1": "legacy\/batch-v1" has no sidecar, so it presents no mTLS identity/);
  });

  test('serviceOfUrl finds in-cluster service URLs only', () => {
    expect(serviceOfUrl('http://customers.default.svc.cluster.local', 'x')).toEqual({ name: 'customers', namespace: 'default' });
    expect(serviceOfUrl('http://customers:3000/api', 'shop')).toEqual({ name: 'customers', namespace: 'shop' });
    expect(serviceOfUrl('grpc://ratings.bookinfo.svc:9080', 'x')).toEqual({ name: 'ratings', namespace: 'bookinfo' });
    expect(serviceOfUrl('https://api.example.com/v1', 'x')).toBeUndefined();
    expect(serviceOfUrl('https://example.com', 'x')).toEqual({ name: 'example', namespace: 'com' }); // no such Service: ignored by the rule
    expect(serviceOfUrl('http://a.b.svc.other.domain', 'x')).toBeUndefined();
    expect(serviceOfUrl('not a url', 'x')).toBeUndefined();
  });
});

describe('rule peer-authentication-conflict', () => {
  test('errors on two namespace-wide policies in one namespace', () => {
    const chart = Testing.chart();
    new StrictMtlsNamespace(chart, 'shop');
    new PeerAuthentication(chart, 'again', { name: 'permissive', namespace: 'shop', mode: MtlsMode.PERMISSIVE });
    const f = findings(chart, 'peer-authentication-conflict');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe(FindingSeverity.ERROR);
    expect(f[0].message).toMatch(/PeerAuthentication "permissive" is a second policy namespace-wide in namespace "shop", next to "default" \[test\/shop\/PeerAuthentication\/Resource\]; Istio applies only the oldest one\. Fix:/);
  });

  test('errors on two mesh-wide policies', () => {
    const chart = Testing.chart();
    new MeshWideMtls(chart, 'a');
    new PeerAuthentication(chart, 'b', { name: 'strict', namespace: 'istio-system' });
    expect(findings(chart, 'peer-authentication-conflict')[0].message).toMatch(/is a second policy mesh-wide \(root namespace "istio-system"\)/);
  });

  test('no finding for one policy per namespace, mesh and workload', () => {
    const chart = Testing.chart();
    new MeshWideMtls(chart, 'mesh');
    const ns = new StrictMtlsNamespace(chart, 'shop');
    new StrictMtlsNamespace(chart, 'other');
    ns.addWorkloadException(new TestWorkload(chart, 'w', { namespace: 'shop' }), MtlsMode.PERMISSIVE);
    expect(findings(chart, 'peer-authentication-conflict')).toEqual([]);
    expectValidManifests(Testing.synth(chart));
  });
});
