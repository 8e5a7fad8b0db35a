import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkDurationInput } from './duration-input';
import { meshError } from './errors';

/**
 * Renders a Duration the way Flagger's CRD accepts it (pattern `^[0-9]+(m|s)`): whole minutes as
 * "5m", anything else as whole seconds ("90s"). Flagger rejects hours and sub-second values.
 */
export function flaggerDuration(scope: IConstruct, field: string, duration: Duration, minSeconds = 1): string {
  const seconds = flaggerSeconds(scope, field, duration);
  if (seconds < minSeconds) {
    throw meshError(scope, field, `must be at least ${minSeconds}s`, duration.toHumanString(), `pass Duration.seconds(${minSeconds}) or more`);
  }
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** Whole seconds of a Duration (Flagger durations have a resolution of one second). */
export function flaggerSeconds(scope: IConstruct, field: string, duration: Duration): number {
  const raw = checkDurationInput(scope, field, duration).toSeconds({ integral: false });
  if (!Number.isFinite(raw)) {
    throw meshError(scope, field, 'must be a finite duration', raw, 'pass a duration computed from valid numbers, e.g. Duration.seconds(30)');
  }
  if (!Number.isInteger(raw)) {
    throw meshError(scope, field, 'must be a whole number of seconds (Flagger durations are "<n>s" or "<n>m")', duration.toHumanString(),
      `use Duration.seconds(${Math.max(1, Math.round(raw))})`);
  }
  return raw;
}

/** Parses a rendered Flagger duration ("30s", "2m") back to seconds; undefined when it is not one. */
export function parseFlaggerDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^([0-9]+)(m|s)$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

/** The labels Flagger's Istio provider uses; the builtin metrics it knows without a MetricTemplate. */
export const FLAGGER_BUILTIN_METRICS = ['request-success-rate', 'request-duration'] as const;

/** Default timeout Flagger applies to a webhook without one (pkg/controller/webhook.go). */
export const FLAGGER_DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 10;

/** Flagger's default analysis interval. */
export const FLAGGER_DEFAULT_INTERVAL_SECONDS = 60;

/** Names Flagger generates for a Canary's service and target (it creates and owns these objects). */
export function flaggerOwnedNames(service: string): { apex: string; primary: string; canary: string } {
  return { apex: service, primary: `${service}-primary`, canary: `${service}-canary` };
}

/**
 * Annotation on a Canary listing the MetricTemplates (`<namespace>/<name>`, comma-separated) it references that exist in
 * the cluster already (`MetricTemplate.fromMetricTemplateName()`): the analysis does not look for them among the
 * synthesized objects.
 */
export const EXISTING_METRIC_TEMPLATES_ANNOTATION = 'cdk8s-mesh.io/existing-metric-templates';
