import type { AnalysisContext, IAnalysisRule } from '../context';
import { apiGroup, FindingSeverity } from '../context';
import { arrayOf } from '../label-index';
import { refOf } from '../model';

/*
 * istioctl analyze IST0002 (Deprecated), analyzer deprecation.FieldAnalyzer: fields Istio ignores or replaced, and the
 * resource types of removed APIs (RBAC v1, authentication Policy, Mixer), which no longer do anything.
 */

/** API groups Istio removed: objects of these groups are not read by any current istiod. */
const REMOVED_GROUPS: Readonly<Record<string, string>> = {
  'rbac.istio.io': 'AuthorizationPolicy (security.istio.io)',
  'authentication.istio.io': 'PeerAuthentication and RequestAuthentication (security.istio.io)',
  'config.istio.io': 'Telemetry (telemetry.istio.io), WasmPlugin or an extension provider',
};

export const ISTIO_DEPRECATED: IAnalysisRule = {
  id: 'istio-deprecated',
  code: 'IST0002',
  severity: FindingSeverity.WARNING,
  description: 'No deprecated Istio field (fault.delay.percent, Sidecar outboundTrafficPolicy.egressProxy) and no object or CRD of a removed Istio API (rbac, authentication, config.istio.io).',
  check(ctx: AnalysisContext) {
    for (const o of ctx.objects) {
      const m = o.manifest;
      const group = apiGroup(m.apiVersion);
      if (REMOVED_GROUPS[group] !== undefined) {
        ctx.warning(o, `Deprecated: Custom resource type "${group}/${m.kind}" is deprecated (${m.kind} ${refOf(o)}): its API was removed from Istio, so it has `
          + `no effect. Fix: express it with ${REMOVED_GROUPS[group]}, and delete it.`);
      } else if (m.kind === 'CustomResourceDefinition' && REMOVED_GROUPS[m.spec?.group] !== undefined) {
        ctx.warning(o, `Deprecated: Custom resource type ${m.spec.group} ${m.spec?.names?.kind} is removed (CustomResourceDefinition ${m.metadata.name}). `
          + `Fix: delete the CRD and its objects; use ${REMOVED_GROUPS[m.spec.group]}.`);
      }
    }
    for (const o of ctx.ofKind('VirtualService', 'networking.istio.io')) {
      arrayOf(o.manifest.spec?.http).forEach((route: any, i: number) => {
        if (Number(route?.fault?.delay?.percent) > 0) {
          ctx.warning(o, `Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage (VirtualService ${refOf(o)} 'http[${i}].fault.delay.percent'). `
            + `Fix: replace percent: ${route.fault.delay.percent} with percentage: { value: ${route.fault.delay.percent} }.`);
        }
      });
    }
    for (const o of ctx.ofKind('Sidecar', 'networking.istio.io')) {
      if (o.manifest.spec?.outboundTrafficPolicy?.egressProxy === undefined) continue;
      ctx.warning(o, `Deprecated: OutboundTrafficPolicy.EgressProxy ignored (Sidecar ${refOf(o)}): traffic to unknown hosts is not sent to the egress proxy. `
        + 'Fix: remove egressProxy; route external traffic through an egress gateway with a ServiceEntry and VirtualService.');
    }
  },
};
