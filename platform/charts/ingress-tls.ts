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
 *   tenanta).
 */
export class IngressTlsChart extends Chart {
  public readonly gateway: Gateway;
  public readonly httpbin: MeshApp;

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

    this.httpbin = new MeshApp(this, 'httpbin', {
      namespace: props.httpbinNamespace ?? 'tenanta',
      ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
      versions: [{ name: 'v1', image: HTTPBIN_IMAGE }],
      replicas: props.replicas ?? 1,
      ...sampleWorkload(this, 'httpbin'),
    });
    this.httpbin.exposeVia(this.gateway, {
      virtualServiceName: 'httpbin',
      hosts: [props.httpbinHost ?? 'tenanta.example.com'],
      routes: [{ name: 'httpbin', match: [{ uri: StringMatch.prefix('/status') }, { uri: StringMatch.prefix('/delay') }] }],
    });
    // tenanta is STRICT through the mesh-wide policy, so it denies by default: the gateway must be allowed in.
    this.httpbin.allowFrom(this.gateway);
  }
}
