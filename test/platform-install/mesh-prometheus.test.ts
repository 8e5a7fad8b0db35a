import { App, Chart, Testing } from 'cdk8s';
import { ISTIO_PROMETHEUS_ADDRESS } from '../../lib/delivery/metric-template';
import { GitOpsCluster } from '../../lib/gitops';
import { MeshObservability, MeshObservabilityProps, MeshPrometheus } from '../../lib/observability';
import { MeshPlatform, MeshPlatformProps, PLATFORM_CHARTS } from '../../lib/platform';
import { collectWarnings, WARNING_METADATA } from '../../lib/private/warnings';
import { buildReferencePlatform } from '../../platform';
import { expectValidManifests } from '../util/schema';

/** The S12 setup on the platform: MeshObservability (configs layer) handed to useObservability(). */
function s12(props: Partial<MeshPlatformProps> = {}, obsProps: MeshObservabilityProps = {}) {
  const app: App = Testing.app();
  const controllers = new Chart(app, 'controllers');
  const configs = new Chart(app, 'configs');
  const mesh = new Chart(app, 'mesh');
  const platform = new MeshPlatform(app, 'Platform', { controllers, mesh, ...props });
  const obs = platform.useObservability(new MeshObservability(configs, 'Observability', obsProps));
  const out = { controllers: Testing.synth(controllers), configs: Testing.synth(configs), mesh: Testing.synth(mesh) };
  return { platform, obs, out, all: [...out.controllers, ...out.configs, ...out.mesh] };
}

const find = (out: any[], kind: string, name: string) => {
  const o = out.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};
/** Whether a `matchLabels` selector selects an object labelled `labels`. */
const selects = (selector: { matchLabels: Record<string, string> }, labels: Record<string, string> = {}) =>
  Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v);
const SELECTORS = ['ruleSelector', 'serviceMonitorSelector', 'podMonitorSelector'];

