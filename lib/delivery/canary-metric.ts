import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as flagger from '../../imports/flagger.app';
import type { IMetricTemplate } from './metric-template';
import { meshError } from '../private/errors';
import { outputMap } from '../private/plain-keys';
import { FLAGGER_BUILTIN_METRICS, flaggerDuration } from '../private/flagger';
import { checkRange } from '../private/validate';

/** Options of the builtin success-rate metric. */
export interface RequestSuccessRateOptions {
  /**
   * Minimum percentage of non-5xx responses.
   * @default 99
   */
  readonly min?: number;
  /**
   * Window the rate is computed over.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
}

/** Options of the builtin latency metric. */
export interface RequestDurationOptions {
  /**
   * Maximum P99 latency.
   * @default Duration.millis(500)
   */
  readonly max?: Duration;
  /**
   * Window the latency is computed over.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
}

/** Options of a metric backed by a MetricTemplate. */
export interface TemplateMetricOptions {
  /**
   * Metric name in the analysis: free text (Flagger shows it in events and alerts), not a builtin name.
   * @default - the template's name
   */
  readonly name?: string;
  /**
   * Lowest acceptable value.
   * @default - no lower bound (set min, max or both)
   */
  readonly min?: number;
  /**
   * Highest acceptable value.
   * @default - no upper bound (set min, max or both)
   */
  readonly max?: number;
  /**
   * Window passed to the query as `{{ interval }}`.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Values of `{{ variables.<key> }}` in the template's query.
   * @default - none
   */
  readonly variables?: Record<string, string>;
}

/**
 * A check of the canary's analysis: one of Flagger's builtin Istio metrics, or a custom MetricTemplate.
 * @see https://docs.flagger.app/usage/metrics
 */
export class CanaryMetric {
  /** Builtin `request-success-rate`: percentage of non-5xx responses of the canary. */
  public static requestSuccessRate(options: RequestSuccessRateOptions = {}): CanaryMetric {
    return new CanaryMetric('request-success-rate', options.interval, options.min ?? 99, undefined, undefined, undefined, (scope, f) => {
      checkRange(scope, `${f}.min`, options.min ?? 99, 0, 100, 'pass a percentage, e.g. 99');
    });
  }

  /** Builtin `request-duration`: P99 latency of the canary, in milliseconds. */
  public static requestDuration(options: RequestDurationOptions = {}): CanaryMetric {
    const max = options.max ?? Duration.millis(500);
    return new CanaryMetric('request-duration', options.interval, undefined, max.toMilliseconds({ integral: false }), undefined, undefined, (scope, f) => {
      const ms = max.toMilliseconds({ integral: false });
      if (!Number.isInteger(ms) || ms < 1) {
        throw meshError(scope, `${f}.max`, 'must be a whole number of milliseconds, at least 1ms', max.toHumanString(), 'pass e.g. Duration.millis(500)');
      }
    });
  }

  /** A custom metric: Flagger runs the MetricTemplate's query and checks the result against min/max. */
  public static fromTemplate(template: IMetricTemplate, options: TemplateMetricOptions = {}): CanaryMetric {
    const name = options.name ?? template.name;
    return new CanaryMetric(name, options.interval, options.min, options.max, template, options.variables, (scope, f) => {
      if (name.trim() === '') throw meshError(scope, `${f}.name`, 'must not be empty', name, 'name the metric, e.g. "404s percentage"');
      if ((FLAGGER_BUILTIN_METRICS as readonly string[]).includes(name)) {
        throw meshError(scope, `${f}.name`, 'is the name of a builtin metric', name, `name the metric after its template, e.g. "${template.name}-check"`);
      }
      if (options.min === undefined && options.max === undefined) {
        throw meshError(scope, f, 'needs a threshold: set min, max or both', { template: template.name },
          'pass e.g. { max: 5 } for an error percentage or { min: 99 } for a success rate');
      }
      for (const k of ['min', 'max'] as const) {
        const v = options[k];
        if (v !== undefined && !Number.isFinite(v)) {
          throw meshError(scope, `${f}.${k}`, 'must be a finite number', v, 'pass the threshold as a number, e.g. 5');
        }
      }
      if (options.min !== undefined && options.max !== undefined && options.min > options.max) {
        throw meshError(scope, `${f}.min`, `must not exceed max (${options.max})`, options.min, 'swap min and max');
      }
    });
  }

  private constructor(
    /** The metric name in the analysis. */
    public readonly name: string,
    private readonly _interval: Duration | undefined,
    private readonly _min: number | undefined,
    private readonly _max: number | undefined,
    /** The MetricTemplate behind a custom metric. */
    public readonly template: IMetricTemplate | undefined,
    private readonly _variables: Record<string, string> | undefined,
    private readonly _check: (scope: IConstruct, field: string) => void,
  ) {}

  /** @internal */
  public _render(scope: IConstruct, field: string, canaryNamespace: string): flagger.CanarySpecAnalysisMetrics {
    this._check(scope, field);
    const thresholdRange: Record<string, number> = {};
    if (this._min !== undefined) thresholdRange.min = this._min;
    if (this._max !== undefined) thresholdRange.max = this._max;
    return {
      name: this.name,
      templateRef: this.template
        ? { name: this.template.name, namespace: this.template.namespace === canaryNamespace ? undefined : this.template.namespace }
        : undefined,
      thresholdRange,
      interval: flaggerDuration(scope, `${field}.interval`, this._interval ?? Duration.minutes(1)),
      templateVariables: this._variables ? outputMap(this._variables) : undefined,
    };
  }
}
