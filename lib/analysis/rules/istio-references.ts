import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf, selectorString, stringMap } from '../label-index';
import { meshModel, nsOf, refOf } from '../model';

/*
 * istioctl analyze IST0101 (ReferencedResourceNotFound): a resource names another one that does not exist. Istio then
 * fails the lookup at run time (503 NR / NC, a VirtualService that never binds to its gateway).
 */

const NETWORKING = 'networking.istio.io';

/** Every destination of a VirtualService's routes: `[field, destination]`. */
export function routeDestinations(spec: any): Array<{ field: string; destination: any; mirror: boolean }> {
  const out: Array<{ field: string; destination: any; mirror: boolean }> = [];
  for (const kind of ['http', 'tcp', 'tls']) {
    arrayOf(spec?.[kind]).forEach((route: any, i: number) => {
      arrayOf(route?.route).forEach((r: any, j: number) => {
        if (r?.destination) out.push({ field: `${kind}[${i}].route[${j}].destination`, destination: r.destination, mirror: false });
      });
      if (kind !== 'http') return;
      if (route?.mirror) out.push({ field: `http[${i}].mirror`, destination: route.mirror, mirror: true });
      arrayOf(route?.mirrors).forEach((m: any, j: number) => {
        if (m?.destination) out.push({ field: `http[${i}].mirrors[${j}].destination`, destination: m.destination, mirror: true });
      });
    });
  }
  return out;
}

/** `<ns>/<name>` of a gateway reference of a VirtualService in `namespace`. */
export function gatewayRef(ref: string, namespace: string): [string, string] {
  return ref.includes('/') ? (ref.split('/', 2) as [string, string]) : [namespace, ref];
}

/** A VirtualService (or a Canary, for the VirtualService Flagger generates) names Gateways that exist. */
export const ISTIO_REFERENCED_GATEWAY: IAnalysisRule = {
  id: 'istio-referenced-gateway',
  code: 'IST0101',
  severity: FindingSeverity.ERROR,
  description: 'Every gateway a VirtualService (or a Flagger Canary) binds to is an Istio Gateway of the output (or "mesh").',
  check(ctx: AnalysisContext) {
    const visit = (o: AnalyzedObject, gateways: unknown, field: string) => {
      arrayOf(gateways).forEach((ref, i) => {
        if (typeof ref !== 'string' || ref === 'mesh') return;
        const [ns, name] = gatewayRef(ref, nsOf(o));
        if (ctx.find(NETWORKING, 'Gateway', ns, name)) return;
        ctx.error(o, `Referenced gateway not found: "${ref}" (${o.manifest.kind} ${refOf(o)} '${field}[${i}]'): no Gateway "${ns}/${name}" is in the output, `
          + `so the routes never bind to a gateway. Fix: create the Gateway "${name}" in namespace "${ns}", or reference an existing one as "<namespace>/<name>".`);
      });
    };
    for (const o of ctx.ofKind('VirtualService', NETWORKING)) visit(o, o.manifest.spec?.gateways, 'spec.gateways');
    for (const o of ctx.ofKind('Canary', 'flagger.app')) visit(o, o.manifest.spec?.service?.gateways, 'spec.service.gateways');
  },
};

/** VirtualService destinations name hosts of the registry: a Service or a ServiceEntry host. */
export const ISTIO_REFERENCED_HOST: IAnalysisRule = {
  id: 'istio-referenced-host',
  code: 'IST0101',
  severity: FindingSeverity.ERROR,
  description: 'Every destination host of a VirtualService (routes and mirrors) is a Service or a ServiceEntry host.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    for (const o of ctx.ofKind('VirtualService', NETWORKING)) {
      for (const { field, destination, mirror } of routeDestinations(o.manifest.spec)) {
        const host = destination.host;
        if (typeof host !== 'string' || model.resolveHost(host, nsOf(o))) continue;
        ctx.error(o, `Referenced ${mirror ? 'mirror host' : 'host'} not found: "${host}" (VirtualService ${refOf(o)} '${field}'): no Service or ServiceEntry host `
          + `of the output is "${host}"${host.includes('.') ? '' : ` (short names are Services of namespace "${nsOf(o)}")`}, so requests get 503 (no cluster). `
          + 'Fix: use the fully qualified name "<service>.<namespace>.svc.cluster.local" of an existing Service, or add a ServiceEntry for an external host.');
      }
    }
  },
};

/** VirtualService destination subsets are defined by a DestinationRule of the host. */
export const ISTIO_REFERENCED_SUBSET: IAnalysisRule = {
  id: 'istio-referenced-subset',
  code: 'IST0101',
  severity: FindingSeverity.ERROR,
  description: 'Every subset a VirtualService routes to is defined by a DestinationRule of the destination host.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    for (const o of ctx.ofKind('VirtualService', NETWORKING)) {
      for (const { field, destination } of routeDestinations(o.manifest.spec)) {
        const { host, subset } = destination;
        if (typeof host !== 'string' || typeof subset !== 'string' || subset === '' || model.subset(host, nsOf(o), subset)) continue;
        ctx.error(o, `Referenced host+subset in destinationrule not found: "${host}+${subset}" (VirtualService ${refOf(o)} '${field}'): no DestinationRule `
          + `for "${host}" defines the subset "${subset}", so requests routed there get 503 (NR). `
          + `Fix: add the subset { name: "${subset}", labels: {...} } to the DestinationRule of "${host}", or route to a subset it defines.`);
      }
    }
  },
};

