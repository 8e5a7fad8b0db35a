/*
 * The mesh graph model: what `buildMeshGraph()` returns and `renderMermaid()` draws. Plain data (JSON-serialisable),
 * sorted, so that two builds of the same manifests are equal.
 */

/**
 * A Kubernetes object as read from YAML or synthesized: only `kind` and `metadata.name` are required for it to
 * count; objects of kinds the graph does not know are ignored. `kind: List` objects are read through their `items`.
 */
export interface MeshGraphManifest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly spec?: any;
  readonly [key: string]: unknown;
}

/** Options for `buildMeshGraph()`. */
export interface MeshGraphOptions {
  /**
   * Istio's root namespace (meshConfig.rootNamespace): a PeerAuthentication or AuthorizationPolicy without selector
   * there applies to the whole mesh.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The cluster's DNS domain, in service hostnames `<svc>.<ns>.svc.<clusterDomain>`.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Namespace of namespaced objects that name none (as `kubectl apply` would use).
   * @default 'default'
   */
  readonly defaultNamespace?: string;
}

/** What a node stands for. */
export enum MeshGraphNodeKind {
  /** An Istio Gateway (its listeners; the gateway pods run Envoy). */
  GATEWAY = 'gateway',
  /** A Kubernetes Service, a Flagger Canary's service, or a mesh-internal ServiceEntry with a workload selector. */
  SERVICE = 'service',
  /** Pods of one version (Deployment, StatefulSet, ...) or VMs (WorkloadEntry, WorkloadGroup). */
  WORKLOAD = 'workload',
  /** A host outside the mesh (ServiceEntry host, ExternalName, or a URL an app calls). */
  EXTERNAL = 'external',
  /** A caller known only by identity: a namespace or service account named by an AuthorizationPolicy. */
  PEER = 'peer',
}

/** Istio mTLS modes (PeerAuthentication `mtls.mode`). */
export enum MeshGraphMtlsMode {
  STRICT = 'STRICT',
  PERMISSIVE = 'PERMISSIVE',
  DISABLE = 'DISABLE',
}

/** How a workload's traffic enters and leaves the mesh. */
export enum MeshGraphDataplane {
  /** An Envoy sidecar (or the gateway's own Envoy, or a VM's Istio agent): mTLS identity and policy enforcement. */
  SIDECAR = 'sidecar',
  /** Istio ambient mode (ztunnel): mTLS identity without a sidecar. */
  AMBIENT = 'ambient',
  /** No proxy: plaintext, no identity, policies are not enforced on its inbound side. */
  NONE = 'none',
}

/** A resolved mTLS mode and the object it comes from. */
export interface MeshGraphMtls {
  readonly mode: MeshGraphMtlsMode;
  /** For example `PeerAuthentication istio-system/default (mesh-wide)` or `Istio's default`. */
  readonly from: string;
}

/** Flagger's deployment strategies. */
export enum MeshGraphCanaryStrategy {
  /** Weighted traffic shifting (`analysis.stepWeight`/`stepWeights`). */
  PROGRESSIVE = 'progressive',
  /** A/B testing: requests matching `analysis.match` go to the canary. */
  AB_TESTING = 'a/b',
  /** Blue/green: `analysis.iterations` without weights or match, then a full switch. */
  BLUE_GREEN = 'blue/green',
}

/** A Flagger Canary, as seen on the service it releases. */
export interface MeshGraphCanary {
  /** `<namespace>/<name>` of the Canary object. */
  readonly canary: string;
  readonly strategy: MeshGraphCanaryStrategy;
  /** Name of the target Deployment (the canary); Flagger creates `<target>-primary`. */
  readonly target: string;
  /** Canary weight steps in percent (from `stepWeight` up to `maxWeight`, or `stepWeights`). */
  readonly weights?: readonly number[];
  /** Number of analysis iterations (A/B, blue/green). */
  readonly iterations?: number;
  /** The A/B match conditions, summarised. */
  readonly match?: readonly string[];
  /** Whether traffic is mirrored to the canary during the analysis. */
  readonly mirror?: boolean;
}

