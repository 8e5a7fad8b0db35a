import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { meshError, show } from '../private/errors';
import { checkMatchHeaderName, checkOperationHeaderName } from '../private/headers';
import { istioDuration } from '../private/istio-duration';
import { checkDnsLabel, checkInteger, checkRange } from '../private/validate';
import { addWarning, WARNING_METADATA } from '../private/warnings';

/**
 * How a string is matched: exactly, by prefix, or by an RE2 regular expression (which must match
 * the whole value, e.g. '.*Firefox.*').
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch
 */
export class StringMatch {
  /** The value must equal `value`. */
  public static exact(value: string): StringMatch {
    return new StringMatch('exact', value);
  }

  /** The value must start with `value`. */
  public static prefix(value: string): StringMatch {
    return new StringMatch('prefix', value);
  }

  /** The whole value must match the RE2 expression `pattern` (no look-around, no back-references). */
  public static regex(pattern: string): StringMatch {
    return new StringMatch('regex', pattern);
  }

  private constructor(
    /** 'exact', 'prefix' or 'regex'. */
    public readonly kind: 'exact' | 'prefix' | 'regex',
    /** The string or pattern. */
    public readonly value: string,
  ) {}

  /** @internal */
  public _render(scope: IConstruct, field: string): Record<string, string> {
    if (this.value.length === 0) {
      throw meshError(scope, field, `${this.kind} match must not be empty`, this.value,
        this.kind === 'prefix' ? "use StringMatch.prefix('/') to match every path" : 'pass a value, or drop the condition');
    }
    if (this.kind === 'regex') checkRe2(scope, field, this.value);
    return { [this.kind]: this.value };
  }
}

/**
 * Conditions of one HTTP match; all set conditions must hold (AND). Several matches on a route are ORed.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export interface HttpMatch {
  /** Name of the match, used in access logs and as a prefix of the route name. @default - unnamed */
  readonly name?: string;
  /** @default - any URI */
  readonly uri?: StringMatch;
  /** @default - any scheme */
  readonly scheme?: StringMatch;
  /** HTTP method, e.g. StringMatch.exact('GET'). @default - any method */
  readonly method?: StringMatch;
  /** Host / :authority. @default - any authority */
  readonly authority?: StringMatch;
  /** Request headers (lower-case names), e.g. { 'user-agent': StringMatch.regex('.*Firefox.*') }. @default - no header condition */
  readonly headers?: Record<string, StringMatch>;
  /** Query parameters. @default - no query condition */
  readonly queryParams?: Record<string, StringMatch>;
  /** Headers that must NOT match. @default - none */
  readonly withoutHeaders?: Record<string, StringMatch>;
  /** Case-insensitive URI matching (exact and prefix only). @default false */
  readonly ignoreUriCase?: boolean;
  /** Destination port of the request, for services listening on several ports. @default - any port */
  readonly port?: number;
  /** Labels of the calling workload (mesh traffic only). @default - any caller */
  readonly sourceLabels?: Record<string, string>;
  /** Namespace of the calling workload (mesh traffic only). @default - any namespace */
  readonly sourceNamespace?: string;
}

/** One weighted destination of a route: a version (DestinationRule subset) of the target service. */
export interface RouteDestination {
  /** Version (subset) to send traffic to. @default - the whole service, every version */
  readonly version?: string;
  /** Percentage of the route's traffic (integer 0–100); set on all destinations of a route or on none. @default - 100 for a single destination */
  readonly weight?: number;
  /** Service port. @default - the target's default port */
  readonly port?: number;
  /** Header operations applied only when this destination is chosen. @default - none */
  readonly headers?: HeaderOperations;
}

/**
 * Redirect instead of routing (Istio: cannot be combined with destinations, rewrite or mirror).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect
 */
export interface HttpRedirect {
  /** Replacement path. @default - keep the path */
  readonly uri?: string;
  /** Replacement authority (host). @default - keep the authority */
  readonly authority?: string;
  /** Redirect status: 301, 302, 303, 307 or 308. @default 301 */
  readonly redirectCode?: number;
  /** Replacement scheme, 'http' or 'https'. @default - keep the scheme */
  readonly scheme?: string;
  /** Replacement port. @default - keep the port */
  readonly port?: number;
}

/**
 * Rewrite of the request before it is forwarded.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRewrite
 */
