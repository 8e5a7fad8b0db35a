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
 * Something that talks on the mesh and can be named in a policy: a MeshApp, a MeshGateway, a namespace,
 * a service account. Implemented by the library's workload constructs.
 */
export interface IMeshPeer {
  /** The identity the peer presents (and, for workloads, how to select its pods). */
  meshIdentity(): MeshIdentity;
}

/** Options for `MeshPeer.ingressGateway()`. */
export interface IngressGatewayPeerOptions {
  /**
   * Namespace the gateway deployment runs in.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Service account of the gateway pods.
   * @default 'istio-ingressgateway-service-account' (istioctl's default profile)
   */
  readonly serviceAccount?: string;
  /**
   * Labels of the gateway pods.
   * @default { istio: 'ingressgateway' }
   */
  readonly selector?: Record<string, string>;
}

/** Options for `MeshPeer.serviceAccount()`. */
export interface ServiceAccountPeerOptions {
  /**
   * Trust domain of the workload (another mesh, or a trust domain alias).
   * @default - the mesh trust domain
   */
  readonly trustDomain?: string;
}

/** Peers that are not constructs of this app: the stock ingress gateway, a namespace, a service account. */
export class MeshPeer implements IMeshPeer {
  /** The Istio ingress gateway installed with the mesh (selector `istio=ingressgateway` in istio-system). */
  public static ingressGateway(options: IngressGatewayPeerOptions = {}): MeshPeer {
    return new MeshPeer({
      name: 'ingressgateway',
      namespace: options.namespace ?? MESH_ROOT_NAMESPACE,
      serviceAccounts: [options.serviceAccount ?? 'istio-ingressgateway-service-account'],
      sidecar: true,
      podSelector: { ...(options.selector ?? { istio: 'ingressgateway' }) },
    });
  }

  /** Every workload of a namespace (rendered as `source.namespaces`). */
  public static namespace(namespace: string): MeshPeer {
    return new MeshPeer({ name: `ns-${namespace}`, namespace, sidecar: true });
  }

  /** One workload identity by service account, e.g. a workload another team deploys. */
  public static serviceAccount(namespace: string, name: string, options: ServiceAccountPeerOptions = {}): MeshPeer {
    return new MeshPeer({ name: `${namespace}-${name}`, namespace, serviceAccounts: [name], sidecar: true, trustDomain: options.trustDomain });
  }

  private constructor(private readonly _identity: MeshIdentity) {}

  public meshIdentity(): MeshIdentity {
    return this._identity;
  }
}
