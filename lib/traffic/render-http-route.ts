import { IConstruct } from 'constructs';
import { meshError } from '../private/errors';
import { checkMatchHeaderName, checkOperationHeaderName } from '../private/headers';
import { istioDuration } from '../private/istio-duration';
import { checkLabels } from '../private/labels';
import { hasOwn, outputMap, ownEntries } from '../private/plain-keys';
import { checkRe2, re2FullMatch } from '../private/re2';
import { checkDnsLabel, checkInteger, checkRange } from '../private/validate';
import { addWarning, WARNING_METADATA } from '../private/warnings';
import type { CorsPolicy, HeaderOperations, HttpMatch, HttpRedirect, HttpRetry, HttpRewrite, HttpRouteOptions, RouteDestination } from './http-route';
import type { StringMatch } from './string-match';

/*
 * Rendering of HttpRouteOptions into VirtualService `spec.http[]` JSON. Internal: not exported from lib/index.ts.
 */

/** The service a route sends traffic to (supplied by the construct that owns the VirtualService). */
export interface RouteTarget {
  /** Fully-qualified host, e.g. customers.default.svc.cluster.local. */
  readonly host: string;
  /** Known versions (DestinationRule subsets). */
  readonly versions: readonly string[];
  /** Port rendered on every destination that does not name one. @default - no port (fine for single-port services) */
  readonly defaultPort?: number;
  /** Service ports a destination may name (the ports the route kind applies to). @default - any port */
  readonly ports?: readonly number[];
  /** What `ports` are, for messages, e.g. 'HTTP ports (http, http2, grpc, grpc-web)'. @default 'ports' */
  readonly portsDescription?: string;
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
  const perTry = route.retries?.perTryTimeout;
  if (route.timeout && perTry && perTry.toMilliseconds({ integral: false }) > route.timeout.toMilliseconds({ integral: false })) {
    throw meshError(scope, `${field}.retries.perTryTimeout`, `is longer than the route timeout (${out.timeout}), so no retry could ever start`, out.retries && (out.retries as any).perTryTimeout,
      `make perTryTimeout shorter than the timeout (e.g. a third of it), or raise the timeout to cover attempts × perTryTimeout`);
  }
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

/**
 * Throws when a route can never be reached: Istio takes the first route whose match fits, so a route without match
 * (a catch-all) before it takes every request. `routes` are in VirtualService order, each with its field.
 * @internal
 */
export function checkRoutesReachable(scope: IConstruct, routes: ReadonlyArray<{ readonly field: string; readonly route: { readonly match?: readonly unknown[] } }>): void {
  const catchAll = routes.findIndex((r) => r.route.match === undefined);
  if (catchAll >= 0 && catchAll < routes.length - 1) {
    const later = routes[catchAll + 1];
    throw meshError(scope, later.field, `is unreachable: '${routes[catchAll].field}' before it has no match and takes every request`, later.route.match ?? 'no match',
      `put the catch-all route '${routes[catchAll].field}' last (routes are matched in order), or give it a match`);
  }
}

/**
 * Validates and renders the weighted destinations of a route (`route[]` of an http, tcp or tls route).
 * @internal
 */
export function renderDestinations(scope: IConstruct, field: string, destinations: readonly RouteDestination[] | undefined,
  target: RouteTarget): Record<string, unknown>[] {
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
    if (d.port !== undefined && target.ports && !target.ports.includes(d.port)) {
      throw meshError(scope, `${f}.port`, `is not one of the Service's ${target.portsDescription ?? 'ports'} ${JSON.stringify(target.ports)}`, d.port,
        target.ports.length ? `use one of ${JSON.stringify(target.ports)}` : 'add such a port to the app');
    }
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
  if (m.sourceLabels) out.sourceLabels = outputMap(checkLabels(scope, `${field}.sourceLabels`, m.sourceLabels));
  if (m.sourceNamespace !== undefined) out.sourceNamespace = checkDnsLabel(scope, `${field}.sourceNamespace`, m.sourceNamespace);
  if (Object.keys(out).filter((k) => k !== 'name').length === 0) {
    throw meshError(scope, field, 'has no condition and would match every request', m, 'add a condition (uri, headers, ...) or remove the match entry');
  }
  return out;
}

function renderMatchMap(scope: IConstruct, field: string, map: Record<string, StringMatch>, headers: boolean): Record<string, unknown> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of ownEntries(map)) {
    const f = `${field}[${JSON.stringify(k)}]`;
    if (headers) {
      checkMatchHeaderName(scope, f, k);
    } else if (k.length === 0) {
      throw meshError(scope, f, 'query parameter name must not be empty', k, 'name the parameter');
    }
    out.push([k, v._render(scope, f)]);
  }
  if (out.length === 0) {
    throw meshError(scope, field, 'is empty, so it adds no condition', map, `list at least one entry, or remove '${field.replace(/^.*\./, '')}'`);
  }
  // Keys are data (`constructor`, `__proto__` included): escaped for cdk8s, restored by the VirtualService.
  return outputMap(out);
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
  if (r.uri !== undefined) {
    if (!r.uri.startsWith('/')) {
      throw meshError(scope, `${field}.uri`, "must start with '/' (it replaces the matched path or prefix, and a path without '/' is not a valid request path)", r.uri,
        `use ${JSON.stringify('/' + r.uri)}`);
    }
    out.uri = r.uri;
  }
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
      for (const [k, v] of ownEntries(map)) {
        checkOperationHeaderName(scope, `${f}.${kind}[${JSON.stringify(k)}]`, k);
        checkHeaderValue(scope, `${f}.${kind}[${JSON.stringify(k)}]`, v);
      }
      o[kind] = outputMap(map);
    }
    if (op.remove) {
      op.remove.forEach((k, i) => checkOperationHeaderName(scope, `${f}.remove[${i}]`, k));
      const both = op.remove.find((k) => hasOwn(op.set, k) || hasOwn(op.add, k));
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
    c.allowOrigins.forEach((o, i) => {
      const probe = ORIGIN_PROBES.find((x) => originMatches(o, x));
      if (probe !== undefined) {
        throw meshError(scope, `${field}.allowOrigins[${i}]`, `admits any site (e.g. ${JSON.stringify(probe)}) while allowCredentials is true, so every web page could make `
          + 'credentialed requests with the user\'s cookies', `${o.kind} ${JSON.stringify(o.value)}`,
        "list the allowed origins exactly (StringMatch.exact('https://app.example.com')), or a prefix that includes the host ('https://app.example.com')");
      }
    });
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

/** Origins no allow-list with credentials should admit: an arbitrary site, and the opaque origin of sandboxed documents. */
const ORIGIN_PROBES = ['https://attacker.example', 'http://attacker.example', 'null'];

function originMatches(o: StringMatch, origin: string): boolean {
  if (o.kind === 'exact') return o.value === '*' || o.value === origin;
  if (o.kind === 'prefix') return origin.startsWith(o.value);
  return re2FullMatch(o.value, origin) === true;
}

/** Header values are sent as they are: CR, LF and NUL would split or truncate the header (Envoy refuses them). */
function checkHeaderValue(scope: IConstruct, field: string, value: unknown): void {
  if (typeof value !== 'string') throw meshError(scope, field, 'must be a string', value, `write the value as a string, e.g. ${JSON.stringify(String(value))}`);
  const bad = /[\u0000-\u0008\u000a-\u001f\u007f]/.exec(value);
  if (bad) {
    throw meshError(scope, field, `contains the control character ${JSON.stringify(bad[0])}, which would split or corrupt the HTTP header`, value,
      'remove line breaks and control characters from the value');
  }
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
