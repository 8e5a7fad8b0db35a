import { Duration, Testing } from 'cdk8s';
import { ISTIO_AGGREGATED_METRICS, MeshObservability, MeshPrometheus, TracingProvider } from '../../lib/observability';
import { expectValidManifests } from '../util/schema';

const find = (out: any[], kind: string, name: string) => {
  const o = out.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};

describe('MeshObservability', () => {
  test('default (the material): recording rules, istio-federation ServiceMonitor, mesh-wide Telemetry', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'Observability');
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'PrometheusRule/istio-system/istio-metrics-aggregation',
      'ServiceMonitor/istio-system/istio-federation',
      'Telemetry/istio-system/mesh-default',
    ]);
    expect(obs.release).toBe('kube-prometheus-stack');
    expect(obs.meshPrometheus.federated).toBe(true);
    expectValidManifests(out);
  });

  test('recording rules: group istio.recording-rules every 5s, workload:X = sum without(instance, kubernetes_namespace, kubernetes_pod_name) (X)', () => {
    const chart = Testing.chart();
    new MeshObservability(chart, 'Observability');
    const rule = find(Testing.synth(chart), 'PrometheusRule', 'istio-metrics-aggregation');
    expect(rule.spec.groups).toHaveLength(1);
    const group = rule.spec.groups[0];
    expect(group.name).toBe('istio.recording-rules');
    expect(group.interval).toBe('5s');
    expect(group.rules).toHaveLength(14);
    expect(group.rules).toContainEqual({
      record: 'workload:istio_requests_total',
      expr: 'sum without(instance, kubernetes_namespace, kubernetes_pod_name) (istio_requests_total)',
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

  test('istiodValues(): accessLogFile, enableTracing and the tracing extension provider', () => {
    const obs = new MeshObservability(Testing.chart(), 'Observability');
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
    const obs = new MeshObservability(chart, 'Observability', { accessLogging: false });
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
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'PrometheusRule/istio-metrics-aggregation', 'PodMonitor/envoy-stats-monitor', 'ServiceMonitor/istio-component-monitor', 'Telemetry/mesh-default',
    ]);
    for (const o of out.filter((x) => x.kind !== 'Telemetry')) expect(o.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    const rule = find(out, 'PrometheusRule', 'istio-metrics-aggregation');
    expect(rule.spec.groups[0].rules[0].expr).toBe('sum without(instance, namespace, pod) (istio_requests_total)');
    const pm = find(out, 'PodMonitor', 'envoy-stats-monitor');
    expect(pm.spec.podMetricsEndpoints[0].path).toBe('/stats/prometheus');
    expect(pm.spec.podMetricsEndpoints[0].relabelings).toHaveLength(4);
    expectValidManifests(out);
  });

  test('MeshPrometheus.istio() options: namespace, service, port, rule labels and instance labels', () => {
    const chart = Testing.chart();
    new MeshObservability(chart, 'Observability', {
      meshPrometheus: MeshPrometheus.istio({
        namespace: 'mesh-monitoring', serviceSelector: { 'app.kubernetes.io/name': 'prometheus' }, port: 9091,
        ruleSelectorLabels: { prometheus: 'mesh' }, instanceLabels: ['instance', 'pod'],
      }),
      federationInterval: Duration.minutes(1),
    });
    const out = Testing.synth(chart);
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
      .toThrow(/'accessLogging' and 'tracing' are both off.*Fix: turn one of them on/);
  });

  test('fails on a bad sampling percentage, bad instance labels and a federation interval without federation', () => {
    expect(() => new MeshObservability(Testing.chart(), 'Observability', { tracingSamplingPercentage: -1 }))
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