export interface HttpRewrite {
  /** Replaces the matched prefix (or the whole path for exact matches). @default - keep the path */
  readonly uri?: string;
  /** Replaces the Host / :authority header. @default - keep the authority */
  readonly authority?: string;
  /** Regex rewrite of the path (cannot be combined with `uri`). @default - none */
  readonly uriRegex?: { readonly match: string; readonly rewrite: string };
}

/** Traffic mirroring (shadowing) to a version of the same service; responses of the mirror are discarded. */
export interface HttpMirror {
  /** Version (subset) receiving the copies. @default - the whole service */
  readonly version?: string;
  /** Percentage (0–100, decimals allowed) of requests copied. @default 100 */
  readonly percentage?: number;
  /** Service port. @default - the target's default port */
  readonly port?: number;
}

/** Header changes; names of `set`/`add` entries and `remove` entries. */
export interface HeaderOperation {
  /** Overwrite these headers. @default - none */
  readonly set?: Record<string, string>;
  /** Append these headers. @default - none */
  readonly add?: Record<string, string>;
  /** Remove these headers. @default - none */
  readonly remove?: string[];
}

/** Request and response header manipulation. */
export interface HeaderOperations {
  /** @default - no change */
  readonly request?: HeaderOperation;
  /** @default - no change */
  readonly response?: HeaderOperation;
}

/**
 * CORS policy of a route.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy
 */
export interface CorsPolicy {
  /** Allowed origins, e.g. [StringMatch.exact('https://example.com')]. */
  readonly allowOrigins: StringMatch[];
  /** Allowed methods (upper case), or ['*']. @default - none */
  readonly allowMethods?: string[];
  /** Allowed request headers. @default - none */
  readonly allowHeaders?: string[];
  /** Response headers browsers may read. @default - none */
  readonly exposeHeaders?: string[];
  /** How long preflight results may be cached. @default - browser default */
  readonly maxAge?: Duration;
  /** Allow credentialed requests (not with a wildcard origin). @default false */
  readonly allowCredentials?: boolean;
}

/**
 * Conditions under which Envoy retries (x-envoy-retry-on / x-envoy-retry-grpc-on values).
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on
 */
export class RetryOn {
  /** Any 5xx response, connect failure, reset or refused stream. */
  public static readonly FIVE_XX = new RetryOn('5xx');
  /** 502, 503, 504. */
  public static readonly GATEWAY_ERROR = new RetryOn('gateway-error');
  /** No response (disconnect, reset, read timeout). */
  public static readonly RESET = new RetryOn('reset');
  /** Reset before the request was sent upstream (safe for non-idempotent requests). */
  public static readonly RESET_BEFORE_REQUEST = new RetryOn('reset-before-request');
  /** Connection failure or timeout. */
  public static readonly CONNECT_FAILURE = new RetryOn('connect-failure');
  /** Upstream answered x-envoy-ratelimited. */
  public static readonly ENVOY_RATELIMITED = new RetryOn('envoy-ratelimited');
  /** 409 Conflict. */
  public static readonly RETRIABLE_4XX = new RetryOn('retriable-4xx');
  /** HTTP2 REFUSED_STREAM. */
  public static readonly REFUSED_STREAM = new RetryOn('refused-stream');
  /** Status codes listed in the x-envoy-retriable-status-codes header or with RetryOn.statusCode(). */
  public static readonly RETRIABLE_STATUS_CODES = new RetryOn('retriable-status-codes');
  /** Responses with a header from x-envoy-retriable-header-names. */
  public static readonly RETRIABLE_HEADERS = new RetryOn('retriable-headers');
  /** HTTP/3 connection failure after connect. */
  public static readonly HTTP3_POST_CONNECT_FAILURE = new RetryOn('http3-post-connect-failure');
  /** gRPC CANCELLED. */
  public static readonly GRPC_CANCELLED = new RetryOn('cancelled');
  /** gRPC DEADLINE_EXCEEDED. */
  public static readonly GRPC_DEADLINE_EXCEEDED = new RetryOn('deadline-exceeded');
  /** gRPC INTERNAL. */
  public static readonly GRPC_INTERNAL = new RetryOn('internal');
  /** gRPC RESOURCE_EXHAUSTED. */
  public static readonly GRPC_RESOURCE_EXHAUSTED = new RetryOn('resource-exhausted');
  /** gRPC UNAVAILABLE. */
  public static readonly GRPC_UNAVAILABLE = new RetryOn('unavailable');

