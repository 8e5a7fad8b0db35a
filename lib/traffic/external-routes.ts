import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { checkDnsSubdomain } from '../private/validate';
import type { HttpRouteOptions } from './http-route';
import { checkRoutesReachable, renderHttpRoute, RouteTarget } from './render-http-route';

/** Options of `ServiceEntry.addRoute()` and `MeshService.addRoute()`. */
export interface ExternalRouteOptions {
  /**
   * Host the route applies to: one of the service's hosts (not a wildcard: a route needs one destination host).
   * @default - the service's only host (required when it has several)
   */
  readonly host?: string;
  /**
   * Name of the VirtualService, given with the first route of a host.
   * @default - the service name, with the host appended when routes go to several hosts of the service
   */
  readonly virtualServiceName?: string;
}

/** A port of a routed service, as the route checks need it. @internal */
export interface RoutedPort {
  readonly number: number;
  readonly name: string;
  /** Istio protocol (HTTP, HTTPS, TLS, TCP ...), upper case. */
  readonly protocol: string;
}

/** The service routes go to (a ServiceEntry or an existing Service). @internal */
export interface RoutedService {
  readonly name: string;
  readonly namespace: string;
  readonly hosts: readonly string[];
  readonly ports: readonly RoutedPort[];
  /** exportTo of the VirtualServices. */
  readonly exportTo?: readonly string[];
  /** What the service is called in errors, e.g. 'the ServiceEntry'. @default 'the service' */
  readonly kind?: string;
  /** Annotations of the VirtualServices. @default - none */
  readonly annotations?: Record<string, string>;
}

/** Protocols whose requests a sidecar sees, so HTTP routes apply to them. */
const HTTP_PROTOCOLS = ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB'];

interface HostRoutes {
  readonly host: string;
  readonly routes: HttpRouteOptions[];
  readonly resource: istio.VirtualService;
}

/**
 * The VirtualServices of a service the app does not own: one per host, routes in the order they were added.
 * Routes reuse the VirtualService route rendering of MeshApp (a service without versions).
 * @internal
 */
export class ExternalRoutes {
  private readonly _byHost = new Map<string, HostRoutes>();

  constructor(private readonly _scope: Construct, private readonly _service: RoutedService) {}

  /** Validates and adds one route; returns the host's VirtualService. */
  public add(route: HttpRouteOptions, options: ExternalRouteOptions): istio.VirtualService {
    const svc = this._service;
    const scope = this._scope;
    const kind = svc.kind ?? 'the service';
    if (options.host === undefined && svc.hosts.length > 1) {
      throw meshError(scope, 'addRoute.host', `is required when ${kind} has several hosts`, svc.hosts, `pass { host: '${svc.hosts.find((h) => !h.startsWith('*')) ?? svc.hosts[0]}' }`);
    }
    const host = options.host ?? svc.hosts[0];
    if (!svc.hosts.includes(host) || host.includes('*')) {
      const plain = svc.hosts.filter((h) => !h.includes('*'));
      throw meshError(scope, 'addRoute.host', `must be one of the hosts of ${kind}, without a wildcard (a route needs a single destination host)`, host,
        plain.length ? `use one of ${plain.join(', ')}` : 'declare the concrete host (e.g. api.foo.com) in the ServiceEntry hosts and route to it');
    }
    const httpPorts = svc.ports.filter((p) => HTTP_PROTOCOLS.includes(p.protocol));
    if (httpPorts.length === 0) {
      throw meshError(scope, 'addRoute', `has no effect: HTTP routes only apply to HTTP, HTTP2 or GRPC ports, and the ports of ${kind} are `
        + `${svc.ports.map((p) => `${p.number}/${p.protocol}`).join(', ')} (TLS traffic is opaque to the sidecar)`, host,
      'declare a plain HTTP port the app calls (e.g. { number: 80, protocol: ExternalProtocol.HTTP, targetPort: 443 }) and originate TLS on it');
    }
    const entry = this._hostRoutes(host, options.virtualServiceName);
    const i = entry.routes.length;
    const field = `addRoute(${host})[${i}]`;
    (route.match ?? []).forEach((m, j) => {
      if (m.port !== undefined && !httpPorts.some((p) => p.number === m.port)) {
        const port = svc.ports.find((p) => p.number === m.port);
        throw meshError(scope, `${field}.match[${j}].port`, port ? `is a port with protocol ${port.protocol}, where HTTP routes do not apply` : `is not a port of ${kind}`, m.port,
          `use one of the HTTP ports ${httpPorts.map((p) => p.number).join(', ')}`);
      }
    });
    const known = svc.ports.map((p) => p.number);
    (route.destinations ?? []).forEach((d, j) => {
      if (d.port !== undefined && !known.includes(d.port)) {
        throw meshError(scope, `${field}.destinations[${j}].port`, `is not a port of ${kind}`, d.port, `use one of ${known.join(', ')}, or declare the port`);
      }
    });
    if (route.mirror?.port !== undefined && !known.includes(route.mirror.port)) {
      throw meshError(scope, `${field}.mirror.port`, `is not a port of ${kind}`, route.mirror.port, `use one of ${known.join(', ')}`);
    }
    const target = this._target(host, route);
    if (target.defaultPort === undefined && svc.ports.length > 1 && !route.redirect && (route.destinations ?? [{}]).some((d) => d.port === undefined)) {
      throw meshError(scope, `${field}.destinations`, `need a port: ${kind} has several HTTP ports (${httpPorts.map((p) => p.number).join(', ')}) and the route `
        + 'does not match one (Istio and istioctl analyze IST0112 require the port to be explicit)', route.destinations ?? 'the whole service',
      `add match: [{ port: ${httpPorts[0].number} }], or destinations: [{ port: ${httpPorts[0].number} }]`);
    }
    renderHttpRoute(scope, field, route, target); // throw early
    const all = [...entry.routes, route];
    checkRoutesReachable(scope, all.map((r, k) => ({ field: `addRoute(${host})[${k}]`, route: r })));
    entry.routes.push(route);
    return entry.resource;
  }

