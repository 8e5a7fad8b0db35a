import { Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AlertProvider, AlertProviderType, AlertSeverity, CanaryMatch, CanaryMetric, CanaryRelease, CanaryStrategy, CanaryWebhook, Gateway, IMeshPeer,
  LoadTester, LoadTesterAccess, MeshApp, MeshAppProps, MetricTemplate, RetryOn, StrictMtlsNamespace, StringMatch, TrafficSplit,
} from '../../lib';
import { PODINFO_IMAGE, PODINFO_PREVIOUS_IMAGE, sampleWorkload } from '../shared/sample-workload';

/** Props of `CanaryChart`. */
export interface CanaryChartProps extends ChartProps {
  /**
   * The ingress gateway workload as the platform install defines it (MeshPlatform.ingressGateway): the Gateway's
   * selector, and the namespace and ServiceAccount that authorization policies name.
   * @default - istioctl's default ingress gateway (istio=ingressgateway in istio-system)
   */
  readonly ingressGateway?: IMeshPeer;
  /**
   * The Flagger load tester the webhooks call (MeshPlatform.loadTester).
   * @default LoadTester.DEFAULT (flagger-loadtester in namespace test, as in Flagger's tutorials)
   */
  readonly loadTester?: LoadTester;
  /**
   * Namespace Flagger runs in (MeshPlatform.flaggerNamespace): the identity the load tester lets in.
   * @default 'istio-system'
   */
  readonly flaggerNamespace?: string;
  /**
   * Run the A/B-testing release of abtest too.
   * @default true
   */
  readonly abTesting?: boolean;
  /**
   * Host of podinfo (progressive delivery) on the chart's gateway `public-gateway`.
   * @default 'podinfo.example.com'
   */
  readonly podinfoHost?: string;
  /**
   * Host of abtest (A/B testing) on the chart's gateway `public-gateway`.
   * @default 'abtest.example.com'
   */
  readonly abtestHost?: string;
  /**
   * Lower bound of the autoscalers of podinfo and abtest.
   * @default 2
   */
  readonly minReplicas?: number;
  /**
   * Upper bound of the autoscalers of podinfo and abtest.
   * @default 4
   */
  readonly maxReplicas?: number;
  /**
   * Replicas of each version of checkout.
   * @default 1
   */
  readonly checkoutReplicas?: number;
  /**
   * Slack channel that Flagger's alerts about podinfo go to.
   * @default 'deployments'
   */
  readonly alertChannel?: string;
}

/**
 * dist/canary: S6 in namespace `test` (the chart's namespace; STRICT mTLS, deny-all), with Flagger's load tester
 * (flagger-loadtester.test by default; the platform's in the reference clusters).
 *
 * - the load tester admits Flagger (LoadTesterAccess): Flagger runs without a sidecar, so the load tester's port 8080 is
 *   PERMISSIVE, and only Flagger may call it; each canary lets in the load tester's identity only.
 * - podinfo, released progressively by Flagger: one step of mirrored traffic, then 10% steps up to 50% every minute,
 *   builtin success rate and latency checks plus a custom MetricTemplate (404 percentage, Prometheus at
 *   prometheus.istio-system:9090), an acceptance test before (its output logged) and a load test during the analysis,
 *   alerts to Slack (webhook URL from a Secret), rollback on failure. The primary runs as podinfo-v1-primary, its pods
 *   labelled app: podinfo-primary.
 * - abtest, released by A/B testing: only testers (header x-canary: insider, or cookie canary=always) reach the canary.
 * - checkout v1/v2 with a static split: testers with the cookie tester=true get v2, everyone else 90/10.
 */
export class CanaryChart extends Chart {
  public readonly gateway: Gateway;
  public readonly podinfo: MeshApp;
  public readonly podinfoRelease: CanaryRelease;
  /** The A/B-tested app, when `abTesting` is on. */
  public readonly abtest?: MeshApp;
  public readonly abtestRelease?: CanaryRelease;
  public readonly checkout: MeshApp;