  /** Retry on this HTTP status code (Istio adds it to the retriable status codes). */
  public static statusCode(code: number): RetryOn {
    return new RetryOn(String(code), code);
  }

  private constructor(
    /** The value as written in retryOn. */
    public readonly value: string,
    private readonly _code?: number,
  ) {}

  /** @internal */
  public _render(scope: IConstruct, field: string): string {
    if (this._code !== undefined) checkInteger(scope, field, this._code, 100, 599);
    return this.value;
  }
}

/**
 * Retry policy of a route.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export interface HttpRetry {
  /** Number of retries (0 disables retries). */
  readonly attempts: number;
  /** Timeout of each attempt (at least 1ms). @default - the route timeout */
  readonly perTryTimeout?: Duration;
  /** Conditions to retry on. @default - Istio's default: connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes */
  readonly retryOn?: RetryOn[];
  /** Retry on endpoints in other localities. @default false */
  readonly retryRemoteLocalities?: boolean;
}

/**
 * Fault injection for testing resilience: a fixed delay, an abort with an HTTP status, or both,
 * each for a percentage (0–100) of requests.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 */
export class HttpFault {
  /** Delay `percentage`% of requests by `fixedDelay`. */
  public static delay(fixedDelay: Duration, percentage: number = 100): HttpFault {
    return new HttpFault({ fixedDelay, percentage });
  }

  /** Answer `percentage`% of requests with `httpStatus` without forwarding them. */
  public static abort(httpStatus: number, percentage: number = 100): HttpFault {
    return new HttpFault(undefined, { httpStatus, percentage });
  }

  private constructor(
    private readonly _delay?: { readonly fixedDelay: Duration; readonly percentage: number },
    private readonly _abort?: { readonly httpStatus: number; readonly percentage: number },
  ) {}

  /** This fault plus an abort (delay and abort are independent of each other). */
  public andAbort(httpStatus: number, percentage: number = 100): HttpFault {
    return new HttpFault(this._delay, { httpStatus, percentage });
  }

  /** This fault plus a delay (delay and abort are independent of each other). */
  public andDelay(fixedDelay: Duration, percentage: number = 100): HttpFault {
    return new HttpFault({ fixedDelay, percentage }, this._abort);
  }

  /** @internal */
  public _render(scope: IConstruct, field: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this._delay) {
      out.delay = {
        fixedDelay: istioDuration(scope, `${field}.delay.fixedDelay`, this._delay.fixedDelay),
        percentage: { value: checkPercent(scope, `${field}.delay.percentage`, this._delay.percentage) },
      };
    }
    if (this._abort) {
      out.abort = {
        httpStatus: checkInteger(scope, `${field}.abort.httpStatus`, this._abort.httpStatus, 200, 599),
        percentage: { value: checkPercent(scope, `${field}.abort.percentage`, this._abort.percentage) },
      };
    }
    return out;
  }
}

/** One HTTP route of a service's VirtualService. */
export interface HttpRouteOptions {
  /** Route name, shown in access logs and metrics. @default - unnamed */
  readonly name?: string;
  /** Conditions (ORed) for this route; routes are evaluated in order. @default - matches every request (a catch-all) */
  readonly match?: HttpMatch[];
  /** Weighted destinations (versions). @default - the whole service, unless `redirect` is set */
  readonly destinations?: RouteDestination[];
  /** Redirect instead of routing. @default - no redirect */
  readonly redirect?: HttpRedirect;
  /** Rewrite the path/authority before forwarding. @default - no rewrite */
  readonly rewrite?: HttpRewrite;
  /** Copy traffic to another version. @default - no mirroring */
  readonly mirror?: HttpMirror;
  /** Fault injection. @default - no faults */
  readonly fault?: HttpFault;
  /** Request timeout (at least 1ms). @default - no timeout (Istio's default) */
  readonly timeout?: Duration;
  /** Retry policy. @default - Istio's default retries (2 attempts) */
  readonly retries?: HttpRetry;
  /** Header manipulation. @default - none */
  readonly headers?: HeaderOperations;
  /** CORS policy. @default - no CORS handling */
  readonly corsPolicy?: CorsPolicy;
}

