/*
 * Gateway servers (listeners): shared by gateway.ts and gateway-tls.ts, which both import this module (one way).
 */

/** Protocol of a Gateway server port. */
export class ServerProtocol {
  public static readonly HTTP = new ServerProtocol('HTTP');
  public static readonly HTTPS = new ServerProtocol('HTTPS');
  public static readonly HTTP2 = new ServerProtocol('HTTP2');
  public static readonly GRPC = new ServerProtocol('GRPC');
  public static readonly TCP = new ServerProtocol('TCP');
  public static readonly TLS = new ServerProtocol('TLS');

  private constructor(public readonly value: string) {}
}

/** A server (listener) of a Gateway, as returned by `addHttpServer()`. */
export interface GatewayServer {
  /** Server name, also used as the port name. */
  readonly name: string;
  /** Port number. */
  readonly port: number;
  /** Port protocol. */
  readonly protocol: ServerProtocol;
  /** Hosts the server accepts. */
  readonly hosts: string[];
  /**
   * Whether the server passes TLS through to the backend (`tls.mode: PASSTHROUGH`): it routes by SNI, with
   * VirtualService `tls` routes.
   * @default false
   */
  readonly passthrough?: boolean;
}

/**
 * Server data kept until synthesis: a server and its `tls` block (HTTPS, TLS passthrough, HTTP redirect).
 * @internal
 */
export interface GatewayServerSpec extends GatewayServer {
  /** Gateway `servers[].tls` JSON, already validated. */
  readonly tls?: Record<string, unknown>;
}

/** Which VirtualService route list applies to a server (Istio: `http`, `tls` or `tcp`). */
export type ServerRouteKind = 'http' | 'tls' | 'tcp';

/**
 * The VirtualService route list Istio applies to a gateway server: `http` for HTTP/HTTP2/GRPC and TLS-terminated
 * HTTPS, `tls` for passthrough servers (routed by SNI), `tcp` for TCP and TLS-terminated TLS.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
 * @internal
 */
export function serverRouteKind(server: GatewayServer): ServerRouteKind {
  if (server.passthrough) return 'tls';
  if (server.protocol === ServerProtocol.TCP || server.protocol === ServerProtocol.TLS) return 'tcp';
  return 'http';
}
