import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Certificate, Gateway, HelmRelease, IMeshPeer, Issuer, IssuerType, MeshApp, MeshNamespace, MtlsMode } from '../../lib';
import { sampleWorkload } from '../shared/sample-workload';

/** Istio's TCP echo sample server: `tcp-echo-server <ports> <prefix>` answers every line with `<prefix> <line>`. */
export const TCP_ECHO_IMAGE = 'docker.io/istio/tcp-echo-server:1.3';
/** nginx running as an arbitrary non-root user (the TLS passthrough backend, listening on 8443). */
export const NGINX_UNPRIVILEGED_IMAGE = 'docker.io/nginxinc/nginx-unprivileged:1.27-alpine';

/** Port of the ingress gateway's TCP server (Istio's TCP traffic shifting task uses 31400). */
export const TCP_GATEWAY_PORT = 31400;

/** Props of `TcpTlsRoutingChart`. */
export interface TcpTlsRoutingChartProps extends ChartProps {
  /**
   * The ingress gateway workload as the platform install defines it (MeshPlatform.ingressGateway).
   * @default - istioctl's default ingress gateway (istio=ingressgateway in istio-system)
   */
  readonly ingressGateway?: IMeshPeer;
  /**
   * The HelmRelease of the ingress gateway (MeshPlatform.ingressGatewayRelease): its Service gets the TCP port, which
   * the gateway chart does not open by default.
   * @default - the gateway Service is left as installed (open port 31400 on it yourself)
   */
  readonly ingressGatewayRelease?: HelmRelease;
  /**
   * SNI host routed through to nginx.
   * @default 'nginx.example.com'
   */
  readonly nginxHost?: string;
  /**
   * Replicas of each version.
   * @default 1
   */
  readonly replicas?: number;
}

/**
 * dist/l4-routing: TCP and TLS passthrough routing through the ingress gateway (Istio's "TCP traffic shifting" and
 * "ingress gateway without TLS termination" tasks), in namespace `l4-routing` (STRICT mTLS, deny-all).
 *
 * - tcp-echo v1/v2 (ports tcp 9000, tcp-other 9001): the mesh VirtualService splits connections 80/20 on each port (`tcp:`), and
 *   the Gateway `l4-gateway` has a TCP server on 31400 whose binding splits 80/20 to port 9000.
 * - nginx terminating TLS itself (a cert-manager Certificate from a selfSigned Issuer, mounted from its Secret),
 *   behind a PASSTHROUGH server on 443 for the SNI host: a `tls:` route with `sniHosts`.
 *
 *   nc $INGRESS_HOST 31400                          # "hello ..." from v1 (80%) or v2 (20%)
 *   curl --resolve nginx.example.com:443:$INGRESS_HOST https://nginx.example.com -k
 */
export class TcpTlsRoutingChart extends Chart {
  public readonly gateway: Gateway;
  public readonly tcpEcho: MeshApp;
  public readonly nginx: MeshApp;

