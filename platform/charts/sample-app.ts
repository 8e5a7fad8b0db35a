import { Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Gateway, HttpFault, IMeshPeer, LoadBalancer, LocalityLoadBalancing, MeshApp, RetryOn, serviceHost, StringMatch } from '../../lib';
import { CUSTOMERS_V1_IMAGE, CUSTOMERS_V2_IMAGE, HTTPBIN_IMAGE, sampleWorkload, WEB_FRONTEND_IMAGE } from '../shared/sample-workload';

/** Props of `SampleAppChart`. */
export interface SampleAppChartProps extends ChartProps {
  /**
   * The ingress gateway workload as the platform install defines it (MeshPlatform.ingressGateway): the Gateway's
   * selector, and the namespace and ServiceAccount that authorization policies name.
   * @default - istioctl's default ingress gateway (istio=ingressgateway in istio-system)
   */
  readonly ingressGateway?: IMeshPeer;
  /**
   * Hosts the ingress Gateway `gateway` accepts on port 80 (also used by Bookinfo and zero-trust).
   * @default ['*']
   */
  readonly gatewayHosts?: string[];
  /**
   * The one origin web-frontend's CORS policy allows.
   * @default 'https://shop.example.com'
   */
  readonly shopOrigin?: string;
  /**
   * Replicas of every version of web-frontend, customers and httpbin.
   * @default 2
   */
  readonly replicas?: number;
}

/**
 * dist/sample-app: S1, S4 and S5 in namespace `default` (the chart's namespace).
 *
 * - S1: the ingress Gateway `gateway` (selector istio=ingressgateway, port 80 HTTP), web-frontend outside the mesh
 *   (no sidecar) calling customers v1/v2, which run with one; the customers VirtualService bound to the mesh and the
 *   gateway. The mTLS half of S1 is in MeshSecurityChart.
 * - S4: customers routing: Firefox header match with mirroring to v2, rewrite, redirect, 70/30 split; CORS and
 *   response headers on web-frontend.
 * - S5: httpbin's circuit breaker, timeouts, bounded retries and fault injection; customers' locality failover.
 */
export class SampleAppChart extends Chart {
  /** The S1 ingress gateway, shared with Bookinfo and zero-trust. */
  public readonly gateway: Gateway;
  public readonly webFrontend: MeshApp;
  public readonly customers: MeshApp;
  public readonly httpbin: MeshApp;

  constructor(scope: Construct, id: string, props: SampleAppChartProps = {}) {
    const namespace = props.namespace ?? 'default';
    super(scope, id, { ...props, namespace });
    const replicas = props.replicas ?? 2;
    const customersHost = serviceHost(this, 'customers', namespace);

    // S1: Gateway `gateway`, selector istio=ingressgateway, port 80 HTTP, hosts '*'.
    this.gateway = new Gateway(this, 'gateway', { hosts: props.gatewayHosts ?? ['*'], workload: props.ingressGateway });

    this.webFrontend = new MeshApp(this, 'web-frontend', {
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      versions: [{ name: 'v1', image: WEB_FRONTEND_IMAGE }],
      env: { CUSTOMER_SERVICE_URL: kplus.EnvValue.fromValue(`http://${customersHost}`) },
      replicas,
      // S1: web-frontend is deployed WITHOUT a sidecar (opted out of injection).
      sidecar: false,
      ...sampleWorkload(this, 'web-frontend'),
    });
    this.webFrontend.exposeVia(this.gateway, {
      routes: [{
        name: 'web-frontend',
        headers: { response: { set: { 'x-content-type-options': 'nosniff' }, remove: ['x-powered-by'] } },
        corsPolicy: {
          allowOrigins: [StringMatch.exact(props.shopOrigin ?? 'https://shop.example.com')],
          allowMethods: ['GET', 'POST'],
          allowHeaders: ['content-type', 'authorization'],
          maxAge: Duration.hours(24),
        },
      }],
    });

    this.customers = new MeshApp(this, 'customers', {
      ports: [{ name: 'http', port: 80, targetPort: 3000 }],
      versions: [
        { name: 'v1', image: CUSTOMERS_V1_IMAGE },
        { name: 'v2', image: CUSTOMERS_V2_IMAGE },
      ],
      replicas,
      ...sampleWorkload(this, 'customers'),
      // S5: round robin with locality failover us-west -> us-east (failover needs outlier detection).
      trafficPolicy: {
        loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.failover([{ from: 'us-west', to: 'us-east' }]) }),
        outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30) },
      },
      routes: [
        // S4: Firefox users go to v1, and a copy of their traffic is mirrored to v2.
        {
          name: 'firefox',
          match: [{ headers: { 'user-agent': StringMatch.regex('.*Firefox.*') } }],
          destinations: [{ version: 'v1' }],
          mirror: { version: 'v2', percentage: 100 },
        },
        // S4: the old API path is rewritten onto v2's.
        { name: 'api-v1', match: [{ uri: StringMatch.prefix('/v1/api') }], rewrite: { uri: '/v2/api' }, destinations: [{ version: 'v2' }] },
        // S4: a moved endpoint answers with a redirect (uri + authority).
        { name: 'legacy', match: [{ uri: StringMatch.exact('/legacy/customers') }], redirect: { uri: '/customers', authority: customersHost } },
        // S4: everything else is split 70/30 between v1 and v2.
        { name: 'split', destinations: [{ version: 'v1', weight: 70 }, { version: 'v2', weight: 30 }] },
      ],
    });
    // S1: the customers VirtualService (host customers.default.svc.cluster.local) is later also bound to the gateway:
    // one VirtualService with gateways [mesh, default/gateway], so requests for that host at the gateway are routed
    // like the sidecars route them.
    this.customers.alsoServeVia(this.gateway);

    this.httpbin = new MeshApp(this, 'httpbin', {
      ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
      versions: [{ name: 'v1', image: HTTPBIN_IMAGE }],
      replicas,
      ...sampleWorkload(this, 'httpbin'),
      // S5: the circuit breaker of the httpbin DestinationRule.
      trafficPolicy: {
        loadBalancer: LoadBalancer.LEAST_REQUEST,
        connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
        outlierDetection: { consecutive5xxErrors: 1, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(3), maxEjectionPercent: 100 },
      },
      routes: [
        // S5: chaos testing, opted into per request: 50% delayed by 5s, 10% aborted with 503.
        {
          name: 'chaos',
          match: [{ headers: { 'x-chaos': StringMatch.exact('true') } }],
          fault: HttpFault.delay(Duration.seconds(5), 50).andAbort(503, 10),
        },
        // S5: bounded retries within a timeout.
        {
          name: 'default',
          timeout: Duration.seconds(10),
          retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.FIVE_XX, RetryOn.CONNECT_FAILURE, RetryOn.RESET] },
        },
      ],
    });
  }
}
