import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { meshError } from '../private/errors';
import { checkMatchHeaderName } from '../private/headers';
import { istioDuration } from '../private/istio-duration';
import { checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';

const INT32_MAX = 2_147_483_647;
const UINT32_MAX = 4_294_967_295;

/**
 * Traffic policy of a DestinationRule (or of one of its subsets): connection pool, outlier
 * detection (circuit breaking), load balancing and client TLS, optionally per port.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
 */
export interface TrafficPolicy {
  /**
   * Connection pool limits for the upstream service (the "circuit breaker" limits).
   * @default - Istio defaults (effectively unlimited: 2^32-1 connections and requests)
   */
  readonly connectionPool?: ConnectionPoolSettings;
  /**
   * Ejection of unhealthy hosts from the load-balancing pool.
   * @default - no outlier detection
   */
  readonly outlierDetection?: OutlierDetection;
  /**
   * Load-balancing algorithm, with optional locality-aware routing.
   * @default - Istio's default (LEAST_REQUEST)
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * TLS settings for connections to the upstream service.
   * @default - Istio auto mTLS (ISTIO_MUTUAL to meshed workloads, plaintext otherwise)
   */
  readonly tls?: ClientTlsSettings;
  /**
   * Per-port overrides. Fields a port leaves unset are inherited from this policy.
   * @default - none
   */
  readonly portLevelSettings?: PortTrafficPolicy[];
}

/** Traffic policy for one destination port; overrides the enclosing policy field by field. */
export interface PortTrafficPolicy {
  /** Destination port number. */
  readonly port: number;
  /** @default - inherited from the enclosing policy */
  readonly connectionPool?: ConnectionPoolSettings;
  /** @default - inherited from the enclosing policy */
  readonly outlierDetection?: OutlierDetection;
  /** @default - inherited from the enclosing policy */
  readonly loadBalancer?: LoadBalancer;
  /** @default - inherited from the enclosing policy */
  readonly tls?: ClientTlsSettings;
}

/** @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings */
export interface ConnectionPoolSettings {
  /** @default - Istio defaults */
  readonly tcp?: TcpSettings;
  /** @default - Istio defaults */
  readonly http?: HttpSettings;
}

/** TCP connection pool settings (HTTP and TCP upstreams). */
export interface TcpSettings {
  /**
   * Maximum number of HTTP1/TCP connections to a destination host.
   * @default 2^32-1
   */
  readonly maxConnections?: number;
  /**
   * TCP connection timeout.
   * @default 10s
   */
  readonly connectTimeout?: Duration;
  /**
   * TCP keepalive on the upstream socket.
   * @default - keepalive off
   */
  readonly tcpKeepalive?: TcpKeepalive;
  /**
   * Idle timeout of TCP connections (no bytes in either direction).
   * @default 1h
   */
  readonly idleTimeout?: Duration;
  /**
   * Maximum lifetime of a connection.
   * @default - unlimited
   */
  readonly maxConnectionDuration?: Duration;
}

/** TCP keepalive (SO_KEEPALIVE) settings. Durations must be whole seconds. */
export interface TcpKeepalive {
  /**
   * Unanswered probes before the connection is dead.
   * @default - OS setting (Linux: 9)
   */
  readonly probes?: number;
  /**
   * Idle time before the first probe.
   * @default - OS setting (Linux: 7200s)
   */
  readonly time?: Duration;
  /**
   * Time between probes.
   * @default - OS setting (Linux: 75s)
   */
  readonly interval?: Duration;
}

/** HTTP connection pool settings (HTTP/1.1, HTTP2 and gRPC upstreams). */
export interface HttpSettings {
  /**
   * Maximum number of requests queued while waiting for a ready connection pool connection.
   * @default 2^32-1
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Maximum number of active requests to a destination.
   * @default 2^32-1
   */
  readonly http2MaxRequests?: number;
  /**
   * Maximum requests per connection; 1 disables keep-alive, 0 means unlimited.
   * @default 0
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Maximum number of concurrent retries to all hosts of the cluster.
   * @default 2^32-1
   */
  readonly maxRetries?: number;
  /**
   * Idle timeout of upstream pool connections (no active requests).
   * @default 1h
   */
  readonly idleTimeout?: Duration;
  /**
   * Maximum concurrent streams per HTTP2 connection.
   * @default 2^31-1
   */
  readonly maxConcurrentStreams?: number;
  /**
   * Whether HTTP/1.1 connections are upgraded to HTTP2.
   * @default H2UpgradePolicy.DEFAULT
   */
  readonly h2UpgradePolicy?: H2UpgradePolicy;
  /**
   * Use the client's protocol (HTTP/1.1 or HTTP2) towards the upstream.
   * @default false
   */
  readonly useClientProtocol?: boolean;
}

/** Policy for upgrading HTTP/1.1 upstream connections to HTTP2. */
export class H2UpgradePolicy {
  /** Use the mesh-wide default (meshConfig.h2UpgradePolicy). */
  public static readonly DEFAULT = new H2UpgradePolicy('DEFAULT');
  /** Never upgrade. */
  public static readonly DO_NOT_UPGRADE = new H2UpgradePolicy('DO_NOT_UPGRADE');
  /** Upgrade to HTTP2. */
  public static readonly UPGRADE = new H2UpgradePolicy('UPGRADE');

  private constructor(public readonly value: string) {}
}

/**
 * Outlier detection: hosts that keep failing are ejected from the pool for a while.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 */
export interface OutlierDetection {
  /**
   * Consecutive 5xx responses (or connection errors) before a host is ejected; 0 disables this check.
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Consecutive gateway errors (502, 503, 504 and connection errors) before ejection; 0 disables this check.
   * @default 0
   */
  readonly consecutiveGatewayErrors?: number;
  /**
   * Consecutive locally originated failures before ejection. Needs `splitExternalLocalOriginErrors`.
   * @default 5
   */
  readonly consecutiveLocalOriginFailures?: number;
  /**
   * Count local-origin failures (timeouts, resets) apart from upstream errors.
   * @default false
   */
  readonly splitExternalLocalOriginErrors?: boolean;
  /**
   * Time between ejection sweeps.
   * @default 10s
   */
  readonly interval?: Duration;
  /**
   * Minimum ejection time; a host is ejected for baseEjectionTime × number of ejections.
   * @default 30s
   */
  readonly baseEjectionTime?: Duration;
  /**
   * Maximum percentage (0–100) of hosts that may be ejected.
   * @default 10
   */
  readonly maxEjectionPercent?: number;
  /**
   * Outlier detection is disabled when fewer than this percentage (0–100) of hosts are healthy.
   * @default 0
   */
  readonly minHealthPercent?: number;
}

/** One locality failover rule: when `from` has no healthy endpoints, traffic goes to `to`. */
export interface LocalityFailover {
  /** Originating region, e.g. 'us-west'. */
  readonly from: string;
  /** Region that receives the traffic when `from` is unhealthy, e.g. 'us-east'. */
  readonly to: string;
}

/** One locality-weighted distribution rule. */
export interface LocalityDistribution {
  /** Originating locality, 'region/zone/subzone' with '*' wildcards, e.g. 'us-west/zone1/*'. */
  readonly from: string;
  /** Destination localities and their weights (integers, summing to 100), e.g. { 'us-west/zone1/*': 80, 'us-east/*': 20 }. */
  readonly to: Record<string, number>;
}

/**
 * Locality-aware load balancing: failover between regions, or weighted distribution between localities.
 * Failover and distribution are mutually exclusive in Istio; the factories make that impossible to get wrong.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
 */
export class LocalityLoadBalancing {
  /** Turns locality load balancing off for this destination (it is on by default mesh-wide). */
  public static readonly DISABLED = new LocalityLoadBalancing('disabled', [], []);

  /**
   * Region failover. Needs outlierDetection on the same traffic policy (it is how Istio learns
   * that the local endpoints are unhealthy).
   */
  public static failover(rules: LocalityFailover[]): LocalityLoadBalancing {
    return new LocalityLoadBalancing('failover', rules, []);
  }

  /**
   * Failover ordered by matching labels, e.g. ['topology.istio.io/network', 'topology.kubernetes.io/region'].
   * Also needs outlierDetection.
   */
  public static failoverPriority(labels: string[]): LocalityLoadBalancing {
    return new LocalityLoadBalancing('failoverPriority', labels, []);
  }

  /** Weighted distribution of traffic from each origin locality. */
  public static distribute(rules: LocalityDistribution[]): LocalityLoadBalancing {
    return new LocalityLoadBalancing('distribute', [], rules);
  }

  private constructor(
    /** @internal */ public readonly _kind: 'disabled' | 'failover' | 'failoverPriority' | 'distribute',
    private readonly _failover: ReadonlyArray<LocalityFailover | string>,
    private readonly _distribute: readonly LocalityDistribution[],
  ) {}

  /** True when Istio can only act on this setting with outlier detection (failover, failoverPriority). */
  public get needsOutlierDetection(): boolean {
    return this._kind === 'failover' || this._kind === 'failoverPriority';
  }

  /** @internal */
  public _render(scope: IConstruct, field: string): Record<string, unknown> {
    switch (this._kind) {
      case 'disabled':
        return { enabled: false };
      case 'failover': {
        const rules = this._failover as LocalityFailover[];
        if (rules.length === 0) {
          throw meshError(scope, `${field}.failover`, 'must list at least one rule', rules, "pass [{ from: 'us-west', to: 'us-east' }]");
        }
        rules.forEach((r, i) => {
          checkRegion(scope, `${field}.failover[${i}].from`, r.from);
          checkRegion(scope, `${field}.failover[${i}].to`, r.to);
          if (r.from === r.to) {
            throw meshError(scope, `${field}.failover[${i}].to`, 'must differ from \'from\'', r.to, 'fail over to another region');
          }
        });
        checkUnique(scope, `${field}.failover[].from`, rules, (r) => r.from);
        return { failover: rules.map((r) => ({ from: r.from, to: r.to })) };
      }
      case 'failoverPriority': {
        const labels = this._failover as string[];
        if (labels.length === 0) {
          throw meshError(scope, `${field}.failoverPriority`, 'must list at least one label', labels, "pass ['topology.kubernetes.io/region']");
        }
        labels.forEach((l, i) => {
          if (!/^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?(=[-A-Za-z0-9_.]*)?$/.test(l)) {
            throw meshError(scope, `${field}.failoverPriority[${i}]`, 'must be a label key (optionally key=value)', l, "use a label key like 'topology.istio.io/network'");
          }
        });
        checkUnique(scope, `${field}.failoverPriority`, labels, (l) => l);
        return { failoverPriority: [...labels] };
      }
      case 'distribute': {
        const rules = this._distribute;
        if (rules.length === 0) {
          throw meshError(scope, `${field}.distribute`, 'must list at least one rule', rules, "pass [{ from: 'us-west/*', to: { 'us-west/*': 80, 'us-east/*': 20 } }]");
        }
        rules.forEach((r, i) => {
          checkLocality(scope, `${field}.distribute[${i}].from`, r.from);
          const entries = Object.entries(r.to);
          if (entries.length === 0) {
            throw meshError(scope, `${field}.distribute[${i}].to`, 'must list at least one locality', r.to, "pass { 'us-west/*': 100 }");
          }
          for (const [loc, w] of entries) {
            checkLocality(scope, `${field}.distribute[${i}].to[${JSON.stringify(loc)}]`, loc);
            checkInteger(scope, `${field}.distribute[${i}].to[${JSON.stringify(loc)}]`, w, 0, 100);
          }
          const sum = entries.reduce((s, [, w]) => s + w, 0);
          if (sum !== 100) {
            throw meshError(scope, `${field}.distribute[${i}].to`, 'weights must sum to 100', `${entries.map(([, w]) => w).join('+')}=${sum}`,
              'adjust the weights so they add up to 100');
          }
        });
        checkUnique(scope, `${field}.distribute[].from`, rules, (r) => r.from);
        return { distribute: rules.map((r) => ({ from: r.from, to: { ...r.to } })) };
      }
    }
  }
}

/** Options shared by the simple load-balancing algorithms. */
export interface LoadBalancerOptions {
  /**
   * Locality-aware load balancing.
   * @default - the mesh-wide locality setting
   */
  readonly locality?: LocalityLoadBalancing;
  /**
   * Slow start: new endpoints get gradually more traffic during this window. ROUND_ROBIN and LEAST_REQUEST only.
   * @default - no warm-up
   */
  readonly warmup?: Duration;
}

/** Cookie used as the consistent-hash key; Envoy generates it when absent and `ttl` is set. */
export interface HashCookie {
  /** Cookie name. */
  readonly name: string;
  /** @default - no path */
  readonly path?: string;
  /** @default - a session cookie (not generated by Envoy) */
  readonly ttl?: Duration;
}

/** Consistent-hash (session affinity) key: set exactly one of the hash keys. */
export interface ConsistentHashOptions {
  /** @default - not hashed on a header */
  readonly httpHeaderName?: string;
  /** @default - not hashed on a cookie */
  readonly httpCookie?: HashCookie;
  /** @default false */
  readonly useSourceIp?: boolean;
  /** @default - not hashed on a query parameter */
  readonly httpQueryParameterName?: string;
  /** @default - the mesh-wide locality setting */
  readonly locality?: LocalityLoadBalancing;
}

/**
 * Load-balancing algorithm of a traffic policy.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
 */
export class LoadBalancer {
  /** Round robin over healthy hosts. */
  public static readonly ROUND_ROBIN = new LoadBalancer('ROUND_ROBIN');
  /** Random healthy host; often better than round robin without health checks. */
  public static readonly RANDOM = new LoadBalancer('RANDOM');
  /** Power of two choices, preferring the host with fewer active requests (Istio's default). */
  public static readonly LEAST_REQUEST = new LoadBalancer('LEAST_REQUEST');
  /** Forward to the original destination address (advanced; bypasses load balancing). */
  public static readonly PASSTHROUGH = new LoadBalancer('PASSTHROUGH');

  /** Round robin with locality or warm-up options. */
  public static roundRobin(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer('ROUND_ROBIN', undefined, options);
  }

  /** Random with locality options. */
  public static random(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer('RANDOM', undefined, options);
  }

  /** Least request with locality or warm-up options. */
  public static leastRequest(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer('LEAST_REQUEST', undefined, options);
  }

  /** Session affinity: hash on a header, a cookie, the source IP or a query parameter (exactly one). */
  public static consistentHash(options: ConsistentHashOptions): LoadBalancer {
    return new LoadBalancer(undefined, options, { locality: options.locality });
  }

  private constructor(
    /** The simple algorithm name (ROUND_ROBIN, RANDOM, ...), undefined for consistent hashing. */
    public readonly simple?: string,
    private readonly _hash?: ConsistentHashOptions,
    private readonly _options: LoadBalancerOptions = {},
  ) {}

  /** The locality setting, if any. */
  public get locality(): LocalityLoadBalancing | undefined {
    return this._options.locality;
  }

  /** @internal */
  public _render(scope: IConstruct, field: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.simple) out.simple = this.simple;
    if (this._hash) out.consistentHash = renderHash(scope, `${field}.consistentHash`, this._hash);
    if (this._options.locality) out.localityLbSetting = this._options.locality._render(scope, `${field}.locality`);
    if (this._options.warmup) {
      if (this.simple !== 'ROUND_ROBIN' && this.simple !== 'LEAST_REQUEST') {
        throw meshError(scope, `${field}.warmup`, `is only supported with ROUND_ROBIN and LEAST_REQUEST, not ${this.simple}`,
          this._options.warmup.toHumanString(), 'use LoadBalancer.roundRobin({ warmup }) or LoadBalancer.leastRequest({ warmup })');
      }
      out.warmup = { duration: istioDuration(scope, `${field}.warmup`, this._options.warmup) };
    }
    return out;
  }
}

