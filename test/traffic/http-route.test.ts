import { Chart, Duration, Testing } from 'cdk8s';
import * as istio from '../../imports/networking.istio.io';
import { HttpFault, HttpRouteOptions, RetryOn } from '../../lib/traffic/http-route';
import { renderHttpRoute, RouteTarget } from '../../lib/traffic/render-http-route';
import { StringMatch } from '../../lib/traffic/string-match';
import { WARNING_METADATA } from '../../lib/private/warnings';
import { synthValid } from '../util/synth';

const HOST = 'customers.default.svc.cluster.local';
const TARGET: RouteTarget = { host: HOST, versions: ['v1', 'v2'] };

function render(route: HttpRouteOptions, target: RouteTarget = TARGET, chart: Chart = Testing.chart()): Record<string, any> {
  return renderHttpRoute(chart, 'routes[0]', route, target);
}

/** Puts rendered routes in a VirtualService and validates it against the Istio CRD schema. */
function expectSchemaValid(...http: Record<string, unknown>[]) {
  return synthValid((c) => new istio.VirtualService(c, 'vs', {
    metadata: { name: 'customers' },
    spec: { hosts: [HOST], http: http as istio.VirtualServiceSpecHttp[] },
  }))[0];
}

describe('renderHttpRoute', () => {
  test('routes to the whole service when there are no destinations', () => {
    expect(render({})).toEqual({ route: [{ destination: { host: HOST } }] });
  });

  test('renders the default port on every destination', () => {
    expect(render({ destinations: [{ version: 'v1' }] }, { ...TARGET, defaultPort: 80 }))
      .toEqual({ route: [{ destination: { host: HOST, subset: 'v1', port: { number: 80 } } }] });
  });

  test('S4: splits 70/30 between v1 and v2', () => {
    const out = render({ destinations: [{ version: 'v1', weight: 70 }, { version: 'v2', weight: 30 }] });
    expect(out.route).toEqual([
      { destination: { host: HOST, subset: 'v1' }, weight: 70 },
      { destination: { host: HOST, subset: 'v2' }, weight: 30 },
    ]);
    expectSchemaValid(out);
  });

  test('S4: routes Firefox (header regex) to v1', () => {
    const out = render({ match: [{ headers: { 'user-agent': StringMatch.regex('.*Firefox.*') } }], destinations: [{ version: 'v1' }] });
    expect(out).toEqual({
      match: [{ headers: { 'user-agent': { regex: '.*Firefox.*' } } }],
      route: [{ destination: { host: HOST, subset: 'v1' } }],
    });
    expectSchemaValid(out, render({ destinations: [{ version: 'v2' }] }));
  });

  test('S14: routes end-user jason to v2', () => {
    const out = render({ match: [{ headers: { 'end-user': StringMatch.exact('jason') } }], destinations: [{ version: 'v2' }] });
    expect(out.match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
  });

  test('S4: rewrites /v1/api to /v2/api', () => {
    const out = render({ match: [{ uri: StringMatch.prefix('/v1/api') }], rewrite: { uri: '/v2/api' }, destinations: [{ version: 'v2' }] });
    expect(out.match).toEqual([{ uri: { prefix: '/v1/api' } }]);
    expect(out.rewrite).toEqual({ uri: '/v2/api' });
    expectSchemaValid(out);
  });

  test('S4: redirects with uri and authority, without a route', () => {
    const out = render({ match: [{ uri: StringMatch.exact('/api/v1') }], redirect: { uri: '/v2/api', authority: 'newcustomers.default.svc.cluster.local' } });
    expect(out).toEqual({
      match: [{ uri: { exact: '/api/v1' } }],
      redirect: { uri: '/v2/api', authority: 'newcustomers.default.svc.cluster.local' },
    });
    expect(out.route).toBeUndefined();
    expectSchemaValid(out);
  });

  test('S4: mirrors 100% of the traffic to v2', () => {
    const out = render({ destinations: [{ version: 'v1', weight: 100 }], mirror: { version: 'v2', percentage: 100 } });
    expect(out.route).toEqual([{ destination: { host: HOST, subset: 'v1' }, weight: 100 }]);
    expect(out.mirror).toEqual({ host: HOST, subset: 'v2' });
    expect(out.mirrorPercentage).toEqual({ value: 100 });
    expectSchemaValid(out);
  });

  test('mirror percentage defaults to 100 and accepts decimals', () => {
    expect(render({ mirror: { version: 'v2' } }).mirrorPercentage).toEqual({ value: 100 });
    expect(render({ mirror: { version: 'v2', percentage: 0.5 } }).mirrorPercentage).toEqual({ value: 0.5 });
  });

  test('S5: delay fault with percentage', () => {
    const out = render({ fault: HttpFault.delay(Duration.seconds(5), 50) });
    expect(out.fault).toEqual({ delay: { fixedDelay: '5s', percentage: { value: 50 } } });
    expectSchemaValid(out);
  });

  test('S5: abort fault with HTTP status, defaulting to 100%', () => {
    expect(render({ fault: HttpFault.abort(500) }).fault).toEqual({ abort: { httpStatus: 500, percentage: { value: 100 } } });
  });

  test('delay and abort together', () => {
    const out = render({ fault: HttpFault.delay(Duration.millis(500), 10).andAbort(503, 5) });
    expect(out.fault).toEqual({
      delay: { fixedDelay: '500ms', percentage: { value: 10 } },
      abort: { httpStatus: 503, percentage: { value: 5 } },
    });
    expect(render({ fault: HttpFault.abort(503, 5).andDelay(Duration.seconds(2)) }).fault.delay).toEqual({ fixedDelay: '2s', percentage: { value: 100 } });
    expectSchemaValid(out);
  });

  test('S5: timeout and bounded retries as Istio durations', () => {
    const out = render({
      timeout: Duration.seconds(10),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE, RetryOn.statusCode(503)] },
    });
    expect(out.timeout).toBe('10s');
    expect(out.retries).toEqual({ attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure,503' });
    expectSchemaValid(out);
  });

  test('warns once when a fault is combined with retries on one route', () => {
    const chart = Testing.chart();
    const route = { fault: HttpFault.abort(500), retries: { attempts: 2 } };
    render(route, TARGET, chart);
    render(route, TARGET, chart);
    const warnings = chart.node.metadata.filter((m) => m.type === WARNING_METADATA);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].data).toMatch(/'routes\[0\].fault' is combined with retries.*\[http-route:fault-with-retries\]/);
  });

  test('renders every match kind', () => {
    const out = render({
      name: 'all-matches',
      match: [{
        name: 'm1',
        uri: StringMatch.prefix('/api'),
        ignoreUriCase: true,
        method: StringMatch.exact('GET'),
        authority: StringMatch.exact('customers.example.com'),
        scheme: StringMatch.exact('https'),
        headers: { 'x-debug': StringMatch.exact('1') },
        withoutHeaders: { 'x-canary': StringMatch.prefix('no') },
        queryParams: { version: StringMatch.regex('v[0-9]+') },
        port: 8080,
        sourceLabels: { app: 'web-frontend' },
        sourceNamespace: 'default',
      }, { uri: StringMatch.exact('/health') }],
      destinations: [{ version: 'v1' }],
    });
    expect(out.name).toBe('all-matches');
    expect(out.match[0]).toEqual({
      name: 'm1', uri: { prefix: '/api' }, ignoreUriCase: true, method: { exact: 'GET' }, authority: { exact: 'customers.example.com' },
      scheme: { exact: 'https' }, headers: { 'x-debug': { exact: '1' } }, withoutHeaders: { 'x-canary': { prefix: 'no' } },
      queryParams: { version: { regex: 'v[0-9]+' } }, port: 8080, sourceLabels: { app: 'web-frontend' }, sourceNamespace: 'default',
    });
    expectSchemaValid(out);
  });

  test('renders header operations on the route and per destination', () => {
    const out = render({
      destinations: [{ version: 'v1', weight: 50, headers: { response: { add: { 'x-version': 'v1' } } } }, { version: 'v2', weight: 50 }],
      headers: { request: { set: { 'x-request-source': 'mesh' }, remove: ['x-internal'] }, response: { remove: ['server'] } },
    });
    expect(out.headers).toEqual({ request: { set: { 'x-request-source': 'mesh' }, remove: ['x-internal'] }, response: { remove: ['server'] } });
    expect(out.route[0].headers).toEqual({ response: { add: { 'x-version': 'v1' } } });
    expectSchemaValid(out);
  });

  test('renders a CORS policy', () => {
    const out = render({
      corsPolicy: {
        allowOrigins: [StringMatch.exact('https://example.com'), StringMatch.regex('https://.*\\.example\\.com')],
        allowMethods: ['GET', 'POST'], allowHeaders: ['x-custom'], exposeHeaders: ['x-version'], maxAge: Duration.hours(24), allowCredentials: true,
      },
    });
    expect(out.corsPolicy).toEqual({
      allowOrigins: [{ exact: 'https://example.com' }, { regex: 'https://.*\\.example\\.com' }],
      allowMethods: ['GET', 'POST'], allowHeaders: ['x-custom'], exposeHeaders: ['x-version'], maxAge: '24h', allowCredentials: true,
    });
    expectSchemaValid(out);
  });

  test('renders a redirect with scheme, port and code, and a regex rewrite', () => {
    expect(render({ redirect: { scheme: 'https', port: 443, redirectCode: 308 } }).redirect).toEqual({ scheme: 'https', port: 443, redirectCode: 308 });
    const rw = render({ rewrite: { uriRegex: { match: '^/service/([^/]+)(/.*)$', rewrite: '\\2/instance/\\1' }, authority: 'internal.example.com' } });
    expect(rw.rewrite).toEqual({ authority: 'internal.example.com', uriRegexRewrite: { match: '^/service/([^/]+)(/.*)$', rewrite: '\\2/instance/\\1' } });
    expectSchemaValid(rw);
  });

  test('accepts RE2 named groups and inline flags', () => {
    expect(render({ match: [{ uri: StringMatch.regex('(?i)/API/(?P<id>[0-9]+)') }] }).match[0].uri).toEqual({ regex: '(?i)/API/(?P<id>[0-9]+)' });
  });
});

