import { visibleGatewayHosts } from './app-routing';
import { hostCovers } from './render-l4-route';
import type { IGateway } from './gateway';

/*
 * The check of `MeshApp.alsoServeVia()`: the mesh VirtualService bound to a gateway as well. Internal: not exported
 * from lib/index.ts.
 */

/**
 * Validation errors of binding `app`'s mesh VirtualService (host: the Service FQDN) to `gateway`: the gateway must serve
 * the FQDN to the app's namespace, and must not also carry an `exposeVia()` VirtualService of the app.
 */
export function validateMeshGateway(app: { readonly node: { readonly path: string }; readonly namespace: string; readonly host: string },
  gateway: IGateway, alsoExposed: boolean): string[] {
  const field = `alsoServeVia(${gateway.ref})`;
  if (alsoExposed) {
    return [`[${app.node.path}] '${field}' the gateway also routes to the app through exposeVia() (two VirtualServices of one app on one gateway). `
      + 'Fix: keep exposeVia() for other hosts or routes of the gateway, else alsoServeVia() only'];
  }
  if (visibleGatewayHosts(gateway, app.namespace).some((h) => hostCovers(h, app.host))) return [];
  return [`[${app.node.path}] '${field}' the gateway does not serve the host "${app.host}" to namespace "${app.namespace}" `
    + `(its hosts: ${JSON.stringify(gateway.hosts)}), so Istio would ignore the binding. `
    + `Fix: add a server for "${app.host}" (or '*') to the gateway, or use exposeVia() with hosts it serves`];
}