  /**
   * The route's target. A destination without a port keeps the port the request came in on, but Istio's analysis
   * (IST0112) wants it explicit when the service has several ports: it is the route's match port, else the only HTTP
   * port (HTTP routes only see requests on HTTP ports).
   */
  private _target(host: string, route: HttpRouteOptions): RouteTarget {
    const ports = this._service.ports;
    if (ports.length <= 1) return { host, versions: [] };
    const matchPorts = new Set((route.match ?? []).map((m) => m.port));
    if (route.match && matchPorts.size === 1 && !matchPorts.has(undefined)) return { host, versions: [], defaultPort: [...matchPorts][0] };
    const http = ports.filter((p) => HTTP_PROTOCOLS.includes(p.protocol));
    return { host, versions: [], defaultPort: http.length === 1 ? http[0].number : undefined };
  }

  private _hostRoutes(host: string, name: string | undefined): HostRoutes {
    const existing = this._byHost.get(host);
    if (existing) {
      if (name !== undefined && name !== existing.resource.name) {
        throw meshError(this._scope, 'addRoute.virtualServiceName', `can only be given with the first route of ${host}`, name,
          `leave it out, or use ${JSON.stringify(existing.resource.name)}`);
      }
      return existing;
    }
    const svc = this._service;
    const vsName = checkDnsSubdomain(this._scope, 'addRoute.virtualServiceName',
      name ?? (this._byHost.size === 0 ? svc.name : `${svc.name}-${host.replace(/\./g, '-')}`));
    const entry: HostRoutes = {
      host,
      routes: [],
      resource: undefined as unknown as istio.VirtualService,
    };
    (entry as { resource: istio.VirtualService }).resource = withApiFieldNames(new istio.VirtualService(this._scope, `Routes${host}`, {
      metadata: { name: vsName, namespace: svc.namespace, annotations: svc.annotations ? { ...svc.annotations } : undefined },
      spec: Lazy.any({
        produce: () => ({
          hosts: [host],
          exportTo: svc.exportTo ? [...svc.exportTo] : undefined,
          http: entry.routes.map((r, k) => renderHttpRoute(this._scope, `addRoute(${host})[${k}]`, r, this._target(host, r))),
        }),
      }) as unknown as istio.VirtualServiceSpec,
    }));
    this._byHost.set(host, entry);
    return entry;
  }
}