  constructor(scope: Construct, id: string, props: TcpTlsRoutingChartProps = {}) {
    const namespace = props.namespace ?? 'l4-routing';
    super(scope, id, { ...props, namespace });
    const replicas = props.replicas ?? 1;
    const nginxHost = props.nginxHost ?? 'nginx.example.com';
    new MeshNamespace(this, 'l4-routing', { name: namespace, mtls: MtlsMode.STRICT, denyAll: true });

    this.gateway = new Gateway(this, 'l4-gateway', { workload: props.ingressGateway });
    this.gateway.addTcpServer({ port: TCP_GATEWAY_PORT });
    this.gateway.addTlsPassthroughServer({ hosts: [nginxHost] });
    // The istio gateway chart opens 15021, 80 and 443 only; Helm replaces lists, so the defaults are listed again.
    props.ingressGatewayRelease?.addValues({
      service: {
        ports: [
          { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
          { name: 'http2', port: 80, protocol: 'TCP', targetPort: 80 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
          { name: 'tcp', port: TCP_GATEWAY_PORT, protocol: 'TCP', targetPort: TCP_GATEWAY_PORT },
        ],
      },
    }, this);

    this.tcpEcho = new MeshApp(this, 'tcp-echo', {
      ports: [{ name: 'tcp', port: 9000 }, { name: 'tcp-other', port: 9001 }],
      // Both versions run the same server; the Deployments differ by their `version` label (tell them apart in the access logs).
      versions: [{ name: 'v1', image: TCP_ECHO_IMAGE }, { name: 'v2', image: TCP_ECHO_IMAGE }],
      args: ['9000,9001', 'hello'],
      replicas,
      ...sampleWorkload(this, 'tcp-echo'),
      // One route per port: a route over both ports would send the connections of both to one of them.
      tcpRoutes: [9000, 9001].map((port) => ({ match: [{ port }], destinations: [{ version: 'v1', weight: 80 }, { version: 'v2', weight: 20 }] })),
    });
    this.tcpEcho.exposeVia(this.gateway, {
      port: TCP_GATEWAY_PORT,
      tcpRoutes: [{
        match: [{ port: TCP_GATEWAY_PORT }],
        destinations: [{ version: 'v1', weight: 80, port: 9000 }, { version: 'v2', weight: 20, port: 9000 }],
      }],
    });
    this.tcpEcho.allowFrom(this.gateway);

    const issuer = new Issuer(this, 'selfsigned', { namespace, type: IssuerType.selfSigned() });
    const certificate = new Certificate(this, 'nginx-server-certs', { issuer, namespace, secretName: 'nginx-server-certs', dnsNames: [nginxHost] });
    const config = new kplus.ConfigMap(this, 'nginx-conf', { metadata: { name: 'nginx-conf', namespace }, data: { 'nginx.conf': nginxConf(nginxHost) } });
    const workload = sampleWorkload(this, 'nginx');
    this.nginx = new MeshApp(this, 'nginx', {
      ports: [{ name: 'https', port: 443, targetPort: 8443 }],
      versions: [{ name: 'v1', image: NGINX_UNPRIVILEGED_IMAGE }],
      command: ['nginx', '-c', '/etc/nginx/custom/nginx.conf', '-g', 'daemon off;'],
      replicas,
      securityContext: workload.securityContext,
      volumeMounts: [
        ...workload.volumeMounts,
        { path: '/etc/nginx/custom', volume: kplus.Volume.fromConfigMap(this, 'nginx-conf-volume', config), readOnly: true },
        {
          path: '/etc/nginx-server-certs',
          volume: kplus.Volume.fromSecret(this, 'nginx-certs-volume', kplus.Secret.fromSecretName(this, 'nginx-certs-secret', certificate.secretName)),
          readOnly: true,
        },
      ],
    });
    this.nginx.exposeVia(this.gateway, { port: 443, hosts: [nginxHost] });
    this.nginx.allowFrom(this.gateway);
  }
}

/** nginx terminating TLS on 8443 with the mounted certificate; every writable path under /tmp (read-only root filesystem). */
function nginxConf(host: string): string {
  return [
    'pid /tmp/nginx.pid;',
    'error_log /dev/stderr;',
    'events {}',
    'http {',
    '  client_body_temp_path /tmp/client_temp;',
    '  proxy_temp_path /tmp/proxy_temp;',
    '  fastcgi_temp_path /tmp/fastcgi_temp;',
    '  uwsgi_temp_path /tmp/uwsgi_temp;',
    '  scgi_temp_path /tmp/scgi_temp;',
    '  access_log /dev/stdout;',
    '  server {',
    '    listen 8443 ssl;',
    `    server_name ${host};`,
    '    ssl_certificate /etc/nginx-server-certs/tls.crt;',
    '    ssl_certificate_key /etc/nginx-server-certs/tls.key;',
    '    location / {',
    '      return 200 "nginx terminated TLS behind an Istio passthrough gateway\\n";',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}
