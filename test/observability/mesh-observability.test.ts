import { Duration, Testing } from 'cdk8s';
import { ISTIO_PROMETHEUS_ADDRESS } from '../../lib/delivery/metric-template';
import { ISTIO_AGGREGATED_METRICS, MeshObservability, MeshPrometheus, TracingProvider } from '../../lib/observability';
import { expectValidManifests } from '../util/schema';

const find = (out: any[], kind: string, name: string) => {
  const o = out.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};

/** Whether a `matchLabels` selector selects an object labelled `labels`. */
const selects = (matchLabels: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(matchLabels).every(([k, v]) => labels[k] === v);

describe('MeshObservability', () => {
  test('default (the material): recording rules, scrape monitors and federation for the Istio Prometheus, mesh-wide Telemetry', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'Observability');
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'PrometheusRule/istio-system/istio-metrics-aggregation',
      'ServiceMonitor/istio-system/istio-federation',
      'PodMonitor/istio-system/envoy-stats-monitor',
      'ServiceMonitor/istio-system/istio-component-monitor',
      'Telemetry/istio-system/mesh-default',
    ]);
    expect(obs.release).toBe('kube-prometheus-stack');
    expect(obs.meshPrometheus.federated).toBe(true);
    // documented defaults of MeshPrometheus.istio(): where the mesh Prometheus is reached, what it selects
    expect(obs.istioPrometheus).toEqual({
      namespace: 'istio-system', serviceName: 'prometheus', serviceLabels: { app: 'prometheus' }, port: 9090,
      selectorLabels: { release: 'istio' }, url: 'http://prometheus.istio-system:9090',
    });
    expect(obs.istioPrometheus!.url).toBe(ISTIO_PROMETHEUS_ADDRESS); // where MetricTemplate and Flagger's Istio guide look
    expectValidManifests(out);
  });

  test('the Istio Prometheus scrapes the sidecars and istiod: PodMonitor and ServiceMonitor labelled like the rules, not for the central stack', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'Observability');
    const out = Testing.synth(chart);
    const pm = find(out, 'PodMonitor', 'envoy-stats-monitor');
    const istiod = find(out, 'ServiceMonitor', 'istio-component-monitor');
    const rule = find(out, 'PrometheusRule', 'istio-metrics-aggregation');
    const fed = find(out, 'ServiceMonitor', 'istio-federation');
    for (const o of [pm, istiod, rule]) expect(o.metadata.labels).toEqual(obs.istioPrometheus!.selectorLabels);
    // kube-prometheus-stack selects `release: kube-prometheus-stack`: only the federation, never the per-pod scrapes
    const central = { release: 'kube-prometheus-stack' };
    expect([pm, istiod, rule].map((o) => selects(central, o.metadata.labels))).toEqual([false, false, false]);
    expect(selects(central, fed.metadata.labels)).toBe(true);
    expect(selects(obs.istioPrometheus!.selectorLabels, fed.metadata.labels)).toBe(false);
    // IIO samples/addons/extras/prometheus-operator.yaml, without its pod_name relabeling (the rules sum away namespace and pod)
    expect(pm.spec).toEqual({
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
            action: 'replace', sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_port', '__meta_kubernetes_pod_ip'],
            regex: '(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})', replacement: '[$2]:$1', targetLabel: '__address__',
          },
          {
            action: 'replace', sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_port', '__meta_kubernetes_pod_ip'],
            regex: '(\\d+);((([0-9]+?)(\\.|$)){4})', replacement: '$2:$1', targetLabel: '__address__',
          },
          { action: 'labeldrop', regex: '__meta_kubernetes_pod_label_(.+)' },
        ],
      }],
    });
    expect(istiod.spec).toEqual({
      selector: { matchLabels: { istio: 'pilot' } },
      namespaceSelector: { matchNames: ['istio-system'] },
      jobLabel: 'istio',
      endpoints: [{ port: 'http-monitoring', interval: '15s' }],
    });
    // the federation reaches the Service the endpoint names
    expect(fed.spec.selector.matchLabels).toEqual(obs.istioPrometheus!.serviceLabels);
    expect(fed.spec.namespaceSelector.matchNames).toEqual([obs.istioPrometheus!.namespace]);
    expect(fed.spec.endpoints[0].targetPort).toBe(obs.istioPrometheus!.port);
  });

  test('recording rules: group istio.recording-rules every 5s, workload:X = sum without(instance, namespace, pod) (X)', () => {
    const chart = Testing.chart();
    new MeshObservability(chart, 'Observability');
    const rule = find(Testing.synth(chart), 'PrometheusRule', 'istio-metrics-aggregation');
    expect(rule.spec.groups).toHaveLength(1);
    const group = rule.spec.groups[0];
    expect(group.name).toBe('istio.recording-rules');
    expect(group.interval).toBe('5s');
    expect(group.rules).toHaveLength(14);
    // the per-pod labels prometheus-operator puts on PodMonitor targets (and that Istio's guide names: instance, pod, namespace);
    // its example's kubernetes_namespace/kubernetes_pod_name do not exist on an operator-managed scrape, and summing them
    // away would leave one workload: series per pod
    expect(group.rules).toContainEqual({
      record: 'workload:istio_requests_total',
      expr: 'sum without(instance, namespace, pod) (istio_requests_total)',
    });
    for (const m of ['istio_request_duration_milliseconds_count', 'istio_request_duration_milliseconds_sum', 'istio_request_duration_milliseconds_bucket',
      'istio_request_bytes_count', 'istio_response_bytes_bucket', 'istio_tcp_sent_bytes_total', 'istio_tcp_received_bytes_total',
      'istio_tcp_connections_opened_total', 'istio_tcp_connections_closed_total']) {
      expect(group.rules.map((r: any) => r.record)).toContain(`workload:${m}`);
    }
    expect(group.rules.map((r: any) => r.record)).toEqual(ISTIO_AGGREGATED_METRICS.map((m) => `workload:${m}`));
    // the rules run where the per-pod series are: the Istio Prometheus (release: istio), not the central stack
    expect(rule.metadata.labels).toEqual({ release: 'istio' });
  });

  test('federation: /federate of the Istio Prometheus, match[] workload: and pilot, honorLabels, prefix stripped, release label', () => {
    const chart = Testing.chart();
    new MeshObservability(chart, 'Observability', { release: 'prom' });
    const sm = find(Testing.synth(chart), 'ServiceMonitor', 'istio-federation');
    expect(sm.metadata).toEqual({ name: 'istio-federation', namespace: 'istio-system', labels: { release: 'prom' } });
    expect(sm.spec.selector).toEqual({ matchLabels: { app: 'prometheus' } });
    expect(sm.spec.endpoints).toEqual([{
      targetPort: 9090,
      path: '/federate',
      interval: '30s',
      scrapeTimeout: '30s',
      honorLabels: true,
      params: { 'match[]': ['{__name__=~"workload:(.*)"}', '{__name__=~"pilot(.*)"}'] },
      metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'workload:(.*)', targetLabel: '__name__', replacement: '$1', action: 'replace' }],
    }]);
  });

  test('Telemetry: envoy access logs and tracing with the provider and sampling', () => {
    const chart = Testing.chart();
    new MeshObservability(chart, 'Observability', {
      tracingProvider: TracingProvider.openTelemetry({ service: 'otel-collector.observability.svc.cluster.local' }),
      tracingSamplingPercentage: 2.5,
    });
    const t = find(Testing.synth(chart), 'Telemetry', 'mesh-default');
    expect(t.spec).toEqual({
      accessLogging: [{ providers: [{ name: 'envoy' }] }],
      tracing: [{ providers: [{ name: 'otel-tracing' }], randomSamplingPercentage: 2.5 }],
    });
  });

  test('tracing is off by default: nothing the platform installs collects spans (no provider, no sampling, no enableTracing)', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'Observability');
    expect(obs.tracingProvider).toBeUndefined();
    expect(obs.istiodValues()).toEqual({ meshConfig: { accessLogFile: '/dev/stdout' } });
    expect(find(Testing.synth(chart), 'Telemetry', 'mesh-default').spec).toEqual({ accessLogging: [{ providers: [{ name: 'envoy' }] }] });
  });

  test('istiodValues(): accessLogFile, enableTracing and the tracing extension provider; 10% sampling by default', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'Observability', { tracingProvider: TracingProvider.zipkin() });
    expect(find(Testing.synth(chart), 'Telemetry', 'mesh-default').spec.tracing).toEqual([{ providers: [{ name: 'zipkin' }], randomSamplingPercentage: 10 }]);
    expect(obs.istiodValues()).toEqual({
      meshConfig: {
        accessLogFile: '/dev/stdout',
        enableTracing: true,
        extensionProviders: [{ name: 'zipkin', zipkin: { service: 'zipkin.istio-system.svc.cluster.local', port: 9411 } }],
      },
    });
    // a fresh copy on every call
    (obs.istiodValues().meshConfig as any).accessLogFile = 'x';
    expect((obs.istiodValues().meshConfig as any).accessLogFile).toBe('/dev/stdout');
  });

  test('access logs off: no accessLogFile and no access logging in the Telemetry', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'Observability', { accessLogging: false, tracingProvider: TracingProvider.zipkin() });
    expect(obs.istiodValues()).toEqual({ meshConfig: { enableTracing: true, extensionProviders: [expect.objectContaining({ name: 'zipkin' })] } });
    expect(find(Testing.synth(chart), 'Telemetry', 'mesh-default').spec.accessLogging).toBeUndefined();
    const noTracing = new MeshObservability(Testing.chart(), 'Observability', { tracing: false });
    expect(noTracing.istiodValues()).toEqual({ meshConfig: { accessLogFile: '/dev/stdout' } });
  });

  test('MeshPrometheus.kubePrometheusStack(): the stack scrapes the proxies and runs the rules, nothing federated', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'Observability', { meshPrometheus: MeshPrometheus.kubePrometheusStack() });
    const out = Testing.synth(chart);
    expect(obs.federation).toBeUndefined();
    expect(obs.istioPrometheus).toBeUndefined();
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'PrometheusRule/istio-metrics-aggregation', 'PodMonitor/envoy-stats-monitor', 'ServiceMonitor/istio-component-monitor', 'Telemetry/mesh-default',
    ]);
    for (const o of out.filter((x) => x.kind !== 'Telemetry')) expect(o.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    const rule = find(out, 'PrometheusRule', 'istio-metrics-aggregation');
    expect(rule.spec.groups[0].rules[0].expr).toBe('sum without(instance, namespace, pod) (istio_requests_total)');
    const pm = find(out, 'PodMonitor', 'envoy-stats-monitor');
    expect(pm.spec.podMetricsEndpoints[0].path).toBe('/stats/prometheus');
    expect(pm.spec.podMetricsEndpoints[0].relabelings).toHaveLength(5);
    expectValidManifests(out);
  });

  test('MeshPrometheus.istio() options: namespace, service, port, rule labels and instance labels', () => {
    const chart = Testing.chart();
    new MeshObservability(chart, 'Observability', {
      meshPrometheus: MeshPrometheus.istio({
        namespace: 'mesh-monitoring', serviceName: 'mesh-prometheus', serviceSelector: { 'app.kubernetes.io/name': 'prometheus' }, port: 9091,
        ruleSelectorLabels: { prometheus: 'mesh' }, instanceLabels: ['instance', 'pod'],
      }),
      federationInterval: Duration.minutes(1),
    });
    const out = Testing.synth(chart);
    expect(find(out, 'PodMonitor', 'envoy-stats-monitor').metadata).toEqual({ name: 'envoy-stats-monitor', namespace: 'mesh-monitoring', labels: { prometheus: 'mesh' } });
    expect(find(out, 'ServiceMonitor', 'istio-component-monitor').metadata.labels).toEqual({ prometheus: 'mesh' });
    // istiod stays in the root namespace
    expect(find(out, 'ServiceMonitor', 'istio-component-monitor').spec.namespaceSelector).toEqual({ matchNames: ['istio-system'] });
    const rule = find(out, 'PrometheusRule', 'istio-metrics-aggregation');
    expect(rule.metadata).toEqual({ name: 'istio-metrics-aggregation', namespace: 'mesh-monitoring', labels: { prometheus: 'mesh' } });
    expect(rule.spec.groups[0].rules[0].expr).toBe('sum without(instance, pod) (istio_requests_total)');
    const sm = find(out, 'ServiceMonitor', 'istio-federation');
    expect(sm.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'prometheus' });
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ['mesh-monitoring'] });
    expect(sm.spec.endpoints[0]).toMatchObject({ targetPort: 9091, interval: '1m', scrapeTimeout: '1m' });
    expectValidManifests(out);
  });

  test('fails on a bad release name, naming path, field, value and fix', () => {
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { release: 'Kube_Prom' }))
      .toThrow(/^\[test\/Observability\] 'release' must be a DNS-1123 label .*got "Kube_Prom"\. Fix: use a name like "kube-prom"/);
  });

  test('fails on tracing settings with tracing off, and on both signals off', () => {
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { tracing: false, tracingSamplingPercentage: 5 }))
      .toThrow(/^\[test\/Observability\] 'tracing' is false but tracing settings were given, got false\. Fix: remove tracingProvider/);
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { tracing: false, accessLogging: false }))
      .toThrow(/'accessLogging' is off and tracing is off \(no tracingProvider\).*Fix: keep access logs on/);
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { accessLogging: false }))
      .toThrow(/'accessLogging' is off and tracing is off/);
  });

  test('fails on tracing without a provider: the platform installs no collector', () => {
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { tracing: true }))
      .toThrow(/^\[test\/Observability\] 'tracing' needs a tracingProvider \(MeshPlatform installs no trace collector, so spans would go nowhere\), got true\. Fix: pass tracingProvider: TracingProvider\.zipkin\(\)/);
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { tracingSamplingPercentage: 5 }))
      .toThrow(/'tracingSamplingPercentage' needs a tracingProvider .*got 5\./);
  });

  test('fails when the Istio Prometheus labels would also be selected by the central stack', () => {
    const central: Record<string, string>[] = [{ release: 'kube-prometheus-stack' }, { release: 'kube-prometheus-stack', mesh: 'istio' }];
    for (const labels of central) {
      expect(() => new MeshObservability(Testing.chart(), 'Observability', { meshPrometheus: MeshPrometheus.istio({ ruleSelectorLabels: labels }) }))
        .toThrow(/^\[test\/Observability\] 'meshPrometheus\.ruleSelectorLabels' must not carry the central stack's label release: "kube-prometheus-stack" .*Fix: keep the default \{ release: "istio" \}/);
    }
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { release: 'prom', meshPrometheus: MeshPrometheus.istio({ ruleSelectorLabels: { release: 'prom' } }) }))
      .toThrow(/must not carry the central stack's label release: "prom"/);
  });

  test('fails on a bad Service name or selector of the Istio Prometheus', () => {
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { meshPrometheus: MeshPrometheus.istio({ serviceName: 'Prometheus.Mesh' }) }))
      .toThrow(/'meshPrometheus\.serviceName' must be a DNS-1123 label .*got "Prometheus\.Mesh"/);
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { meshPrometheus: MeshPrometheus.istio({ serviceSelector: { app: 'bad value!' } }) }))
      .toThrow(/'meshPrometheus\.serviceSelector\.app' must be a Kubernetes label value .*got "bad value!"/);
  });

  test('fails on a bad sampling percentage, bad instance labels and a federation interval without federation', () => {
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { tracingProvider: TracingProvider.zipkin(), tracingSamplingPercentage: -1 }))
      .toThrow(/'tracingSamplingPercentage' must be between 0 and 100, got -1\. Fix:/);
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { meshPrometheus: MeshPrometheus.istio({ instanceLabels: ['kubernetes-pod'] }) }))
      .toThrow(/'meshPrometheus\.instanceLabels\[0\]' must be a Prometheus label name, got "kubernetes-pod"/);
    expect(() => new MeshObservability(Testing.chart(), 'Observability', {
      meshPrometheus: MeshPrometheus.kubePrometheusStack(), federationInterval: Duration.seconds(30),
    })).toThrow(/'federationInterval' has no effect: MeshPrometheus\.kubePrometheusStack\(\) federates nothing, got "30 seconds"/);
  });

  test('fails on a bad tracing provider', () => {
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { tracingProvider: TracingProvider.zipkin({ port: 0 }) }))
      .toThrow(/^\[test\/Observability\] 'tracingProvider\.port' must be an integer from 1 to 65535, got 0/);
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { tracingProvider: TracingProvider.openTelemetry({ service: 'http://otel:4317' }) }))
      .toThrow(/'tracingProvider\.service' must be a DNS-1123 subdomain .*got "http:\/\/otel:4317"/);
  });
});
