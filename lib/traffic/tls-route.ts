import type { L4RouteDestination } from './tcp-route';

/*
 * TLS routes of a VirtualService (`spec.tls[]`): TLS that is not terminated (passthrough), routed by SNI.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TLSRoute
 */

/**
 * Conditions of one TLS match; all set conditions must hold (AND). Several matches on a route are ORed.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TLSMatchAttributes
 */
export interface TlsMatch {
  /**
   * SNI names (from the ClientHello) to match; each must be one of the VirtualService's hosts or covered by one.
   * @default - the VirtualService's hosts (the app's Service host on the mesh, the binding's hosts on a gateway)
   */
  readonly sniHosts?: string[];
  /** Port the connection is addressed to (a Service port on the mesh, the gateway server port on a gateway). @default - any port */
  readonly port?: number;
  /** Labels of the calling workload (mesh routes only). @default - any caller */
  readonly sourceLabels?: Record<string, string>;
  /** Namespace of the calling workload (mesh routes only). @default - any namespace */
  readonly sourceNamespace?: string;
  /** IPv4/IPv6 destination subnets, in CIDR notation. @default - any destination address */
  readonly destinationSubnets?: string[];
}

/**
 * One TLS route (`spec.tls[]`). Istio applies TLS routes to Service ports named `https`/`tls` and to passthrough
 * gateway servers; the first matching route wins.
 *
 *   app.addTlsRoute({ destinations: [{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }] });
 */
export interface TlsRouteOptions {
  /** Conditions (ORed). Istio needs SNI hosts on every match. @default - one match on the VirtualService's hosts */
  readonly match?: TlsMatch[];
  /** Weighted destinations (versions). @default - the whole service */
  readonly destinations?: L4RouteDestination[];
}
