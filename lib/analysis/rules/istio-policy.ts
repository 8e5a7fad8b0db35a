import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { selectorString, stringMap } from '../label-index';
import { meshModel, nsOf, PodSet, refOf } from '../model';

/*
 * istioctl analyze messages about policy selectors: IST0127 (no matching workloads), IST0166 (a selector on the pods of a
 * Kubernetes Gateway, where only targetRef takes effect).
 */

/**
 * Policy kinds that select workloads with `spec.selector.matchLabels`. A Telemetry selecting nothing is IST0101, as
 * istioctl reports it (istio-referenced-selector).
 */
const POLICIES: ReadonlyArray<[kind: string, group: string]> = [
  ['AuthorizationPolicy', 'security.istio.io'], ['RequestAuthentication', 'security.istio.io'], ['PeerAuthentication', 'security.istio.io'],
  ['WasmPlugin', 'extensions.istio.io'],
];

function policies(ctx: AnalysisContext): Array<{ o: AnalyzedObject; selector: Record<string, string> }> {
  const out: Array<{ o: AnalyzedObject; selector: Record<string, string> }> = [];
  for (const [kind, group] of POLICIES) {
    for (const o of ctx.ofKind(kind, group)) {
      if (o.manifest.spec?.targetRef !== undefined || o.manifest.spec?.targetRefs !== undefined) continue;
      out.push({ o, selector: stringMap(o.manifest.spec?.selector?.matchLabels) });
    }
  }
  return out;
}

/** The pods a policy's selector matches: in its namespace, or in every namespace for the root namespace. */
function selected(ctx: AnalysisContext, o: AnalyzedObject, selector: Record<string, string>): PodSet[] {
  const model = meshModel(ctx);
  return nsOf(o) === ctx.settings.rootNamespace ? model.selectAnyNamespace(selector) : model.select(nsOf(o), selector);
}

/**
 * IST0127: a policy whose selector matches no pod with a proxy does nothing (a typo in a label, or a workload without
 * sidecar). AuthorizationPolicies without selector are checked too: one in a namespace without meshed pods.
 */
export const ISTIO_POLICY_WORKLOADS: IAnalysisRule = {
  id: 'istio-policy-workloads',
  code: 'IST0127',
  severity: FindingSeverity.WARNING,
  description: 'Every AuthorizationPolicy, RequestAuthentication, PeerAuthentication and WasmPlugin selector matches pods with a proxy (sidecar or gateway).',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    for (const { o, selector } of policies(ctx)) {
      const namespaceWide = Object.keys(selector).length === 0;
      if (namespaceWide) {
        if (o.manifest.kind !== 'AuthorizationPolicy' || nsOf(o) === ctx.settings.rootNamespace) continue;
        if (model.podsIn(nsOf(o)).some((p) => p.proxy !== 'none')) continue;
      } else if (selected(ctx, o, selector).some((p) => p.proxy !== 'none')) {
        continue;
      }
      const pods = namespaceWide ? [] : selected(ctx, o, selector);
      const why = pods.length > 0 ? ` (${pods.map((p) => `${p.namespace}/${p.name}`).join(', ')} match but run no proxy)` : '';
      ctx.warning(o, `No matching workloads for this resource with the following labels: ${selectorString(selector)} (${o.manifest.kind} ${refOf(o)}${namespaceWide
        ? `: namespace "${nsOf(o)}" has no pods with a proxy in the output` : ''})${why}, so it applies to nothing. `
        + 'Fix: select the labels of the pods it is meant for (check for typos), or enable sidecar injection for them.');
    }
  },
};

/** IST0166: on a Kubernetes Gateway's pods, a selector is ignored; only targetRef attaches a policy. */
export const ISTIO_INEFFECTIVE_SELECTOR: IAnalysisRule = {
  id: 'istio-ineffective-selector',
  code: 'IST0166',
  severity: FindingSeverity.WARNING,
  description: 'Policies for the pods of a Kubernetes Gateway (Gateway API) attach with targetRef, not with a selector.',
  check(ctx: AnalysisContext) {
    for (const { o, selector } of policies(ctx)) {
      if (o.manifest.kind === 'PeerAuthentication' || Object.keys(selector).length === 0) continue;
      for (const p of selected(ctx, o, selector).filter((x) => x.origin === 'gateway-api')) {
        ctx.warning(o, `Ineffective selector on Kubernetes Gateway ${p.namespace}/${p.name}. Use the TargetRef field instead (${o.manifest.kind} ${refOf(o)} selects `
          + `its pods with ${selectorString(selector)}). Fix: replace the selector with targetRef: { group: gateway.networking.k8s.io, kind: Gateway, name: ${p.name} }.`);
      }
    }
  },
};

/** The policy rules. */
export const ISTIO_POLICY_RULES: readonly IAnalysisRule[] = [ISTIO_POLICY_WORKLOADS, ISTIO_INEFFECTIVE_SELECTOR];
