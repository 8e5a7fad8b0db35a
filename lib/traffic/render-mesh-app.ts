import { IConstruct } from 'constructs';
import type { IGateway } from './gateway';
import type { ServerRouteKind } from './gateway-server';
import type { HttpRouteOptions } from './http-route';
import type { MeshAppVersion } from './mesh-app-props';
import { renderHttpRoute, RouteTarget } from './render-http-route';
import { L4RouteContext, meshL4Target, renderTcpRoute, renderTlsRoute } from './render-l4-route';
import { renderTrafficPolicy } from './render-traffic-policy';
import type { TcpRouteOptions } from './tcp-route';
import type { TlsRouteOptions } from './tls-route';
import type { TrafficPolicy } from './traffic-policy';
import type { IExternalVersion } from '../core/external-version';

/*
 * Rendering of a MeshApp's DestinationRule and mesh VirtualService specs from the app's decisions.
 * Internal: not exported from lib/index.ts.
 */

/** What a MeshApp's DestinationRule and mesh VirtualService are rendered from (read at synthesis). */
export interface MeshAppRendering {
  readonly scope: IConstruct;
  readonly host: string;
  readonly versions: readonly MeshAppVersion[];
  readonly externalVersions: readonly IExternalVersion[];
  readonly trafficPolicy?: TrafficPolicy;
  readonly routes: readonly HttpRouteOptions[];
  readonly tcpRoutes: readonly TcpRouteOptions[];
  readonly tlsRoutes: readonly TlsRouteOptions[];
  /** Gateways the mesh VirtualService is also bound to (`alsoServeVia`). */
  readonly meshGateways: readonly IGateway[];
  routeTarget(kind?: ServerRouteKind): RouteTarget;
  l4Context(kind: 'tcp' | 'tls'): L4RouteContext;
}

/** The DestinationRule spec: the app's policy, one subset per version (selecting its `version` label) and per external version. */
export function renderDestinationRuleSpec(app: MeshAppRendering): Record<string, unknown> {
  const { scope, trafficPolicy } = app;
  return {
    host: app.host,
    trafficPolicy: trafficPolicy ? renderTrafficPolicy(scope, 'trafficPolicy', trafficPolicy) : undefined,
    subsets: app.versions.map((v, i): Record<string, unknown> => ({
      name: v.name,
      labels: { version: v.versionLabel ?? v.name },
      trafficPolicy: v.trafficPolicy
        ? renderTrafficPolicy(scope, `versions[${i}].trafficPolicy`, v.trafficPolicy, { inherited: trafficPolicy })
        : undefined,
    })).concat(app.externalVersions.map((v) => ({ name: v.versionName, labels: { ...v.subsetLabels } }))),
  };
}

/** The mesh VirtualService spec: http, tls and tcp routes for the Service host, bound to `mesh` and any `alsoServeVia` gateway. */
export function renderMeshVirtualServiceSpec(app: MeshAppRendering): Record<string, unknown> {
  const { scope } = app;
  const target = app.routeTarget();
  const gateways = app.meshGateways.map((g) => g.ref);
  const spec: Record<string, unknown> = { hosts: [app.host] };
  // Listing gateways replaces the implicit `mesh`: keep the sidecars' routing by naming it.
  if (gateways.length > 0) spec.gateways = ['mesh', ...gateways];
  if (app.routes.length > 0) spec.http = app.routes.map((r, i) => renderHttpRoute(scope, `routes[${i}]`, r, target));
  else if (gateways.length > 0 && app.tcpRoutes.length === 0 && app.tlsRoutes.length === 0) {
    spec.http = [renderHttpRoute(scope, 'alsoServeVia', {}, target)]; // bound to a gateway before any route: the whole Service
  }
  const l4 = <R extends TcpRouteOptions>(kind: 'tcp' | 'tls', r: R, i: number) => [scope, `${kind}Routes[${i}]`, r,
    meshL4Target(scope, `${kind}Routes[${i}]`, r, app.routeTarget(kind)), app.l4Context(kind)] as const;
  if (app.tlsRoutes.length > 0) spec.tls = app.tlsRoutes.map((r, i) => renderTlsRoute(...l4('tls', r, i)));
  if (app.tcpRoutes.length > 0) spec.tcp = app.tcpRoutes.map((r, i) => renderTcpRoute(...l4('tcp', r, i)));
  return spec;
}
