import { Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import type { PortSpec } from './app-workload';
import type { IGateway } from './gateway';
import { GatewayServer, serverRouteKind, ServerRouteKind } from './gateway-server';
import type { HttpRouteOptions } from './http-route';
import type { ExposeViaOptions } from './mesh-app-props';
import { checkRoutesReachable, renderHttpRoute, RouteTarget } from './render-http-route';
import { hostCovers, renderTcpRoute, renderTlsRoute } from './render-l4-route';
import type { TcpRouteOptions } from './tcp-route';
import type { TlsRouteOptions } from './tls-route';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';
import { addWarning } from '../private/warnings';

/*
 * Routing of a MeshApp: its route targets by route kind (http, tcp, tls), its gateway bindings (`exposeVia`), which
 * gateway servers and hosts they use, and the bindings of every app on one gateway (conflicts Istio resolves by
 * creation order). Internal: not exported from lib/index.ts.
 */

/** A VirtualService host: '*', a DNS name or a wildcard DNS name, no namespace prefix. */
const VS_HOST = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/** Service port protocols (name prefixes) Istio handles as HTTP, and as TLS; every other one is opaque TCP. */
const HTTP_PROTOCOLS = ['http', 'http2', 'grpc', 'grpc-web'];
const TLS_PROTOCOLS = ['https', 'tls'];

const KIND_PORTS: Record<ServerRouteKind, string> = {
  http: 'HTTP ports (http, http2, grpc, grpc-web)',
  tls: 'TLS ports (https, tls)',
  tcp: 'non-HTTP ports (tcp, mongo, mysql, redis, https, tls)',
};

/** What a binding needs of its app, read at synth time. */
export interface BindingApp {
  /** The app construct (errors and conflict messages name it; the gateway VirtualService is its child). */
  readonly scope: Construct;
  readonly name: string;
  readonly namespace: string;
  readonly host: string;
  readonly versions: () => readonly string[];
  readonly ports: readonly PortSpec[];
  /** The app's mesh HTTP routes (a binding without own routes uses them). */
  readonly httpRoutes: () => readonly HttpRouteOptions[];
}

/** One `exposeVia()` call. */
export interface GatewayBinding {
  readonly gateway: IGateway;
  readonly app: BindingApp;
  /** Explicit VirtualService hosts; undefined: the hosts of the bound gateway servers at synth time. */
  readonly hosts?: string[];
  /** Only the gateway servers on this port. */
  readonly port?: number;
  readonly routes?: HttpRouteOptions[];
  readonly tcpRoutes?: TcpRouteOptions[];
  readonly tlsRoutes?: TlsRouteOptions[];
  /** The gateway VirtualService, while the app emits it. */
  virtualService?: istio.VirtualService;
}

/** Every binding of every app, per gateway, in `exposeVia()` order: Istio merges them per host and port. */
const BINDINGS = new WeakMap<IGateway, GatewayBinding[]>();

/**
 * One `exposeVia()`: validates the options (throw early), creates the VirtualService `id` under the app, rendered and
 * checked at synth time (the gateway can gain servers later, other apps can bind it), and records the binding on the
 * gateway.
 */
export function bindGateway(app: BindingApp, gateway: IGateway, options: ExposeViaOptions, id: string): GatewayBinding {
  const field = `exposeVia(${gateway.ref})`;
  const scope = app.scope;
  if (options.hosts) checkBindingHosts(scope, field, options.hosts);
  if (options.port !== undefined) checkInteger(scope, `${field}.port`, options.port, 1, 65535);
  const name = options.virtualServiceName ?? `${app.name}-${gateway.name}`;
  checkDnsSubdomain(scope, `${field} VirtualService name`, name);
  const copy = <T>(a?: T[]) => (a ? [...a] : undefined);
  const binding: GatewayBinding = {
    gateway, app, hosts: copy(options.hosts), port: options.port,
    routes: copy(options.routes), tcpRoutes: copy(options.tcpRoutes), tlsRoutes: copy(options.tlsRoutes),
  };
  checkBindingRoutes(binding);
  checkRoutesReachable(scope, (options.routes ?? []).map((r, i) => ({ field: `${field}.routes[${i}]`, route: r })));
  checkRoutesReachable(scope, (options.tcpRoutes ?? []).map((r, i) => ({ field: `${field}.tcpRoutes[${i}]`, route: r })));
  binding.virtualService = withApiFieldNames(new istio.VirtualService(scope, id, {
    metadata: { name, namespace: app.namespace },
    spec: Lazy.any({ produce: () => renderBindingSpec(binding) }) as unknown as istio.VirtualServiceSpec,
  }));
  binding.virtualService.node.addValidation({ validate: () => validateBinding(binding) });
  BINDINGS.set(gateway, [...(BINDINGS.get(gateway) ?? []), binding]);
  return binding;
}

/** Route kinds Istio applies to a Service port of this protocol: tls ports take tls routes, then tcp routes. */
export function portRouteKinds(protocol: string): ServerRouteKind[] {
  if (HTTP_PROTOCOLS.includes(protocol)) return ['http'];
  if (TLS_PROTOCOLS.includes(protocol)) return ['tls', 'tcp'];
  return ['tcp'];
}

/**
 * Where routes of one kind send traffic: the app's Service host and versions, the ports the kind applies to, and a
 * destination port when the Service has several (Istio needs one then). `prefer: 'tls'` orders TLS ports first (a
 * gateway passing TLS through can reach a tls or a tcp port).
 */
export function routeTarget(host: string, versions: readonly string[], ports: readonly PortSpec[], kind: ServerRouteKind = 'http',
  prefer?: 'tls'): RouteTarget {
  let kindPorts = ports.filter((p) => portRouteKinds(p.protocol).includes(kind));
  const tls = (p: PortSpec) => TLS_PROTOCOLS.includes(p.protocol);
  if (kind === 'tcp') kindPorts = prefer === 'tls' ? [...kindPorts.filter(tls), ...kindPorts.filter((p) => !tls(p))] : [...kindPorts.filter((p) => !tls(p)), ...kindPorts.filter(tls)];
  return {
    host,
    versions,
    defaultPort: ports.length > 1 ? kindPorts[0]?.port : undefined,
    ports: kindPorts.map((p) => p.port),
    portsDescription: KIND_PORTS[kind],
  };
}

/** Why routes of `kind` never apply to the app (no Service port takes them), or undefined. */
export function routeKindProblem(kind: ServerRouteKind, ports: readonly PortSpec[]): string | undefined {
  if (ports.some((p) => portRouteKinds(p.protocol).includes(kind))) return undefined;
  return `never applies: Istio applies ${kind} routes only to ${KIND_PORTS[kind]}, and the app has none (${ports.map((p) => `${p.name}:${p.port}`).join(', ')})`;
}

/** Throws when routes of `kind` never apply to the app's ports. */
export function checkRouteKind(scope: IConstruct, field: string, kind: ServerRouteKind, ports: readonly PortSpec[], value: unknown): void {
  const problem = routeKindProblem(kind, ports);
  if (problem) {
    const fix = kind === 'http' ? 'name a port http (or http-<x>, grpc, http2), or route the TCP ports with addTcpRoute()'
      : kind === 'tls' ? 'name the port https or tls (the app terminates TLS), or use addTcpRoute()' : 'add a tcp port, or use http routes (addRoute)';
    throw meshError(scope, field, problem, value, fix);
  }
}

/** Throws when a mesh HTTP route matches a Service port that takes no http routes (Istio would never apply the match). */
export function checkHttpMatchPorts(scope: IConstruct, field: string, route: HttpRouteOptions, ports: readonly PortSpec[]): void {
  const http = ports.filter((p) => portRouteKinds(p.protocol).includes('http')).map((p) => p.port);
  (route.match ?? []).forEach((m, i) => {
    if (m.port !== undefined && !http.includes(m.port)) {
      throw meshError(scope, `${field}.match[${i}].port`, `is not one of the Service ${KIND_PORTS.http} ${JSON.stringify(http)}, so the match never applies`, m.port,
        http.length ? `use one of ${JSON.stringify(http)}, or a TCP route (addTcpRoute) for port ${m.port}` : 'use a TCP route (addTcpRoute)');
    }
  });
}

/** Validates the explicit hosts of an `exposeVia()` call. */
export function checkBindingHosts(scope: IConstruct, field: string, hosts: string[]): void {
  if (hosts.length === 0) {
    throw meshError(scope, `${field}.hosts`, 'must not be empty',
      hosts, "leave hosts out to use the gateway's hosts, or pass e.g. ['shop.example.com']");
  }
  hosts.forEach((h, i) => {
    if (!VS_HOST.test(h) || h.length > 253) {
      throw meshError(scope, `${field}.hosts[${i}]`, "must be '*', a DNS name or '*.<domain>' (lower case, no namespace prefix)",
        h, "use e.g. 'shop.example.com' or '*.example.com'");
    }
  });
  checkUnique(scope, `${field}.hosts`, hosts, (h) => h);
}

/**
 * Validates the routes of an `exposeVia()` call as far as they can be before the gateway is complete (throw early).
 */
export function checkBindingRoutes(binding: GatewayBinding): void {
  const { app } = binding;
  const field = bindingField(binding);
  (binding.routes ?? []).forEach((r, i) => renderHttpRoute(app.scope, `${field}.routes[${i}]`, r, httpTarget(app)));
  const hosts = binding.hosts ?? ['*'];
  (binding.tcpRoutes ?? []).forEach((r, i) => renderTcpRoute(app.scope, `${field}.tcpRoutes[${i}]`, r, l4Target(app, 'tcp'), { hosts, gateway: true }));
  (binding.tlsRoutes ?? []).forEach((r, i) => renderTlsRoute(app.scope, `${field}.tlsRoutes[${i}]`, r, l4Target(app, 'tls'), { hosts, gateway: true }));
  if (binding.routes) checkRouteKind(app.scope, `${field}.routes`, 'http', app.ports, '(http routes)');
}

/**
 * The gateway servers a binding attaches to: on `port` when given, with a host this namespace may bind that covers
 * one of the binding's hosts. `undefined` when the gateway's servers are not known (imported without `servers`).
 */
export function boundServers(binding: GatewayBinding): GatewayServer[] | undefined {
  const servers = binding.gateway.servers;
  if (!servers) return undefined;
  const onPort = servers.filter((s) => binding.port === undefined || s.port === binding.port);
  if (!binding.hosts) return onPort.filter((s) => visibleHosts(binding.gateway, s.hosts, binding.app.namespace).length > 0);
  return onPort.filter((s) => visibleHosts(binding.gateway, s.hosts, binding.app.namespace).some((g) => binding.hosts!.some((h) => hostCovers(g, h))));
}

/** Route kinds a binding emits: those of its servers (`http` when the gateway's servers are not known). */
export function bindingKinds(binding: GatewayBinding): Set<ServerRouteKind> {
  const servers = boundServers(binding);
  return new Set(servers ? servers.map(serverRouteKind) : ['http']);
}

/**
 * Hosts of a gateway VirtualService: the explicit ones, else the hosts this namespace may bind (plain hosts, and
 * `<ns>/<host>` entries whose ns is '*', this namespace, or '.' on a gateway of this namespace), without the namespace
 * part, of the gateway's servers on `port` (every server without it).
 */
export function bindingHosts(binding: GatewayBinding): string[] {
  if (binding.hosts) return [...binding.hosts];
  const { gateway } = binding;
  const hosts = binding.port !== undefined && gateway.servers
    ? gateway.servers.filter((s) => s.port === binding.port).flatMap((s) => s.hosts)
    : gateway.hosts;
  return [...new Set(visibleHosts(gateway, hosts, binding.app.namespace))];
}

/** The gateway's hosts a VirtualService of `namespace` may bind, without the namespace part. */
export function visibleGatewayHosts(gateway: IGateway, namespace: string): string[] {
  return visibleHosts(gateway, gateway.hosts, namespace);
}

function visibleHosts(gateway: IGateway, hosts: readonly string[], namespace: string): string[] {
  const out: string[] = [];
  for (const h of hosts) {
    const slash = h.indexOf('/');
    if (slash < 0) {
      out.push(h);
      continue;
    }
    const ns = h.slice(0, slash);
    if (ns === '*' || ns === namespace || (ns === '.' && gateway.namespace === namespace)) out.push(h.slice(slash + 1));
  }
  return out;
}

/** The spec of a binding's VirtualService: `http`, `tcp` and `tls` routes for the kinds of the servers it binds. */
export function renderBindingSpec(binding: GatewayBinding): Record<string, unknown> {
  const { app } = binding;
  const field = bindingField(binding);
  const hosts = bindingHosts(binding);
  const servers = boundServers(binding);
  const kinds = bindingKinds(binding);
  const spec: Record<string, unknown> = { hosts, gateways: [binding.gateway.ref] };
  if (kinds.has('http')) spec.http = renderBindingRoutes(app.scope, binding, app.httpRoutes(), httpTarget(app));
  const tcpServers = (servers ?? []).filter((s) => serverRouteKind(s) === 'tcp');
  if (tcpServers.length > 0) {
    const target = l4Target(app, 'tcp');
    const ctx = { hosts, gateway: true, matchPorts: tcpServers.map((s) => s.port), matchPortsDescription: 'TCP server ports of the gateway' };
    spec.tcp = binding.tcpRoutes
      ? binding.tcpRoutes.map((r, i) => renderTcpRoute(app.scope, `${field}.tcpRoutes[${i}]`, r, target, ctx))
      : tcpServers.map((s) => renderTcpRoute(app.scope, field, { match: [{ port: s.port }] }, target, ctx));
  }
  const tlsServers = (servers ?? []).filter((s) => serverRouteKind(s) === 'tls');
  if (tlsServers.length > 0) {
    const target = l4Target(app, 'tls');
    const ctx = { hosts, gateway: true, matchPorts: tlsServers.map((s) => s.port), matchPortsDescription: 'passthrough server ports of the gateway' };
    spec.tls = binding.tlsRoutes
      ? binding.tlsRoutes.map((r, i) => renderTlsRoute(app.scope, `${field}.tlsRoutes[${i}]`, r, target, ctx))
      : tlsServers.map((s) => renderTlsRoute(app.scope, field, { match: [{ port: s.port, sniHosts: serverSniHosts(binding, s, hosts) }] }, target, ctx));
  }
  return spec;
}

/**
 * The `http` routes of a gateway VirtualService: the binding's own routes, else the app's routes, else one route to the
 * whole Service.
 */
export function renderBindingRoutes(scope: IConstruct, binding: GatewayBinding, appRoutes: readonly HttpRouteOptions[],
  target: RouteTarget): Record<string, unknown>[] {
  const field = bindingField(binding);
  if (binding.routes) return binding.routes.map((r, i) => renderHttpRoute(scope, `${field}.routes[${i}]`, r, target));
  if (appRoutes.length > 0) return appRoutes.map((r, i) => renderHttpRoute(scope, `routes[${i}]`, r, target));
  return [renderHttpRoute(scope, `${field}.routes[0]`, {}, target)]; // no destinations: the whole Service
}

/**
 * Whole-tree check of a binding (the gateway can gain servers after `exposeVia()`): the gateway serves its hosts (on
 * `port`), the app has ports for the route kinds of those servers, its routes fit them, and no other app's binding
 * on the gateway shadows it or is shadowed by it.
 */
export function validateBinding(binding: GatewayBinding): string[] {
  const { gateway, app } = binding;
  const field = bindingField(binding);
  const visible = visibleGatewayHosts(gateway, app.namespace);
  if (visible.length === 0) {
    return [`'${field}.hosts' the gateway offers no host to namespace "${app.namespace}", got ${JSON.stringify(gateway.hosts)}. `
      + `Fix: add a server for a host (or '${app.namespace}/<host>') to the gateway`];
  }
  const unmatched = (binding.hosts ?? []).filter((h) => !visible.some((g) => hostCovers(g, h)));
  if (unmatched.length > 0) {
    return [`'${field}.hosts' are not served by the gateway (Istio would ignore the binding), got ${JSON.stringify(unmatched)}. `
      + `Fix: use hosts the gateway serves (${JSON.stringify(visible)}) or add a server for them`];
  }
  const servers = boundServers(binding);
  if (binding.port !== undefined && servers && servers.length === 0) {
    const ports = [...new Set((gateway.servers ?? []).map((s) => s.port))];
    return [`'${field}.port' is not a port of a gateway server for these hosts, got ${binding.port}. Fix: use one of ${JSON.stringify(ports)}`];
  }
  if (!servers && (binding.tcpRoutes || binding.tlsRoutes || binding.port !== undefined)) {
    return [`'${field}' the servers of the imported gateway are not known, got ${JSON.stringify({ port: binding.port, tcpRoutes: !!binding.tcpRoutes, tlsRoutes: !!binding.tlsRoutes })}. `
      + "Fix: declare them: Gateway.fromName(scope, id, ref, { servers: [{ port, protocol, passthrough }] })"];
  }
  const kinds = bindingKinds(binding);
  const errors: string[] = [];
  for (const kind of kinds) {
    const problem = routeKindProblem(kind === 'tls' ? 'tcp' : kind, app.ports);
    if (problem) {
      const names = (servers ?? []).filter((s) => serverRouteKind(s) === kind).map((s) => `${s.name}:${s.port}`);
      errors.push(`'${field}' binds gateway server(s) ${JSON.stringify(names)} that need ${kind} routes, which ${problem}, got ${JSON.stringify(bindingHosts(binding))}. `
        + `Fix: ${kind === 'http' ? 'expose the app through a TCP server (Gateway.addTcpServer()) with the port option, or give the app an http port'
          : 'bind only the HTTP servers (port option), or give the app a tcp or tls port'}`);
    }
  }
  const unused: Array<[keyof GatewayBinding, ServerRouteKind]> = [['routes', 'http'], ['tcpRoutes', 'tcp'], ['tlsRoutes', 'tls']];
  for (const [option, kind] of unused) {
    if (binding[option] !== undefined && !kinds.has(kind)) {
      errors.push(`'${field}.${option}' never apply: the gateway servers bound (${JSON.stringify((servers ?? []).map((s) => `${s.name}:${s.port}`))}) take no ${kind} routes, `
        + `got ${(binding[option] as unknown[]).length} route(s). Fix: remove ${option}, or bind a server that takes ${kind} routes (port option)`);
    }
  }
  return [...errors, ...conflicts(binding)];
}

/** Binding conflicts with the apps bound to the same gateway before this one (each pair is reported once). */
function conflicts(binding: GatewayBinding): string[] {
  const all = BINDINGS.get(binding.gateway) ?? [];
  const field = bindingField(binding);
  const out: string[] = [];
  for (const other of all.slice(0, all.indexOf(binding))) {
    if (!other.virtualService || other.app.scope === binding.app.scope) continue; // taken over by a traffic manager
    const who = `app "${other.app.name}" (${other.app.scope.node.path})`;
    const kinds = bindingKinds(binding);
    const otherKinds = bindingKinds(other);
    if (kinds.has('http') && otherKinds.has('http')) {
      const shared = bindingHosts(binding).filter((h) => bindingHosts(other).includes(h));
      const catchAll = [other, binding].filter((b) => effectiveHttpRoutes(b).some((r) => r.match === undefined));
      const merged = `Istio merges both VirtualServices into one virtual host in creation order, so a route without match takes every request of the host`;
      if (shared.length > 0 && catchAll.length === 2) {
        out.push(`'${field}' shares host(s) ${JSON.stringify(shared)} on gateway ${binding.gateway.ref} with ${who}, got a catch-all route in both apps. ${merged} and the `
          + 'app created later is unreachable. Fix: give each app its own host (hosts option), or give the routes of one app matches (e.g. a uri prefix)');
      } else if (shared.length > 0 && catchAll.length === 1) {
        addWarning(binding.virtualService ?? binding.app.scope, 'expose-via:catch-all-order', `'${field}' shares host(s) ${JSON.stringify(shared)} on gateway `
          + `${binding.gateway.ref} with ${who}, and app "${catchAll[0].app.name}" has a catch-all route: ${merged}; the other app's routes are reached only `
          + 'while its VirtualService is older. Fix: give each app its own host, or give the catch-all app matches that do not overlap the other\'s');
      }
    }
    const tcp = l4Keys(binding, 'tcp').filter((k) => l4Keys(other, 'tcp').includes(k));
    if (tcp.length > 0) {
      out.push(`'${field}' routes TCP port(s) ${JSON.stringify(tcp)} of gateway ${binding.gateway.ref} like ${who}, got both. Istio applies only the first `
        + 'VirtualService\'s tcp route to a port, so one app is unreachable. Fix: give each app its own gateway TCP server (Gateway.addTcpServer()) and bind it with the port option');
    }
    const tls = l4Keys(binding, 'tls').filter((k) => l4Keys(other, 'tls').includes(k));
    if (tls.length > 0) {
      out.push(`'${field}' routes SNI host(s) ${JSON.stringify(tls)} (port:host) of gateway ${binding.gateway.ref} like ${who}, got both. Istio applies only the first `
        + 'VirtualService\'s tls route, so one app is unreachable. Fix: give each app its own SNI host (hosts option)');
    }
  }
  return out;
}

function effectiveHttpRoutes(b: GatewayBinding): readonly HttpRouteOptions[] {
  if (b.routes) return b.routes;
  const routes = b.app.httpRoutes();
  return routes.length > 0 ? routes : [{}];
}

/** The gateway ports (tcp) or `port:sniHost` pairs (tls) a binding's L4 routes take. */
function l4Keys(b: GatewayBinding, kind: 'tcp' | 'tls'): string[] {
  const servers = (boundServers(b) ?? []).filter((s) => serverRouteKind(s) === kind);
  const ports = servers.map((s) => s.port);
  if (kind === 'tcp') {
    if (!b.tcpRoutes) return ports.map(String);
    return [...new Set(b.tcpRoutes.flatMap((r) => (r.match ?? [{}]).flatMap((m) => (m.port !== undefined ? [m.port] : ports))).map(String))];
  }
  const hosts = bindingHosts(b);
  if (!b.tlsRoutes) return servers.flatMap((s) => serverSniHosts(b, s, hosts).map((h) => `${s.port}:${h}`));
  return b.tlsRoutes.flatMap((r) => (r.match ?? [{}]).flatMap((m) => (m.port !== undefined ? [m.port] : ports)
    .flatMap((p) => (m.sniHosts ?? hosts).map((h) => `${p}:${h}`))));
}

/** The binding's hosts a passthrough server accepts: its SNI hosts. */
function serverSniHosts(b: GatewayBinding, server: GatewayServer, hosts: readonly string[]): string[] {
  const accepted = visibleHosts(b.gateway, server.hosts, b.app.namespace);
  return hosts.filter((h) => accepted.some((g) => hostCovers(g, h)));
}

function httpTarget(app: BindingApp): RouteTarget {
  return routeTarget(app.host, app.versions(), app.ports, 'http');
}

/** Target of gateway L4 routes: a passthrough server reaches a tls or tcp port (TLS first), a TCP server a tcp port first. */
function l4Target(app: BindingApp, kind: 'tcp' | 'tls'): RouteTarget {
  return routeTarget(app.host, app.versions(), app.ports, 'tcp', kind === 'tls' ? 'tls' : undefined);
}

function bindingField(b: GatewayBinding): string {
  return `exposeVia(${b.gateway.ref})`;
}
