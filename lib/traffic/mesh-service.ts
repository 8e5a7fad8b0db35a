import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { SUPPRESS_ANNOTATION } from '../analysis/context';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { namespaceOf, serviceFqdn } from '../private/names';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';
import { ExternalRouteOptions, ExternalRoutes } from './external-routes';
import type { IGateway } from './gateway';
import type { HttpRouteOptions } from './http-route';
import { checkRoutesReachable, renderHttpRoute, RouteTarget } from './render-http-route';

/** A port of an existing Service. */
export interface MeshServicePort {
  /** Service port number. */
  readonly number: number;
  /** Port name as on the Service; Istio reads the protocol from its prefix (`http`, `http-web`, `grpc`, `tcp-db` ...). */
  readonly name: string;
  /**
   * `appProtocol` of the port, when the Service sets one (it wins over the name prefix).
   * @default - the protocol the name prefix gives, else Istio's protocol sniffing
   */
  readonly appProtocol?: string;
}

/** What identifies an existing Service. */
export interface MeshServiceAttributes {
  /** Service name. */
  readonly name: string;
  /**
   * Service namespace.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /** The Service's ports (at least one). */
  readonly ports: MeshServicePort[];
}

/** Options of `MeshService.exposeVia()`. */
export interface MeshServiceExposeOptions {
  /** Hosts of the gateway VirtualService (hosts the gateway's servers accept), e.g. ['legacy.example.com']. */
  readonly hosts: string[];
  /**
   * Routes, in match order.
   * @default - one route to the whole Service
   */
  readonly routes?: HttpRouteOptions[];
  /**
   * VirtualService name.
   * @default - `<service name>-<gateway name>`
   */
  readonly virtualServiceName?: string;
}

/**
 * The Service is not in the output (it is referenced by name), so the analysis cannot find the routes' destination
 * host; its VirtualServices say so, for that one rule (every route of them goes to this Service).
 */
const REFERENCED_BY_NAME = { [SUPPRESS_ANNOTATION]: 'istio-referenced-host' };

const VS_HOST = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/** Istio's protocol of a Service port: appProtocol, else the name prefix; 'AUTO' when Istio sniffs it. */
function protocolOf(p: MeshServicePort): string {
  const explicit = (p.appProtocol ?? p.name.split('-')[0]).toLowerCase();
  const known: Record<string, string> = {
    'http': 'HTTP', 'http2': 'HTTP2', 'grpc': 'GRPC', 'grpc-web': 'GRPC-WEB', 'h2c': 'HTTP2', 'https': 'HTTPS', 'tls': 'TLS', 'tcp': 'TCP',
    'mongo': 'MONGO', 'mysql': 'MYSQL', 'redis': 'REDIS', 'udp': 'UDP',
  };
  if (p.name.startsWith('grpc-web')) return 'GRPC-WEB';
  return known[explicit] ?? 'AUTO';
}

/**
 * A Kubernetes Service this app does not build (another team's, a Helm chart's), referenced by name, so that routes
 * can go to it: `addRoute()` for calls inside the mesh (timeouts, retries, faults ...), `exposeVia()` to route a
 * gateway's hosts to it. Emits nothing by itself.
 *
 * @example
 * const legacy = MeshService.fromName(this, 'legacy', { name: 'legacy', namespace: 'billing', ports: [{ number: 8080, name: 'http' }] });
 * legacy.addRoute({ timeout: Duration.seconds(2), retries: { attempts: 2 } });
 * legacy.exposeVia(gateway, { hosts: ['billing.example.com'] });
 */
export class MeshService extends Construct {
  /** References an existing Service by name and namespace. */
  public static fromName(scope: Construct, id: string, attributes: MeshServiceAttributes): MeshService {
    return new MeshService(scope, id, attributes);
  }

  public readonly name: string;
  public readonly namespace: string;
  /** Fully-qualified host, `<name>.<namespace>.svc.<cluster domain>` (`cluster.local` by default). */
  public readonly host: string;
  private readonly _ports: MeshServicePort[];
  private readonly _routes: ExternalRoutes;
  private readonly _bindings = new Map<string, istio.VirtualService>();