/** Client TLS mode towards the upstream. */
export class TlsMode {
  /** Plain text. */
  public static readonly DISABLE = new TlsMode('DISABLE');
  /** TLS, verifying the server (originate TLS to an external service). */
  public static readonly SIMPLE = new TlsMode('SIMPLE');
  /** Mutual TLS with a client certificate you provide (credentialName or clientCertificate + privateKey). */
  public static readonly MUTUAL = new TlsMode('MUTUAL');
  /** Mutual TLS with Istio's workload certificates. */
  public static readonly ISTIO_MUTUAL = new TlsMode('ISTIO_MUTUAL');

  private constructor(public readonly value: string) {}
}

/**
 * Client-side TLS settings of a traffic policy.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
 */
export interface ClientTlsSettings {
  /** TLS mode. */
  readonly mode: TlsMode;
  /** @default - the destination host name */
  readonly sni?: string;
  /** Path of the CA bundle in the proxy, to verify the server. @default - system roots (SIMPLE) or the credential's ca.crt */
  readonly caCertificates?: string;
  /** Secret (in the proxy's namespace; gateways only) holding the client key, certificate and CA. @default - none */
  readonly credentialName?: string;
  /** Allowed subject alternative names of the server certificate. @default - not checked */
  readonly subjectAltNames?: string[];
  /** Path of the client certificate in the proxy (MUTUAL). @default - none */
  readonly clientCertificate?: string;
  /** Path of the client private key in the proxy (MUTUAL). @default - none */
  readonly privateKey?: string;
  /** Skip verifying the server certificate. @default false */
  readonly insecureSkipVerify?: boolean;
}

