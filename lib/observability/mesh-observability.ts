import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as prom from '../../imports/monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleEntry } from './prometheus-rule';
import { checkK8sLabels, LABEL_NAME } from '../private/prometheus';
import { MonitorNamespaces, RelabelAction, ScrapePort, ServiceMonitor } from './service-monitor';
import { ENVOY_ACCESS_LOG_PROVIDER, Telemetry } from './telemetry';
import { MESH_ROOT_NAMESPACE } from '../core/mesh-peer';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { serviceFqdn } from '../private/names';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkRange, checkUnique } from '../private/validate';

/** The Istio metrics the workload-level recording rules aggregate (IOD content/en/docs/ops/best-practices/observability). */
export const ISTIO_AGGREGATED_METRICS: readonly string[] = [
  'istio_requests_total',
  'istio_request_duration_milliseconds_count',
  'istio_request_duration_milliseconds_sum',
  'istio_request_duration_milliseconds_bucket',
  'istio_request_bytes_count',
  'istio_request_bytes_sum',
  'istio_request_bytes_bucket',
  'istio_response_bytes_count',
  'istio_response_bytes_sum',
  'istio_response_bytes_bucket',
  'istio_tcp_sent_bytes_total',
  'istio_tcp_received_bytes_total',
  'istio_tcp_connections_opened_total',
  'istio_tcp_connections_closed_total',
];

/**
 * The per-pod labels prometheus-operator puts on PodMonitor targets (besides the constant `container`, `job` and
 * `endpoint`): prometheus-operator pkg/prometheus/promcfg.go (PodMonitor relabelings: `__meta_kubernetes_namespace`
 * -> namespace, `__meta_kubernetes_pod_name` -> pod) and Prometheus' `instance`.
 */
const OPERATOR_POD_LABELS = ['instance', 'namespace', 'pod'] as const;

/** The separate mesh Prometheus of `MeshPrometheus.istio()`, resolved: where it is reached and what it selects. */
export interface IstioPrometheusEndpoint {
  /** Its namespace. */
  readonly namespace: string;
  /** Name of its Service. */
  readonly serviceName: string;
  /** Labels of its Service (the federation ServiceMonitor's selector). */
  readonly serviceLabels: Readonly<Record<string, string>>;
  /** Its HTTP port (Service port and container port). */
  readonly port: number;
  /** Labels its rule, PodMonitor and ServiceMonitor selectors require (on the recording rules and its scrape monitors). */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** Its in-cluster URL, `http://<serviceName>.<namespace>:<port>` (Flagger's metricsServer). */
  readonly url: string;
}

/** Options of `TracingProvider.zipkin()`. */
export interface ZipkinTracingOptions {
  /**
   * Provider name, referenced by Telemetry `tracing.providers`.
   * @default 'zipkin'
   */
  readonly name?: string;
  /**
   * Fully qualified host of the Zipkin collector Service.
   * @default 'zipkin.istio-system.svc.<cluster domain>' (where Istio's tracing samples install Zipkin/Jaeger; the
   * platform install runs no collector there)
   */
  readonly service?: string;
  /**
   * Port of the collector.
   * @default 9411
   */
  readonly port?: number;
}

/** Options of `TracingProvider.openTelemetry()`. */
export interface OpenTelemetryTracingOptions {
  /**
   * Provider name, referenced by Telemetry `tracing.providers`.
   * @default 'otel-tracing'
   */
  readonly name?: string;
  /** Fully qualified host of the OpenTelemetry collector Service, e.g. "opentelemetry-collector.observability.svc.cluster.local". */
  readonly service: string;
  /**
   * OTLP/gRPC port of the collector.
   * @default 4317
   */
  readonly port?: number;
}

/**
 * A tracing backend, declared in istiod's `meshConfig.extensionProviders` and named by the mesh-wide Telemetry.
 * It names a collector you run: MeshPlatform installs none.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
 */
export class TracingProvider {
  /** Zipkin (also Jaeger's Zipkin-compatible collector). */
  public static zipkin(options: ZipkinTracingOptions = {}): TracingProvider {
    return new TracingProvider(options.name ?? 'zipkin', 'zipkin', options.service, options.port ?? 9411);
  }