/** Gateways and Sidecars select pods that exist. */
export const ISTIO_REFERENCED_SELECTOR: IAnalysisRule = {
  id: 'istio-referenced-selector',
  code: 'IST0101',
  severity: FindingSeverity.WARNING,
  description: 'Every Gateway selects gateway pods (a workload or gateway HelmRelease of the output, or Istio\'s default gateways); every Sidecar workloadSelector and Telemetry selector selects pods of its namespace.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    for (const o of ctx.ofKind('Gateway', NETWORKING)) {
      const selector = stringMap(o.manifest.spec?.selector);
      if (Object.keys(selector).length === 0 || model.gatewayPods(o).length > 0) continue;
      ctx.warning(o, `Referenced selector not found: "${selectorString(selector)}" (Gateway ${refOf(o)}): no pods of the output (workload, gateway HelmRelease) `
        + 'nor Istio\'s default ingress/egress gateway carry these labels, so no proxy serves this Gateway. '
        + 'Fix: install the gateway (a HelmRelease of Istio\'s "gateway" chart whose labels match), or select the labels of an existing gateway.');
    }
    for (const o of ctx.ofKind('Sidecar', NETWORKING)) {
      const selector = stringMap(o.manifest.spec?.workloadSelector?.labels);
      if (Object.keys(selector).length === 0 || model.select(nsOf(o), selector).length > 0) continue;
      ctx.warning(o, `Referenced selector not found: "${selectorString(selector)}" (Sidecar ${refOf(o)}): no pods of namespace "${nsOf(o)}" carry these labels, `
        + 'so the Sidecar configures no proxy. Fix: select the labels of the workload\'s pods, or remove the Sidecar.');
    }
    for (const o of ctx.ofKind('Telemetry', 'telemetry.istio.io')) {
      const selector = stringMap(o.manifest.spec?.selector?.matchLabels);
      if (Object.keys(selector).length === 0 || o.manifest.spec?.targetRef !== undefined || o.manifest.spec?.targetRefs !== undefined) continue;
      if (model.select(nsOf(o), selector).length > 0) continue;
      ctx.warning(o, `Referenced selector not found: "${selectorString(selector)}" (Telemetry ${refOf(o)}): no pods of namespace "${nsOf(o)}" carry these labels, `
        + 'so its metrics, logs and tracing settings apply to no proxy. Fix: select the labels of the workload\'s pods, or remove the Telemetry.');
    }
  },
};

/** AuthorizationPolicy sources name namespaces that exist. */
export const ISTIO_REFERENCED_NAMESPACE: IAnalysisRule = {
  id: 'istio-referenced-namespace',
  code: 'IST0101',
  severity: FindingSeverity.WARNING,
  description: 'Every namespace an AuthorizationPolicy source names (namespaces, notNamespaces) exists: a Namespace of the output, or one objects are in.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    const known = [...model.namespaces];
    const exists = (exp: string) => exp === '*' || (exp.startsWith('*') ? known.some((n) => n.endsWith(exp.slice(1)))
      : exp.endsWith('*') ? known.some((n) => n.startsWith(exp.slice(0, -1))) : model.namespaceExists(exp));
    for (const o of ctx.ofKind('AuthorizationPolicy', 'security.istio.io')) {
      arrayOf(o.manifest.spec?.rules).forEach((rule: any, i: number) => {
        arrayOf(rule?.from).forEach((from: any, j: number) => {
          for (const field of ['namespaces', 'notNamespaces']) {
            for (const ns of arrayOf(from?.source?.[field])) {
              if (typeof ns !== 'string' || exists(ns)) continue;
              ctx.warning(o, `Referenced namespace not found: "${ns}" (AuthorizationPolicy ${refOf(o)} 'rules[${i}].from[${j}].source.${field}'): no Namespace `
                + `"${ns}" is in the output and no object is in it, so the rule ${field === 'namespaces' ? 'matches no caller' : 'excludes nobody'}. `
                + 'Fix: correct the namespace name, or add its Namespace to the output.');
            }
          }
        });
      });
    }
  },
};

/** The IST0101 rules. */
export const ISTIO_REFERENCE_RULES: readonly IAnalysisRule[] = [
  ISTIO_REFERENCED_GATEWAY, ISTIO_REFERENCED_HOST, ISTIO_REFERENCED_SUBSET, ISTIO_REFERENCED_SELECTOR, ISTIO_REFERENCED_NAMESPACE,
];
