import { FindingSeverity } from '../../lib';
import { BookinfoChart } from '../../platform/charts/bookinfo';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/security-fixtures';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: bookinfo chart (S14)', () => {
  const { platform, manifestsOf, findingsOf } = analyzedPlatform();
  const chart = platform.bookinfo;
  const out = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(BookinfoChart);
    expect(findingsOf(chart).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expectValidManifests(out);
  });

  test('S14: reviews go to v1 except for jason, who gets v2; one ServiceAccount per Bookinfo service', () => {
    const http = find(out, 'VirtualService', 'reviews', 'bookinfo').spec.http;
    expect(http[0]).toMatchObject({ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' } }] });
    expect(http[1].route).toEqual([{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1' } }]);
    const accounts = out.filter((m) => m.kind === 'ServiceAccount' && m.metadata.namespace === 'bookinfo').map((m) => m.metadata.name);
    expect(accounts.sort()).toEqual(['details', 'productpage', 'ratings', 'reviews']);
  });

  test('S14: productpage is exposed on the sample app\'s gateway', () => {
    expect(find(out, 'VirtualService', 'productpage-gateway', 'bookinfo').spec.gateways).toEqual([platform.sampleApp.gateway.ref]);
  });
});
