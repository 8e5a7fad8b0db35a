import { ApiObject, Testing } from 'cdk8s';
import { analyze } from '../../lib';
import { buildReferencePlatform } from '../../main';
import { expectValidManifests, isCustomResource } from '../util/schema';

function platform() {
  const app = Testing.app();
  buildReferencePlatform(app);
  return analyze(app);
}

function find(report: ReturnType<typeof analyze>, kind: string, namespace: string, name: string) {
  const o = report.objects.find((x) => x.manifest.kind === kind && x.manifest.metadata.namespace === namespace && x.manifest.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${namespace}/${name} in the reference platform`);
  return o.manifest;
}

describe('reference platform (main.ts)', () => {
  const report = platform();

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(report.errors).toEqual([]);
    expectValidManifests(report.objects.map((o) => o.manifest));
  });

  test('matches the snapshot', () => {
    expect(report.objects.map((o) => o.manifest)).toMatchSnapshot();
  });

  test('no field is lost by the generated converters of imports/', () => {
    // Generated classes map TypeScript property names to API names and silently drop keys they do not know.
    // Constructs either pass typed props (TypeScript names, renamed by the converter) or render API JSON and
    // opt out of the converter (withApiFieldNames). Either way every value must survive.
    const leaves = (v: unknown): number => (v !== null && typeof v === 'object'
      ? Object.values(v as object).reduce((n: number, x) => n + leaves(x), 0)
      : 1);
    const crs = report.objects.filter((o) => isCustomResource(o.manifest));
    expect(crs.length).toBeGreaterThan(10);
    const lost = crs
      .filter((o) => leaves(o.manifest) < leaves(ApiObject.prototype.toJson.call(o.apiObject)))
      .map((o) => o.path);
    expect(lost).toEqual([]);
  });

  test('S1: web-frontend runs without a sidecar, customers with one; the gateway accepts any host on port 80', () => {
    expect(find(report, 'Deployment', 'default', 'web-frontend-v1').spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    expect(find(report, 'Deployment', 'default', 'customers-v1').spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('true');
    const gw = find(report, 'Gateway', 'default', 'gateway');
    expect(gw.spec).toEqual({ selector: { istio: 'ingressgateway' }, servers: [{ hosts: ['*'], name: 'http-80', port: { name: 'http-80', number: 80, protocol: 'HTTP' } }] });
    expect(find(report, 'VirtualService', 'default', 'web-frontend-gateway').spec.gateways).toEqual(['default/gateway']);
  });

  test('S4: customers routes Firefox to v1 with a mirror to v2, rewrites, redirects and splits 70/30 on fully-qualified hosts', () => {
    const http = find(report, 'VirtualService', 'default', 'customers').spec.http;
    const host = 'customers.default.svc.cluster.local';
    expect(http.map((r: any) => r.name)).toEqual(['firefox', 'api-v1', 'legacy', 'split']);
    expect(http[0]).toMatchObject({ match: [{ headers: { 'user-agent': { regex: '.*Firefox.*' } } }], mirror: { host, subset: 'v2' }, mirrorPercentage: { value: 100 } });
    expect(http[1]).toMatchObject({ rewrite: { uri: '/v2/api' }, route: [{ destination: { host, subset: 'v2' } }] });
    expect(http[2].redirect).toEqual({ uri: '/customers', authority: host });
    expect(http[3].route).toEqual([{ destination: { host, subset: 'v1' }, weight: 70 }, { destination: { host, subset: 'v2' }, weight: 30 }]);
  });

  test('S5: httpbin has the circuit breaker values exactly', () => {
    const dr = find(report, 'DestinationRule', 'default', 'httpbin');
    expect(dr.spec.trafficPolicy.connectionPool).toEqual({ tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } });
    expect(dr.spec.trafficPolicy.outlierDetection).toEqual({ consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '3m', maxEjectionPercent: 100 });
  });

  test('S14: reviews go to v1 except for jason, who gets v2; one ServiceAccount per Bookinfo service', () => {
    const http = find(report, 'VirtualService', 'bookinfo', 'reviews').spec.http;
    expect(http[0]).toMatchObject({ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' } }] });
    expect(http[1].route).toEqual([{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1' } }]);
    const accounts = report.objects.filter((o) => o.manifest.kind === 'ServiceAccount' && o.manifest.metadata.namespace === 'bookinfo').map((o) => o.manifest.metadata.name);
    expect(accounts.sort()).toEqual(['details', 'productpage', 'ratings', 'reviews']);
  });

  test('every workload runs under Pod Security "restricted"', () => {
    for (const o of report.objects.filter((x) => x.manifest.kind === 'Deployment')) {
      const pod = o.manifest.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources.requests).toBeDefined();
        expect(c.readinessProbe ?? c.startupProbe).toBeDefined();
      }
    }
  });

  test('no object name or pod label carries a construct-path hash', () => {
    for (const o of report.objects) {
      expect(o.manifest.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
      const podLabels = o.manifest.spec?.template?.metadata?.labels ?? {};
      expect(Object.keys(podLabels)).not.toContain('cdk8s.io/metadata.addr');
    }
  });
});
