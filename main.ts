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
  formatFinding, HttpFault, LoadBalancer, LocalityLoadBalancing, MeshApp, Gateway, RetryOn, StringMatch, synthesize,
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
  public readonly gateway: Gateway;
  public readonly webFrontend: MeshApp;
  public readonly customers: MeshApp;
  public readonly httpbin: MeshApp;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'default', ...props });

    // S1: Gateway `gateway`, selector istio=ingressgateway, port 80 HTTP, hosts '*'.
    this.gateway = new Gateway(this, 'gateway');

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

  constructor(scope: Construct, id: string, gateway: Gateway, props: ChartProps = {}) {
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

// ---- security-b: S7 ingress TLS with cert-manager, S8 CA per tenant, S13 egress ----
// (imports kept inside this section so that sections do not edit each other; ES imports are hoisted)
import {
  ExternalProtocol, ServiceEntry, GatewayCredential, IstiodExternalCaConfiguration, Issuer, IssuerType, KeyAlgorithm, MeshNamespace,
  TenantCertificateAuthority, TlsMode,
} from './lib';

/**
 * S8: one CA per tenant (istio-system, tenanta, tenantb): selfSigned ClusterIssuer -> CA Certificate in
 * cert-manager (isCA, 10 years, ECDSA 256, secret <tenant>-ca-selfsigned) -> CA ClusterIssuer <tenant>, and a
 * ProxyConfig with ISTIO_META_CERT_SIGNER=<tenant> in each tenant namespace. `istiod` holds what istiod's install
 * needs (certSigners, EXTERNAL_CA, caCertificates; the CA PEMs must be read from the cluster once cert-manager
 * has issued them). Also the tenant namespaces, with sidecar injection.
 */
export class TenantCasChart extends Chart {
  public readonly cas: TenantCertificateAuthority;
  public readonly istiod: IstiodExternalCaConfiguration;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    for (const tenant of ['tenanta', 'tenantb']) new MeshNamespace(this, tenant);
    this.cas = new TenantCertificateAuthority(this, 'tenant-cas', { tenants: ['istio-system', 'tenanta', 'tenantb'] });
    this.istiod = this.cas.istiodConfiguration();
  }
}

/**
 * S7: a selfSigned Issuer and the Certificate gateway-ca-tls (ECDSA 256; example.com, tenanta.example.com,
 * tenantb.example.com) in istio-system, where the ingress gateway pods run; Gateway `mygateway` with an HTTPS
 * SIMPLE server on 443 for tenanta/tenantb.example.com and the HTTP->HTTPS redirect on 80; VirtualService httpbin
 * for tenanta.example.com with /status and /delay to httpbin:8000 (an httpbin in namespace tenanta).
 */
export class IngressTlsChart extends Chart {
  public readonly gateway: Gateway;
  public readonly httpbin: MeshApp;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const issuer = new Issuer(this, 'selfsigned', { namespace: 'istio-system', type: IssuerType.selfSigned() });
    this.gateway = new Gateway(this, 'mygateway', {
      namespace: 'istio-system',
      hosts: ['tenanta.example.com', 'tenantb.example.com'],
      defaultHttpServer: false,
    });
    this.gateway.addHttpsServer({
      credential: GatewayCredential.issue({
        issuer,
        name: 'gateway-cert',
        secretName: 'gateway-ca-tls',
        dnsNames: ['example.com', 'tenanta.example.com', 'tenantb.example.com'],
        privateKey: { algorithm: KeyAlgorithm.ECDSA, size: 256 },
      }),
      redirectHttp: true,
    });
    this.httpbin = new MeshApp(this, 'httpbin', {
      namespace: 'tenanta',
      ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
      versions: [{ name: 'v1', image: 'docker.io/mccutchen/go-httpbin:v2.15.0' }],
      replicas: 1,
      ...sampleWorkload(this, 'httpbin'),
    });
    this.httpbin.exposeVia(this.gateway, {
      virtualServiceName: 'httpbin',
      hosts: ['tenanta.example.com'],
      routes: [{ name: 'httpbin', match: [{ uri: StringMatch.prefix('/status') }, { uri: StringMatch.prefix('/delay') }] }],
    });
  }
}

