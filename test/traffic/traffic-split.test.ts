import { Duration, Testing } from 'cdk8s';
import { MeshApp, StringMatch, TrafficSplit } from '../../lib';
import { expectValidManifests } from '../util/schema';

function customers() {
  const chart = Testing.chart();
  const app = new MeshApp(chart, 'customers', {
    ports: [{ name: 'http', port: 80, targetPort: 3000 }],
    versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/customers:1.0.0' }, { name: 'v2', image: 'gcr.io/tetratelabs/customers:2.0.0' }],
  });
  return { chart, app };
}
const vs = (chart: any) => Testing.synth(chart).find((o) => o.kind === 'VirtualService');
const dest = (subset: string, weight?: number) => ({ destination: { host: 'customers.default.svc.cluster.local', subset }, ...(weight === undefined ? {} : { weight }) });

describe('TrafficSplit', () => {
  test('default configuration (90/10)', () => {
    const { chart, app } = customers();
    app.splitTraffic(TrafficSplit.weighted({ v1: 90, v2: 10 }));
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expectValidManifests(out);
  });

  test('weighted 50/50 routes to the DestinationRule subsets', () => {
    const { chart, app } = customers();
    const returned = app.splitTraffic(TrafficSplit.weighted({ v1: 50, v2: 50 }));
    expect(returned).toBe(app.virtualService);
    expect(vs(chart).spec.http).toEqual([{ route: [dest('v1', 50), dest('v2', 50)] }]);
    const dr = Testing.synth(chart).find((o) => o.kind === 'DestinationRule');
    expect(dr.spec.subsets.map((s: any) => s.labels)).toEqual([{ version: 'v1' }, { version: 'v2' }]);
  });

  test('by header: Firefox to v1, the rest split', () => {
    const { chart, app } = customers();
    app.splitTraffic(TrafficSplit.byHeader('user-agent', StringMatch.regex('.*Firefox.*'), 'v1', TrafficSplit.allTo('v2')));
    expect(vs(chart).spec.http).toEqual([
      { match: [{ headers: { 'user-agent': { regex: '.*Firefox.*' } } }], route: [dest('v1')] },
      { route: [dest('v2')] },
    ]);
  });

  test('by cookie: testers opt in, with the same timeout on every route', () => {
    const { chart, app } = customers();
    const split = TrafficSplit.byCookie('tester', 'true', 'v2', TrafficSplit.weighted({ v1: 90, v2: 10 }, { timeout: Duration.seconds(3) }), { timeout: Duration.seconds(3) });
    app.splitTraffic(split);
    const http = vs(chart).spec.http;
    expect(http[0].match).toEqual([{ headers: { cookie: { regex: '^(.*?;\\s*)?(tester=true)(;.*)?$' } } }]);
    expect(http.map((r: any) => r.timeout)).toEqual(['3s', '3s']);
    expect(new RegExp(http[0].match[0].headers.cookie.regex).test('a=b; tester=true; c=d')).toBe(true);
    expect(new RegExp(http[0].match[0].headers.cookie.regex).test('nottester=true')).toBe(false);
    expectValidManifests(Testing.synth(chart));
  });

  test('toRoutes returns the routes, matches first', () => {
    const routes = TrafficSplit.byMatch([{ uri: StringMatch.prefix('/beta') }], 'v2', TrafficSplit.allTo('v1')).toRoutes();
    expect(routes.map((r) => r.destinations)).toEqual([[{ version: 'v2' }], [{ version: 'v1' }]]);
  });

  test('fails when weights do not sum to 100 or name an unknown version', () => {
    expect(() => customers().app.splitTraffic(TrafficSplit.weighted({ v1: 70, v2: 20 }))).toThrow(/'routes\[0\]\.destinations' weights must sum to 100, got "70\+20=90"/);
    expect(() => customers().app.splitTraffic(TrafficSplit.weighted({ v1: 90, v3: 10 }))).toThrow(/'routes\[0\]\.destinations\[1\]\.version' is not a version/);
  });
});
