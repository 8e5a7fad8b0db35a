import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { manifestTopology } from '../topology';
import { MESH_ROOT_NAMESPACE } from '../../private/identity';
import { CLUSTER_DOMAIN } from '../../private/names';
import { relationsOf } from '../../private/relations';
import { matches, MeshTopology, ResolvedMtls } from '../../private/topology';

const INJECT = 'sidecar.istio.io/inject';
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** Only one namespace-wide (or mesh-wide) PeerAuthentication takes effect; Istio picks the oldest, silently. */
export const PEER_AUTHENTICATION_CONFLICT: IAnalysisRule = {
  id: 'peer-authentication-conflict',
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
        : ns === MESH_ROOT_NAMESPACE ? 'mesh-wide (root namespace "istio-system")' : `namespace-wide in namespace "${ns}"`;
      ctx.error(o, `PeerAuthentication "${o.manifest.metadata.name}" is a second policy ${scope}, next to "${first.manifest.metadata.name}" [${first.path}]; `
        + 'Istio applies only the oldest one. Fix: keep one policy per scope (change its mode instead of adding another), or select a workload.');
    }
  },
};

/** A workload found in the output, with what Istio will do to its pods. */
interface Workload {
  readonly path: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly sidecar: boolean;
  /** Pod spec of a workload in the output (absent for stand-ins such as the ingress gateway). */
  readonly podSpec?: { containers?: any[]; initContainers?: any[] };
}

/**
 * S1: under STRICT mTLS a workload without a sidecar can neither call meshed services (ECONNRESET) nor be
 * protected by the namespace's policies. Calls come from `allowFrom`/`connectTo` relations and from service
 * URLs in env values (e.g. CUSTOMER_SERVICE_URL=http://customers.default.svc.cluster.local).
 */
export const SIDECARLESS_MTLS: IAnalysisRule = {
  id: 'sidecarless-mtls',
  description: 'Workloads without a sidecar do not call, or get called by, meshed services whose mTLS mode is STRICT; ALLOW policies name only peers with a sidecar.',
  check(ctx: AnalysisContext) {
    const index = new SecurityIndex(ctx);
    const reported = new Set<string>();
    const once = (key: string, report: () => void) => {
      if (!reported.has(key)) {
        reported.add(key);
        report();
      }
    };

    const pairs: Array<{ caller: Workload; callee: Workload; via: string; allow: boolean; at: string }> = [];
    const relations = ctx.objects.length > 0 ? relationsOf(ctx.objects[0].apiObject) : [];
    for (const r of relations) {
      const callers = index.resolve(r.caller.meshIdentity(), r.path);
      const callees = index.resolve(r.callee.meshIdentity(), r.path);
      for (const caller of callers) for (const callee of callees) pairs.push({ caller, callee, via: r.via, allow: r.kind === 'allow', at: r.path });
    }
    for (const w of index.workloads) {
      for (const { env, callee } of index.envCalls(w)) pairs.push({ caller: w, callee, via: `env ${env}`, allow: false, at: w.path });
    }

    for (const { caller, callee, via, allow, at } of pairs) {
      const c = `"${caller.namespace}/${caller.name}"`;
      const s = `"${callee.namespace}/${callee.name}"`;
      if (allow && !caller.sidecar) {
        once(`allow|${caller.path}|${callee.path}`, () => ctx.error(at, `allowFrom(${c}) on ${s}: ${c} has no sidecar, so it presents no mTLS identity and the ALLOW policy `
          + `can never match its requests. Fix: enable sidecar injection for ${c} (pod label ${INJECT}=true in a namespace with injection), or drop the allowFrom.`));
      }
      if (!caller.sidecar && callee.sidecar) {
        const m = index.workloadMode(callee);
        if (m.mode === 'STRICT') {
          once(`call|${caller.path}|${callee.path}`, () => ctx.error(caller.path, `${c} has no sidecar and calls ${s} (${via}), which accepts only mTLS (STRICT from ${m.from}): `
            + `its requests will be reset (ECONNRESET). Fix: enable sidecar injection for ${c}; or, while migrating, make ${s} accept plaintext `
            + '(MtlsMode.PERMISSIVE on its namespace, or StrictMtlsNamespace.addWorkloadException(workload, MtlsMode.PERMISSIVE)).'));
        } else if (m.mode === 'PERMISSIVE') {
          once(`call|${caller.path}|${callee.path}`, () => ctx.warning(caller.path, `${c} has no sidecar and calls ${s} (${via}) in plaintext; this works only because `
            + `${s} is PERMISSIVE (${m.from}) and will fail with ECONNRESET under STRICT. Fix: enable sidecar injection for ${c} before switching to STRICT.`));
        }
      }
      if (caller.sidecar && !callee.sidecar) {
        const m = index.namespaceMode(callee.namespace);
        if (m.mode === 'STRICT') {
          once(`called|${callee.path}`, () => ctx.error(callee.path, `${s} has no sidecar in a namespace whose mTLS mode is STRICT (${m.from}) and is called by ${c} (${via}): `
            + 'it accepts plaintext from anyone and no AuthorizationPolicy of the namespace applies to it. Fix: enable sidecar injection for '
            + `${s}, or move it to a namespace outside the mesh (MeshNamespace with SidecarInjection.DISABLED).`));
        } else if (m.mode === 'PERMISSIVE') {
          once(`called|${callee.path}`, () => ctx.warning(callee.path, `${s} has no sidecar and is called by ${c} (${via}) in plaintext (namespace mode PERMISSIVE from ${m.from}); `
            + `it is outside mTLS and authorization. Fix: enable sidecar injection for ${s} before the namespace goes STRICT.`));
        }
      }
    }
  },
};

