import type { AnalysisContext, AnalyzedObject, IAnalysisRule, PeerFact } from '../context';
import { FindingSeverity } from '../context';
import { meshModel } from '../model';
import { CallPeer, manifestCalls, peerOf } from '../relations';
import { manifestTopology } from '../topology';

export { serviceOfUrl } from '../relations';

const INJECT = 'sidecar.istio.io/inject';

/** Only one namespace-wide (or mesh-wide) PeerAuthentication takes effect; Istio picks the oldest, silently. */
export const PEER_AUTHENTICATION_CONFLICT: IAnalysisRule = {
  id: 'peer-authentication-conflict',
  severity: FindingSeverity.ERROR,
  description: 'At most one namespace-wide PeerAuthentication per namespace (one mesh-wide in the root namespace), and one per workload selector.',
  check(ctx: AnalysisContext) {
    const seen = new Map<string, AnalyzedObject>();
    for (const o of ctx.ofKind('PeerAuthentication', 'security.istio.io')) {
      const ns = o.manifest.metadata.namespace ?? 'default';
      const labels: Record<string, string> = o.manifest.spec?.selector?.matchLabels ?? {};
      const selector = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
      const key = `${ns}|${selector}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, o);
        continue;
      }
      const scope = selector ? `for the workload selector {${selector}} in namespace "${ns}"`
        : ns === ctx.settings.rootNamespace ? `mesh-wide (root namespace "${ns}")` : `namespace-wide in namespace "${ns}"`;
      ctx.error(o, `PeerAuthentication "${o.manifest.metadata.name}" is a second policy ${scope}, next to "${first.manifest.metadata.name}" [${first.path}]; `
        + 'Istio applies only the oldest one. Fix: keep one policy per scope (change its mode instead of adding another), or select a workload.');
    }
  },
};

/**
 * S1: under STRICT mTLS a workload without a sidecar can neither call meshed services (ECONNRESET) nor be
 * protected by the namespace's policies. Calls come from the relations the program declares (`allowFrom`, `connectTo`,
 * `exposeVia`) and from the manifests: service URLs in env values (e.g.
 * CUSTOMER_SERVICE_URL=http://customers.default.svc.cluster.local), gateway routes, principals of ALLOW policies.
 */
export const SIDECARLESS_MTLS: IAnalysisRule = {
  id: 'sidecarless-mtls',
  description: 'Workloads without a sidecar do not call, or get called by, meshed services whose mTLS mode is STRICT; ALLOW policies name only peers with a sidecar.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    const topology = manifestTopology(ctx);
    const reported = new Set<string>();
    const once = (key: string, report: () => void) => {
      if (!reported.has(key)) {
        reported.add(key);
        report();
      }
    };
    /** Pods an identity of the program stands for (or a stand-in for pods not in the output, like the ingress gateway). */
    const resolve = (p: PeerFact, path: string): CallPeer[] => {
      if (!p.podSelector) return [];
      const found = model.select(p.namespace, p.podSelector).filter((x) => x.origin === 'manifest' || x.origin === 'flagger-primary');
      if (found.length > 0) return found.map(peerOf);
      return [{ key: `${p.namespace}/${p.name}@${path}`, label: `${p.namespace}/${p.name}`, namespace: p.namespace, labels: { ...p.podSelector }, sidecar: p.sidecar, at: path }];
    };

    // Declared relations first (their wording names the construct method), then what the manifests show.
    const pairs: Array<{ caller: CallPeer; callee: CallPeer; via: string; allow: boolean; at: AnalyzedObject | string; declared: boolean }> = [];
    for (const r of ctx.facts.relations ?? []) {
      for (const caller of resolve(r.caller, r.path)) {
        for (const callee of resolve(r.callee, r.path)) pairs.push({ caller, callee, via: r.via, allow: r.kind === 'allow', at: ctx.objectAt(r.path) ?? r.path, declared: true });
      }
    }
    for (const c of manifestCalls(ctx)) pairs.push({ caller: c.caller, callee: c.callee, via: c.via, allow: c.kind === 'allow', at: c.at, declared: false });

    for (const { caller, callee, via, allow, at, declared } of pairs) {
      const c = `"${caller.label}"`;
      const s = `"${callee.label}"`;
      if (allow && !caller.sidecar) {
        once(`allow|${caller.key}|${callee.key}`, () => ctx.error(at, `${declared ? `allowFrom(${c}) on ${s}` : `${via} allows ${c} on ${s}`}: ${c} has no sidecar, `
          + 'so it presents no mTLS identity and the ALLOW policy can never match its requests. '
          + `Fix: enable sidecar injection for ${c} (pod label ${INJECT}=true in a namespace with injection), or ${declared ? 'drop the allowFrom' : 'drop the principal'}.`));
      }
      if (!caller.sidecar && callee.sidecar) {
        const m = topology.workloadMode(callee.namespace, callee.labels);
        if (m.mode === 'STRICT') {
          once(`call|${caller.key}|${callee.key}`, () => ctx.error(caller.at, `${c} has no sidecar and calls ${s} (${via}), which accepts only mTLS (STRICT from ${m.from}): `
            + `its requests will be reset (ECONNRESET). Fix: enable sidecar injection for ${c}; or, while migrating, make ${s} accept plaintext `
            + '(MtlsMode.PERMISSIVE on its namespace, or StrictMtlsNamespace.addWorkloadException(workload, MtlsMode.PERMISSIVE)).'));
        } else if (m.mode === 'PERMISSIVE') {
          once(`call|${caller.key}|${callee.key}`, () => ctx.warning(caller.at, `${c} has no sidecar and calls ${s} (${via}) in plaintext; this works only because `
            + `${s} is PERMISSIVE (${m.from}) and will fail with ECONNRESET under STRICT. Fix: enable sidecar injection for ${c} before switching to STRICT.`));
        }
      }
      if (caller.sidecar && !callee.sidecar) {
        const m = topology.namespaceMode(callee.namespace);
        if (m.mode === 'STRICT') {
          once(`called|${callee.key}`, () => ctx.error(callee.at, `${s} has no sidecar in a namespace whose mTLS mode is STRICT (${m.from}) and is called by ${c} (${via}): `
            + 'it accepts plaintext from anyone and no AuthorizationPolicy of the namespace applies to it. Fix: enable sidecar injection for '
            + `${s}, or move it to a namespace outside the mesh (MeshNamespace with SidecarInjection.DISABLED).`));
        } else if (m.mode === 'PERMISSIVE') {
          once(`called|${callee.key}`, () => ctx.warning(callee.at, `${s} has no sidecar and is called by ${c} (${via}) in plaintext (namespace mode PERMISSIVE from ${m.from}); `
            + `it is outside mTLS and authorization. Fix: enable sidecar injection for ${s} before the namespace goes STRICT.`));
        }
      }
    }
  },
};