/** Options for {@link renderTrafficPolicy}. @internal */
export interface RenderTrafficPolicyOptions {
  /**
   * The enclosing policy whose fields this one inherits (a subset's policy inherits the
   * DestinationRule's top-level one). Used for checks such as "failover needs outlierDetection".
   */
  readonly inherited?: TrafficPolicy;
}

/**
 * Validates a traffic policy and renders it as DestinationRule `trafficPolicy` JSON (also for
 * subsets and port-level settings). Errors name `field` (e.g. 'trafficPolicy', 'subsets[1].trafficPolicy').
 * @internal
 */
export function renderTrafficPolicy(scope: IConstruct, field: string, policy: TrafficPolicy, options: RenderTrafficPolicyOptions = {}): Record<string, unknown> {
  const out = renderPortPolicy(scope, field, policy, options.inherited);
  if (policy.portLevelSettings !== undefined) {
    if (policy.portLevelSettings.length === 0) {
      throw meshError(scope, `${field}.portLevelSettings`, 'must not be empty', [], 'remove portLevelSettings or add a port');
    }
    const parent: TrafficPolicy = {
      outlierDetection: policy.outlierDetection ?? options.inherited?.outlierDetection,
    };
    out.portLevelSettings = policy.portLevelSettings.map((p, i) => {
      const f = `${field}.portLevelSettings[${i}]`;
      checkInteger(scope, `${f}.port`, p.port, 1, 65535);
      const rendered = renderPortPolicy(scope, f, p, parent);
      if (Object.keys(rendered).length === 0) {
        throw meshError(scope, f, 'sets nothing for its port', { port: p.port }, 'set connectionPool, outlierDetection, loadBalancer or tls, or remove the entry');
      }
      return { port: { number: p.port }, ...rendered };
    });
    checkUnique(scope, `${field}.portLevelSettings[].port`, policy.portLevelSettings, (p) => p.port);
  }
  return out;
}