  /** An OpenTelemetry collector over OTLP/gRPC. */
  public static openTelemetry(options: OpenTelemetryTracingOptions): TracingProvider {
    return new TracingProvider(options.name ?? 'otel-tracing', 'opentelemetry', options.service, options.port ?? 4317);
  }

  private constructor(
    /** The provider name. */
    public readonly name: string,
    /** The meshConfig provider type key ("zipkin", "opentelemetry"). */
    public readonly type: string,
    /** The collector host; undefined: Zipkin's default, `zipkin.istio-system.svc.<cluster domain>` of the platform. */
    public readonly service: string | undefined,
    /** The collector port. */
    public readonly port: number,
  ) {}

  /** @internal The meshConfig.extensionProviders entry (validated). */
  public _toExtensionProvider(scope: IConstruct, field: string): Record<string, unknown> {
    checkDnsSubdomain(scope, `${field}.name`, this.name);
    const service = checkDnsSubdomain(scope, `${field}.service`, this.service ?? serviceFqdn(scope, 'zipkin', 'istio-system'));
    checkInteger(scope, `${field}.port`, this.port, 1, 65535);
    return { name: this.name, [this.type]: { service, port: this.port } };
  }
}

/** Options of `MeshPrometheus.istio()`. */
export interface IstioPrometheusOptions {
  /**
   * Namespace of that Prometheus; the recording rules, its scrape monitors and the federation ServiceMonitor go
   * there too.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Name of its Service: Flagger's metricsServer and `istioPrometheus.url` point at it (MeshPlatform creates it).
   * @default 'prometheus' (where Flagger's Istio guide, Kiali and `MetricProvider.ISTIO_PROMETHEUS` expect it)
   */
  readonly serviceName?: string;
  /**
   * Labels of its Service (what the federation ServiceMonitor selects; MeshPlatform puts them on the Service).
   * @default { app: 'prometheus' } (Istio's Prometheus add-on)
   */
  readonly serviceSelector?: Record<string, string>;
  /**
   * Its HTTP port (the container port the federation scrapes, and the Service port). An operator-managed
   * Prometheus listens on 9090.
   * @default 9090
   */
  readonly port?: number;
  /**
   * Labels its `ruleSelector`, `podMonitorSelector` and `serviceMonitorSelector` require: put on the
   * recording-rule PrometheusRule and on the PodMonitor `envoy-stats-monitor` and ServiceMonitor
   * `istio-component-monitor`. The rules must run in this Prometheus (it has the per-pod series), so it must be
   * operator-managed. They must not carry the central stack's `release` label, or kube-prometheus-stack would
   * scrape every proxy a second time.
   * @default { release: 'istio' } (the label of Istio's prometheus-operator samples, IIO samples/addons/extras/prometheus-operator.yaml)
   */
  readonly ruleSelectorLabels?: Record<string, string>;
  /**
   * Per-instance labels its scrape configuration adds to the Envoy series; the recording rules sum them away.
   * @default ['instance', 'namespace', 'pod'] (what prometheus-operator adds to PodMonitor targets, and the
   * labels Istio's best-practices page names; its example rules' kubernetes_namespace/kubernetes_pod_name come
   * from an older add-on scrape configuration)
   */
  readonly instanceLabels?: string[];
}

/** Options of `MeshPrometheus.kubePrometheusStack()`. */
export interface CentralScrapeOptions {
  /**
   * Per-instance labels the prometheus-operator PodMonitor adds to the Envoy series; the rules sum them away.
   * @default ['instance', 'namespace', 'pod'] (what prometheus-operator adds to PodMonitor targets)
   */
  readonly instanceLabels?: string[];
}

/**
 * The Prometheus that scrapes the sidecars' Envoy metrics, and so evaluates the workload-level recording rules.
 * Enum-like: `MeshPrometheus.istio()` (the material's hierarchical federation) or
 * `MeshPrometheus.kubePrometheusStack()` (one Prometheus).
 */
export class MeshPrometheus {
  /**
   * A separate, short-retention mesh Prometheus (the material's setup): it scrapes the proxies and runs the
   * recording rules; the kube-prometheus-stack Prometheus federates the aggregated `workload:` series from it.
   * `MeshPlatform.useObservability()` installs it (operator-managed, Service `prometheus` in istio-system).
   */
  public static istio(options: IstioPrometheusOptions = {}): MeshPrometheus {
    return new MeshPrometheus(true, options.namespace, options.serviceName ?? 'prometheus', options.serviceSelector ?? { app: 'prometheus' },
      options.port ?? 9090, options.ruleSelectorLabels ?? { release: 'istio' }, options.instanceLabels ?? [...OPERATOR_POD_LABELS]);
  }

