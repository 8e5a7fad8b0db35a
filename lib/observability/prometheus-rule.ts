import { Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as prom from '../../imports/monitoring.coreos.com';
import { checkK8sLabels, checkMetricName, checkPromLabels, promDuration } from '../private/prometheus';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { namespaceOf } from '../private/names';
import { checkDnsLabel, checkDnsSubdomain, checkUnique } from '../private/validate';

/** Options of `PrometheusRuleEntry.record()`. */
export interface RecordingRuleOptions {
  /**
   * Labels added to (or overwritten on) the recorded series.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Options of `PrometheusRuleEntry.alert()`. */
export interface AlertingRuleOptions {
  /**
   * How long the expression must return results before the alert fires (pending before that).
   * @default - fires at the first evaluation that returns results
   */
  readonly for?: Duration;
  /**
   * How long the alert keeps firing after the expression stops returning results.
   * @default - stops at once
   */
  readonly keepFiringFor?: Duration;
  /**
   * Labels added to the alert (e.g. `severity`), used by Alertmanager routing.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Annotations of the alert (e.g. `summary`, `description`, `runbook_url`); values may use templates such as
   * `{{ $labels.destination_workload }}`.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/**
 * One rule of a rule group: a recording rule (stores the result of `expr` as a new series) or an alerting rule.
 * Enum-like: `PrometheusRuleEntry.record('workload:istio_requests_total', 'sum without(instance) (istio_requests_total)')`.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/
 */
export class PrometheusRuleEntry {
  /** A recording rule: `record` must be a metric name, by convention `level:metric:operations`. */
  public static record(record: string, expr: string, options: RecordingRuleOptions = {}): PrometheusRuleEntry {
    return new PrometheusRuleEntry('record', record, expr, options);
  }

  /** An alerting rule named `alert` (any non-empty label value, by convention UpperCamelCase). */
  public static alert(alert: string, expr: string, options: AlertingRuleOptions = {}): PrometheusRuleEntry {
    return new PrometheusRuleEntry('alert', alert, expr, options);
  }

  private constructor(
    /** "record" or "alert". */
    public readonly type: 'record' | 'alert',
    /** The recorded metric name, or the alert name. */
    public readonly name: string,
    /** The PromQL expression. */
    public readonly expr: string,
    private readonly _options: AlertingRuleOptions,
  ) {}

  /** @internal */
  public _toKube(scope: IConstruct, field: string): Record<string, unknown> {
    if (this.type === 'record') checkMetricName(scope, `${field}.record`, this.name);
    else if (this.name.trim() === '') throw meshError(scope, `${field}.alert`, 'must not be empty', this.name, 'name the alert, e.g. "IstioHighErrorRate"');
    if (typeof this.expr !== 'string' || this.expr.trim() === '') {
      throw meshError(scope, `${field}.expr`, 'must be a non-empty PromQL expression', this.expr,
        'pass the query, e.g. "sum without(instance) (istio_requests_total)"');
    }
    const o = this._options;
    return {
      [this.type]: this.name,
      expr: this.expr.trim(),
      for: o.for && promDuration(scope, `${field}.for`, o.for),
      keep_firing_for: o.keepFiringFor && promDuration(scope, `${field}.keepFiringFor`, o.keepFiringFor),
      labels: checkPromLabels(scope, `${field}.labels`, o.labels),
      annotations: o.annotations && Object.keys(o.annotations).length ? checkPromLabels(scope, `${field}.annotations`, o.annotations) : undefined,
    };
  }
}

/** A group of rules, evaluated in order at one interval. */
export interface PrometheusRuleGroup {
  /** Group name, unique within the PrometheusRule (e.g. "istio.recording-rules"). */
  readonly name: string;
  /**
   * How often the group is evaluated.
   * @default - the Prometheus global evaluation interval (kube-prometheus-stack: 30s)
   */
  readonly interval?: Duration;
  /** The rules, evaluated in order (a recording rule can use the series of the rules before it). */
  readonly rules: PrometheusRuleEntry[];
}

/** Props for `PrometheusRule`. */
export interface PrometheusRuleProps {
  /**
   * metadata.name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * metadata.namespace.
   * @default - the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * metadata.labels. A Prometheus only loads PrometheusRules its `ruleSelector` matches: kube-prometheus-stack's
   * default selector wants `release: <its Helm release name>`.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Rule groups; more with `addGroup()`.
   * @default - none (at least one must be added before synthesis)
   */
  readonly groups?: PrometheusRuleGroup[];
}

/**
 * A prometheus-operator PrometheusRule (monitoring.coreos.com/v1): recording and alerting rule groups that every
 * operator-managed Prometheus whose `ruleSelector` matches the labels evaluates.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule
 */
export class PrometheusRule extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** metadata.labels. */
  public readonly labels: Readonly<Record<string, string>>;
  /** The generated L1, for escape hatches. */
  public readonly resource: prom.PrometheusRule;
  private readonly _groups: PrometheusRuleGroup[] = [];

  constructor(scope: Construct, id: string, props: PrometheusRuleProps = {}) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', namespaceOf(this, props.namespace));
    this.labels = checkK8sLabels(this, 'labels', props.labels) ?? {};
    for (const g of props.groups ?? []) this.addGroup(g);

    // The generated converter knows `keepFiringFor` but not the API's `keep_firing_for` spelling, and wraps
    // `expr` in a class: the spec is rendered in API field names and emitted as is.
    this.resource = withApiFieldNames(new prom.PrometheusRule(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: Object.keys(this.labels).length ? { ...this.labels } : undefined },
      spec: Lazy.any({ produce: () => this._toKube() }) as prom.PrometheusRuleSpec,
    }));
    this.node.addValidation({
      validate: () => (this._groups.length ? [] : [`[${this.node.path}] 'groups' must not be empty, got nothing. Fix: pass groups or call addGroup().`]),
    });
  }

  /** The groups, in order. */
  public get groups(): PrometheusRuleGroup[] {
    return [...this._groups];
  }

  /** Adds a rule group (validated now) and returns it. */
  public addGroup(group: PrometheusRuleGroup): PrometheusRuleGroup {
    const field = `groups[${this._groups.length}]`;
    if (typeof group.name !== 'string' || group.name.trim() === '') {
      throw meshError(this, `${field}.name`, 'must not be empty', group.name, 'name the group, e.g. "istio.recording-rules"');
    }
    checkUnique(this, 'groups[].name', [...this._groups, group], (g) => g.name);
    if (!group.rules?.length) {
      throw meshError(this, `${field}.rules`, 'must contain at least one rule', group.rules, 'add PrometheusRuleEntry.record(...) or .alert(...) entries');
    }
    this._renderGroup(group, field); // validates every rule now, so the error points at the caller
    this._groups.push({ ...group, rules: [...group.rules] });
    return group;
  }

  /** @internal */
  public _toKube(): prom.PrometheusRuleSpec {
    return { groups: this._groups.map((g, i) => this._renderGroup(g, `groups[${i}]`)) } as unknown as prom.PrometheusRuleSpec;
  }

  private _renderGroup(group: PrometheusRuleGroup, field: string): Record<string, unknown> {
    return {
      name: group.name,
      interval: group.interval && promDuration(this, `${field}.interval`, group.interval),
      rules: group.rules.map((r, j) => r._toKube(this, `${field}.rules[${j}]`)),
    };
  }
}