/** One node. Fields that do not apply to the node's kind are absent. */
export interface MeshGraphNode {
  /** Stable Mermaid-safe id made from kind, namespace and name (`[A-Za-z0-9_]`). */
  readonly id: string;
  readonly kind: MeshGraphNodeKind;
  /** Object name; the host for EXTERNAL; `*` or the service account for PEER. */
  readonly name: string;
  /**
   * The object's namespace. EXTERNAL: the namespace of the (first) ServiceEntry declaring the host, absent when none
   * does. Absent for a peer that stands for the whole mesh.
   */
  readonly namespace?: string;
  /** Where the node comes from, e.g. `Deployment default/customers-v1`; empty for a node only referenced. */
  readonly sources: readonly string[];
  /** False when the object is only referenced (a Gateway named by a VirtualService, a generated Flagger primary, a host an app calls). */
  readonly declared: boolean;
  /** WORKLOAD: pod labels. */
  readonly labels?: Readonly<Record<string, string>>;
  /** WORKLOAD: the `version` label (or `app.kubernetes.io/version`). */
  readonly version?: string;
  /** WORKLOAD, GATEWAY: the service account the pods run as. */
  readonly serviceAccount?: string;
  /** WORKLOAD, GATEWAY, PEER. */
  readonly dataplane?: MeshGraphDataplane;
  /** WORKLOAD: the mTLS mode its sidecar accepts. */
  readonly mtls?: MeshGraphMtls;
  /** WORKLOAD: port-level exceptions (`portLevelMtls`), port number → mode. */
  readonly portMtls?: Readonly<Record<string, MeshGraphMtlsMode>>;
  /** WORKLOAD: `CUSTOM` AuthorizationPolicies (external authorization) that apply, `<namespace>/<name> (<provider>)`. */
  readonly customAuthorization?: readonly string[];
  /** SERVICE: the Flagger Canary releasing it. */
  readonly canary?: MeshGraphCanary;
  /** SERVICE (ServiceEntry), GATEWAY: hosts. */
  readonly hosts?: readonly string[];
  /** GATEWAY: listeners, e.g. `HTTPS 443`. */
  readonly ports?: readonly string[];
}

/** What an edge stands for. */
export enum MeshGraphEdgeKind {
  /** A gateway routes requests to a service (a VirtualService or Canary bound to the Gateway). */
  ROUTE = 'route',
  /** A service sends requests to a version, or to another host (VirtualService routes, DestinationRule subsets, Flagger). */
  VERSION = 'version',
  /** A copy of requests (VirtualService `mirror`, Flagger mirroring). */
  MIRROR = 'mirror',
  /** A workload (or peer) calls a service: learned from env URLs or granted/denied by an AuthorizationPolicy. */
  CALL = 'call',
  /** A call to a host outside the mesh. */
  EGRESS = 'egress',
}

/** Whether traffic along an edge gets through. */
export enum MeshGraphEdgeStatus {
  /** Gets through (over mTLS where both ends are on the mesh). */
  ALLOWED = 'allowed',
  /** Gets through only for some requests (operations, JWT, IP, conditions), or an external authorizer decides. */
  CONDITIONAL = 'conditional',
  /** Gets through unencrypted, without identity (a sidecar-less end, PERMISSIVE or DISABLE). */
  PLAINTEXT = 'plaintext',
  /** Refused: STRICT mTLS from a sidecar-less caller, no ALLOW rule, a DENY rule, or the caller's egress rules. */
  DENIED = 'denied',
}

/** One edge. Parallel edges of one kind between the same nodes are collapsed into one, with every label. */
export interface MeshGraphEdge {
  /** Node id. */
  readonly from: string;
  /** Node id, or a namespace id for a namespace-wide AuthorizationPolicy (every workload of the namespace). */
  readonly to: string;
  readonly kind: MeshGraphEdgeKind;
  readonly status: MeshGraphEdgeStatus;
  /** Short conditions, one per collapsed route or rule: `70%`, `uri /api*`, `GET`, `denied: STRICT mTLS`. */
  readonly labels: readonly string[];
  /** Why the status is what it is, in full sentences (for reports). */
  readonly reasons: readonly string[];
  /** The objects the edge was learned from, e.g. `VirtualService default/customers`. */
  readonly sources: readonly string[];
}

/** How a namespace gets sidecars. */
export enum MeshGraphInjection {
  /** `istio-injection=enabled` or an `istio.io/rev` label. */
  ENABLED = 'enabled',
  /** `istio-injection=disabled`: no pod gets a sidecar. */
  DISABLED = 'disabled',
  /** `istio.io/dataplane-mode=ambient`. */
  AMBIENT = 'ambient',
  /** A Namespace object without injection label: only pods labelled `sidecar.istio.io/inject: "true"` get one. */
  NOT_LABELLED = 'not-labelled',
  /** No Namespace object in the input: pods are assumed to get a sidecar unless they opt out. */
  UNKNOWN = 'unknown',
}

/** A namespace that holds nodes or is declared. */
export interface MeshGraphNamespace {
  /** Mermaid-safe id of the namespace's subgraph; an edge `to` it stands for every workload of the namespace. */
  readonly id: string;
  readonly name: string;
  /** The mode of workloads no workload-level PeerAuthentication selects: namespace-wide, else mesh-wide, else PERMISSIVE. */
  readonly mtls: MeshGraphMtls;
  readonly injection: MeshGraphInjection;
  /** An ALLOW AuthorizationPolicy without rules and selector (deny-all) covers it, in it or in the root namespace. */
  readonly denyAll: boolean;
  /** Whether a Namespace object is in the input. */
  readonly declared: boolean;
}

/** The mesh graph of one set of manifests (one cluster). */
export interface MeshGraph {
  readonly rootNamespace: string;
  /** Sorted by id. */
  readonly nodes: readonly MeshGraphNode[];
  /** Sorted by from, to, kind. */
  readonly edges: readonly MeshGraphEdge[];
  /** Sorted by name. */
  readonly namespaces: readonly MeshGraphNamespace[];
  /** Things the graph could not draw (a route to an undefined subset, a policy it cannot map), sorted. */
  readonly notes: readonly string[];
}
