import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf, selectorString, stringMap } from '../label-index';
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

/**
 * IST0175 (JwksUriFetchUnrestricted): istiod fetches each RequestAuthentication's jwksUri itself; without
 * BLOCKED_CIDRS_IN_JWKS_URIS whoever may write a RequestAuthentication can make istiod call internal addresses (SSRF,
 * CVE-2026-41413). Reported on istiod's Deployment, or on the istiod HelmRelease that creates it.
 */
export const ISTIO_JWKS_URI_FETCH: IAnalysisRule = {
  id: 'istio-jwks-uri-fetch',
  code: 'IST0175',
  severity: FindingSeverity.WARNING,
  description: 'When RequestAuthentications exist, istiod (its Deployment or its HelmRelease) sets BLOCKED_CIDRS_IN_JWKS_URIS.',
  check(ctx: AnalysisContext) {
    const policies = ctx.ofKind('RequestAuthentication', 'security.istio.io');
    if (policies.length === 0) return;
    const names = policies.slice(0, 5).map((o) => refOf(o)).join(', ') + (policies.length > 5 ? `, and ${policies.length - 5} more` : '');
    const text = (where: string) => `BLOCKED_CIDRS_IN_JWKS_URIS is not configured but ${policies.length} RequestAuthentication resource(s) exist (${names}) (${where}): `
      + 'istiod fetches every jwksUri itself, so whoever may create a RequestAuthentication can make it call internal addresses. '
      + 'Fix: set istiod\'s env BLOCKED_CIDRS_IN_JWKS_URIS to the ranges it must not reach (e.g. "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.169.254/32"; '
      + 'Helm values pilot.env).';
    const set = (v: unknown) => typeof v === 'string' && v !== '';
    for (const o of ctx.ofKind('Deployment', 'apps')) {
      if (stringMap(o.manifest.metadata.labels).app !== 'istiod') continue;
      const containers = arrayOf(o.manifest.spec?.template?.spec?.containers);
      if (containers.some((c: any) => arrayOf(c?.env).some((e: any) => e?.name === 'BLOCKED_CIDRS_IN_JWKS_URIS' && set(e?.value)))) continue;
      ctx.warning(o, text(`Deployment ${refOf(o)}`));
    }
    for (const o of ctx.ofKind('HelmRelease', 'helm.toolkit.fluxcd.io')) {
      if (o.manifest.spec?.chart?.spec?.chart !== 'istiod' || set(o.manifest.spec?.values?.pilot?.env?.BLOCKED_CIDRS_IN_JWKS_URIS)) continue;
      ctx.warning(o, text(`the istiod Deployment of HelmRelease ${refOf(o)}`));
    }
  },
};

/** The policy rules. */
export const ISTIO_POLICY_RULES: readonly IAnalysisRule[] = [ISTIO_POLICY_WORKLOADS, ISTIO_INEFFECTIVE_SELECTOR, ISTIO_JWKS_URI_FETCH];