/** The service a route sends traffic to (supplied by the construct that owns the VirtualService). */
export interface RouteTarget {
  /** Fully-qualified host, e.g. customers.default.svc.cluster.local. */
  readonly host: string;
  /** Known versions (DestinationRule subsets). */
  readonly versions: readonly string[];
  /** Port rendered on every destination that does not name one. @default - no port (fine for single-port services) */
  readonly defaultPort?: number;
}

const REDIRECT_CODES = [301, 302, 303, 307, 308];
const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*'];

/**
 * Validates one route and renders it as a VirtualService `spec.http[]` entry for `target`.
 * `field` is the route's path in the user's props, e.g. 'routes[2]'.
 * @internal
 */
export function renderHttpRoute(scope: IConstruct, field: string, route: HttpRouteOptions, target: RouteTarget): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (route.name !== undefined) out.name = checkDnsLabel(scope, `${field}.name`, route.name);

  if (route.match !== undefined) {
    if (route.match.length === 0) {
      throw meshError(scope, `${field}.match`, 'must not be empty', [], 'remove match to catch all requests, or add a condition');
    }
    out.match = route.match.map((m, i) => renderMatch(scope, `${field}.match[${i}]`, m));
  }

  if (route.redirect) {
    const clash = (['destinations', 'rewrite', 'mirror'] as const).find((k) => route[k] !== undefined);
    if (clash) {
      throw meshError(scope, `${field}.${clash}`, 'cannot be combined with redirect (Istio answers a redirect itself and forwards nothing)', route[clash],
        `remove ${clash}, or put the redirect in its own route`);
    }
    out.redirect = renderRedirect(scope, `${field}.redirect`, route.redirect);
  } else {
    out.route = renderDestinations(scope, `${field}.destinations`, route.destinations, target);
  }

  if (route.rewrite) out.rewrite = renderRewrite(scope, `${field}.rewrite`, route.rewrite);
  if (route.timeout) out.timeout = istioDuration(scope, `${field}.timeout`, route.timeout);
  if (route.retries) out.retries = renderRetries(scope, `${field}.retries`, route.retries);
  if (route.fault) {
    out.fault = route.fault._render(scope, `${field}.fault`);
    if (route.retries || route.timeout) {
      const message = `'${field}.fault' is combined with ${route.retries ? 'retries' : 'timeout'} on the same route; Istio does not support fault injection together `
        + 'with retry or timeout policies on one route (see istio.io "Traffic Management Problems"), so the result may not be what you test for';
      // Routes are rendered more than once (validated when added, rendered at synth): warn once.
      if (!scope.node.metadata.some((m) => m.type === WARNING_METADATA && String(m.data).startsWith(message))) {
        addWarning(scope, 'http-route:fault-with-retries', message);
      }
    }
  }
  if (route.mirror) {
    const m = route.mirror;
    const dest: Record<string, unknown> = { host: target.host };
    if (m.version !== undefined) dest.subset = checkVersion(scope, `${field}.mirror.version`, m.version, target);
    const port = m.port ?? target.defaultPort;
    if (port !== undefined) dest.port = { number: checkInteger(scope, `${field}.mirror.port`, port, 1, 65535) };
    out.mirror = dest;
    out.mirrorPercentage = { value: checkPercent(scope, `${field}.mirror.percentage`, m.percentage ?? 100) };
  }
  if (route.corsPolicy) out.corsPolicy = renderCors(scope, `${field}.corsPolicy`, route.corsPolicy);
  if (route.headers) out.headers = renderHeaderOps(scope, `${field}.headers`, route.headers);
  return out;
}

