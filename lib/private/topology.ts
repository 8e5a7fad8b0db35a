import { IConstruct } from 'constructs';
import { MESH_ROOT_NAMESPACE } from './identity';
import { meshScopeOf } from './mesh-scope';

/*
 * The mesh topology: which mTLS mode a workload accepts, whether a namespace denies by default, how egress of a
 * namespace is restricted and which pods get a sidecar. Answered once, here, over plain facts, for both sides:
 *
 * - constructs ask `constructTopology(scope)`, built from facts the security constructs register for their App
 *   (PeerAuthentication, AuthorizationPolicy, MeshNamespace), read when asked, so later changes count;
 * - analysis rules ask `manifestTopology(ctx)` (lib/analysis/topology.ts), built from the resolved manifests.
 *
 * Leaf module: it imports nothing outside lib/private.
 */

/** A PeerAuthentication: which traffic the sidecars it selects accept. */
export interface PeerAuthenticationFact {
  readonly name: string;
  readonly namespace: string;
  /** Pod labels it selects; undefined or empty: namespace-wide (mesh-wide in the root namespace). */
  readonly selector?: Readonly<Record<string, string>>;
  /** 'STRICT', 'PERMISSIVE' or 'DISABLE'; undefined or 'UNSET': inherited (the policy only has port exceptions). */
  readonly mode?: string;
}

/** An AuthorizationPolicy, as far as "who may call" questions need it. */
export interface AuthorizationPolicyFact {
  readonly name: string;
  readonly namespace: string;
  /** Pod labels it selects; undefined or empty: every workload of the namespace (of the mesh in the root namespace). */
  readonly selector?: Readonly<Record<string, string>>;
  /** 'ALLOW', 'DENY', 'AUDIT' or 'CUSTOM'. */
  readonly action: string;
  /** Number of rules; an ALLOW policy without rules matches nothing, so it denies everything (deny-all). */
  readonly ruleCount: number;
}

/** A Namespace and its labels (sidecar injection). */
export interface NamespaceFact {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A Sidecar resource: what the proxies of a namespace (or of selected pods) may reach. */
export interface SidecarFact {
  readonly name: string;
  readonly namespace: string;
  /** Pod labels it selects; undefined or empty: the namespace's default Sidecar. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Egress hosts, `<namespace>/<dnsName>`. */
  readonly egressHosts: readonly string[];
  /** outboundTrafficPolicy.mode ('REGISTRY_ONLY' or 'ALLOW_ANY'), if set. */
  readonly outboundTrafficPolicy?: string;
}

/** Facts about the mesh, from constructs or from manifests. Every list is optional. */
export interface TopologyFacts {
  readonly peerAuthentications?: readonly PeerAuthenticationFact[];
  readonly authorizationPolicies?: readonly AuthorizationPolicyFact[];
  readonly namespaces?: readonly NamespaceFact[];
  readonly sidecars?: readonly SidecarFact[];
}

/** An mTLS mode and where it comes from (for messages). */
export interface ResolvedMtls {
  /** 'STRICT', 'PERMISSIVE' or 'DISABLE'. */
  readonly mode: string;
  /** e.g. `PeerAuthentication "default" in "istio-system"`. */
  readonly from: string;
}

/** A namespace's egress restriction: its default Sidecar (or the root namespace's). */
export interface EgressRestriction {
  /** The Sidecar that restricts it. */
  readonly sidecar: SidecarFact;
  /** Whether calls to hosts outside the registry are blocked (outboundTrafficPolicy REGISTRY_ONLY). */
  readonly registryOnly: boolean;
}

/** Pod metadata, as far as sidecar injection is concerned. */
export interface PodMetadata {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

const INJECT = 'sidecar.istio.io/inject';
const ISTIO_DEFAULT: ResolvedMtls = { mode: 'PERMISSIVE', from: 'Istio\'s default, no PeerAuthentication' };

/**
 * Answers topology questions over a set of facts, with Istio's precedence: a workload-selecting policy over the
 * namespace's policy over the root namespace's (mesh-wide) policy over Istio's default. When two policies claim the same
 * scope, the first one listed wins (Istio would pick the oldest; the analysis rule `peer-authentication-conflict`
 * reports the clash).
 */
export class MeshTopology {
  private readonly _peerAuthentications: PeerAuthenticationFact[] = [];
  private readonly _authorizationPolicies: AuthorizationPolicyFact[] = [];
  private readonly _namespaces = new Map<string, NamespaceFact>();
  private readonly _sidecars: SidecarFact[] = [];

  constructor(facts: readonly TopologyFacts[], public readonly rootNamespace: string = MESH_ROOT_NAMESPACE) {
    for (const f of facts) {
      this._peerAuthentications.push(...(f.peerAuthentications ?? []));
      this._authorizationPolicies.push(...(f.authorizationPolicies ?? []));
      this._sidecars.push(...(f.sidecars ?? []));
      for (const ns of f.namespaces ?? []) if (!this._namespaces.has(ns.name)) this._namespaces.set(ns.name, ns);
    }
  }

