import { DEFAULT_TRUST_DOMAIN, IMeshPeer, MESH_ROOT_NAMESPACE, MeshIdentity, TRUST_DOMAIN_CONTEXT } from '../private/identity';

export { DEFAULT_TRUST_DOMAIN, MESH_ROOT_NAMESPACE, TRUST_DOMAIN_CONTEXT };
export type { IMeshPeer, MeshIdentity };

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
