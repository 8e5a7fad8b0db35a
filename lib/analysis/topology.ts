import type { AnalysisContext } from './context';
import { MeshTopology } from '../private/topology';
import { arrayOf } from './label-index';

const CACHE = new WeakMap<AnalysisContext, MeshTopology>();

/**
 * The mesh topology of the analysed output (mTLS modes, default deny, egress restriction, sidecar injection), built once
 * per analysis from the resolved manifests. Constructs answer the same questions with `constructTopology()`: both use
 * `MeshTopology` (lib/private/topology.ts), so the precedence rules are written once.
 */
export function manifestTopology(ctx: AnalysisContext): MeshTopology {
  const cached = CACHE.get(ctx);
  if (cached) return cached;
  const ns = (m: { metadata: { namespace?: string } }) => m.metadata.namespace ?? 'default';
  const topology = new MeshTopology([{
    peerAuthentications: ctx.ofKind('PeerAuthentication', 'security.istio.io').map(({ manifest: m }) => ({
      name: m.metadata.name, namespace: ns(m), selector: m.spec?.selector?.matchLabels, mode: m.spec?.mtls?.mode,
    })),
    authorizationPolicies: ctx.ofKind('AuthorizationPolicy', 'security.istio.io').map(({ manifest: m }) => ({
      name: m.metadata.name, namespace: ns(m), selector: m.spec?.selector?.matchLabels, action: m.spec?.action ?? 'ALLOW', ruleCount: (m.spec?.rules ?? []).length,
    })),
    namespaces: ctx.ofKind('Namespace', '').map(({ manifest: m }) => ({ name: m.metadata.name, labels: m.metadata.labels ?? {} })),
    sidecars: ctx.ofKind('Sidecar', 'networking.istio.io').map(({ manifest: m }) => ({
      name: m.metadata.name,
      namespace: ns(m),
      selector: m.spec?.workloadSelector?.labels,
      egressHosts: arrayOf(m.spec?.egress).flatMap((e: any) => arrayOf(e?.hosts)),
      outboundTrafficPolicy: m.spec?.outboundTrafficPolicy?.mode,
    })),
  }], ctx.settings.rootNamespace);
  CACHE.set(ctx, topology);
  return topology;
}
