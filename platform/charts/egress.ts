import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ExternalProtocol, MeshApp, MeshNamespace, RetryOn, ServiceEntry, StringMatch, TlsMode } from '../../lib';
import { sampleWorkload, SLEEP_IMAGE } from '../shared/sample-workload';

/** Props of `EgressChart`. */
export interface EgressChartProps extends ChartProps {
  /**
   * Replicas of sleep.
   * @default 1
   */
  readonly replicas?: number;
}

/**
 * dist/egress: S13, in a namespace `egress` (the chart's namespace) whose Sidecar only lets proxies reach the
 * registry.
 *
 * - ServiceEntry for *.foo.com (TLS, resolution NONE).
 * - ServiceEntry for api.example.com: the app calls http://api.example.com and the sidecar originates TLS to 443,
 *   verified against the system CA bundle (DestinationRule SIMPLE for *.example.com), with a connection pool and
 *   outlier detection in the same DestinationRule (Istio applies one DestinationRule per host).
 * - VirtualService for api.example.com: 5s timeout; GET requests are retried on connection failures and gateway
 *   errors, other methods only when the request never reached the server (safe for non-idempotent calls).
 * - `sleep` may call both.
 */
export class EgressChart extends Chart {
  public readonly foo: ServiceEntry;
  public readonly api: ServiceEntry;
  public readonly sleep: MeshApp;

  constructor(scope: Construct, id: string, props: EgressChartProps = {}) {
    const namespace = props.namespace ?? 'egress';
    super(scope, id, { ...props, namespace });
    const ns = new MeshNamespace(this, 'egress', { name: namespace, restrictEgress: true });
    // The sidecar reaches the external hosts directly, on 443 (TLS, and TLS originated for api.example.com):
    // the namespace's NetworkPolicy must let that out; they have no fixed addresses.
    ns.allowNetworkToAddresses(['0.0.0.0/0'], [443]);
    this.foo = new ServiceEntry(this, 'foo-com', {
      hosts: ['*.foo.com'],
      ports: [{ number: 443, protocol: ExternalProtocol.TLS, name: 'tls' }],
    });
    this.api = new ServiceEntry(this, 'api-example-com', {
      hosts: ['api.example.com'],
      ports: [
        { number: 80, protocol: ExternalProtocol.HTTP, name: 'http', targetPort: 443 },
        { number: 443, protocol: ExternalProtocol.HTTPS, name: 'https' },
      ],
    });
    this.api.originateTls({
      name: 'example-com-tls',
      host: '*.example.com',
      port: 80,
      tls: { mode: TlsMode.SIMPLE, caCertificates: '/etc/ssl/certs/ca-certificates.crt' },
    });
    this.api.addDestinationRule({
      host: '*.example.com',
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 100, connectTimeout: Duration.seconds(2) }, http: { http1MaxPendingRequests: 50 } },
        outlierDetection: { consecutiveGatewayErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
      },
    });
    this.api.addRoute({
      name: 'get',
      match: [{ method: StringMatch.exact('GET') }],
      timeout: Duration.seconds(5),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.CONNECT_FAILURE, RetryOn.RESET_BEFORE_REQUEST, RetryOn.GATEWAY_ERROR] },
    });
    this.api.addRoute({
      name: 'default',
      timeout: Duration.seconds(5),
      retries: { attempts: 2, retryOn: [RetryOn.CONNECT_FAILURE, RetryOn.RESET_BEFORE_REQUEST] },
    });
    this.sleep = new MeshApp(this, 'sleep', {
      versions: [{ name: 'v1', image: SLEEP_IMAGE }],
      command: ['/bin/sleep', 'infinity'],
      replicas: props.replicas ?? 1,
      ...sampleWorkload(this, 'sleep'),
    });
    this.sleep.allowEgressTo(this.foo);
    this.sleep.allowEgressTo(this.api);
  }
}
