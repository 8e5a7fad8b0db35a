/*
 * The identity vocabulary every layer shares. Defined here, in the leaf layer, so that private helpers need no
 * public module; re-exported publicly by core/mesh-peer.ts.
 */
/**
 * Context key for the mesh trust domain (Istio `meshConfig.trustDomain`), read by every construct that renders
 * principals. Set it on the App before adding charts: `app.node.setContext(TRUST_DOMAIN_CONTEXT, 'prod.example.com')`.
 */
export const TRUST_DOMAIN_CONTEXT = 'cdk8s-mesh:trustDomain';

/** Istio's default trust domain. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/** Istio's default root namespace (meshConfig.rootNamespace): mesh-wide policies live here. */
export const MESH_ROOT_NAMESPACE = 'istio-system';

/**
 * Who a workload is on the mesh: the facts authorization policies and synth-time checks need.
 * Returned by `IMeshPeer.meshIdentity()`; evaluated again at synthesis, so service accounts added later count.
 */
export interface MeshIdentity {
  /** DNS-1123 name used in generated object names, e.g. `web-frontend` in `customers-allow-web-frontend`. */
  readonly name: string;
  /** Namespace of the peer's pods. */
  readonly namespace: string;
  /**
   * Service accounts the pods run as: each becomes the principal `<trustDomain>/ns/<namespace>/sa/<name>`.
   * @default - the whole namespace is the peer (rendered as `source.namespaces`)
   */
  readonly serviceAccounts?: readonly string[];
  /**
   * Whether the pods run an Envoy proxy (a sidecar, or a gateway that is one), and so present an mTLS identity
   * and enforce policies.
   */
  readonly sidecar: boolean;
  /**
   * Pod labels that select exactly this peer's pods (e.g. `{ app: 'customers' }`).
   * @default - the peer cannot be the target of a policy (it is a namespace or an external identity)
   */
  readonly podSelector?: Readonly<Record<string, string>>;
  /**
   * Trust domain of the peer's certificates.
   * @default - the context value `cdk8s-mesh:trustDomain`, else `cluster.local`
   */
  readonly trustDomain?: string;
}

/**
 * Something that talks on the mesh and can be named in a policy: a MeshApp, a Gateway, a namespace,
 * a service account. Implemented by the library's workload constructs.
 */
export interface IMeshPeer {
  /** The identity the peer presents (and, for workloads, how to select its pods). */
  meshIdentity(): MeshIdentity;
}
