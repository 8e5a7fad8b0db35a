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
}

/**
 * Server data kept until synthesis: a server and its `tls` block (HTTPS, TLS passthrough, HTTP redirect).
 * @internal
 */
export interface GatewayServerSpec extends GatewayServer {
  /** Gateway `servers[].tls` JSON, already validated. */
  readonly tls?: Record<string, unknown>;
}