  /**
   * The kube-prometheus-stack Prometheus scrapes the proxies itself (PodMonitor `envoy-stats-monitor` and
   * ServiceMonitor `istio-component-monitor`, after IIO samples/addons/extras/prometheus-operator.yaml) and runs
   * the recording rules; nothing is federated.
   */
  public static kubePrometheusStack(options: CentralScrapeOptions = {}): MeshPrometheus {
    return new MeshPrometheus(false, undefined, undefined, undefined, undefined, undefined, options.instanceLabels ?? [...OPERATOR_POD_LABELS]);
  }

  private constructor(
    /** Whether it is a Prometheus of its own that the central one federates from. */
    public readonly federated: boolean,
    /** Its namespace (undefined: the mesh root namespace). */
    public readonly namespace: string | undefined,
    /** Name of its Service (federated only). */
    public readonly serviceName: string | undefined,
    /** Labels of its Service (federated only). */
    public readonly serviceSelector: Readonly<Record<string, string>> | undefined,
    /** Its HTTP port (federated only). */
    public readonly port: number | undefined,
    /** Labels its rule selector wants (undefined: the kube-prometheus-stack release label). */
    public readonly ruleSelectorLabels: Readonly<Record<string, string>> | undefined,
    /** Labels summed away by the recording rules. */
    public readonly instanceLabels: readonly string[],
  ) {}
}

/** Props for `MeshObservability`. */
export interface MeshObservabilityProps {
  /**
   * Helm release name of kube-prometheus-stack. Its default selectors only pick PrometheusRules, ServiceMonitors
   * and PodMonitors labelled `release: <release>`.
   * @default 'kube-prometheus-stack'
   */
  readonly release?: string;
  /**
   * The Prometheus that scrapes the Envoy metrics (where the recording rules must run).
   * @default MeshPrometheus.istio() (MeshPlatform.useObservability() installs it)
   */
  readonly meshPrometheus?: MeshPrometheus;
  /**
   * The mesh's root namespace (meshConfig.rootNamespace): the mesh-wide Telemetry goes there.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * Envoy access logs on stdout for every proxy (Telemetry provider "envoy", plus `meshConfig.accessLogFile` in
   * `istiodValues()`, as the material sets it).
   * @default true
   */
  readonly accessLogging?: boolean;
  /**
   * Tracing: declares `tracingProvider` in meshConfig and samples `tracingSamplingPercentage` of requests. The
   * platform install runs no trace collector, so tracing is only on when you name one you run.
   * @default - true when `tracingProvider` is given, else false
   */
  readonly tracing?: boolean;
  /**
   * Where spans go: a collector you install (MeshPlatform installs none).
   * @default - none (tracing off)
   */
  readonly tracingProvider?: TracingProvider;
  /**
   * Percentage of requests traced (0 to 100); needs a `tracingProvider`.
   * @default 10 (with a tracingProvider)
   */
  readonly tracingSamplingPercentage?: number;
  /**
   * Interval (and timeout) of the federation scrape.
   * @default Duration.seconds(30)
   */
  readonly federationInterval?: Duration;
}

/**
 * Istio observability the way the material sets up S12:
 * - PrometheusRule `istio-metrics-aggregation`: group `istio.recording-rules` (every 5s) recording
 *   `workload:<metric> = sum without(<instance labels>) (<metric>)` for the request, size and TCP metrics, labelled
 *   for the Prometheus that scrapes the proxies (`meshPrometheus`);
 * - PodMonitor `envoy-stats-monitor` and ServiceMonitor `istio-component-monitor` (after IIO
 *   samples/addons/extras/prometheus-operator.yaml), labelled for that same Prometheus, so it scrapes the
 *   sidecars and istiod;
 * - with `MeshPrometheus.istio()`: ServiceMonitor `istio-federation` (labelled `release: <release>` for
 *   kube-prometheus-stack) scraping `/federate` of that Prometheus for `workload:*` and `pilot*` series, with
 *   honorLabels and the `workload:` prefix stripped, so dashboards and Flagger query `istio_requests_total` as usual;
 *   MeshPlatform.useObservability() installs that Prometheus (`istioPrometheus` says where it is reached);
 * - Telemetry `mesh-default` in the root namespace: Envoy access logs, and tracing sampling when a
 *   `tracingProvider` is given.
 * The istiod settings this implies come from `istiodValues()` (MeshPlatform.useObservability() merges them).
 * @see https://istio.io/latest/docs/ops/best-practices/observability/
 */
export class MeshObservability extends Construct {
  /** The kube-prometheus-stack release name. */
  public readonly release: string;
  /** The Prometheus that scrapes the proxies. */
  public readonly meshPrometheus: MeshPrometheus;
  /** The separate mesh Prometheus, resolved (MeshPrometheus.istio() only). */
  public readonly istioPrometheus?: IstioPrometheusEndpoint;
  /** The workload-level recording rules. */
  public readonly recordingRules: PrometheusRule;
  /** The federation ServiceMonitor (MeshPrometheus.istio() only). */
  public readonly federation?: ServiceMonitor;
  /** The PodMonitor scraping the proxies, labelled for `meshPrometheus`. */
  public readonly envoyPodMonitor: prom.PodMonitor;
  /** The ServiceMonitor scraping istiod, labelled for `meshPrometheus`. */
  public readonly istiodMonitor: ServiceMonitor;
  /** The mesh-wide Telemetry. */
  public readonly telemetry: Telemetry;
  /** The tracing provider, when tracing is on. */
  public readonly tracingProvider?: TracingProvider;
  /** Whether Envoy access logs are on. */
  public readonly accessLogging: boolean;
  private readonly _extensionProviders: Record<string, unknown>[];