describe('MeshPlatform mesh Prometheus (S12, MeshPrometheus.istio())', () => {
  test('installs kube-prometheus-stack as release istio-prometheus in istio-system: only a Prometheus, run by the central operator', () => {
    const { out } = s12();
    const hr = find(out.controllers, 'HelmRelease', 'istio-prometheus');
    expect(hr.metadata.namespace).toBe('flux-system');
    expect(hr.spec).toMatchObject({
      releaseName: 'istio-prometheus', targetNamespace: 'istio-system', storageNamespace: 'istio-system',
      chart: { spec: { chart: 'kube-prometheus-stack', version: PLATFORM_CHARTS.kubePrometheusStack.version, sourceRef: { kind: 'HelmRepository', name: 'prometheus-community' } } },
      // CRDs come from the central release only
      install: { crds: 'Skip' }, upgrade: { crds: 'Skip' },
      // after the release that installs the CRDs and runs the operator
      dependsOn: [{ name: 'kube-prometheus-stack' }],
    });
    expect(hr.spec.values).toEqual({
      fullnameOverride: 'istio',
      crds: { enabled: false },
      prometheusOperator: { enabled: false },
      alertmanager: { enabled: false },
      grafana: { enabled: false },
      nodeExporter: { enabled: false },
      kubeStateMetrics: { enabled: false },
      kubernetesServiceMonitors: { enabled: false },
      defaultRules: { create: false },
      prometheus: {
        service: { enabled: false },
        serviceMonitor: { selfMonitor: false },
        prometheusSpec: {
          externalUrl: 'http://prometheus.istio-system:9090',
          retention: '6h',
          ruleSelector: { matchLabels: { release: 'istio' } },
          ruleSelectorNilUsesHelmValues: false,
          serviceMonitorSelector: { matchLabels: { release: 'istio' } },
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelector: { matchLabels: { release: 'istio' } },
          podMonitorSelectorNilUsesHelmValues: false,
        },
      },
    });
  });

  test('the Service prometheus in istio-system, port 9090, selecting the pods prometheus-operator runs for istio-prometheus', () => {
    const { out, platform } = s12();
    const svc = find(out.controllers, 'Service', 'prometheus');
    expect(svc.metadata).toEqual({ name: 'prometheus', namespace: 'istio-system', labels: { app: 'prometheus' } });
    expect(svc.spec).toEqual({
      selector: { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': 'istio-prometheus' },
      ports: [{ name: 'http-web', port: 9090, targetPort: 9090 }],
    });
    expect(platform.meshPrometheusService).toBeDefined();
    // the Prometheus object kube-prometheus-stack renders is `<fullnameOverride>-prometheus`
    expect(`${find(out.controllers, 'HelmRelease', 'istio-prometheus').spec.values.fullnameOverride}-prometheus`).toBe(svc.spec.selector['operator.prometheus.io/name']);
  });

  test('selectors: the Istio Prometheus loads the rules and both scrape monitors, the central stack none of them (only the federation)', () => {
    const { out } = s12();
    const istioSpec = find(out.controllers, 'HelmRelease', 'istio-prometheus').spec.values.prometheus.prometheusSpec;
    const centralSpec = find(out.controllers, 'HelmRelease', 'kube-prometheus-stack').spec.values.prometheus.prometheusSpec;
    const rule = find(out.configs, 'PrometheusRule', 'istio-metrics-aggregation');
    const pm = find(out.configs, 'PodMonitor', 'envoy-stats-monitor');
    const istiod = find(out.configs, 'ServiceMonitor', 'istio-component-monitor');
    const fed = find(out.configs, 'ServiceMonitor', 'istio-federation');
    for (const o of [rule, pm, istiod, fed]) expect(o.metadata.namespace).toBe('istio-system');

    expect(selects(istioSpec.ruleSelector, rule.metadata.labels)).toBe(true);
    expect(selects(istioSpec.podMonitorSelector, pm.metadata.labels)).toBe(true);
    expect(selects(istioSpec.serviceMonitorSelector, istiod.metadata.labels)).toBe(true);
    expect(selects(istioSpec.serviceMonitorSelector, fed.metadata.labels)).toBe(false); // it does not federate itself

    // the central stack: `release: kube-prometheus-stack` (its chart default, explicit in its values)
    for (const s of SELECTORS) expect(centralSpec[s]).toEqual({ matchLabels: { release: 'kube-prometheus-stack' } });
    expect(selects(centralSpec.ruleSelector, rule.metadata.labels)).toBe(false);
    expect(selects(centralSpec.podMonitorSelector, pm.metadata.labels)).toBe(false);
    expect(selects(centralSpec.serviceMonitorSelector, istiod.metadata.labels)).toBe(false);
    expect(selects(centralSpec.serviceMonitorSelector, fed.metadata.labels)).toBe(true);
  });

  test('one address: Flagger metricsServer, the federation target and MetricTemplate default all reach the installed Service', () => {
    const { out, platform, obs } = s12();
    const svc = find(out.controllers, 'Service', 'prometheus');
    const fed = find(out.configs, 'ServiceMonitor', 'istio-federation');
    const flagger = find(out.mesh, 'HelmRelease', 'flagger');
    const url = `http://${svc.metadata.name}.${svc.metadata.namespace}:${svc.spec.ports[0].port}`;
    expect(flagger.spec.values).toEqual({ meshProvider: 'istio', metricsServer: url });
    expect(platform.metricsServerUrl).toBe(url);
    expect(obs.istioPrometheus!.url).toBe(url);
    expect(url).toBe(ISTIO_PROMETHEUS_ADDRESS);
    expect(selects(fed.spec.selector, svc.metadata.labels)).toBe(true);
    expect(fed.spec.namespaceSelector.matchNames).toEqual([svc.metadata.namespace]);
    expect(fed.spec.endpoints[0].targetPort).toBe(svc.spec.ports[0].targetPort);
    // Flagger waits for the Prometheus it queries; the central Prometheus URL stays where it was
    expect(flagger.spec.dependsOn).toEqual([
      { name: 'istiod', namespace: 'cert-manager' }, { name: 'istio-prometheus' }, { name: 'kube-prometheus-stack' },
    ]);
    expect(platform.prometheusUrl).toBe('http://kube-prometheus-stack-prometheus.monitoring:9090');
  });

  test('no warning, the release is part of the platform, and everything validates against the schemas', () => {
    const { platform, all } = s12();
    expect(platform.node.metadata.filter((m) => m.type === WARNING_METADATA)).toEqual([]);
    expect(platform.releases.map((r) => r.name)).toEqual([
      'istio-base', 'istio-cni', 'cert-manager', 'kube-prometheus-stack', 'istio-prometheus', 'istiod', 'istio-ingressgateway', 'flagger', 'flagger-loadtester',
    ]);
    expect(platform.node.validate()).toEqual([]);
    expectValidManifests(all);
  });

  test('options of MeshPrometheus.istio() flow into the install: namespace (created), Service name and labels, selector labels', () => {
    const { out, platform } = s12({}, {
      meshPrometheus: MeshPrometheus.istio({
        namespace: 'mesh-monitoring', serviceName: 'mesh-prometheus', serviceSelector: { 'app.kubernetes.io/name': 'mesh-prometheus' },
        ruleSelectorLabels: { prometheus: 'mesh' },
      }),
    });
    expect(find(out.controllers, 'Namespace', 'mesh-monitoring').metadata.labels).toBeUndefined(); // no sidecar injection
    const hr = find(out.controllers, 'HelmRelease', 'istio-prometheus');
    expect(hr.spec.targetNamespace).toBe('mesh-monitoring');
    for (const s of SELECTORS) expect(hr.spec.values.prometheus.prometheusSpec[s]).toEqual({ matchLabels: { prometheus: 'mesh' } });
    const svc = find(out.controllers, 'Service', 'mesh-prometheus');
    expect(svc.metadata).toEqual({ name: 'mesh-prometheus', namespace: 'mesh-monitoring', labels: { 'app.kubernetes.io/name': 'mesh-prometheus' } });
    expect(find(out.mesh, 'HelmRelease', 'flagger').spec.values.metricsServer).toBe('http://mesh-prometheus.mesh-monitoring:9090');
    expect(platform.metricsServerUrl).toBe('http://mesh-prometheus.mesh-monitoring:9090');
    expect(find(out.configs, 'ServiceMonitor', 'istio-federation').spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'mesh-prometheus' });
  });

  test('explicit opt-out (installMeshPrometheus: false): nothing installed, the warning stays, Flagger queries the central Prometheus', () => {
    const { platform, all } = s12({ installMeshPrometheus: false });
    expect(platform.meshPrometheusRelease).toBeUndefined();
    expect(all.filter((o) => o.kind === 'HelmRelease').map((o) => o.metadata.name)).not.toContain('istio-prometheus');
    expect(all.filter((o) => o.kind === 'Service')).toEqual([]);
    expect(platform.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => m.data)).toEqual([
      'installMeshPrometheus is false: install the mesh Prometheus the MeshObservability federates from yourself (operator-managed, selecting '
      + '{"release":"istio"}, reached at http://prometheus.istio-system:9090); Flagger queries http://kube-prometheus-stack-prometheus.monitoring:9090 '
      + '[platform:mesh-prometheus-not-installed]',
    ]);
    expect(find(all, 'HelmRelease', 'flagger').spec.values.metricsServer).toBe('http://kube-prometheus-stack-prometheus.monitoring:9090');
  });

  test('fails on a port the operator-managed Prometheus does not listen on', () => {
    expect(() => s12({}, { meshPrometheus: MeshPrometheus.istio({ port: 9091 }) }))
      .toThrow(/^\[Platform\] 'useObservability' installs the mesh Prometheus, which listens on 9090 .*got 9091\. Fix: drop 'port' \(default 9090\), or pass installMeshPrometheus: false/);
    // with the opt-out the port is the caller's business
    expect(() => s12({ installMeshPrometheus: false }, { meshPrometheus: MeshPrometheus.istio({ port: 9091 }) })).not.toThrow();
  });

  test('fails on a mesh Prometheus in the sidecar-injected load tester namespace', () => {
    expect(() => s12({}, { meshPrometheus: MeshPrometheus.istio({ namespace: 'test' }) }))
      .toThrow(/^\[Platform\] 'useObservability' installs the mesh Prometheus in a namespace labelled for sidecar injection .*got "test"\. Fix: use MeshPrometheus\.istio\(\{ namespace: "istio-system" \}\)/);
  });

  test('fails on Istio Prometheus labels the central stack would select (it would scrape every proxy twice)', () => {
    expect(() => s12({}, { meshPrometheus: MeshPrometheus.istio({ ruleSelectorLabels: { release: 'kube-prometheus-stack' } }) }))
      .toThrow(/'meshPrometheus\.ruleSelectorLabels' must not carry the central stack's label release: "kube-prometheus-stack"/);
  });

  test('a failed useObservability() installs nothing (the check runs before the release is added)', () => {
    const app = Testing.app();
    const controllers = new Chart(app, 'controllers');
    const configs = new Chart(app, 'configs');
    const platform = new MeshPlatform(app, 'Platform', { controllers });
    expect(() => platform.useObservability(new MeshObservability(configs, 'Obs', { meshPrometheus: MeshPrometheus.istio({ port: 9091 }) }))).toThrow();
    expect(platform.meshPrometheusRelease).toBeUndefined();
    expect(Testing.synth(controllers).filter((o) => o.kind === 'HelmRelease').map((o) => o.metadata.name)).not.toContain('istio-prometheus');
  });

  test('in a GitOpsCluster: the mesh Prometheus in the controllers layer, its rules and monitors in configs, Flagger in mesh', () => {
    const app = Testing.app();
    const cluster = new GitOpsCluster(app, 'staging');
    const controllers = new Chart(cluster.controllers, 'platform');
    const configs = new Chart(cluster.configs, 'mesh-config');
    const mesh = new Chart(cluster.mesh, 'control-plane');
    const platform = new MeshPlatform(app, 'Platform', { controllers, mesh });
    platform.useObservability(new MeshObservability(configs, 'Observability'));
    expect(cluster.node.validate()).toEqual([]);
    expect(Testing.synth(controllers).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['HelmRelease/istio-prometheus', 'Service/prometheus']));
    expect(Testing.synth(configs).map((o) => o.kind).sort()).toEqual(['PodMonitor', 'PrometheusRule', 'ServiceMonitor', 'ServiceMonitor', 'Telemetry']);
    expect(find(Testing.synth(mesh), 'HelmRelease', 'flagger').spec.dependsOn).toContainEqual({ name: 'istio-prometheus' });
  });

  test('the reference platform (platform/cluster.ts) installs it in both clusters, without the warning', () => {
    const app = Testing.app();
    const ref = buildReferencePlatform(app);
    expect(collectWarnings(app).filter((w) => w.includes('platform:mesh-prometheus-not-installed'))).toEqual([]);
    for (const c of [ref.staging, ref.production]) {
      expect(c.platform.meshPrometheusRelease?.name).toBe('istio-prometheus');
      expect(c.platform.metricsServerUrl).toBe(ISTIO_PROMETHEUS_ADDRESS);
      expect(c.observability.tracingProvider?.name).toBe('zipkin'); // the reference platform traces to a collector its teams install
    }
  });
});