  /** The mTLS mode of a namespace's workloads that no workload policy selects: namespace policy, else mesh-wide, else PERMISSIVE. */
  public namespaceMode(namespace: string): ResolvedMtls {
    return this._namespacePolicyMode(namespace) ?? this._namespacePolicyMode(this.rootNamespace) ?? ISTIO_DEFAULT;
  }

  /** The mTLS mode the sidecar of pods with `podLabels` in `namespace` accepts: workload policy, else `namespaceMode()`. */
  public workloadMode(namespace: string, podLabels: Readonly<Record<string, string>>): ResolvedMtls {
    const p = this._peerAuthentications.find((x) => x.namespace === namespace && hasMode(x) && !isEmpty(x.selector) && matches(podLabels, x.selector!));
    return p ? resolved(p) : this.namespaceMode(namespace);
  }

  /** Whether a deny-all (ALLOW policy without rules and without selector) covers the namespace, in it or mesh-wide. */
  public deniesByDefault(namespace: string): boolean {
    return this._authorizationPolicies.some((p) => (p.namespace === namespace || p.namespace === this.rootNamespace)
      && p.action === 'ALLOW' && isEmpty(p.selector) && p.ruleCount === 0);
  }

  /**
   * Whether any ALLOW policy applies to pods with `podLabels` in `namespace` (a namespace-wide or mesh-wide one, or one
   * selecting them). Istio then denies every request that no ALLOW rule matches, so each caller needs its own ALLOW.
   */
  public allowPoliciesApply(namespace: string, podLabels: Readonly<Record<string, string>>): boolean {
    return this._authorizationPolicies.some((p) => p.action === 'ALLOW' && (isEmpty(p.selector)
      ? p.namespace === namespace || p.namespace === this.rootNamespace
      : p.namespace === namespace && matches(podLabels, p.selector!)));
  }

  /** The Sidecar restricting the egress of a namespace: its own default Sidecar, else the root namespace's; undefined when none. */
  public egressRestriction(namespace: string): EgressRestriction | undefined {
    const sidecar = this._defaultSidecar(namespace) ?? this._defaultSidecar(this.rootNamespace);
    return sidecar ? { sidecar, registryOnly: sidecar.outboundTrafficPolicy === 'REGISTRY_ONLY' } : undefined;
  }

  /**
   * Whether Istio's injector gives pods a sidecar: a namespace labelled `istio-injection=disabled` never; else the pod's
   * `sidecar.istio.io/inject` label (or annotation); else the namespace's injection label. A namespace that is not
   * known is assumed to be labelled for injection.
   */
  public injected(namespace: string, pod: PodMetadata): boolean {
    const nsLabels = this._namespaces.get(namespace)?.labels;
    if (nsLabels?.['istio-injection'] === 'disabled') return false;
    const podSetting = pod.labels?.[INJECT] ?? pod.annotations?.[INJECT];
    if (podSetting === 'false') return false;
    if (podSetting === 'true') return true;
    if (nsLabels) return nsLabels['istio-injection'] === 'enabled' || nsLabels['istio.io/rev'] !== undefined;
    return true;
  }

  private _namespacePolicyMode(namespace: string): ResolvedMtls | undefined {
    const p = this._peerAuthentications.find((x) => x.namespace === namespace && hasMode(x) && isEmpty(x.selector));
    return p ? resolved(p) : undefined;
  }

  private _defaultSidecar(namespace: string): SidecarFact | undefined {
    return this._sidecars.find((s) => s.namespace === namespace && isEmpty(s.selector));
  }
}

/** Whether every label of `selector` is set to the same value in `labels`. */
export function matches(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v);
}

function hasMode(p: PeerAuthenticationFact): boolean {
  return p.mode !== undefined && p.mode !== 'UNSET';
}

function isEmpty(selector: Readonly<Record<string, string>> | undefined): boolean {
  return !selector || Object.keys(selector).length === 0;
}

function resolved(p: PeerAuthenticationFact): ResolvedMtls {
  return { mode: p.mode!, from: `PeerAuthentication "${p.name}" in "${p.namespace}"` };
}

/** Contributes facts to the topology of an App; called each time a question is asked, so it reports the current state. */
export type TopologySource = () => TopologyFacts;

/** Sources per App root: the per-App index constructs are answered from. */
const SOURCES = new WeakMap<IConstruct, TopologySource[]>();

/** Registers a construct's facts with the topology of its App (called by the security constructs in their constructor). */
export function registerTopologySource(scope: IConstruct, source: TopologySource): void {
  const root = meshScopeOf(scope);
  const list = SOURCES.get(root) ?? [];
  SOURCES.set(root, list);
  list.push(source);
}

/**
 * The topology of the App `scope` belongs to, as its constructs define it now. For render-time and validation-time
 * questions of constructs (lazily rendered specs see every construct of the App).
 */
export function constructTopology(scope: IConstruct): MeshTopology {
  return new MeshTopology((SOURCES.get(meshScopeOf(scope)) ?? []).map((source) => source()));
}
