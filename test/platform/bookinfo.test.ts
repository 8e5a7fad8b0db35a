import { Chart, Testing } from 'cdk8s';
import { FindingSeverity, Gateway, TrafficSplit } from '../../lib';
import { BookinfoChart } from '../../platform/charts/bookinfo';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: bookinfo chart (S14)', () => {
  const { platform, manifestsOf, findingsOf } = analyzedPlatform();
  const chart = platform.production.bookinfo;
  const out = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(BookinfoChart);
    expect(findingsOf(chart).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expectValidManifests(out);
  });

  test('S14/S6: jason gets reviews v2; every other request is split 50/50 between the v1 and v3 subsets; one ServiceAccount per Bookinfo service', () => {
    const host = 'reviews.bookinfo.svc.cluster.local';
    const http = find(out, 'VirtualService', 'reviews', 'bookinfo').spec.http;
    expect(http).toHaveLength(2);
    expect(http[0]).toMatchObject({ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host, subset: 'v2' } }] });
    expect(http[1].match).toBeUndefined();
    expect(http[1].route).toEqual([{ destination: { host, subset: 'v1' }, weight: 50 }, { destination: { host, subset: 'v3' }, weight: 50 }]);
    expect(find(out, 'DestinationRule', 'reviews', 'bookinfo').spec.subsets.map((s: any) => [s.name, s.labels.version])).toEqual([['v1', 'v1'], ['v2', 'v2'], ['v3', 'v3']]);
    const accounts = out.filter((m) => m.kind === 'ServiceAccount' && m.metadata.namespace === 'bookinfo').map((m) => m.metadata.name);
    expect(accounts.sort()).toEqual(['bookinfo-ratings', 'details', 'productpage', 'ratings', 'reviews']); // bookinfo-ratings: the S9 VM
  });

  test('S14 starts with every request but jason\'s on v1 (reviewsSplit)', () => {
    const app = Testing.app();
    const gateway = new Gateway(new Chart(app, 'gateway'), 'gateway');
    const bookinfo = new BookinfoChart(app, 'bookinfo', { gateway, reviewsSplit: TrafficSplit.allTo('v1') });
    const http = find(Testing.synth(bookinfo), 'VirtualService', 'reviews').spec.http;
    expect(http[1].route).toEqual([{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1' } }]);
  });

  test('S14: productpage is exposed on the sample app\'s gateway', () => {
    expect(find(out, 'VirtualService', 'productpage-gateway', 'bookinfo').spec.gateways).toEqual([platform.production.sampleApp.gateway.ref]);
  });

  test('S9: ratings is served from a VM: WorkloadGroup ratings (bookinfo-ratings), ratings-v1 at zero, every request to the vm subset', () => {
    const wg = find(out, 'WorkloadGroup', 'ratings', 'bookinfo');
    expect(wg.spec.metadata.labels).toEqual({ app: 'ratings', version: 'vm' });
    expect(wg.spec.template).toMatchObject({ serviceAccount: 'bookinfo-ratings', network: 'production-network' });
    expect(wg.spec.probe.httpGet).toEqual({ path: '/ratings/0', port: 9080 });
    expect(find(out, 'Deployment', 'ratings-v1', 'bookinfo').spec.replicas).toBe(0);
    expect(find(out, 'Service', 'ratings', 'bookinfo').spec.selector).toEqual({ app: 'ratings' });
    const subsets = find(out, 'DestinationRule', 'ratings', 'bookinfo').spec.subsets;
    expect(subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }, { name: 'vm', labels: { version: 'vm' } }]);
    expect(find(out, 'VirtualService', 'ratings', 'bookinfo').spec.http).toEqual([
      { route: [{ destination: { host: 'ratings.bookinfo.svc.cluster.local', subset: 'vm' } }] },
    ]);
    // the VM identity is what the ALLOW policy names for reviews -> ratings
    expect(find(out, 'AuthorizationPolicy', 'ratings-allow-reviews', 'bookinfo').spec.selector.matchLabels).toEqual({ app: 'ratings' });
  });
});