/** The workloads of the output and their sidecars and calls; mTLS modes and injection come from the mesh topology. */
class SecurityIndex {
  public readonly workloads: Workload[] = [];
  private readonly byNamespace = new Map<string, Workload[]>();
  private readonly topology: MeshTopology;

  constructor(private readonly ctx: AnalysisContext) {
    this.topology = manifestTopology(ctx);
    for (const kind of WORKLOAD_KINDS) {
      for (const o of ctx.ofKind(kind, 'apps')) {
        const ns = o.manifest.metadata.namespace ?? 'default';
        const meta = o.manifest.spec?.template?.metadata ?? {};
        const w: Workload = {
          path: o.path, name: o.manifest.metadata.name, namespace: ns, labels: meta.labels ?? {}, sidecar: this.topology.injected(ns, meta),
          podSpec: o.manifest.spec?.template?.spec ?? {},
        };
        this.workloads.push(w);
        const list = this.byNamespace.get(ns) ?? [];
        list.push(w);
        this.byNamespace.set(ns, list);
      }
    }
  }

  /** Workloads of the output an identity stands for (or a stand-in for one that is not in the output, like the ingress gateway). */
  public resolve(identity: { name: string; namespace: string; podSelector?: Readonly<Record<string, string>>; sidecar: boolean }, path: string): Workload[] {
    if (!identity.podSelector) return [];
    const found = this.select(identity.namespace, identity.podSelector);
    if (found.length > 0) return found;
    return [{ path, name: identity.name, namespace: identity.namespace, labels: { ...identity.podSelector }, sidecar: identity.sidecar }];
  }

  /** Calls found in env values that are URLs of Services in the output. */
  public envCalls(w: Workload): Array<{ env: string; callee: Workload }> {
    const spec = w.podSpec ?? {};
    const out: Array<{ env: string; callee: Workload }> = [];
    for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const env of container.env ?? []) {
        if (typeof env.value !== 'string') continue;
        const host = serviceOfUrl(env.value, w.namespace);
        if (!host) continue;
        const svc = this.ctx.find('', 'Service', host.namespace, host.name);
        const selector: Record<string, string> | undefined = svc?.manifest.spec?.selector;
        if (!selector || Object.keys(selector).length === 0) continue;
        for (const callee of this.select(host.namespace, selector)) out.push({ env: `${env.name}=${env.value}`, callee });
      }
    }
    return out;
  }

  /** The mTLS mode a workload's sidecar accepts: workload policy, else namespace, else mesh, else Istio's PERMISSIVE. */
  public workloadMode(w: Workload): ResolvedMtls {
    return this.topology.workloadMode(w.namespace, w.labels);
  }

  public namespaceMode(ns: string): ResolvedMtls {
    return this.topology.namespaceMode(ns);
  }

  private select(namespace: string, selector: Readonly<Record<string, string>>): Workload[] {
    return (this.byNamespace.get(namespace) ?? []).filter((w) => matches(w.labels, selector));
  }
}

const URL = /^[a-z][a-z0-9+.-]*:\/\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\.[a-z0-9.-]+)?)?)?(?::\d+)?(?:[/?#].*)?$/;

/** `http://customers.default.svc.cluster.local:80/x` → { name: customers, namespace: default }; `http://customers` → same namespace. */
export function serviceOfUrl(value: string, namespace: string): { name: string; namespace: string } | undefined {
  const m = URL.exec(value.trim());
  if (!m) return undefined;
  const clusterDomain = m[6];
  if (clusterDomain !== undefined && clusterDomain !== `.${CLUSTER_DOMAIN}`) return undefined;
  return { name: m[1], namespace: m[3] ?? namespace };
}