  constructor(scope: Construct, id: string, props: CanaryChartProps = {}) {
    const namespace = props.namespace ?? 'test';
    super(scope, id, { ...props, namespace });
    const podinfoHost = props.podinfoHost ?? 'podinfo.example.com';
    const abtestHost = props.abtestHost ?? 'abtest.example.com';

    new StrictMtlsNamespace(this, 'test', { name: namespace });
    new LoadTesterAccess(this, 'load-tester-access', { loadTester: props.loadTester ?? LoadTester.DEFAULT, flaggerNamespace: props.flaggerNamespace });
    const abTesting = props.abTesting ?? true;
    this.gateway = new Gateway(this, 'public-gateway', { hosts: abTesting ? [podinfoHost, abtestHost] : [podinfoHost], workload: props.ingressGateway });

    const podinfoWorkload = (name: string): MeshAppProps => ({
      ports: [{ name: 'http', port: 9898 }],
      versions: [{ name: 'v1', image: PODINFO_IMAGE }],
      // Flagger scales the primary through a copy of this HPA (autoscalerRef); no fixed replicas.
      autoscaling: { minReplicas: props.minReplicas ?? 2, maxReplicas: props.maxReplicas ?? 4 },
      readiness: kplus.Probe.fromHttpGet('/readyz', { port: 9898 }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: 9898 }),
      ...sampleWorkload(this, name),
    });

    this.podinfo = new MeshApp(this, 'podinfo', {
      ...podinfoWorkload('podinfo'),
      routes: [{ timeout: Duration.seconds(5), retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE] } }],
    });
    this.podinfo.exposeVia(this.gateway, { hosts: [podinfoHost] });
    this.podinfo.allowFrom(this.gateway);

    const notFound = new MetricTemplate(this, 'not-found-percentage', {
      query: '100 - sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",'
        + 'destination_workload="{{ target }}",response_code!="404"}[{{ interval }}])) / sum(rate(istio_requests_total{reporter="destination",'
        + 'destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"}[{{ interval }}])) * 100',
    });
    const slack = new AlertProvider(this, 'on-call', {
      type: AlertProviderType.SLACK,
      channel: props.alertChannel ?? 'deployments',
      // Created in the cluster (SOPS / Sealed Secrets) with the webhook URL under the key `address`.
      secret: kplus.Secret.fromSecretName(this, 'slack-webhook', 'slack-webhook'),
    });

    this.podinfoRelease = new CanaryRelease(this, 'podinfo-release', {
      app: this.podinfo,
      // podinfo's GETs are idempotent: mirror live traffic for one step before shifting any.
      strategy: CanaryStrategy.progressive({ stepWeight: 10, maxWeight: 50, mirror: true }),
      interval: Duration.minutes(1),
      threshold: 5,
      metrics: [
        CanaryMetric.requestSuccessRate({ min: 99 }),
        CanaryMetric.requestDuration({ max: Duration.millis(500) }),
        CanaryMetric.fromTemplate(notFound, { max: 5 }),
      ],
      webhooks: [
        CanaryWebhook.acceptanceTest({
          loadTester: props.loadTester, cmd: `curl -sd "test" http://podinfo-canary.${namespace}:9898/token | grep token`, logCmdOutput: true,
        }),
        CanaryWebhook.loadTest({ loadTester: props.loadTester }),
      ],
      alerts: [{ provider: slack, severity: AlertSeverity.ERROR }],
    });

    if (abTesting) {
      this.abtest = new MeshApp(this, 'abtest', podinfoWorkload('abtest'));
      this.abtest.exposeVia(this.gateway, { hosts: [abtestHost] });
      this.abtest.allowFrom(this.gateway);
      this.abtestRelease = new CanaryRelease(this, 'abtest-release', {
        app: this.abtest,
        strategy: CanaryStrategy.abTesting({
          iterations: 10,
          match: [CanaryMatch.header('x-canary', StringMatch.regex('.*insider.*')), CanaryMatch.cookie('canary', 'always')],
        }),
        webhooks: [CanaryWebhook.loadTest({ loadTester: props.loadTester, headers: { Cookie: 'canary=always' } })],
      });
    }

    this.checkout = new MeshApp(this, 'checkout', {
      ports: [{ name: 'http', port: 80, targetPort: 9898 }],
      versions: [{ name: 'v1', image: PODINFO_PREVIOUS_IMAGE }, { name: 'v2', image: PODINFO_IMAGE }],
      replicas: props.checkoutReplicas ?? 1,
      ...sampleWorkload(this, 'checkout'),
    });
    this.checkout.splitTraffic(TrafficSplit.byCookie('tester', 'true', 'v2', TrafficSplit.weighted({ v1: 90, v2: 10 })));
    this.checkout.allowFrom(this.podinfo);
  }
}