function renderDestinations(scope: IConstruct, field: string, destinations: RouteDestination[] | undefined, target: RouteTarget): Record<string, unknown>[] {
  if (destinations === undefined) {
    return [{ destination: destination(target.host, undefined, target.defaultPort) }];
  }
  if (destinations.length === 0) {
    throw meshError(scope, field, 'must not be empty', [], 'list at least one destination, or leave destinations out to route to the whole service');
  }
  const weighted = destinations.filter((d) => d.weight !== undefined).length;
  if (weighted > 0 && weighted < destinations.length) {
    const i = destinations.findIndex((d) => d.weight === undefined);
    throw meshError(scope, `${field}[${i}].weight`, `is missing while ${weighted} other destination(s) have a weight`, undefined,
      'give every destination of the route a weight, or none');
  }
  if (weighted === 0 && destinations.length > 1) {
    throw meshError(scope, field, 'need weights when there is more than one destination', destinations.map((d) => d.version ?? '(service)'),
      'add a weight to each destination, e.g. 70 and 30');
  }
  const seen = new Map<string, number>();
  const rendered = destinations.map((d, i) => {
    const f = `${field}[${i}]`;
    if (d.version !== undefined) checkVersion(scope, `${f}.version`, d.version, target);
    const port = d.port ?? target.defaultPort;
    if (port !== undefined) checkInteger(scope, `${f}.port`, port, 1, 65535);
    const key = `${d.version ?? ''}:${port ?? ''}`;
    if (seen.has(key)) {
      throw meshError(scope, `${f}.version`, `repeats destinations[${seen.get(key)}]`, d.version ?? '(whole service)', 'merge the two destinations and add up their weights');
    }
    seen.set(key, i);
    const entry: Record<string, unknown> = { destination: destination(target.host, d.version, port) };
    if (d.weight !== undefined) entry.weight = checkInteger(scope, `${f}.weight`, d.weight, 0, 100);
    if (d.headers) entry.headers = renderHeaderOps(scope, `${f}.headers`, d.headers);
    return entry;
  });
  if (weighted > 0) {
    const sum = destinations.reduce((s, d) => s + (d.weight ?? 0), 0);
    if (sum !== 100) {
      throw meshError(scope, field, 'weights must sum to 100', `${destinations.map((d) => d.weight).join('+')}=${sum}`, 'adjust the weights so they add up to 100');
    }
  }
  return rendered;
}

function destination(host: string, subset: string | undefined, port: number | undefined): Record<string, unknown> {
  const d: Record<string, unknown> = { host };
  if (subset !== undefined) d.subset = subset;
  if (port !== undefined) d.port = { number: port };
  return d;
}

function checkVersion(scope: IConstruct, field: string, version: string, target: RouteTarget): string {
  if (!target.versions.includes(version)) {
    throw meshError(scope, field, `is not a version of ${target.host} (known versions: ${target.versions.length ? target.versions.join(', ') : 'none'})`, version,
      target.versions.length ? `use one of ${target.versions.map((v) => JSON.stringify(v)).join(', ')}, or add the version first` : 'add the version to the app first');
  }
  return version;
}

function renderMatch(scope: IConstruct, field: string, m: HttpMatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.name !== undefined) out.name = checkDnsLabel(scope, `${field}.name`, m.name);
  if (m.uri) out.uri = m.uri._render(scope, `${field}.uri`);
  if (m.scheme) out.scheme = m.scheme._render(scope, `${field}.scheme`);
  if (m.method) out.method = m.method._render(scope, `${field}.method`);
  if (m.authority) out.authority = m.authority._render(scope, `${field}.authority`);
  if (m.headers) out.headers = renderMatchMap(scope, `${field}.headers`, m.headers, true);
  if (m.queryParams) out.queryParams = renderMatchMap(scope, `${field}.queryParams`, m.queryParams, false);
  if (m.withoutHeaders) out.withoutHeaders = renderMatchMap(scope, `${field}.withoutHeaders`, m.withoutHeaders, true);
  if (m.ignoreUriCase !== undefined) {
    if (m.ignoreUriCase && m.uri?.kind === 'regex') {
      throw meshError(scope, `${field}.ignoreUriCase`, 'does not apply to regex URI matches', m.uri.value, 'make the regex case-insensitive with (?i), or use exact/prefix');
    }
    out.ignoreUriCase = m.ignoreUriCase;
  }
  if (m.port !== undefined) out.port = checkInteger(scope, `${field}.port`, m.port, 1, 65535);
  if (m.sourceLabels) out.sourceLabels = { ...m.sourceLabels };
  if (m.sourceNamespace !== undefined) out.sourceNamespace = checkDnsLabel(scope, `${field}.sourceNamespace`, m.sourceNamespace);
  if (Object.keys(out).filter((k) => k !== 'name').length === 0) {
    throw meshError(scope, field, 'has no condition and would match every request', m, 'add a condition (uri, headers, ...) or remove the match entry');
  }
  return out;
}

