import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { Gateway, GatewayCredential, IIssuer, IMeshPeer, Issuer, IssuerType, KeyAlgorithm, MeshApp, StringMatch } from '../../lib';
import { HTTPBIN_IMAGE, sampleWorkload } from '../shared/sample-workload';

/** Props of `IngressTlsChart`. */
export interface IngressTlsChartProps extends ChartProps {
  /**
   * The ingress gateway workload as the platform install defines it (MeshPlatform.ingressGateway): the Gateway's
   * selector, and the namespace and ServiceAccount that authorization policies name.
   * @default - istioctl's default ingress gateway (istio=ingressgateway in istio-system)
   */
  readonly ingressGateway?: IMeshPeer;
  /**
   * Hosts of the gateway's HTTPS server (and of its HTTP->HTTPS redirect).
   * @default ['tenanta.example.com', 'tenantb.example.com']
   */
  readonly hosts?: string[];
  /**
   * DNS names of the gateway certificate `gateway-ca-tls`.
   * @default - 'example.com' and `hosts`
   */
  readonly dnsNames?: string[];
  /**
   * Issuer of the gateway certificate (an Issuer must be in the ingress gateway's namespace; a ClusterIssuer works anywhere).
   * @default - a selfSigned Issuer `selfsigned` in the ingress gateway's namespace
   */
  readonly issuer?: IIssuer;
  /**
   * Host under which httpbin is exposed on the gateway.
   * @default 'tenanta.example.com'
   */
  readonly httpbinHost?: string;
  /**
   * Namespace of httpbin.
   * @default 'tenanta'
   */
  readonly httpbinNamespace?: string;
  /**
   * A second tenant's httpbin, in its own namespace (S8: each tenant namespace has its own CA) under its own host of
   * the HTTPS server; `false` leaves it out.
   * @default { namespace: 'tenantb', host: 'tenantb.example.com' }
   */
  readonly secondTenant?: { readonly namespace: string; readonly host: string } | false;
  /**
   * Replicas of httpbin.
   * @default 1
   */
  readonly replicas?: number;
}

/**
 * dist/ingress-tls: S7, ingress TLS with cert-manager.
 *
 * - A selfSigned Issuer and the Certificate gateway-ca-tls (ECDSA 256; example.com, tenanta.example.com,
 *   tenantb.example.com) in istio-system, where the ingress gateway pods run.
 * - Gateway `mygateway` with an HTTPS SIMPLE server on 443 for tenanta/tenantb.example.com and the HTTP->HTTPS
 *   redirect on 80.
 * - VirtualService httpbin for tenanta.example.com with /status and /delay to httpbin:8000 (an httpbin in namespace
 *   tenanta), and the same for tenantb.example.com and an httpbin in namespace tenantb.
 */
export class IngressTlsChart extends Chart {
  public readonly gateway: Gateway;
  public readonly httpbin: MeshApp;
  /** The second tenant's httpbin (`secondTenant`), if any. */
  public readonly secondTenantHttpbin?: MeshApp;

  constructor(scope: Construct, id: string, props: IngressTlsChartProps = {}) {
    super(scope, id, props);
    // The Gateway and its certificate live where the ingress gateway pods run (credentialName is read there).
    const namespace = props.ingressGateway?.meshIdentity().namespace ?? 'istio-system';
    const hosts = props.hosts ?? ['tenanta.example.com', 'tenantb.example.com'];
    const issuer = props.issuer ?? new Issuer(this, 'selfsigned', { namespace, type: IssuerType.selfSigned() });

    // HTTPS only: the HTTPS server replaces the implicit plaintext server, and redirectHttp answers port 80 with a redirect.
    this.gateway = new Gateway(this, 'mygateway', { namespace, hosts, workload: props.ingressGateway });
    this.gateway.addHttpsServer({
      credential: GatewayCredential.issue({
        issuer,
        name: 'gateway-cert',
        secretName: 'gateway-ca-tls',
        dnsNames: props.dnsNames ?? ['example.com', ...hosts],
        privateKey: { algorithm: KeyAlgorithm.ECDSA, size: 256 },
      }),
      redirectHttp: true,
    });

    this.httpbin = this.addHttpbin('httpbin', props.httpbinNamespace ?? 'tenanta', props.httpbinHost ?? 'tenanta.example.com', props.replicas);
    const second = props.secondTenant ?? { namespace: 'tenantb', host: 'tenantb.example.com' };
    if (second) this.secondTenantHttpbin = this.addHttpbin(`httpbin-${second.namespace}`, second.namespace, second.host, props.replicas);
  }

  /** An httpbin in a tenant namespace, exposed under `host` with /status and /delay; the gateway is allowed in. */
  private addHttpbin(id: string, namespace: string, host: string, replicas = 1): MeshApp {
    const httpbin = new MeshApp(this, id, {
      name: 'httpbin',
      namespace,
      ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
      versions: [{ name: 'v1', image: HTTPBIN_IMAGE }],
      replicas,
      ...sampleWorkload(this, id),
    });
    httpbin.exposeVia(this.gateway, {
      virtualServiceName: 'httpbin',
      hosts: [host],
      routes: [{ name: 'httpbin', match: [{ uri: StringMatch.prefix('/status') }, { uri: StringMatch.prefix('/delay') }] }],
    });
    // The tenant namespaces are STRICT through the mesh-wide policy, so they deny by default: the gateway must be allowed in.
    httpbin.allowFrom(this.gateway);
    return httpbin;
  }
}