  constructor(scope: Construct, id: string, props: MeshObservabilityProps = {}) {
    super(scope, id);
    this.release = checkDnsLabel(this, 'release', props.release ?? 'kube-prometheus-stack', 53);
    this.meshPrometheus = props.meshPrometheus ?? MeshPrometheus.istio();
    const rootNamespace = checkDnsLabel(this, 'rootNamespace', props.rootNamespace ?? MESH_ROOT_NAMESPACE);
    const mp = this.meshPrometheus;
    const promNamespace = checkDnsLabel(this, 'meshPrometheus.namespace', mp.namespace ?? rootNamespace);
    const releaseLabels = { release: this.release };

    const instanceLabels = [...mp.instanceLabels];
    if (!instanceLabels.length) {
      throw meshError(this, 'meshPrometheus.instanceLabels', 'must name at least one label to aggregate away', instanceLabels,
        'pass the per-pod labels of the scrape, e.g. ["instance", "namespace", "pod"]');
    }
    instanceLabels.forEach((l, i) => {
      if (!LABEL_NAME.test(l)) {
        throw meshError(this, `meshPrometheus.instanceLabels[${i}]`, 'must be a Prometheus label name', l, 'pass e.g. "pod"');
      }
    });
    checkUnique(this, 'meshPrometheus.instanceLabels', instanceLabels, (l) => l);

    const ruleLabels = checkK8sLabels(this, 'meshPrometheus.ruleSelectorLabels', mp.ruleSelectorLabels ?? releaseLabels);
    if (!ruleLabels) {
      throw meshError(this, 'meshPrometheus.ruleSelectorLabels', 'must not be empty (no Prometheus would be told to load the rules)', {},
        'pass the labels of that Prometheus\' ruleSelector, e.g. { release: "istio" }');
    }
    if (mp.federated && ruleLabels.release === this.release) {
      // kube-prometheus-stack selects `release: <release>`: it would load the rules and scrape every proxy itself.
      throw meshError(this, 'meshPrometheus.ruleSelectorLabels', `must not carry the central stack's label release: "${this.release}" `
        + '(kube-prometheus-stack would scrape every proxy a second time, and the mesh Prometheus would federate itself)', ruleLabels,
      'keep the default { release: "istio" }, or use MeshPrometheus.kubePrometheusStack() for one Prometheus');
    }
    const without = instanceLabels.join(', ');
    this.recordingRules = new PrometheusRule(this, 'RecordingRules', {
      name: 'istio-metrics-aggregation',
      namespace: promNamespace,
      labels: ruleLabels,
      groups: [{
        name: 'istio.recording-rules',
        interval: Duration.seconds(5),
        rules: ISTIO_AGGREGATED_METRICS.map((m) => PrometheusRuleEntry.record(`workload:${m}`, `sum without(${without}) (${m})`)),
      }],
    });

    if (mp.federated) {
      const serviceLabels = checkK8sLabels(this, 'meshPrometheus.serviceSelector', mp.serviceSelector) ?? {};
      const port = checkInteger(this, 'meshPrometheus.port', mp.port!, 1, 65535);
      const serviceName = checkDnsLabel(this, 'meshPrometheus.serviceName', mp.serviceName!);
      this.istioPrometheus = {
        namespace: promNamespace, serviceName, serviceLabels, port, selectorLabels: ruleLabels,
        url: `http://${serviceName}.${promNamespace}:${port}`,
      };
      const interval = props.federationInterval ?? Duration.seconds(30);
      this.federation = new ServiceMonitor(this, 'Federation', {
        name: 'istio-federation',
        namespace: promNamespace,
        labels: releaseLabels,
        selector: { ...serviceLabels },
        namespaceSelector: MonitorNamespaces.names(promNamespace),
        endpoints: [{
          port: ScrapePort.targetPort(port),
          path: '/federate',
          interval,
          scrapeTimeout: interval,
          params: { 'match[]': ['{__name__=~"workload:(.*)"}', '{__name__=~"pilot(.*)"}'] },
          honorLabels: true,
          metricRelabelings: [{
            sourceLabels: ['__name__'],
            regex: 'workload:(.*)',
            targetLabel: '__name__',
            replacement: '$1',
            action: RelabelAction.REPLACE,
          }],
        }],
      });
    } else if (props.federationInterval !== undefined) {
      throw meshError(this, 'federationInterval', 'has no effect: MeshPrometheus.kubePrometheusStack() federates nothing', props.federationInterval.toHumanString(),
        'remove federationInterval, or use MeshPrometheus.istio()');
    }
    this.envoyPodMonitor = this._envoyPodMonitor(promNamespace, ruleLabels);
    this.istiodMonitor = new ServiceMonitor(this, 'IstiodMonitor', {
      name: 'istio-component-monitor',
      namespace: promNamespace,
      labels: ruleLabels,
      selector: { istio: 'pilot' },
      namespaceSelector: MonitorNamespaces.names(rootNamespace),
      jobLabel: 'istio',
      endpoints: [{ port: ScrapePort.servicePort('http-monitoring'), interval: Duration.seconds(15) }],
    });

    this.accessLogging = props.accessLogging ?? true;
    this.tracingProvider = this._tracingProvider(props);
    this._extensionProviders = this.tracingProvider ? [this.tracingProvider._toExtensionProvider(this, 'tracingProvider')] : [];
    const sampling = props.tracingSamplingPercentage ?? 10;
    if (this.tracingProvider) checkRange(this, 'tracingSamplingPercentage', sampling, 0, 100, 'pass a percentage from 0 to 100, e.g. 10');
    if (!this.accessLogging && !this.tracingProvider) {
      throw meshError(this, 'accessLogging', 'is off and tracing is off (no tracingProvider), so the mesh-wide Telemetry would be empty', false,
        'keep access logs on (the default), or pass a tracingProvider');
    }
    this.telemetry = new Telemetry(this, 'Telemetry', {
      name: 'mesh-default',
      namespace: rootNamespace,
      rootNamespace,
      accessLogging: this.accessLogging ? { providers: [ENVOY_ACCESS_LOG_PROVIDER] } : undefined,
      tracing: this.tracingProvider ? { providers: [this.tracingProvider.name], randomSamplingPercentage: sampling } : undefined,
    });
  }