describe('renderHttpRoute validation', () => {
  test('fails when weights do not sum to 100', () => {
    expect(() => render({ destinations: [{ version: 'v1', weight: 70 }, { version: 'v2', weight: 20 }] }))
      .toThrow(/\[test\] 'routes\[0\].destinations' weights must sum to 100, got "70\+20=90". Fix: adjust the weights/);
  });

  test('fails when only some destinations have a weight', () => {
    expect(() => render({ destinations: [{ version: 'v1', weight: 100 }, { version: 'v2' }] }))
      .toThrow(/'routes\[0\].destinations\[1\].weight' is missing while 1 other destination\(s\) have a weight, got nothing/);
  });

  test('fails for several destinations without weights', () => {
    expect(() => render({ destinations: [{ version: 'v1' }, { version: 'v2' }] }))
      .toThrow(/'routes\[0\].destinations' need weights when there is more than one destination, got \["v1","v2"\]/);
  });

  test('fails for a weight above 100', () => {
    expect(() => render({ destinations: [{ version: 'v1', weight: 120 }] }))
      .toThrow(/'routes\[0\].destinations\[0\].weight' must be an integer from 0 to 100, got 120/);
  });

  test('fails for an unknown version and lists the known ones', () => {
    expect(() => render({ destinations: [{ version: 'v1', weight: 50 }, { version: 'v3', weight: 50 }] }))
      .toThrow(/'routes\[0\].destinations\[1\].version' is not a version of customers.default.svc.cluster.local \(known versions: v1, v2\), got "v3". Fix: use one of "v1", "v2"/);
  });

  test('fails for an unknown mirror version', () => {
    expect(() => render({ mirror: { version: 'v9' } }))
      .toThrow(/'routes\[0\].mirror.version' is not a version of .* got "v9"/);
  });

  test('fails for a duplicate destination', () => {
    expect(() => render({ destinations: [{ version: 'v1', weight: 50 }, { version: 'v1', weight: 50 }] }))
      .toThrow(/'routes\[0\].destinations\[1\].version' repeats destinations\[0\], got "v1"/);
  });

  test('fails for an empty destination list', () => {
    expect(() => render({ destinations: [] })).toThrow(/'routes\[0\].destinations' must not be empty, got \[\]/);
  });

  test('fails for redirect combined with destinations (Istio rule)', () => {
    expect(() => render({ redirect: { uri: '/new' }, destinations: [{ version: 'v1' }] }))
      .toThrow(/'routes\[0\].destinations' cannot be combined with redirect .* got \[\{"version":"v1"\}\]/);
  });

  test('fails for redirect combined with rewrite', () => {
    expect(() => render({ redirect: { uri: '/new' }, rewrite: { uri: '/x' } }))
      .toThrow(/'routes\[0\].rewrite' cannot be combined with redirect .* got \{"uri":"\/x"\}/);
  });

  test('fails for redirect combined with mirror', () => {
    expect(() => render({ redirect: { uri: '/new' }, mirror: { version: 'v2' } }))
      .toThrow(/'routes\[0\].mirror' cannot be combined with redirect .* got \{"version":"v2"\}/);
  });

  test('fails for an empty redirect', () => {
    expect(() => render({ redirect: {} })).toThrow(/'routes\[0\].redirect' must change at least one of uri, authority, scheme or port, got \{\}/);
  });

  test('fails for an unsupported redirect code', () => {
    expect(() => render({ redirect: { uri: '/x', redirectCode: 200 } }))
      .toThrow(/'routes\[0\].redirect.redirectCode' must be one of 301, 302, 303, 307, 308, got 200/);
  });

  test('fails for a relative redirect uri', () => {
    expect(() => render({ redirect: { uri: 'v2/api' } })).toThrow(/'routes\[0\].redirect.uri' must be an absolute path starting with '\/', got "v2\/api". Fix: use "\/v2\/api"/);
  });

  test('fails for a bad redirect scheme', () => {
    expect(() => render({ redirect: { scheme: 'ftp' } })).toThrow(/'routes\[0\].redirect.scheme' must be 'http' or 'https', got "ftp"/);
  });

  test('fails for a rewrite with both uri and uriRegex', () => {
    expect(() => render({ rewrite: { uri: '/a', uriRegex: { match: '^/b', rewrite: '/c' } } }))
      .toThrow(/'routes\[0\].rewrite.uriRegex' cannot be combined with uri, got \{"match":"\^\/b","rewrite":"\/c"\}/);
  });

  test('fails for a regex with look-ahead (not RE2)', () => {
    expect(() => render({ match: [{ headers: { 'user-agent': StringMatch.regex('(?!.*bot).*') } }] }))
      .toThrow(/'routes\[0\].match\[0\].headers\["user-agent"\]' uses a look-ahead \("\(\?!"\), which RE2 .* does not support, got "\(\?!\.\*bot\)\.\*"/);
  });

  test('fails for an invalid regex', () => {
    expect(() => render({ match: [{ uri: StringMatch.regex('/api/(v1') }] }))
      .toThrow(/'routes\[0\].match\[0\].uri' is not a valid regular expression .* got "\/api\/\(v1"/);
  });

  test('fails for an upper-case header name in a match', () => {
    expect(() => render({ match: [{ headers: { 'User-Agent': StringMatch.regex('.*Firefox.*') } }] }))
      .toThrow(/'routes\[0\].match\[0\].headers\["User-Agent"\]' must be a lower-case HTTP header name, got "User-Agent". Fix: use "user-agent"/);
  });

  test('fails for an empty prefix match', () => {
    expect(() => render({ match: [{ uri: StringMatch.prefix('') }] }))
      .toThrow(/'routes\[0\].match\[0\].uri' prefix match must not be empty, got "". Fix: use StringMatch.prefix\('\/'\)/);
  });

  test('fails for a match without conditions', () => {
    expect(() => render({ match: [{}] })).toThrow(/'routes\[0\].match\[0\]' has no condition and would match every request, got \{\}/);
  });

  test('fails for ignoreUriCase with a regex uri', () => {
    expect(() => render({ match: [{ uri: StringMatch.regex('/api/.*'), ignoreUriCase: true }] }))
      .toThrow(/'routes\[0\].match\[0\].ignoreUriCase' does not apply to regex URI matches, got "\/api\/\.\*"/);
  });

  test('fails for a fault percentage above 100', () => {
    expect(() => render({ fault: HttpFault.delay(Duration.seconds(1), 150) }))
      .toThrow(/'routes\[0\].fault.delay.percentage' must be between 0 and 100, got 150/);
  });

  test('fails for an abort status outside 200-599', () => {
    expect(() => render({ fault: HttpFault.abort(999) })).toThrow(/'routes\[0\].fault.abort.httpStatus' must be an integer from 200 to 599, got 999/);
  });

  test('fails for a zero fault delay', () => {
    expect(() => render({ fault: HttpFault.delay(Duration.seconds(0)) })).toThrow(/'routes\[0\].fault.delay.fixedDelay' must be at least 1ms, got "0ms"/);
  });

  test('fails for a mirror percentage above 100', () => {
    expect(() => render({ mirror: { version: 'v2', percentage: 101 } })).toThrow(/'routes\[0\].mirror.percentage' must be between 0 and 100, got 101/);
  });

  test('fails for negative retry attempts', () => {
    expect(() => render({ retries: { attempts: -1 } })).toThrow(/'routes\[0\].retries.attempts' must be an integer from 0 to 2147483647, got -1/);
  });

  test('fails for perTryTimeout with retries disabled', () => {
    expect(() => render({ retries: { attempts: 0, perTryTimeout: Duration.seconds(1) } }))
      .toThrow(/'routes\[0\].retries.perTryTimeout' has no effect with attempts: 0 \(retries disabled\), got "1 second"/);
  });

  test('fails for a retry status code out of range', () => {
    expect(() => render({ retries: { attempts: 2, retryOn: [RetryOn.statusCode(42)] } }))
      .toThrow(/'routes\[0\].retries.retryOn\[0\]' must be an integer from 100 to 599, got 42/);
  });

  test('fails for a duplicate retryOn condition', () => {
    expect(() => render({ retries: { attempts: 2, retryOn: [RetryOn.FIVE_XX, RetryOn.FIVE_XX] } }))
      .toThrow(/'routes\[0\].retries.retryOn' lists a condition twice, got "5xx"/);
  });

  test('fails for setting the Host header', () => {
    expect(() => render({ headers: { request: { set: { Host: 'x' } } } }))
      .toThrow(/'routes\[0\].headers.request.set\["Host"\]' cannot be changed with header operations .* got "Host". Fix: use rewrite: \{ authority \}/);
  });

  test('fails for removing a header that is also set', () => {
    expect(() => render({ headers: { response: { set: { 'x-a': '1' }, remove: ['x-a'] } } }))
      .toThrow(/'routes\[0\].headers.response.remove' removes a header that the same operation sets or adds, got "x-a"/);
  });

  test('fails for CORS credentials with the wildcard origin', () => {
    expect(() => render({ corsPolicy: { allowOrigins: [StringMatch.exact('*')], allowCredentials: true } }))
      .toThrow(/'routes\[0\].corsPolicy.allowOrigins\[0\]' admits any site .* while allowCredentials is true.*got "exact \\"\*\\""/);
  });

  test('fails for a lower-case CORS method', () => {
    expect(() => render({ corsPolicy: { allowOrigins: [StringMatch.exact('https://a.example.com')], allowMethods: ['get'] } }))
      .toThrow(/'routes\[0\].corsPolicy.allowMethods\[0\]' must be one of GET, .* got "get". Fix: use "GET"/);
  });

  test('fails for an invalid route name', () => {
    expect(() => render({ name: 'Firefox Route' })).toThrow(/'routes\[0\].name' must be a DNS-1123 label .* got "Firefox Route"/);
  });

  test('fails for a destination port out of range', () => {
    expect(() => render({ destinations: [{ version: 'v1', port: 0 }] })).toThrow(/'routes\[0\].destinations\[0\].port' must be an integer from 1 to 65535, got 0/);
  });

  test('names the construct path of the scope', () => {
    const chart = Testing.chart();
    expect(() => renderHttpRoute(chart, 'routes[2]', { destinations: [{ version: 'v1', weight: 1 }] }, TARGET))
      .toThrow(/^\[test\] 'routes\[2\].destinations' weights must sum to 100/);
  });
});