function renderMatchMap(scope: IConstruct, field: string, map: Record<string, StringMatch>, headers: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    const f = `${field}[${JSON.stringify(k)}]`;
    if (headers) {
      checkMatchHeaderName(scope, f, k);
    } else if (k.length === 0) {
      throw meshError(scope, f, 'query parameter name must not be empty', k, 'name the parameter');
    }
    out[k] = v._render(scope, f);
  }
  return out;
}

function renderRedirect(scope: IConstruct, field: string, r: HttpRedirect): Record<string, unknown> {
  if (r.uri === undefined && r.authority === undefined && r.scheme === undefined && r.port === undefined) {
    throw meshError(scope, field, 'must change at least one of uri, authority, scheme or port', r, "set e.g. { uri: '/v2/api' }");
  }
  const out: Record<string, unknown> = {};
  if (r.uri !== undefined) {
    if (!r.uri.startsWith('/')) throw meshError(scope, `${field}.uri`, "must be an absolute path starting with '/'", r.uri, `use ${JSON.stringify('/' + r.uri)}`);
    out.uri = r.uri;
  }
  if (r.authority !== undefined) out.authority = checkAuthority(scope, `${field}.authority`, r.authority);
  if (r.scheme !== undefined) {
    if (r.scheme !== 'http' && r.scheme !== 'https') throw meshError(scope, `${field}.scheme`, "must be 'http' or 'https'", r.scheme, "use 'https'");
    out.scheme = r.scheme;
  }
  if (r.port !== undefined) out.port = checkInteger(scope, `${field}.port`, r.port, 1, 65535);
  if (r.redirectCode !== undefined) {
    if (!REDIRECT_CODES.includes(r.redirectCode)) {
      throw meshError(scope, `${field}.redirectCode`, `must be one of ${REDIRECT_CODES.join(', ')}`, r.redirectCode, 'use 301 (permanent) or 302 (temporary)');
    }
    out.redirectCode = r.redirectCode;
  }
  return out;
}

function renderRewrite(scope: IConstruct, field: string, r: HttpRewrite): Record<string, unknown> {
  if (r.uri === undefined && r.authority === undefined && r.uriRegex === undefined) {
    throw meshError(scope, field, 'must change at least one of uri, authority or uriRegex', r, "set e.g. { uri: '/v2/api' }");
  }
  if (r.uri !== undefined && r.uriRegex !== undefined) {
    throw meshError(scope, `${field}.uriRegex`, 'cannot be combined with uri', r.uriRegex, 'use either uri (prefix replacement) or uriRegex');
  }
  const out: Record<string, unknown> = {};
  if (r.uri !== undefined) out.uri = r.uri;
  if (r.authority !== undefined) out.authority = checkAuthority(scope, `${field}.authority`, r.authority);
  if (r.uriRegex !== undefined) {
    checkRe2(scope, `${field}.uriRegex.match`, r.uriRegex.match);
    out.uriRegexRewrite = { match: r.uriRegex.match, rewrite: r.uriRegex.rewrite };
  }
  return out;
}

function renderRetries(scope: IConstruct, field: string, r: HttpRetry): Record<string, unknown> {
  const out: Record<string, unknown> = { attempts: checkInteger(scope, `${field}.attempts`, r.attempts, 0, 2_147_483_647) };
  if (r.perTryTimeout) {
    if (r.attempts === 0) {
      throw meshError(scope, `${field}.perTryTimeout`, 'has no effect with attempts: 0 (retries disabled)', r.perTryTimeout.toHumanString(),
        'remove perTryTimeout, or allow at least one attempt');
    }
    out.perTryTimeout = istioDuration(scope, `${field}.perTryTimeout`, r.perTryTimeout);
  }
  if (r.retryOn !== undefined) {
    if (r.retryOn.length === 0) throw meshError(scope, `${field}.retryOn`, 'must not be empty', [], 'list at least one condition, or remove retryOn for Istio\'s default');
    const values = r.retryOn.map((c, i) => c._render(scope, `${field}.retryOn[${i}]`));
    const dup = values.find((v, i) => values.indexOf(v) !== i);
    if (dup !== undefined) throw meshError(scope, `${field}.retryOn`, 'lists a condition twice', dup, 'remove the duplicate');
    out.retryOn = values.join(',');
  }
  if (r.retryRemoteLocalities !== undefined) out.retryRemoteLocalities = r.retryRemoteLocalities;
  return out;
}

