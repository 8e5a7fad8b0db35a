/*
 * Internal (not re-exported): the Helm values of the mesh Prometheus that `MeshPlatform.useObservability()`
 * installs for `MeshPrometheus.istio()` (a second kube-prometheus-stack release that only renders a Prometheus
 * object, run by the first release's operator), the Service it is reached through, and the central stack's
 * selectors. Chart facts: prometheus-community/helm-charts charts/kube-prometheus-stack values.yaml and
 * templates/prometheus/{prometheus,service}.yaml, templates/_helpers.tpl.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IstioPrometheusEndpoint } from '../observability/mesh-observability';

/** Helm release name (and HelmRelease name) of the mesh Prometheus. */
export const MESH_PROMETHEUS_RELEASE = 'istio-prometheus';

/**
 * `fullnameOverride` of the mesh Prometheus release: the chart names its Prometheus object
 * `<fullname>-prometheus` (kube-prometheus-stack.prometheus.crname), so it is "istio-prometheus".
 */
const FULLNAME = 'istio';

/** The port a prometheus-operator Prometheus listens on (its container port `web`/`http-web`). */
export const MESH_PROMETHEUS_PORT = 9090;

/** The name of the Prometheus custom resource the release renders (and the operator's `operator.prometheus.io/name` pod label). */
export const MESH_PROMETHEUS_CR_NAME = `${FULLNAME}-prometheus`;

/**
 * How long the mesh Prometheus keeps the per-pod series: the "very short retention window (6 hours)" of Istio's
 * production monitoring guide; the central Prometheus keeps the federated workload series.
 */
export const MESH_PROMETHEUS_RETENTION = '6h';

/** The selectors prometheus-operator reads from a Prometheus object, and the label set each must require. */
const SELECTORS = ['ruleSelector', 'serviceMonitorSelector', 'podMonitorSelector'] as const;

function selectorValues(labels: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of SELECTORS) {
    out[s] = { matchLabels: { ...labels } };
    // Ignored once the selector is set (the template's first branch); explicit so the release label never sneaks in.
    out[`${s}NilUsesHelmValues`] = false;
  }
  return out;
}

/**
 * The central kube-prometheus-stack's selectors: `release: <release>` for rules, ServiceMonitors and PodMonitors.
 * That is what the chart renders by default (`...SelectorNilUsesHelmValues: true`); set explicitly so that what
 * the central stack selects is stated in its HelmRelease, next to the mesh Prometheus' selectors.
 */
export function centralPrometheusValues(release: string): Record<string, unknown> {
  return { prometheus: { prometheusSpec: selectorValues({ release }) } };
}

/**
 * Values of the mesh Prometheus release (kube-prometheus-stack): only the Prometheus object. No CRDs, operator,
 * Alertmanager, Grafana, node exporter, kube-state-metrics, default rules or Kubernetes component monitors
 * (the central release has them; the operator it runs watches every namespace: `prometheusOperator.namespaces`
 * and `denyNamespaces` empty, `prometheusInstanceSelector` unset). Its rule, ServiceMonitor and PodMonitor
 * selectors require `target.selectorLabels`; the chart's Service and self-monitor are off, since the platform
 * creates the Service `target.serviceName` (meshPrometheusService()).
 */
export function meshPrometheusValues(target: IstioPrometheusEndpoint): Record<string, unknown> {
  return {
    fullnameOverride: FULLNAME,
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
        ...selectorValues(target.selectorLabels),
        retention: MESH_PROMETHEUS_RETENTION,
        externalUrl: target.url,
      },
    },
  };
}

/**
 * The Service the mesh Prometheus is reached through (`target.serviceName` in `target.namespace`, labelled
 * `target.serviceLabels`, port `http-web` 9090 to the pods' 9090). It selects the pods the way the
 * chart's own Service does (templates/prometheus/service.yaml): `app.kubernetes.io/name: prometheus` and
 * `operator.prometheus.io/name: <Prometheus object>`, labels prometheus-operator puts on the pods it runs.
 */
export function meshPrometheusService(scope: Construct, id: string, target: IstioPrometheusEndpoint): k8s.KubeService {
  return new k8s.KubeService(scope, id, {
    metadata: { name: target.serviceName, namespace: target.namespace, labels: { ...target.serviceLabels } },
    spec: {
      selector: { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': MESH_PROMETHEUS_CR_NAME },
      ports: [{ name: 'http-web', port: MESH_PROMETHEUS_PORT, targetPort: k8s.IntOrString.fromNumber(MESH_PROMETHEUS_PORT) }],
    },
  });
}