/**
 * S13: ServiceEntries for *.foo.com (TLS, resolution NONE) and api.example.com (the app calls http://api.example.com,
 * the sidecar originates TLS to 443, verified against the system CA bundle: DestinationRule SIMPLE for *.example.com),
 * in a namespace `egress` whose Sidecar only lets proxies reach the registry; `sleep` may call both.
 */
export class EgressChart extends Chart {
  public readonly foo: ServiceEntry;
  public readonly api: ServiceEntry;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'egress', ...props });
    new MeshNamespace(this, 'egress', { restrictEgress: true });
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
    const sleep = new MeshApp(this, 'sleep', {
      versions: [{ name: 'v1', image: 'docker.io/curlimages/curl:8.10.1' }],
      command: ['/bin/sleep', 'infinity'],
      replicas: 1,
      ...sampleWorkload(this, 'sleep'),
    });
    sleep.allowEgressTo(this.foo);
    sleep.allowEgressTo(this.api);
  }
}

// ---- end security-b ----

// ---- security-a: zero trust (S1 mTLS half, S2, S3, S10) ----
// (imports kept inside this section so that sections do not edit each other; ES imports are hoisted)
import {
  MeshNamespace as MeshNamespaceA, PeerAuthentication, RequestAuthentication, MeshWideMtls, MtlsMode, SidecarInjection,
  StrictMtlsNamespace,
} from './lib';

/** The Istio sample JWT issuer and key set (S3). */
const SAMPLE_JWT_ISSUER = 'testing@secure.istio.io';
const SAMPLE_JWKS_URI = 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json';

/**
 * Mesh-wide mTLS (S10 and S1's mesh-wide variant) and the mTLS state of S1's namespace `default`.
 *
 * - PeerAuthentication `default` STRICT in istio-system, plus DestinationRule `default` (`*.local`, ISTIO_MUTUAL)
 *   as in S10. Services with their own DestinationRule (every MeshApp) keep Istio's auto mTLS, which is why
 *   the ingress gateway can still reach S1's sidecar-less web-frontend.
 * - S1: web-frontend runs WITHOUT a sidecar and calls customers (CUSTOMER_SERVICE_URL). Under STRICT those calls
 *   are reset (ECONNRESET), and the `sidecarless-mtls` rule fails synthesis saying so. The reference platform
 *   therefore ships `default` in S1's migration state: PeerAuthentication `default` PERMISSIVE, overriding the
 *   mesh-wide STRICT for this namespace only; synthesis prints a warning naming the plaintext calls that block
 *   STRICT. The STRICT state itself is shown by ZeroTrustChart (S2), where every workload has a sidecar.
 */
export class MeshSecurityChart extends Chart {
  public readonly meshWide: MeshWideMtls;
  public readonly sampleNamespaceMtls: PeerAuthentication;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    this.meshWide = new MeshWideMtls(this, 'mesh-wide-mtls', { mode: MtlsMode.STRICT, istioMutualDestinationRule: true });
    this.sampleNamespaceMtls = new PeerAuthentication(this, 'sample-app-mtls', { namespace: 'default', mode: MtlsMode.PERMISSIVE });
  }
}

/**
 * S2 + S3 in the STRICT namespace `zero-trust`: deny-all, the ingress gateway may call web-frontend, web-frontend
 * may call customers v1 (one ServiceAccount per workload), nothing else. S3: the ingress gateway validates JWTs
 * of the Istio sample issuer and rejects requests for zero-trust.example.com that carry none (the other hosts of
 * the shared gateway stay open, so S1/S4/S14 keep working without tokens).
 */
export class ZeroTrustChart extends Chart {
  public readonly zeroTrustNamespace: StrictMtlsNamespace;
  public readonly webFrontend: MeshApp;
  public readonly customers: MeshApp;
  public readonly jwt: RequestAuthentication;