function renderPortPolicy(scope: IConstruct, field: string, policy: Omit<TrafficPolicy, 'portLevelSettings'>, inherited?: TrafficPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (policy.connectionPool) out.connectionPool = renderConnectionPool(scope, `${field}.connectionPool`, policy.connectionPool);
  if (policy.loadBalancer) {
    out.loadBalancer = policy.loadBalancer._render(scope, `${field}.loadBalancer`);
    const locality = policy.loadBalancer.locality;
    const od = policy.outlierDetection ?? inherited?.outlierDetection;
    if (locality?.needsOutlierDetection && (!od || ejectsNothing(od))) {
      throw meshError(scope, `${field}.outlierDetection`,
        `is required with locality ${locality._kind}: Istio only fails over once outlier detection ejects the unhealthy local endpoints, `
        + 'without it traffic never leaves the local region', od,
        'add outlierDetection (e.g. { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30) }) to the same traffic policy');
    }
  }
  if (policy.outlierDetection) out.outlierDetection = renderOutlier(scope, `${field}.outlierDetection`, policy.outlierDetection);
  if (policy.tls) out.tls = renderClientTls(scope, `${field}.tls`, policy.tls);
  return out;
}

function ejectsNothing(od: OutlierDetection): boolean {
  return od.consecutive5xxErrors === 0 && !od.consecutiveGatewayErrors && !od.consecutiveLocalOriginFailures;
}

