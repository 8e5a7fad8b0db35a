import { IConstruct } from 'constructs';
import type * as istio from '../../imports/networking.istio.io';
import type { IGateway } from './gateway';
import type { HttpRouteOptions } from './http-route';
import type { PortSpec } from './app-workload';
import { renderHttpRoute, RouteTarget } from './render-http-route';
import { meshError } from '../private/errors';
import { checkUnique } from '../private/validate';

/*
 * Routing of a MeshApp: its route target, its gateway bindings (`exposeVia`) and which gateway hosts they may use.
 * Internal: not exported from lib/index.ts.
 */

/** A VirtualService host: '*', a DNS name or a wildcard DNS name, no namespace prefix. */
const VS_HOST = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/** One `exposeVia()` call. */
export interface GatewayBinding {
  readonly gateway: IGateway;
  /** Explicit VirtualService hosts; undefined: the gateway's hosts at synth time. */
  readonly hosts?: string[];
  readonly routes?: HttpRouteOptions[];
  /** The gateway VirtualService, while the app emits it. */
  virtualService?: istio.VirtualService;
}

/** Where the app's routes send traffic: its Service host and versions; a destination port when the Service has several. */
export function routeTarget(host: string, versions: readonly string[], ports: readonly PortSpec[]): RouteTarget {
  return {
    host,
    versions,
    // Istio needs an explicit destination port only when the Service has several.
    defaultPort: ports.length > 1 ? ports[0].port : undefined,
  };
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
 * The `http` routes of a gateway VirtualService: the binding's own routes, else the app's routes, else one route to the
 * whole Service.
 */
export function renderBindingRoutes(scope: IConstruct, binding: GatewayBinding, appRoutes: readonly HttpRouteOptions[],
  target: RouteTarget): Record<string, unknown>[] {
  const field = `exposeVia(${binding.gateway.ref})`;
  if (binding.routes) return binding.routes.map((r, i) => renderHttpRoute(scope, `${field}.routes[${i}]`, r, target));
  if (appRoutes.length > 0) return appRoutes.map((r, i) => renderHttpRoute(scope, `routes[${i}]`, r, target));
  return [renderHttpRoute(scope, `${field}.routes[0]`, {}, target)]; // no destinations: the whole Service
}

/**
 * Hosts of a gateway VirtualService: the explicit ones, else the gateway's hosts this namespace may bind
 * (plain hosts, and `<ns>/<host>` entries whose ns is '*', this namespace, or '.' on a gateway of this
 * namespace), without the namespace part.
 */
export function bindingHosts(binding: GatewayBinding, namespace: string): string[] {
  if (binding.hosts) return [...binding.hosts];
  return [...new Set(visibleGatewayHosts(binding.gateway, namespace))];
}

/** The gateway's hosts a VirtualService of `namespace` may bind, without the namespace part. */
export function visibleGatewayHosts(gateway: IGateway, namespace: string): string[] {
  const out: string[] = [];
  for (const h of gateway.hosts) {
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

/** Whole-tree check of a binding (the gateway can gain servers after `exposeVia()`): the gateway serves its hosts. */
export function validateBinding(binding: GatewayBinding, namespace: string): string[] {
  const field = `exposeVia(${binding.gateway.ref}).hosts`;
  const visible = visibleGatewayHosts(binding.gateway, namespace);
  if (visible.length === 0) {
    return [`'${field}' the gateway offers no host to namespace "${namespace}", got ${JSON.stringify(binding.gateway.hosts)}. `
      + `Fix: add a server for a host (or '${namespace}/<host>') to the gateway`];
  }
  const unmatched = (binding.hosts ?? []).filter((h) => !visible.some((g) => hostCovers(g, h)));
  if (unmatched.length > 0) {
    return [`'${field}' are not served by the gateway (Istio would ignore the binding), got ${JSON.stringify(unmatched)}. `
      + `Fix: use hosts the gateway serves (${JSON.stringify(visible)}) or add a server for them`];
  }
  return [];
}

/** Whether a gateway server host (`*`, `*.example.com`, `shop.example.com`) accepts a VirtualService host. */
export function hostCovers(gatewayHost: string, host: string): boolean {
  if (gatewayHost === '*' || gatewayHost === host) return true;
  if (gatewayHost.startsWith('*.')) {
    const suffix = gatewayHost.slice(1); // '.example.com'
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return false;
}
