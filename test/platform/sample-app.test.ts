import { FindingSeverity } from '../../lib';
import { SampleAppChart } from '../../platform/charts/sample-app';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: sample-app chart (S1, S4, S5)', () => {
  const { platform, report, manifestsOf, findingsOf } = analyzedPlatform();
  const chart = platform.production.sampleApp;
  const out = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(SampleAppChart);
    expect(findingsOf(chart).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expectValidManifests(out);
  });

  test('S1: web-frontend runs without a sidecar, customers with one; the gateway accepts any host on port 80', () => {
    expect(find(out, 'Deployment', 'web-frontend-v1', 'default').spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    expect(find(out, 'Deployment', 'customers-v1', 'default').spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('true');
    const gw = find(out, 'Gateway', 'gateway', 'default');
    expect(gw.spec).toEqual({ selector: { istio: 'ingressgateway' }, servers: [{ hosts: ['*'], name: 'http-80', port: { name: 'http-80', number: 80, protocol: 'HTTP' } }] });
    expect(find(out, 'VirtualService', 'web-frontend-gateway', 'default').spec.gateways).toEqual(['default/gateway']);
  });

  test('S1: synthesis warns that the sidecar-less web-frontend calls customers in plaintext, which STRICT would break', () => {
    const s1 = report.warnings.filter((w) => w.rule === 'sidecarless-mtls');
    expect(s1.length).toBeGreaterThan(0);
    expect(s1.every((w) => /^(staging|production)\/AppsLayer\/sample-app\/web-frontend\//.test(w.path))).toBe(true);
    expect(s1.some((w) => /calls "default\/customers-v1" .* will fail with ECONNRESET under STRICT/.test(w.message))).toBe(true);
  });

  test('S1: the customers VirtualService is bound to the mesh and, later, also to the gateway: one VirtualService', () => {
    const vs = find(out, 'VirtualService', 'customers', 'default').spec;
    expect(vs.hosts).toEqual(['customers.default.svc.cluster.local']);
    expect(vs.gateways).toEqual(['mesh', 'default/gateway']);
    expect(out.filter((o) => o.kind === 'VirtualService').map((o) => o.metadata.name).sort()).toEqual(['customers', 'httpbin', 'web-frontend-gateway']);
  });

  test('S4: customers routes Firefox to v1 with a mirror to v2, rewrites, redirects and splits 70/30 on fully-qualified hosts', () => {
    const http = find(out, 'VirtualService', 'customers', 'default').spec.http;
    const host = 'customers.default.svc.cluster.local';
    expect(http.map((r: any) => r.name)).toEqual(['firefox', 'api-v1', 'legacy', 'split']);
    expect(http[0]).toMatchObject({ match: [{ headers: { 'user-agent': { regex: '.*Firefox.*' } } }], mirror: { host, subset: 'v2' }, mirrorPercentage: { value: 100 } });
    expect(http[1]).toMatchObject({ rewrite: { uri: '/v2/api' }, route: [{ destination: { host, subset: 'v2' } }] });
    expect(http[2].redirect).toEqual({ uri: '/customers', authority: host });
    expect(http[3].route).toEqual([{ destination: { host, subset: 'v1' }, weight: 70 }, { destination: { host, subset: 'v2' }, weight: 30 }]);
  });

  test('S5: httpbin has the circuit breaker values exactly', () => {
    const dr = find(out, 'DestinationRule', 'httpbin', 'default');
    expect(dr.spec.trafficPolicy.connectionPool).toEqual({ tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } });
    expect(dr.spec.trafficPolicy.outlierDetection).toEqual({ consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '3m', maxEjectionPercent: 100 });
  });
});
