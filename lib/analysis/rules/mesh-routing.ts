import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { gatewayRef } from './istio-references';
import { acceptingServers, RoutingObject, routingObjects, ServerIndex } from './istio-virtualservice';
import { arrayOf, push, toFqdn } from '../label-index';
import { meshModel, nsOf, refOf, ServicePortInfo } from '../model';

/*
 * The product's own routing checks, beyond istioctl: HTTP routes for services that serve no HTTP (MESH0024), HTTP routes
 * bound to TLS passthrough gateway servers (MESH0025), two catch-all routes for one host on one gateway (MESH0028).
 */

const NETWORKING = 'networking.istio.io';
const HTTP = new Set(['http', 'http2', 'http_proxy', 'grpc', 'grpc-web', 'h2c']);
const NOT_HTTP = new Set(['tcp', 'tls', 'https', 'mongo', 'redis', 'mysql', 'udp']);

/** How Istio treats a port: 'http' (HTTP routes apply), 'other' (TCP, TLS, a database protocol: they never do), 'unknown' (sniffed). */
export function portKind(p: ServicePortInfo, serviceEntry: boolean): 'http' | 'other' | 'unknown' {
  if (serviceEntry) {
    const proto = String(p.protocol ?? '').toLowerCase();
    return HTTP.has(proto) ? 'http' : NOT_HTTP.has(proto) ? 'other' : 'unknown';
  }
  if (p.protocol === 'UDP' || p.protocol === 'SCTP') return 'other';
  const app = p.appProtocol === undefined ? undefined : String(p.appProtocol).toLowerCase();
  if (app === 'kubernetes.io/h2c' || app === 'kubernetes.io/ws' || app === 'kubernetes.io/wss') return 'http';
  const name = String(app ?? p.name ?? '').toLowerCase();
  if (name.startsWith('grpc-web')) return 'http';
  const proto = name.includes('-') ? name.slice(0, name.indexOf('-')) : name;
  return HTTP.has(proto) ? 'http' : NOT_HTTP.has(proto) ? 'other' : 'unknown';
}

function httpRoutes(o: AnalyzedObject): number {
  // Flagger's Istio router writes tcp routes instead of http ones when `service.appProtocol` is tcp.
  if (o.manifest.kind === 'Canary') return o.manifest.spec?.service?.appProtocol === 'tcp' ? 0 : 1;
  return arrayOf(o.manifest.spec?.http).length;
}

/**
 * HTTP routes of a VirtualService applied by the sidecars (mesh gateway) to a host whose every port is TCP, TLS or
 * another non-HTTP protocol: Istio builds HTTP routes only for HTTP ports, so these are never applied (no traffic split,
 * retry, fault or header match takes effect).
 */
export const HTTP_ROUTE_TCP_SERVICE: IAnalysisRule = {
  id: 'http-route-tcp-service',
  code: 'MESH0024',
  severity: FindingSeverity.ERROR,
  description: 'VirtualService http routes applied by sidecars are for hosts with an HTTP port (or a port whose protocol is sniffed), not TCP/TLS-only ones.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    for (const r of routingObjects(ctx)) {
      if ((r.gateways.length > 0 && !r.gateways.includes('mesh')) || httpRoutes(r.at) === 0) continue;
      for (const host of r.hosts) {
        const target = model.resolveHost(host, nsOf(r.at));
        if (!target || host.startsWith('*')) continue;
        const ports = target.kind === 'service' ? target.service.ports : target.entry.ports;
        const kinds = ports.map((p) => portKind(p, target.kind === 'serviceEntry'));
        if (kinds.length === 0 || kinds.some((k) => k !== 'other')) continue;
        const listed = ports.map((p) => `${p.port}${p.name ? `/${p.name}` : ''}${target.kind === 'serviceEntry' && p.protocol ? ` ${p.protocol}` : ''}`).join(', ');
        ctx.error(r.at, `${r.label} has http routes for "${host}", whose ports [${listed}] are all TCP, TLS or another non-HTTP protocol: the sidecars build `
          + 'HTTP routes only for HTTP ports, so these routes are never applied. Fix: route the host with tcp (or tls, by SNI) routes, or, if it does speak '
          + 'HTTP, name its port "http-..." (or set appProtocol: http).');
      }
    }
  },
};

const PASSTHROUGH = new Set(['PASSTHROUGH', 'AUTO_PASSTHROUGH']);

/**
 * HTTP routes bound only to gateway servers in TLS PASSTHROUGH: the gateway does not terminate TLS, it forwards by SNI
 * with tls routes, so http routes are never applied and the host gets no route (connections are closed).
 */
