/**
 * Routes: a rewrite without a leading '/', routes made unreachable by a catch-all before them, CR/LF and other
 * control characters in header values and matches, a per-try timeout longer than the route timeout, empty maps.
 */
import { Duration } from 'cdk8s';
import { Gateway, RetryOn, StringMatch, TrafficSplit } from '../../lib';
import { Build, expectAccepted, expectRejected, expectRejectedKeepingOutput, meshErr, shop } from './helpers';

const jason = [{ headers: { 'end-user': StringMatch.exact('jason') } }];
const JASON_SHOWN = '[{"headers":{"end-user":{"kind":"exact","value":"jason"}}}]';
const CATCH_ALL_FIX = "put the catch-all route 'routes[0]' last";
const HEADER_FIX = 'remove line breaks and control characters from the value';

const cases: Array<[string, Build, RegExp]> = [
  ['a rewrite uri without a leading "/"', (c) => shop(c, 'shop', { routes: [{ rewrite: { uri: 'v2/' } }] }),
    meshErr('test/shop', 'routes[0].rewrite.uri', '"v2/"', 'use "/v2/"')],
  ['an empty rewrite uri', (c) => shop(c, 'shop', { routes: [{ rewrite: { uri: '' } }] }),
    meshErr('test/shop', 'routes[0].rewrite.uri', '""', 'use "/"')],
  ['a rewrite uri that is a full URL', (c) => shop(c, 'shop', { routes: [{ rewrite: { uri: 'https://example.com/v2' } }] }),
    meshErr('test/shop', 'routes[0].rewrite.uri', '"https://example.com/v2"', 'use "/https://example.com/v2"')],
  ['a catch-all route before a matched route (routes prop)', (c) => shop(c, 'shop', {
    routes: [{ destinations: [{ version: 'v1' }] }, { match: jason, destinations: [{ version: 'v2' }] }],
  }), meshErr('test/shop', 'routes[1]', JASON_SHOWN, CATCH_ALL_FIX)],
  ['addRoute() after a catch-all route', (c) => {
    const app = shop(c, 'shop', { routes: [{ destinations: [{ version: 'v1' }] }] });
    app.addRoute({ match: jason, destinations: [{ version: 'v2' }] });
  }, meshErr('test/shop', 'routes[1]', JASON_SHOWN, CATCH_ALL_FIX)],
  ['splitTraffic() after a catch-all route', (c) => {
    const app = shop(c, 'shop', { routes: [{ destinations: [{ version: 'v1' }] }] });
    app.splitTraffic(TrafficSplit.weighted({ v1: 90, v2: 10 }));
  }, meshErr('test/shop', 'routes[1]', '"no match"', CATCH_ALL_FIX)],
  ['two catch-all routes', (c) => shop(c, 'shop', { routes: [{ destinations: [{ version: 'v1' }] }, { destinations: [{ version: 'v2' }] }] }),
    meshErr('test/shop', 'routes[1]', '"no match"', CATCH_ALL_FIX)],
  ['a catch-all redirect before a route', (c) => shop(c, 'shop', { routes: [{ redirect: { uri: '/new' } }, { match: jason }] }),
    meshErr('test/shop', 'routes[1]', JASON_SHOWN, CATCH_ALL_FIX)],
  ['exposeVia() routes with a catch-all first', (c) => shop(c, 'shop').exposeVia(new Gateway(c, 'gw'), {
    routes: [{ destinations: [{ version: 'v1' }] }, { match: jason, destinations: [{ version: 'v2' }] }],
  }), meshErr('test/shop', 'exposeVia(default/gw).routes[1]', JASON_SHOWN, "put the catch-all route 'exposeVia(default/gw).routes[0]' last")],
  ['a header value with CR/LF (header injection)', (c) => shop(c, 'shop', { routes: [{ headers: { request: { set: { 'x-user': 'a\r\nx-admin: true' } } } }] }),
    meshErr('test/shop', 'routes[0].headers.request.set["x-user"]', '"a\\r\\nx-admin: true"', HEADER_FIX)],
  ['an added response header with LF', (c) => shop(c, 'shop', { routes: [{ headers: { response: { add: { 'x-info': 'a\nb' } } } }] }),
    meshErr('test/shop', 'routes[0].headers.response.add["x-info"]', '"a\\nb"', HEADER_FIX)],
  ['a destination header value with NUL', (c) => shop(c, 'shop', {
    routes: [{ destinations: [{ version: 'v1', weight: 50, headers: { request: { set: { 'x-v': 'v1\u0000' } } } }, { version: 'v2', weight: 50 }] }],
  }), meshErr('test/shop', 'routes[0].destinations[0].headers.request.set["x-v"]', '"v1\\u0000"', HEADER_FIX)],
  ['a header value that is not a string', (c) => shop(c, 'shop', { routes: [{ headers: { request: { set: { 'x-n': 5 as unknown as string } } } }] }),
    meshErr('test/shop', 'routes[0].headers.request.set["x-n"]', '5', 'write the value as a string, e.g. "5"')],
  ['an exact header match with a line break', (c) => shop(c, 'shop', { routes: [{ match: [{ headers: { 'end-user': StringMatch.exact('jason\n') } }] }] }),
    meshErr('test/shop', 'routes[0].match[0].headers["end-user"]', '"jason\\n"', 'remove the control characters')],
  ['a prefix uri match with a carriage return', (c) => shop(c, 'shop', { routes: [{ match: [{ uri: StringMatch.prefix('/api\r') }] }] }),
    meshErr('test/shop', 'routes[0].match[0].uri', '"/api\\r"', 'remove the control characters')],
  ['a per-try timeout longer than the route timeout', (c) => shop(c, 'shop', {
    routes: [{ timeout: Duration.seconds(2), retries: { attempts: 3, perTryTimeout: Duration.seconds(5) } }],
  }), meshErr('test/shop', 'routes[0].retries.perTryTimeout', '"5s"', 'make perTryTimeout shorter than the timeout')],
  ['a per-try timeout of 1500ms with a 1s timeout', (c) => shop(c, 'shop', {
    routes: [{ timeout: Duration.seconds(1), retries: { attempts: 2, perTryTimeout: Duration.millis(1500), retryOn: [RetryOn.GATEWAY_ERROR] } }],
  }), meshErr('test/shop', 'routes[0].retries.perTryTimeout', '"1500ms"', 'make perTryTimeout shorter than the timeout')],
  ['an empty query parameter map', (c) => shop(c, 'shop', { routes: [{ match: [{ queryParams: {} }] }] }),
    meshErr('test/shop', 'routes[0].match[0].queryParams', '{}', "remove 'queryParams'")],
  ['an empty withoutHeaders map', (c) => shop(c, 'shop', { routes: [{ match: [{ uri: StringMatch.prefix('/a'), withoutHeaders: {} }] }] }),
    meshErr('test/shop', 'routes[0].match[0].withoutHeaders', '{}', "remove 'withoutHeaders'")],
];

describe('routes', () => {
  test.each(cases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  test.each([cases[3], cases[9], cases[15]])('synthesize() fails for %s and leaves the previous output byte for byte', (_name, build, error) => {
    expectRejectedKeepingOutput(build, error);
  });

  test('a catch-all route last, and a per-try timeout within the timeout, are accepted', () => {
    const objects = expectAccepted((c) => shop(c, 'shop', {
      routes: [
        { match: jason, destinations: [{ version: 'v2' }], rewrite: { uri: '/' } },
        { destinations: [{ version: 'v1' }], timeout: Duration.seconds(3), retries: { attempts: 2, perTryTimeout: Duration.seconds(1) } },
      ],
    }));
    expect(objects.find((o) => o.kind === 'VirtualService').spec.http).toHaveLength(2);
  });
});
