/*
 * Helpers shared by the observability constructs: Prometheus syntax checks (metric and label names), Kubernetes
 * label checks and Prometheus duration rendering. Internal (not re-exported), and a leaf: it imports nothing
 * outside lib/private/.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkDurationInput } from './duration-input';
import { meshError } from './errors';

/** Prometheus metric name syntax (also the syntax of a recording rule's `record`). */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Prometheus label name syntax (Prometheus 2.x; names starting with "__" are reserved for internal use). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Renders a cdk8s Duration in Prometheus duration syntax (the prometheus-operator CRDs' pattern
 * `^(0|(([0-9]+)y)?...(([0-9]+)ms)?)$`): largest units first, zero parts left out: 5s → "5s", 90s → "1m30s",
 * 1h → "1h", 1500ms → "1s500ms". Throws unless it is a positive whole number of milliseconds.
 */
export function promDuration(scope: IConstruct, field: string, duration: Duration): string {
  const total = checkDurationInput(scope, field, duration).toMilliseconds({ integral: false });
  if (!Number.isInteger(total) || total <= 0) {
    throw meshError(scope, field, 'must be a positive whole number of milliseconds', duration.toHumanString(),
      'pass a duration such as Duration.seconds(30) or Duration.minutes(1)');
  }
  const units: Array<[string, number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let rest = total;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** Throws unless `name` is a Prometheus metric name. */
export function checkMetricName(scope: IConstruct, field: string, name: string): string {
  if (!METRIC_NAME.test(name)) {
    const suggestion = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^([0-9])/, '_$1') || 'my_metric';
    throw meshError(scope, field, 'must be a Prometheus metric name (letters, digits, "_" and ":", not starting with a digit)', name,
      `use a name like ${JSON.stringify(suggestion)} (convention: level:metric:operations, e.g. "workload:istio_requests_total")`);
  }
  return name;
}

/** Throws unless every key of `labels` is a Prometheus label name and every value a non-empty string. */
export function checkPromLabels(scope: IConstruct, field: string, labels: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k)) {
      throw meshError(scope, `${field}.${k}`, 'must be a Prometheus label name (letters, digits and "_", not starting with a digit)', k,
        `rename the label to ${JSON.stringify(k.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1'))}`);
    }
    if (typeof v !== 'string') {
      throw meshError(scope, `${field}.${k}`, 'must be a string', v, `write the value as a string, e.g. ${JSON.stringify(String(v))}`);
    }
  }
  return Object.keys(labels).length ? sortedRecord(labels) : undefined;
}

/** A copy of `record` with its keys in code-unit order (stable output). */
export function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k];
  return out;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Kubernetes object labels (metadata.labels, label selectors): keys are qualified names, values at most 63 characters. */
export function checkK8sLabels(scope: IConstruct, field: string, labels: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k) || k.length > 316) {
      throw meshError(scope, `${field}`, 'keys must be Kubernetes label keys ([prefix/]name, name of at most 63 letters, digits, "-", "_", ".")', k,
        'use a key like "release" or "app.kubernetes.io/name"');
    }
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) {
      throw meshError(scope, `${field}.${k}`, 'must be a Kubernetes label value (at most 63 letters, digits, "-", "_", ".", starting and ending alphanumeric)', v,
        'use a value like "kube-prometheus-stack"');
    }
  }
  return Object.keys(labels).length ? sortedRecord(labels) : undefined;
}