export const PASSTHROUGH_HTTP_ROUTE: IAnalysisRule = {
  id: 'passthrough-http-route',
  code: 'MESH0025',
  severity: FindingSeverity.ERROR,
  description: 'VirtualService http routes are not bound only to TLS PASSTHROUGH gateway servers (those take tls routes matched by SNI).',
  check(ctx: AnalysisContext) {
    const indexes = new Map<AnalyzedObject, ServerIndex>();
    for (const r of routingObjects(ctx)) {
      if (r.gateways.length === 0 || r.gateways.includes('mesh') || httpRoutes(r.at) === 0) continue;
      const servers = r.gateways.flatMap((ref) => {
        const [gns, name] = gatewayRef(ref, nsOf(r.at));
        const gateway = ref === 'mesh' ? undefined : ctx.find(NETWORKING, 'Gateway', gns, name);
        return gateway ? acceptingServers(gateway, indexes, nsOf(r.at), r.hosts) : [];
      });
      if (servers.length === 0 || !servers.every((s) => PASSTHROUGH.has(String(s.server?.tls?.mode ?? '').toUpperCase()))) continue;
      const names = [...new Set(servers.map((s) => `${refOf(s.gateway)} port ${s.server?.port?.number}`))].join(', ');
      ctx.error(r.at, `${r.label} has http routes for [${r.hosts.join(' ')}], but the gateway servers that accept these hosts (${names}) pass TLS through `
        + 'without terminating it: the gateway routes such connections by SNI with tls routes only, so the http routes are never applied. '
        + 'Fix: route with tls routes (match sniHosts) to a backend that terminates TLS, or make the server terminate TLS (tls.mode SIMPLE with a credentialName) and keep the http routes.');
    }
  },
};

/** Whether an http route takes every request (no match, an empty match, or only the URI prefix "/"). */
function catchAll(route: any): boolean {
  const matches = arrayOf(route?.match);
  if (matches.length === 0) return true;
  return matches.some((m: any) => {
    const { name: _name, ...rest } = m ?? {};
    const keys = Object.keys(rest);
    return keys.length === 0 || (keys.length === 1 && keys[0] === 'uri' && Object.keys(rest.uri ?? {}).length === 1 && rest.uri.prefix === '/');
  });
}

/**
 * Two VirtualServices (or Flagger Canaries) with a catch-all http route for one host on one gateway: the gateway merges
 * them into one virtual host, in an order nobody chooses (creation time), and the first catch-all takes every request:
 * the other application is unreachable.
 */
export const GATEWAY_CATCH_ALL_CONFLICT: IAnalysisRule = {
  id: 'gateway-catch-all-conflict',
  code: 'MESH0028',
  severity: FindingSeverity.ERROR,
  description: 'At most one VirtualService (or Canary) has a catch-all http route for a host on a gateway.',
  check(ctx: AnalysisContext) {
    const byKey = new Map<string, RoutingObject[]>();
    for (const r of routingObjects(ctx)) {
      const hasCatchAll = r.at.manifest.kind === 'Canary' ? arrayOf(r.at.manifest.spec?.service?.match).length === 0 : arrayOf(r.at.manifest.spec?.http).some(catchAll);
      if (!hasCatchAll) continue;
      for (const ref of new Set(r.gateways)) {
        if (ref === 'mesh') continue;
        const [ns, name] = gatewayRef(ref, nsOf(r.at));
        for (const h of new Set(r.hosts.map((x) => toFqdn(x, nsOf(r.at), ctx.settings.clusterDomain)))) push(byKey, `${ns}/${name}|${h}`, r);
      }
    }
    const reported = new Set<string>();
    for (const [key, list] of byKey) {
      const distinct = [...new Set(list)];
      if (distinct.length < 2) continue;
      const [gateway, host] = key.split('|');
      const names = distinct.map((r) => r.ref).join(', ');
      for (const r of distinct) {
        if (reported.has(`${r.ref}|${key}`)) continue;
        reported.add(`${r.ref}|${key}`);
        ctx.error(r.at, `${names} each have a catch-all http route for host "${host}" on gateway ${gateway} (${r.label} is one of them): the gateway merges `
          + 'them into one virtual host in creation order, so the first catch-all takes every request and the other application is unreachable. '
          + 'Fix: give each application its own host, or its own path prefix (match uri.prefix) with at most one catch-all, or merge the routes into one VirtualService.');
      }
    }
  },
};