  constructor(scope: Construct, id: string, gateway: Gateway, props: ChartProps = {}) {
    super(scope, id, { namespace: 'zero-trust', ...props });
    this.zeroTrustNamespace = new StrictMtlsNamespace(this, 'zero-trust');
    this.customers = new MeshApp(this, 'customers', {
      ports: [{ name: 'http', port: 80, targetPort: 3000 }],
      versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/customers:1.0.0' }],
      ...sampleWorkload(this, 'customers'),
    });
    this.webFrontend = new MeshApp(this, 'web-frontend', {
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/web-frontend:1.0.0' }],
      env: { CUSTOMER_SERVICE_URL: kplus.EnvValue.fromValue('http://customers.zero-trust.svc.cluster.local') },
      ...sampleWorkload(this, 'web-frontend'),
    });
    this.webFrontend.exposeVia(gateway, { hosts: ['zero-trust.example.com'] });
    // S2: ALLOW ingress gateway -> web-frontend, ALLOW web-frontend -> customers (v1 is its only version).
    this.webFrontend.allowFrom(gateway);
    this.customers.allowFrom(this.webFrontend, { methods: ['GET'] });
    // S3: JWT at the ingress gateway.
    this.jwt = new RequestAuthentication(this, 'jwt-example', {
      workload: gateway,
      jwtRules: [{ issuer: SAMPLE_JWT_ISSUER, jwksUri: SAMPLE_JWKS_URI, forwardOriginalToken: true }],
    });
    this.jwt.requireJwt({ hosts: ['zero-trust.example.com'] });
  }
}

/**
 * S10: namespaces foo and bar in the mesh, legacy outside it (istio-injection=disabled), each with httpbin and
 * sleep. Under the mesh-wide STRICT policy (MeshSecurityChart) legacy -> foo/bar calls are rejected: that is the
 * point of S10, so no such call is declared here (declaring one, e.g. `legacySleep.connectTo(fooHttpbin)`, fails
 * synthesis with the sidecarless-mtls error).
 */
export class NamespacesChart extends Chart {
  public readonly namespaces: MeshNamespaceA[];

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    this.namespaces = [
      new MeshNamespaceA(this, 'foo'),
      new MeshNamespaceA(this, 'bar'),
      new MeshNamespaceA(this, 'legacy', { injection: SidecarInjection.DISABLED }),
    ];
    for (const ns of this.namespaces) {
      const sidecar = ns.injection.enabled;
      const scopeOf = new Construct(this, `${ns.name}-apps`);
      new MeshApp(scopeOf, 'httpbin', {
        namespace: ns.name,
        sidecar,
        ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
        versions: [{ name: 'v1', image: 'docker.io/mccutchen/go-httpbin:v2.15.0' }],
        ...sampleWorkload(scopeOf, 'httpbin'),
      });
      new MeshApp(scopeOf, 'sleep', {
        namespace: ns.name,
        sidecar,
        command: ['/bin/sleep', 'infinity'],
        versions: [{ name: 'v1', image: 'curlimages/curl:8.8.0' }],
        ...sampleWorkload(scopeOf, 'sleep'),
      });
    }
  }
}

// ---- end security-a ----

// ---- canary: S6 progressive delivery with Flagger, A/B testing and a static split ----
// (imports kept inside this section so that sections do not edit each other; ES imports are hoisted)
import {
  AlertProvider, AlertProviderType, AlertSeverity, CanaryMatch, CanaryMetric, CanaryRelease, CanaryStrategy, CanaryWebhook, MetricTemplate,
  RetryOn as CanaryRetryOn, StrictMtlsNamespace as CanaryStrictMtlsNamespace, StringMatch as CanaryStringMatch, TrafficSplit,
} from './lib';

/**
 * S6 in namespace `test` (STRICT mTLS, deny-all), where Flagger's load tester runs (flagger-loadtester.test):
 * - podinfo, released progressively by Flagger: 10% steps up to 50% every minute, builtin success rate and latency
 *   checks plus a custom MetricTemplate (404 percentage, Prometheus at prometheus.istio-system:9090), an acceptance
 *   test before and a load test during the analysis, alerts to Slack (webhook URL from a Secret), rollback on failure.
 * - abtest, released by A/B testing: only testers (header x-canary: insider, or cookie canary=always) reach the canary.
 * - checkout v1/v2 with a static split: testers with the cookie tester=true get v2, everyone else 90/10.
 */