function renderConnectionPool(scope: IConstruct, field: string, pool: ConnectionPoolSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (pool.tcp) {
    const t = pool.tcp;
    const f = `${field}.tcp`;
    const tcp: Record<string, unknown> = {};
    if (t.maxConnections !== undefined) tcp.maxConnections = checkInteger(scope, `${f}.maxConnections`, t.maxConnections, 1, INT32_MAX);
    if (t.connectTimeout) tcp.connectTimeout = istioDuration(scope, `${f}.connectTimeout`, t.connectTimeout);
    if (t.tcpKeepalive) {
      const k = t.tcpKeepalive;
      const ka: Record<string, unknown> = {};
      if (k.probes !== undefined) ka.probes = checkInteger(scope, `${f}.tcpKeepalive.probes`, k.probes, 1, UINT32_MAX);
      if (k.time) ka.time = wholeSeconds(scope, `${f}.tcpKeepalive.time`, k.time);
      if (k.interval) ka.interval = wholeSeconds(scope, `${f}.tcpKeepalive.interval`, k.interval);
      tcp.tcpKeepalive = ka;
    }
    if (t.idleTimeout) tcp.idleTimeout = istioDuration(scope, `${f}.idleTimeout`, t.idleTimeout);
    if (t.maxConnectionDuration) tcp.maxConnectionDuration = istioDuration(scope, `${f}.maxConnectionDuration`, t.maxConnectionDuration);
    out.tcp = tcp;
  }
  if (pool.http) {
    const h = pool.http;
    const f = `${field}.http`;
    const http: Record<string, unknown> = {};
    if (h.http1MaxPendingRequests !== undefined) http.http1MaxPendingRequests = checkInteger(scope, `${f}.http1MaxPendingRequests`, h.http1MaxPendingRequests, 1, INT32_MAX);
    if (h.http2MaxRequests !== undefined) http.http2MaxRequests = checkInteger(scope, `${f}.http2MaxRequests`, h.http2MaxRequests, 1, INT32_MAX);
    if (h.maxRequestsPerConnection !== undefined) {
      http.maxRequestsPerConnection = checkInteger(scope, `${f}.maxRequestsPerConnection`, h.maxRequestsPerConnection, 0, INT32_MAX);
    }
    if (h.maxRetries !== undefined) http.maxRetries = checkInteger(scope, `${f}.maxRetries`, h.maxRetries, 0, INT32_MAX);
    if (h.idleTimeout) http.idleTimeout = istioDuration(scope, `${f}.idleTimeout`, h.idleTimeout);
    if (h.maxConcurrentStreams !== undefined) http.maxConcurrentStreams = checkInteger(scope, `${f}.maxConcurrentStreams`, h.maxConcurrentStreams, 1, INT32_MAX);
    if (h.h2UpgradePolicy) http.h2UpgradePolicy = h.h2UpgradePolicy.value;
    if (h.useClientProtocol !== undefined) http.useClientProtocol = h.useClientProtocol;
    out.http = http;
  }
  return out;
}

