import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { istioDuration } from '../private/istio-duration';
import { checkInteger, checkRange } from '../private/validate';
import { StringMatch } from './string-match';

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

function checkPercent(scope: IConstruct, field: string, value: number): number {
  return checkRange(scope, field, value, 0, 100, 'pass a percentage from 0 to 100 (decimals allowed, e.g. 0.5)');
}