export class CanaryChart extends Chart {
  public readonly podinfo: MeshApp;
  public readonly podinfoRelease: CanaryRelease;
  public readonly abtest: MeshApp;
  public readonly abtestRelease: CanaryRelease;
  public readonly checkout: MeshApp;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'test', ...props });
    new CanaryStrictMtlsNamespace(this, 'test');
    const gateway = new Gateway(this, 'public-gateway', { hosts: ['podinfo.example.com', 'abtest.example.com'] });

    const podinfoWorkload = (name: string) => ({
      ports: [{ name: 'http', port: 9898 }],
      versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }],
      // Flagger scales the primary through a copy of this HPA (autoscalerRef); no fixed replicas.
      autoscaling: { minReplicas: 2, maxReplicas: 4 },
      readiness: kplus.Probe.fromHttpGet('/readyz', { port: 9898 }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: 9898 }),
      ...sampleWorkload(this, name),
    });

    this.podinfo = new MeshApp(this, 'podinfo', {
      ...podinfoWorkload('podinfo'),
      routes: [{ timeout: Duration.seconds(5), retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [CanaryRetryOn.GATEWAY_ERROR, CanaryRetryOn.CONNECT_FAILURE] } }],
    });
    this.podinfo.exposeVia(gateway, { hosts: ['podinfo.example.com'] });
    this.podinfo.allowFrom(gateway);

    const notFound = new MetricTemplate(this, 'not-found-percentage', {
      query: '100 - sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",'
        + 'destination_workload="{{ target }}",response_code!="404"}[{{ interval }}])) / sum(rate(istio_requests_total{reporter="destination",'
        + 'destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"}[{{ interval }}])) * 100',
    });
    const slack = new AlertProvider(this, 'on-call', {
      type: AlertProviderType.SLACK,
      channel: 'deployments',
      // Created in the cluster (SOPS / Sealed Secrets) with the webhook URL under the key `address`.
      secret: kplus.Secret.fromSecretName(this, 'slack-webhook', 'slack-webhook'),
    });

    this.podinfoRelease = new CanaryRelease(this, 'podinfo-release', {
      app: this.podinfo,
      strategy: CanaryStrategy.progressive({ stepWeight: 10, maxWeight: 50 }),
      interval: Duration.minutes(1),
      threshold: 5,
      metrics: [
        CanaryMetric.requestSuccessRate({ min: 99 }),
        CanaryMetric.requestDuration({ max: Duration.millis(500) }),
        CanaryMetric.fromTemplate(notFound, { max: 5 }),
      ],
      webhooks: [
        CanaryWebhook.acceptanceTest({ cmd: 'curl -sd "test" http://podinfo-canary.test:9898/token | grep token' }),
        CanaryWebhook.loadTest(),
      ],
      alerts: [{ provider: slack, severity: AlertSeverity.ERROR }],
    });

    this.abtest = new MeshApp(this, 'abtest', podinfoWorkload('abtest'));
    this.abtest.exposeVia(gateway, { hosts: ['abtest.example.com'] });
    this.abtest.allowFrom(gateway);
    this.abtestRelease = new CanaryRelease(this, 'abtest-release', {
      app: this.abtest,
      strategy: CanaryStrategy.abTesting({
        iterations: 10,
        match: [CanaryMatch.header('x-canary', CanaryStringMatch.regex('.*insider.*')), CanaryMatch.cookie('canary', 'always')],
      }),
      webhooks: [CanaryWebhook.loadTest({ headers: { Cookie: 'canary=always' } })],
    });

    this.checkout = new MeshApp(this, 'checkout', {
      ports: [{ name: 'http', port: 80, targetPort: 9898 }],
      versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.8.0' }, { name: 'v2', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }],
      replicas: 1,
      ...sampleWorkload(this, 'checkout'),
    });
    this.checkout.splitTraffic(TrafficSplit.byCookie('tester', 'true', 'v2', TrafficSplit.weighted({ v1: 90, v2: 10 })));
    this.checkout.allowFrom(this.podinfo);
  }
}

// ---- end canary ----

/** Adds every chart of the reference platform to `app`. */
export function buildReferencePlatform(app: App): Chart[] {
  const charts: Chart[] = [];
  // ---- chart registrations ----
  const sample = new SampleAppChart(app, 'sample-app');
  charts.push(sample, new BookinfoChart(app, 'bookinfo', sample.gateway));
  charts.push(new TenantCasChart(app, 'tenant-cas'), new IngressTlsChart(app, 'ingress-tls'), new EgressChart(app, 'egress')); // security-b: S8, S7, S13
  charts.push(new MeshSecurityChart(app, 'mesh-security'), new ZeroTrustChart(app, 'zero-trust', sample.gateway), new NamespacesChart(app, 'namespaces')); // security-a
  charts.push(new CanaryChart(app, 'canary')); // canary: S6
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