function renderOutlier(scope: IConstruct, field: string, od: OutlierDetection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (od.consecutive5xxErrors !== undefined) out.consecutive5xxErrors = checkInteger(scope, `${field}.consecutive5xxErrors`, od.consecutive5xxErrors, 0, UINT32_MAX);
  if (od.consecutiveGatewayErrors !== undefined) {
    out.consecutiveGatewayErrors = checkInteger(scope, `${field}.consecutiveGatewayErrors`, od.consecutiveGatewayErrors, 0, UINT32_MAX);
  }
  if (od.consecutiveLocalOriginFailures !== undefined) {
    out.consecutiveLocalOriginFailures = checkInteger(scope, `${field}.consecutiveLocalOriginFailures`, od.consecutiveLocalOriginFailures, 0, UINT32_MAX);
    if (!od.splitExternalLocalOriginErrors) {
      throw meshError(scope, `${field}.consecutiveLocalOriginFailures`, 'only takes effect with splitExternalLocalOriginErrors: true',
        od.consecutiveLocalOriginFailures, 'set splitExternalLocalOriginErrors: true or remove consecutiveLocalOriginFailures');
    }
  }
  if (od.splitExternalLocalOriginErrors !== undefined) out.splitExternalLocalOriginErrors = od.splitExternalLocalOriginErrors;
  if (od.interval) out.interval = istioDuration(scope, `${field}.interval`, od.interval);
  if (od.baseEjectionTime) out.baseEjectionTime = istioDuration(scope, `${field}.baseEjectionTime`, od.baseEjectionTime);
  if (od.maxEjectionPercent !== undefined) {
    out.maxEjectionPercent = checkInteger(scope, `${field}.maxEjectionPercent`, od.maxEjectionPercent, 0, 100);
  }
  if (od.minHealthPercent !== undefined) out.minHealthPercent = checkInteger(scope, `${field}.minHealthPercent`, od.minHealthPercent, 0, 100);
  return out;
}

