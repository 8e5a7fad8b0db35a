import { Construct, IConstruct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { MESH_ROOT_NAMESPACE } from '../core/mesh-peer';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { clusterDomainOf } from '../private/names';
import { checkDnsLabel } from '../private/validate';
import { meshScopeOf } from '../private/mesh-scope';

/**
 * The east-west gateway VMs reach the mesh through: what `MeshPlatform.enableVmWorkloads()` returns (its
 * `EastWestGateway` has every required member), or the same facts for a gateway installed another way.
 */
export interface EastWestGatewayInfo {
  /** Pod labels of the gateway (e.g. `{ istio: 'eastwestgateway' }`). */
  readonly selector: Readonly<Record<string, string>>;
  /** Namespace of the gateway pods and Service. */
  readonly namespace: string;
  /** Name of the gateway Service (istioctl `--ingressService`, default `istio-eastwestgateway`). */
  readonly serviceName: string;
  /** The network the gateway serves (Istio `global.network`); VMs behind it join this network. */
  readonly network: string;
  /**
   * Cluster name (istiod's CLUSTER_ID, Helm `global.multiCluster.clusterName`), for istioctl `--clusterID`.
   * @default 'Kubernetes' (Istio's default)
   */
  readonly clusterName?: string;
  /**
   * Control-plane revision of istiod.
   * @default - the default revision
   */
  readonly revision?: string;
}

/** Props of `IstiodExposure`. */
export interface IstiodExposureProps {
  /** The east-west gateway that exposes istiod (its selector and namespace place the Gateway). */
  readonly eastWestGateway: EastWestGatewayInfo;
  /**
   * Namespace of istiod.
   * @default 'istio-system'
   */
  readonly istiodNamespace?: string;
}

/** Gateways (namespace + selector) that expose istiod, per mesh (cluster, else App): read by ExternalVmWorkload's checks. */
const EXPOSED = new WeakMap<IConstruct, string[]>();

function gatewayKey(g: EastWestGatewayInfo): string {
  const selector = Object.keys(g.selector).sort().map((k) => `${k}=${g.selector[k]}`).join(',');
  return `${g.namespace}|${selector}|${g.revision ?? ''}`;
}

/**
 * Whether an IstiodExposure for `gateway` exists in the App of `scope`.
 * @internal
 */
export function isIstiodExposed(scope: IConstruct, gateway: EastWestGatewayInfo): boolean {
  return (EXPOSED.get(meshScopeOf(scope)) ?? []).includes(gatewayKey(gateway));
}

/**
 * Exposes istiod to VMs through the east-west gateway, as upstream's `samples/multicluster/expose-istiod.yaml`
 * (`expose-istiod-rev.yaml.tmpl` for a revision): the Gateway `istiod-gateway` (ports 15012 `tls-istiod` and 15017
 * `tls-istiodwebhook`, TLS PASSTHROUGH, hosts `*`) and the VirtualService `istiod-vs` routing 15012 to istiod:15012
 * and 15017 to istiod:443, both in the gateway's namespace and selecting its pods. One per gateway.
 * @see https://istio.io/latest/docs/setup/install/virtual-machine/
 */
export class IstiodExposure extends Construct {
  /** The Gateway `istiod-gateway`. */
  public readonly gateway: istio.Gateway;
  /** The VirtualService `istiod-vs` (`istiod-vs-<revision>` for a revision). */
  public readonly virtualService: istio.VirtualService;
  /** The istiod host the VirtualService routes to, e.g. `istiod.istio-system.svc.cluster.local`. */
  public readonly istiodHost: string;

  constructor(scope: Construct, id: string, props: IstiodExposureProps) {
    super(scope, id);
    const gw = props.eastWestGateway;
    const namespace = checkDnsLabel(this, 'eastWestGateway.namespace', gw.namespace);
    const istiodNamespace = checkDnsLabel(this, 'istiodNamespace', props.istiodNamespace ?? MESH_ROOT_NAMESPACE);
    if (Object.keys(gw.selector).length === 0) {
      throw meshError(this, 'eastWestGateway.selector', 'must not be empty (an empty Gateway selector would bind every gateway pod)', gw.selector,
        'pass the gateway\'s pod labels, e.g. { istio: \'eastwestgateway\' } (what platform.enableVmWorkloads() returns)');
    }
    const revision = gw.revision === undefined ? undefined : checkDnsLabel(this, 'eastWestGateway.revision', gw.revision);
    const key = gatewayKey(gw);
    const root = meshScopeOf(this);
    const exposed = EXPOSED.get(root) ?? [];
    if (exposed.includes(key)) {
      throw meshError(this, 'eastWestGateway', 'is already exposed by another IstiodExposure (both would write istiod-gateway)', `${namespace}/${gw.serviceName}`,
        'create one IstiodExposure per east-west gateway and share it');
    }
    EXPOSED.set(root, [...exposed, key]);

    const istiod = revision ? `istiod-${revision}` : 'istiod';
    this.istiodHost = `${istiod}.${istiodNamespace}.svc.${clusterDomainOf(this)}`;
    // Upstream matches any SNI for the default revision and the revision's own names for a revisioned istiod.
    const sniHosts = revision ? [`${istiod}.${istiodNamespace}.svc`, this.istiodHost] : ['*'];
    const server = (name: string, number: number) => ({ port: { name, number, protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] });
    this.gateway = withApiFieldNames(new istio.Gateway(this, 'Gateway', {
      metadata: { name: 'istiod-gateway', namespace },
      spec: {
        selector: { ...gw.selector },
        servers: [server('tls-istiod', 15012), server(revision ? 'tls-webhook' : 'tls-istiodwebhook', 15017)],
      } as unknown as istio.GatewaySpec,
    }));
    const route = (port: number, target: number) => ({
      match: [{ port, sniHosts: [...sniHosts] }],
      route: [{ destination: { host: this.istiodHost, port: { number: target } } }],
    });
    this.virtualService = withApiFieldNames(new istio.VirtualService(this, 'VirtualService', {
      metadata: { name: revision ? `istiod-vs-${revision}` : 'istiod-vs', namespace },
      spec: {
        hosts: ['*'],
        gateways: ['istiod-gateway'],
        tls: [route(15012, 15012), route(15017, 443)],
      } as unknown as istio.VirtualServiceSpec,
    }));
  }
}
