import { Duration } from 'cdk8s';
import type { LoadBalancer } from './load-balancer';

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
   * Per-port overrides. Istio REPLACES this policy with a port's setting (fields the port leaves unset would get
   * Istio's defaults); this library renders each port setting with the fields it leaves unset copied from this
   * policy, so a port setting only changes what it names. A field it sets replaces this policy's field whole
   * (e.g. a port's `connectionPool.http` drops this policy's `connectionPool.tcp` on that port).
   * @default - none
   */
  readonly portLevelSettings?: PortTrafficPolicy[];
}

/**
 * Traffic policy for one destination port; replaces the enclosing policy's fields it sets, the others are copied
 * from the enclosing policy into the rendered port setting (Istio itself would not inherit them).
 */
export interface PortTrafficPolicy {
  /** Destination port number. */
  readonly port: number;
  /** @default - the enclosing policy's connectionPool (copied into the port setting) */
  readonly connectionPool?: ConnectionPoolSettings;
  /** @default - the enclosing policy's outlierDetection (copied into the port setting) */
  readonly outlierDetection?: OutlierDetection;
  /** @default - the enclosing policy's loadBalancer (copied into the port setting) */
  readonly loadBalancer?: LoadBalancer;
  /** @default - the enclosing policy's tls (copied into the port setting) */
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
  /**
   * Secret holding the client key, certificate and CA (`tls.key`, `tls.crt`, `ca.crt`), in the namespace of the proxy
   * that uses it. Gateways read it; sidecars only when the DestinationRule has a `workloadSelector`, and only if the
   * workload's ServiceAccount may list Secrets in its namespace (istiod checks this before sending the certificate).
   * @default - none
   */
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

