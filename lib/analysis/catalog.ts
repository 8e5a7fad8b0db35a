import type { IAnalysisRule } from './context';
import { ISTIO_DEPRECATED } from './rules/istio-deprecation';
import { ISTIO_DESTINATION_RULE_RULES } from './rules/istio-destinationrule';
import { ISTIO_ENVOY_FILTER_RULES } from './rules/istio-envoy-filter';
import { ISTIO_GATEWAY_RULES } from './rules/istio-gateway';
import { ISTIO_POLICY_RULES } from './rules/istio-policy';
import { ISTIO_REFERENCE_RULES } from './rules/istio-references';
import { ISTIO_SELECTOR_RULES } from './rules/istio-selectors';
import { ISTIO_SERVICE_RULES } from './rules/istio-service';
import { ISTIO_SERVICE_ENTRY_RULES } from './rules/istio-service-entry';
import { ISTIO_VIRTUAL_SERVICE_RULES } from './rules/istio-virtualservice';
import { ISTIO_WORKLOAD_RULES } from './rules/istio-workload';
import { WORKLOAD_RELIABILITY_RULES } from './rules/workload-reliability';
import { WORKLOAD_SECURITY_RULES } from './rules/workload-security';

/**
 * The rules that mirror `istioctl analyze` (each with its IST code) and the workload rules (Pod Security, kube-score
 * class), in the order they run. Listed in rules/index.ts after the library's own rules.
 */
export const ISTIO_AND_WORKLOAD_RULES: readonly IAnalysisRule[] = [
  ...ISTIO_REFERENCE_RULES,
  ...ISTIO_VIRTUAL_SERVICE_RULES,
  ...ISTIO_GATEWAY_RULES,
  ...ISTIO_SERVICE_RULES,
  ...ISTIO_SERVICE_ENTRY_RULES,
  ...ISTIO_SELECTOR_RULES,
  ...ISTIO_ENVOY_FILTER_RULES,
  ISTIO_DEPRECATED,
  ...ISTIO_DESTINATION_RULE_RULES,
  ...ISTIO_POLICY_RULES,
  ...ISTIO_WORKLOAD_RULES,
  ...WORKLOAD_SECURITY_RULES,
  ...WORKLOAD_RELIABILITY_RULES,
];