function renderClientTls(scope: IConstruct, field: string, tls: ClientTlsSettings): Record<string, unknown> {
  const mode = tls.mode.value;
  const certFields = (['caCertificates', 'credentialName', 'clientCertificate', 'privateKey'] as const).filter((k) => tls[k] !== undefined);
  if (mode === 'DISABLE') {
    const set = Object.keys(tls).filter((k) => k !== 'mode' && (tls as unknown as Record<string, unknown>)[k] !== undefined);
    if (set.length > 0) {
      throw meshError(scope, `${field}.${set[0]}`, 'has no effect with mode DISABLE', (tls as unknown as Record<string, unknown>)[set[0]],
        'remove it, or use TlsMode.SIMPLE / TlsMode.MUTUAL');
    }
  }
  if (mode === 'ISTIO_MUTUAL' && certFields.length > 0) {
    throw meshError(scope, `${field}.${certFields[0]}`, 'must not be set with ISTIO_MUTUAL (Istio uses the workload certificates)', tls[certFields[0]],
      'remove it, or use TlsMode.MUTUAL to present your own client certificate');
  }
  if ((tls.clientCertificate === undefined) !== (tls.privateKey === undefined)) {
    const missing = tls.clientCertificate === undefined ? 'clientCertificate' : 'privateKey';
    throw meshError(scope, `${field}.${missing}`, 'is required together with ' + (missing === 'privateKey' ? 'clientCertificate' : 'privateKey'), undefined,
      'set both clientCertificate and privateKey, or use credentialName');
  }
  if (tls.credentialName !== undefined) {
    checkDnsSubdomain(scope, `${field}.credentialName`, tls.credentialName);
    const clash = certFields.find((k) => k !== 'credentialName');
    if (clash) {
      throw meshError(scope, `${field}.${clash}`, 'cannot be combined with credentialName (the Secret provides the certificates)', tls[clash],
        'use either credentialName or file paths, not both');
    }
  }
  if (mode === 'MUTUAL' && tls.credentialName === undefined && tls.clientCertificate === undefined) {
    throw meshError(scope, `${field}.credentialName`, 'is required with mode MUTUAL (or clientCertificate + privateKey)', undefined,
      'set credentialName to the Secret holding tls.key, tls.crt and ca.crt');
  }
  const out: Record<string, unknown> = { mode };
  if (tls.sni !== undefined) out.sni = checkDnsSubdomain(scope, `${field}.sni`, tls.sni);
  if (tls.caCertificates !== undefined) out.caCertificates = tls.caCertificates;
  if (tls.credentialName !== undefined) out.credentialName = tls.credentialName;
  if (tls.clientCertificate !== undefined) out.clientCertificate = tls.clientCertificate;
  if (tls.privateKey !== undefined) out.privateKey = tls.privateKey;
  if (tls.subjectAltNames !== undefined) {
    if (tls.subjectAltNames.length === 0) {
      throw meshError(scope, `${field}.subjectAltNames`, 'must not be empty', [], 'list the accepted SANs or remove the field');
    }
    out.subjectAltNames = [...tls.subjectAltNames];
  }
  if (tls.insecureSkipVerify !== undefined) out.insecureSkipVerify = tls.insecureSkipVerify;
  return out;
}