  private constructor(scope: Construct, id: string, attributes: MeshServiceAttributes) {
    super(scope, id);
    this.name = checkDnsLabel(this, 'name', attributes.name);
    this.namespace = checkDnsLabel(this, 'namespace', namespaceOf(this, attributes.namespace));
    this.host = serviceFqdn(this, this.name, this.namespace);
    if (attributes.ports.length === 0) {
      throw meshError(this, 'ports', 'must list at least one port', [], "pass ports: [{ number: 8080, name: 'http' }]");
    }
    attributes.ports.forEach((p, i) => {
      checkInteger(this, `ports[${i}].number`, p.number, 1, 65535);
      checkDnsLabel(this, `ports[${i}].name`, p.name);
    });
    checkUnique(this, 'ports[].number', attributes.ports, (p) => p.number);
    this._ports = attributes.ports.map((p) => ({ ...p }));
    this._routes = new ExternalRoutes(this, {
      name: this.name, namespace: this.namespace, hosts: [this.host], kind: 'the Service', annotations: REFERENCED_BY_NAME,
      ports: this._ports.map((p) => ({ number: p.number, name: p.name, protocol: protocolOf(p) === 'AUTO' ? 'HTTP' : protocolOf(p) })),
    });
  }

  /** The Service's ports. */
  public get ports(): MeshServicePort[] {
    return this._ports.map((p) => ({ ...p }));
  }

  /**
   * Adds a route for calls to the Service inside the mesh (a VirtualService `<name>` in the Service's namespace,
   * routes in the order they are added). Returns the VirtualService. Only one VirtualService may exist for a host:
   * do not use this when the Service's owner already routes it.
   */
  public addRoute(route: HttpRouteOptions, options: Omit<ExternalRouteOptions, 'host'> = {}): istio.VirtualService {
    return this._routes.add(route, options);
  }

  /**
   * Routes `options.hosts` of an ingress gateway to the Service: a VirtualService `<name>-<gateway name>` in the
   * Service's namespace, bound to the gateway. Once per gateway.
   */
  public exposeVia(gateway: IGateway, options: MeshServiceExposeOptions): istio.VirtualService {
    const field = `exposeVia(${gateway.ref})`;
    if (this._bindings.has(gateway.node.addr)) {
      throw meshError(this, field, 'was already called for this gateway', options.hosts, 'pass every host and route in one exposeVia() call');
    }
    if (options.hosts.length === 0) throw meshError(this, `${field}.hosts`, 'must not be empty', [], "pass e.g. ['legacy.example.com']");
    options.hosts.forEach((h, i) => {
      if (!VS_HOST.test(h) || h.length > 253) {
        throw meshError(this, `${field}.hosts[${i}]`, "must be '*', a DNS name or '*.<domain>' (lower case, no namespace prefix)", h, "use e.g. 'legacy.example.com'");
      }
    });
    checkUnique(this, `${field}.hosts`, options.hosts, (h) => h);
    const target = this._gatewayTarget();
    const routes = options.routes ?? [{}];
    routes.forEach((r, i) => renderHttpRoute(this, `${field}.routes[${i}]`, r, target)); // throw early
    checkRoutesReachable(this, routes.map((r, i) => ({ field: `${field}.routes[${i}]`, route: r })));
    const name = checkDnsSubdomain(this, `${field}.virtualServiceName`, options.virtualServiceName ?? `${this.name}-${gateway.name}`);
    const hosts = [...options.hosts];
    const vs = withApiFieldNames(new istio.VirtualService(this, `Gateway${gateway.node.addr}`, {
      metadata: { name, namespace: this.namespace, annotations: { ...REFERENCED_BY_NAME } },
      spec: Lazy.any({
        produce: () => ({
          hosts,
          gateways: [gateway.ref],
          http: routes.map((r, i) => renderHttpRoute(this, `${field}.routes[${i}]`, r, target)),
        }),
      }) as unknown as istio.VirtualServiceSpec,
    }));
    this._bindings.set(gateway.node.addr, vs);
    return vs;
  }

  /** From a gateway the destination port must be explicit when the Service has several (the gateway listens elsewhere). */
  private _gatewayTarget(): RouteTarget {
    const http = this._ports.find((p) => ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'AUTO'].includes(protocolOf(p))) ?? this._ports[0];
    return { host: this.host, versions: [], defaultPort: this._ports.length > 1 ? http.number : undefined };
  }
}