function renderHeaderOps(scope: IConstruct, field: string, h: HeaderOperations): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const dir of ['request', 'response'] as const) {
    const op = h[dir];
    if (!op) continue;
    const f = `${field}.${dir}`;
    const o: Record<string, unknown> = {};
    for (const kind of ['set', 'add'] as const) {
      const map = op[kind];
      if (!map) continue;
      for (const k of Object.keys(map)) checkOperationHeaderName(scope, `${f}.${kind}[${JSON.stringify(k)}]`, k);
      o[kind] = { ...map };
    }
    if (op.remove) {
      op.remove.forEach((k, i) => checkOperationHeaderName(scope, `${f}.remove[${i}]`, k));
      const both = op.remove.find((k) => op.set?.[k] !== undefined || op.add?.[k] !== undefined);
      if (both !== undefined) {
        throw meshError(scope, `${f}.remove`, 'removes a header that the same operation sets or adds', both, 'keep only one of the two operations');
      }
      o.remove = [...op.remove];
    }
    if (Object.keys(o).length === 0) throw meshError(scope, f, 'changes nothing', op, 'add set, add or remove, or drop the entry');
    out[dir] = o;
  }
  return out;
}

function renderCors(scope: IConstruct, field: string, c: CorsPolicy): Record<string, unknown> {
  if (c.allowOrigins.length === 0) {
    throw meshError(scope, `${field}.allowOrigins`, 'must list at least one origin', [], "add e.g. StringMatch.exact('https://example.com')");
  }
  const out: Record<string, unknown> = { allowOrigins: c.allowOrigins.map((o, i) => o._render(scope, `${field}.allowOrigins[${i}]`)) };
  if (c.allowCredentials) {
    const wildcard = c.allowOrigins.find((o) => o.kind === 'exact' && o.value === '*');
    if (wildcard) {
      throw meshError(scope, `${field}.allowCredentials`, "cannot be true with the wildcard origin '*' (browsers reject credentialed CORS for '*')", '*',
        'list the allowed origins explicitly');
    }
  }
  if (c.allowMethods !== undefined) {
    c.allowMethods.forEach((m, i) => {
      if (!CORS_METHODS.includes(m)) {
        throw meshError(scope, `${field}.allowMethods[${i}]`, `must be one of ${CORS_METHODS.join(', ')}`, m, `use ${JSON.stringify(m.toUpperCase())}`);
      }
    });
    out.allowMethods = [...c.allowMethods];
  }
  if (c.allowHeaders !== undefined) out.allowHeaders = [...c.allowHeaders];
  if (c.exposeHeaders !== undefined) out.exposeHeaders = [...c.exposeHeaders];
  if (c.maxAge) out.maxAge = istioDuration(scope, `${field}.maxAge`, c.maxAge);
  if (c.allowCredentials !== undefined) out.allowCredentials = c.allowCredentials;
  return out;
}

function checkPercent(scope: IConstruct, field: string, value: number): number {
  return checkRange(scope, field, value, 0, 100, 'pass a percentage from 0 to 100 (decimals allowed, e.g. 0.5)');
}

function checkAuthority(scope: IConstruct, field: string, value: string): string {
  if (!/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?$/.test(value)) {
    throw meshError(scope, field, 'must be a host name, optionally with :port', value, "use e.g. 'newcustomers.default.svc.cluster.local'");
  }
  return value;
}

/**
 * Envoy matches with Google RE2: no look-around and no back-references. JavaScript's engine is
 * a superset for our purposes, once RE2-only syntax ((?P<name>, inline flags) is translated.
 */
function checkRe2(scope: IConstruct, field: string, pattern: string): void {
  const unsupported = /\(\?<?[=!]|\\[1-9]/.exec(pattern);
  if (unsupported) {
    throw meshError(scope, field, `uses ${show(unsupported[0])}, which RE2 (Envoy's regex engine) does not support`, pattern,
      'rewrite the expression without look-around or back-references');
  }
  const js = pattern.replace(/\(\?P</g, '(?<').replace(/\(\?[imsU]+\)/g, '').replace(/\(\?[imsU]+:/g, '(?:');
  let problem: string | undefined;
  try {
    new RegExp(js);
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem !== undefined) {
    throw meshError(scope, field, `is not a valid regular expression (${problem})`, pattern, 'fix the expression (RE2 syntax)');
  }
}