  /**
   * The istiod Helm values (istio/istiod chart) these settings imply, to merge into the control plane's install
   * (`MeshPlatform.useObservability()` does): `meshConfig.accessLogFile: /dev/stdout` when access logs are on
   * (the material's setting, and the fallback for proxies no Telemetry covers), `meshConfig.enableTracing` and
   * the tracing provider in `meshConfig.extensionProviders` when tracing is on. A fresh copy on every call.
   */
  public istiodValues(): Record<string, unknown> {
    const meshConfig: Record<string, unknown> = {};
    if (this.accessLogging) meshConfig.accessLogFile = '/dev/stdout';
    if (this.tracingProvider) {
      meshConfig.enableTracing = true;
      meshConfig.extensionProviders = structuredClone(this._extensionProviders);
    }
    return { meshConfig };
  }

  /** Tracing is on with an explicit provider only: nothing the platform installs would receive spans otherwise. */
  private _tracingProvider(props: MeshObservabilityProps): TracingProvider | undefined {
    if (props.tracing === false && (props.tracingProvider || props.tracingSamplingPercentage !== undefined)) {
      throw meshError(this, 'tracing', 'is false but tracing settings were given', false,
        'remove tracingProvider/tracingSamplingPercentage, or drop tracing: false');
    }
    if (props.tracingProvider === undefined && (props.tracing === true || props.tracingSamplingPercentage !== undefined)) {
      const field = props.tracing === true ? 'tracing' : 'tracingSamplingPercentage';
      throw meshError(this, field, 'needs a tracingProvider (MeshPlatform installs no trace collector, so spans would go nowhere)',
        props.tracing === true ? true : props.tracingSamplingPercentage,
        'pass tracingProvider: TracingProvider.zipkin() or TracingProvider.openTelemetry({ service }) for a collector you run');
    }
    return props.tracing === false ? undefined : props.tracingProvider;
  }

