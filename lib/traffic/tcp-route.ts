/*
 * TCP routes of a VirtualService (`spec.tcp[]`): opaque TCP traffic, routed by port and caller, split by weight.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TCPRoute
 */

/**
 * Conditions of one L4 match; all set conditions must hold (AND). Several matches on a route are ORed.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#L4MatchAttributes
 */
export interface TcpMatch {
  /**
   * Port the connection is addressed to: a Service port of the app on the mesh, the gateway server port on a gateway.
   * @default - any port the route applies to
   */
  readonly port?: number;
  /** Labels of the calling workload (mesh routes only; a gateway is the only caller there). @default - any caller */
  readonly sourceLabels?: Record<string, string>;
  /** Namespace of the calling workload (mesh routes only). @default - any namespace */
  readonly sourceNamespace?: string;
  /** IPv4/IPv6 destination subnets, in CIDR notation (`10.1.0.0/16`) or single addresses. @default - any destination address */
  readonly destinationSubnets?: string[];
}

/** One weighted destination of a TCP or TLS route: a version (DestinationRule subset) of the app. */
export interface L4RouteDestination {
  /** Version (subset) to send connections to. @default - the whole service, every version */
  readonly version?: string;
  /** Percentage of the route's connections (integer 0–100); set on all destinations of a route or on none. @default - 100 for a single destination */
  readonly weight?: number;
  /**
   * Service port.
   * @default - the app's first port of the route's kind (TCP routes: a `tcp`/`mongo`/`mysql`/`redis` port, else a TLS
   * port; TLS routes: an `https`/`tls` port), rendered only when the Service has several ports
   */
  readonly port?: number;
}

/**
 * One TCP route (`spec.tcp[]`). Istio applies TCP routes to Service ports that are not HTTP (`tcp`, `mongo`, `mysql`,
 * `redis`, and `tls`/`https` when no TLS route matches) and to TCP gateway servers; the first matching route wins.
 *
 *   app.addTcpRoute({ destinations: [{ version: 'v1', weight: 80 }, { version: 'v2', weight: 20 }] });
 */
export interface TcpRouteOptions {
  /** Conditions (ORed). @default - every connection the route applies to (a catch-all) */
  readonly match?: TcpMatch[];
  /** Weighted destinations (versions). @default - the whole service */
  readonly destinations?: L4RouteDestination[];
}
