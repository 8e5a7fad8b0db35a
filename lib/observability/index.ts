export {
  type AlertingRuleOptions, PrometheusRule, PrometheusRuleEntry, type PrometheusRuleGroup, type PrometheusRuleProps, type RecordingRuleOptions,
} from './prometheus-rule';
export {
  MonitorNamespaces, RelabelAction, type RelabelConfig, type ScrapeEndpoint, ScrapePort, ServiceMonitor, type ServiceMonitorProps,
} from './service-monitor';
export { AccessLogMode, type AccessLogging, ENVOY_ACCESS_LOG_PROVIDER, Telemetry, type TelemetryProps, type TracingSettings } from './telemetry';
export {
  type CentralScrapeOptions, ISTIO_AGGREGATED_METRICS, type IstioPrometheusEndpoint, type IstioPrometheusOptions, MeshObservability,
  type MeshObservabilityProps, MeshPrometheus, type OpenTelemetryTracingOptions, TracingProvider, type ZipkinTracingOptions,
} from './mesh-observability';