  /**
   * PodMonitor `envoy-stats-monitor` of IIO samples/addons/extras/prometheus-operator.yaml (keep `istio-proxy`
   * containers of pods with the `prometheus.io/scrape` annotation, scrape `/stats/prometheus` on the annotated
   * port, IPv4 and IPv6), labelled for the Prometheus that scrapes the proxies. Its `pod_name` relabeling is left
   * out: prometheus-operator already adds `namespace` and `pod`, the labels the recording rules sum away.
   */
  private _envoyPodMonitor(namespace: string, labels: Record<string, string>): prom.PodMonitor {
    const address = ['__meta_kubernetes_pod_annotation_prometheus_io_port', '__meta_kubernetes_pod_ip'];
    return withApiFieldNames(new prom.PodMonitor(this, 'EnvoyStatsMonitor', {
      metadata: { name: 'envoy-stats-monitor', namespace, labels: { ...labels } },
      spec: {
        selector: { matchExpressions: [{ key: 'istio-prometheus-ignore', operator: 'DoesNotExist' }] },
        namespaceSelector: { any: true },
        jobLabel: 'envoy-stats',
        podMetricsEndpoints: [{
          path: '/stats/prometheus',
          interval: '15s',
          relabelings: [
            { action: 'keep', sourceLabels: ['__meta_kubernetes_pod_container_name'], regex: 'istio-proxy' },
            { action: 'keep', sourceLabels: ['__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape'], regex: 'true' },
            {
              action: 'replace', sourceLabels: address, regex: '(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})',
              replacement: '[$2]:$1', targetLabel: '__address__',
            },
            { action: 'replace', sourceLabels: address, regex: '(\\d+);((([0-9]+?)(\\.|$)){4})', replacement: '$2:$1', targetLabel: '__address__' },
            { action: 'labeldrop', regex: '__meta_kubernetes_pod_label_(.+)' },
          ],
        }],
      },
    } as unknown as prom.PodMonitorProps));
  }
}