function renderHash(scope: IConstruct, field: string, hash: ConsistentHashOptions): Record<string, unknown> {
  const keys = (['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'] as const).filter((k) => hash[k] !== undefined && hash[k] !== false);
  if (keys.length !== 1) {
    throw meshError(scope, field, 'must set exactly one hash key (httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName)', keys,
      "pick one, e.g. LoadBalancer.consistentHash({ httpHeaderName: 'x-user' })");
  }
  const key = keys[0];
  switch (key) {
    case 'httpHeaderName':
      return { httpHeaderName: checkMatchHeaderName(scope, `${field}.httpHeaderName`, hash.httpHeaderName!) };
    case 'httpQueryParameterName':
      if (!hash.httpQueryParameterName) {
        throw meshError(scope, `${field}.httpQueryParameterName`, 'must not be empty', hash.httpQueryParameterName, 'name the query parameter');
      }
      return { httpQueryParameterName: hash.httpQueryParameterName };
    case 'useSourceIp':
      return { useSourceIp: true };
    case 'httpCookie': {
      const c = hash.httpCookie!;
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(c.name)) {
        throw meshError(scope, `${field}.httpCookie.name`, 'must be a cookie name (an HTTP token)', c.name, "use a name like 'session-id'");
      }
      const cookie: Record<string, unknown> = { name: c.name };
      if (c.path !== undefined) cookie.path = c.path;
      if (c.ttl) cookie.ttl = istioDuration(scope, `${field}.httpCookie.ttl`, c.ttl, 0);
      return { httpCookie: cookie };
    }
  }
}

function wholeSeconds(scope: IConstruct, field: string, d: Duration): string {
  const rendered = istioDuration(scope, field, d, 1000);
  if (d.toMilliseconds({ integral: false }) % 1000 !== 0) {
    throw meshError(scope, field, 'must be a whole number of seconds (the kernel keepalive settings are in seconds)', `${d.toMilliseconds({ integral: false })}ms`, 'round to whole seconds');
  }
  return rendered;
}

function checkRegion(scope: IConstruct, field: string, region: string): void {
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(region)) {
    throw meshError(scope, field, 'must be a region name (no zone, no wildcard: failover works between regions)', region, "use a region like 'us-east'");
  }
}

function checkLocality(scope: IConstruct, field: string, locality: string): void {
  const parts = locality.split('/');
  const ok = parts.length <= 3 && parts.every((p) => p === '*' || /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(p))
    && parts.slice(0, -1).every((p, i) => p !== '*' || parts.slice(i + 1).every((q) => q === '*'));
  if (!ok) {
    throw meshError(scope, field, "must be a locality 'region[/zone[/subzone]]' where '*' may only replace trailing parts", locality,
      "use e.g. 'us-west/zone1/*' or 'us-east/*'");
  }
}
