/**
 * The reference platform: the scenarios of the product, synthesized into dist/ (committed, deployed by Flux).
 *
 *   npm run synth     # atomic: a failing synth leaves dist/ as it was
 *   npx cdk8s synth   # the same app through the cdk8s CLI (cdk8s.yaml)
 *
 * Each chart becomes one folder of dist/ with a kustomization.yaml (see README, "dist/ layout").
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  formatFinding, HttpFault, LoadBalancer, LocalityLoadBalancing, MeshApp, MeshGateway, RetryOn, StringMatch, synthesize,
} from './lib';

// ---- foundation: S1, S4, S5 sample app and S14 Bookinfo ----

/**
 * The sample images run as root or as a named user: pods run as a numeric non-root user instead, with a
 * writable emptyDir on /tmp because the root filesystem is read-only.
 */
function sampleWorkload(scope: Construct, id: string): { securityContext: kplus.ContainerSecurityContextProps; volumeMounts: kplus.VolumeMount[] } {
  return {
    securityContext: { user: 1000, group: 1000 },
    volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(scope, `${id}-tmp`, 'tmp') }],
  };
}

/**
 * S1 + S4 + S5 in namespace `default`: the ingress gateway, web-frontend outside the mesh (no sidecar),
 * customers v1/v2 with the S4 routing (Firefox header match with mirroring, rewrite, redirect, 70/30 split,
 * locality failover) and httpbin with the S5 circuit breaker, timeouts, retries and fault injection.
 */
export class SampleAppChart extends Chart {
  public readonly gateway: MeshGateway;
  public readonly webFrontend: MeshApp;
  public readonly customers: MeshApp;
  public readonly httpbin: MeshApp;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'default', ...props });

    // S1: Gateway `gateway`, selector istio=ingressgateway, port 80 HTTP, hosts '*'.
    this.gateway = new MeshGateway(this, 'gateway');

    this.webFrontend = new MeshApp(this, 'web-frontend', {
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/web-frontend:1.0.0' }],
      env: { CUSTOMER_SERVICE_URL: kplus.EnvValue.fromValue('http://customers.default.svc.cluster.local') },
      // S1: web-frontend is deployed WITHOUT a sidecar (opted out of injection).
      sidecar: false,
      ...sampleWorkload(this, 'web-frontend'),
    });
    this.webFrontend.exposeVia(this.gateway, {
      routes: [{
        name: 'web-frontend',
        headers: { response: { set: { 'x-content-type-options': 'nosniff' }, remove: ['x-powered-by'] } },
        corsPolicy: {
          allowOrigins: [StringMatch.exact('https://shop.example.com')],
          allowMethods: ['GET', 'POST'],
          allowHeaders: ['content-type', 'authorization'],
          maxAge: Duration.hours(24),
        },
      }],
    });

    this.customers = new MeshApp(this, 'customers', {
      ports: [{ name: 'http', port: 80, targetPort: 3000 }],
      versions: [
        { name: 'v1', image: 'gcr.io/tetratelabs/customers:1.0.0' },
        { name: 'v2', image: 'gcr.io/tetratelabs/customers:2.0.0' },
      ],
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
        { name: 'legacy', match: [{ uri: StringMatch.exact('/legacy/customers') }], redirect: { uri: '/customers', authority: 'customers.default.svc.cluster.local' } },
        // S4: everything else is split 70/30 between v1 and v2.
        { name: 'split', destinations: [{ version: 'v1', weight: 70 }, { version: 'v2', weight: 30 }] },
      ],
    });
    // S1: customers is later also bound to the gateway.
    this.customers.exposeVia(this.gateway, { hosts: ['*'], routes: [{ name: 'customers-api', match: [{ uri: StringMatch.prefix('/api/customers') }] }] });

    this.httpbin = new MeshApp(this, 'httpbin', {
      ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
      versions: [{ name: 'v1', image: 'docker.io/mccutchen/go-httpbin:v2.15.0' }],
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

/**
 * S14 Bookinfo in namespace `bookinfo`: productpage, details, reviews v1/v2/v3 and ratings, one ServiceAccount each;
 * all reviews traffic to v1 except user jason (header `end-user: jason`) who gets v2. productpage is exposed on the
 * S1 ingress gateway.
 */
export class BookinfoChart extends Chart {
  public readonly productpage: MeshApp;
  public readonly reviews: MeshApp;

  constructor(scope: Construct, id: string, gateway: MeshGateway, props: ChartProps = {}) {
    super(scope, id, { namespace: 'bookinfo', ...props });
    const image = (app: string, version = 'v1') => `docker.io/istio/examples-bookinfo-${app}-${version}:1.20.2`;
    const port = [{ name: 'http', port: 9080 }];

    this.productpage = new MeshApp(this, 'productpage', { ports: port, versions: [{ name: 'v1', image: image('productpage') }], ...sampleWorkload(this, 'productpage') });
    new MeshApp(this, 'details', { ports: port, versions: [{ name: 'v1', image: image('details') }], ...sampleWorkload(this, 'details') });
    new MeshApp(this, 'ratings', { ports: port, versions: [{ name: 'v1', image: image('ratings') }], ...sampleWorkload(this, 'ratings') });
    this.reviews = new MeshApp(this, 'reviews', {
      ports: port,
      versions: ['v1', 'v2', 'v3'].map((v) => ({ name: v, image: image('reviews', v) })),
      ...sampleWorkload(this, 'reviews'),
      routes: [
        { name: 'jason', match: [{ headers: { 'end-user': StringMatch.exact('jason') } }], destinations: [{ version: 'v2' }] },
        { name: 'default', destinations: [{ version: 'v1' }] },
      ],
    });

    this.productpage.exposeVia(gateway, {
      routes: [{
        name: 'productpage',
        match: [
          { uri: StringMatch.exact('/productpage') },
          { uri: StringMatch.prefix('/static') },
          { uri: StringMatch.exact('/login') },
          { uri: StringMatch.exact('/logout') },
          { uri: StringMatch.prefix('/api/v1/products') },
        ],
      }],
    });
  }
}

// ---- end foundation ----

/** Adds every chart of the reference platform to `app`. */
export function buildReferencePlatform(app: App): Chart[] {
  const charts: Chart[] = [];
  // ---- chart registrations ----
  const sample = new SampleAppChart(app, 'sample-app');
  charts.push(sample, new BookinfoChart(app, 'bookinfo', sample.gateway));
  // ---- end chart registrations ----
  return charts;
}

if (require.main === module) {
  const app = new App();
  buildReferencePlatform(app);
  try {
    const result = synthesize(app);
    for (const w of result.warnings) console.warn(`warning: ${formatFinding(w)}`);
    console.log(`synthesized ${result.objectCount} objects into ${result.files.length} files in ${result.outdir}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
