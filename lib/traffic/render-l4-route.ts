import { IConstruct } from 'constructs';
import { meshError } from '../private/errors';
import { checkIpOrCidr } from '../private/ip';
import { checkLabels } from '../private/labels';
import { outputMap } from '../private/plain-keys';
import { checkDnsLabel, checkInteger } from '../private/validate';
import { renderDestinations, RouteTarget } from './render-http-route';
import type { TcpMatch, TcpRouteOptions } from './tcp-route';
import type { TlsMatch, TlsRouteOptions } from './tls-route';

/*
 * Rendering of TcpRouteOptions / TlsRouteOptions into VirtualService `spec.tcp[]` / `spec.tls[]` JSON.
 * Internal: not exported from lib/index.ts.
 */

/** Where an L4 route is rendered. */
export interface L4RouteContext {
  /** The VirtualService's hosts (TLS `sniHosts` must be among them, and default to them). */
  readonly hosts: readonly string[];
  /** The VirtualService is bound to a gateway: the gateway is the only caller, so source conditions never match. */
  readonly gateway: boolean;
  /** Ports `match.port` may name, and what they are (for messages). @default - any port */
  readonly matchPorts?: readonly number[];
  readonly matchPortsDescription?: string;
}

/**
 * Validates one TCP route and renders it as a `spec.tcp[]` entry.
 * @internal
 */
export function renderTcpRoute(scope: IConstruct, field: string, route: TcpRouteOptions, target: RouteTarget, ctx: L4RouteContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (route.match !== undefined) {
    if (route.match.length === 0) {
      throw meshError(scope, `${field}.match`, 'must not be empty', [], 'remove match to catch every connection, or add a condition');
    }
    out.match = route.match.map((m, i) => renderL4Match(scope, `${field}.match[${i}]`, m, ctx));
  }
  out.route = renderDestinations(scope, `${field}.destinations`, route.destinations, target);
  return out;
}

/**
 * Validates one TLS route and renders it as a `spec.tls[]` entry (every match carries `sniHosts`, as Istio requires).
 * @internal
 */
export function renderTlsRoute(scope: IConstruct, field: string, route: TlsRouteOptions, target: RouteTarget, ctx: L4RouteContext): Record<string, unknown> {
  if (route.match !== undefined && route.match.length === 0) {
    throw meshError(scope, `${field}.match`, 'must not be empty', [], 'remove match to match the VirtualService hosts, or add a condition');
  }
  const matches: TlsMatch[] = route.match ?? [{}];
  return {
    match: matches.map((m, i) => {
      const f = `${field}.match[${i}]`;
      const sniHosts = m.sniHosts ?? [...ctx.hosts];
      if (sniHosts.length === 0) throw meshError(scope, `${f}.sniHosts`, 'must not be empty (Istio routes TLS by SNI)', [], 'list the SNI names, or leave sniHosts out');
      sniHosts.forEach((h, j) => {
        if (!ctx.hosts.some((vh) => hostCovers(vh, h))) {
          throw meshError(scope, `${f}.sniHosts[${j}]`, `is not one of the VirtualService hosts ${JSON.stringify(ctx.hosts)} (Istio rejects SNI hosts outside them)`, h,
            `use one of ${JSON.stringify(ctx.hosts)}, or leave sniHosts out`);
        }
      });
      return { sniHosts: [...sniHosts], ...renderL4Match(scope, f, m, ctx, true) };
    }),
    route: renderDestinations(scope, `${field}.destinations`, route.destinations, target),
  };
}

function renderL4Match(scope: IConstruct, field: string, m: TcpMatch, ctx: L4RouteContext, sni = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.port !== undefined) {
    checkInteger(scope, `${field}.port`, m.port, 1, 65535);
    if (ctx.matchPorts && !ctx.matchPorts.includes(m.port)) {
      throw meshError(scope, `${field}.port`, `is not one of the ${ctx.matchPortsDescription ?? 'ports'} ${JSON.stringify(ctx.matchPorts)}, so the route never applies`, m.port,
        ctx.matchPorts.length ? `use one of ${JSON.stringify(ctx.matchPorts)}` : 'add such a port first');
    }
    out.port = m.port;
  }
  for (const k of ['sourceLabels', 'sourceNamespace'] as const) {
    if (m[k] !== undefined && ctx.gateway) {
      throw meshError(scope, `${field}.${k}`, 'never matches on a gateway route (the gateway is the only caller)', m[k],
        `remove ${k}, or put the condition on a mesh route (addTcpRoute / addTlsRoute)`);
    }
  }
  if (m.sourceLabels) out.sourceLabels = outputMap(checkLabels(scope, `${field}.sourceLabels`, m.sourceLabels));
  if (m.sourceNamespace !== undefined) out.sourceNamespace = checkDnsLabel(scope, `${field}.sourceNamespace`, m.sourceNamespace);
  if (m.destinationSubnets !== undefined) {
    if (m.destinationSubnets.length === 0) {
      throw meshError(scope, `${field}.destinationSubnets`, 'must not be empty', [], 'list subnets such as 10.1.0.0/16, or remove destinationSubnets');
    }
    out.destinationSubnets = m.destinationSubnets.map((s, i) => checkIpOrCidr(scope, `${field}.destinationSubnets[${i}]`, s));
  }
  if (!sni && Object.keys(out).length === 0) {
    throw meshError(scope, field, 'has no condition and would match every connection', m, 'add a condition (port, sourceLabels, ...) or remove the match entry');
  }
  return out;
}

/**
 * The target of a mesh TCP/TLS route. Several Service ports take the route: its destinations without port go to the
 * port its matches name (when they name one), and a route over several ports must name the destination ports
 * (Istio's analyzer requires a port then, and one default port would send every port's connections to it).
 * @internal
 */
export function meshL4Target(scope: IConstruct, field: string, route: TcpRouteOptions | TlsRouteOptions, target: RouteTarget): RouteTarget {
  if ((target.ports ?? []).length <= 1 || target.defaultPort === undefined) return target;
  const matchPorts = [...new Set((route.match ?? [{}]).map((m) => m.port))];
  if (matchPorts.length === 1 && matchPorts[0] !== undefined) return { ...target, defaultPort: matchPorts[0] };
  if ((route.destinations ?? [{}]).some((d) => d.port === undefined)) {
    throw meshError(scope, field, `applies to the Service ${target.portsDescription} ${JSON.stringify(target.ports)}, and a destination without port would send `
      + `the connections of every one of them to port ${target.defaultPort}`, matchPorts.map((p) => p ?? '(any port)'),
    'match one port per route (match: [{ port }]), or give every destination a port');
  }
  return target;
}

/** Whether a host (`*`, `*.example.com`, `shop.example.com`) accepts another host. */
export function hostCovers(host: string, other: string): boolean {
  if (host === '*' || host === other) return true;
  if (host.startsWith('*.')) {
    const suffix = host.slice(1); // '.example.com'
    return other.endsWith(suffix) && other.length > suffix.length;
  }
  return false;
}
