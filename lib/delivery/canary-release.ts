import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as flagger from '../../imports/flagger.app';
import { IAlertProvider } from './alert-provider';
import { CorsPolicy, HeaderOperations, HttpMatch, HttpRetry, HttpRewrite, HttpRouteOptions, renderHttpRoute, StringMatch } from '../traffic/http-route';
import type { MeshApp } from '../traffic/mesh-app';
import { IGateway } from '../traffic/gateway';
import { AuthorizationAction, AuthorizationPolicy } from '../security/authorization-policy';
import { MESH_ROOT_NAMESPACE, MeshPeer } from '../core/mesh-peer';
import { PeerAuthentication, MtlsMode } from '../security/peer-authentication';
import { IMetricTemplate } from './metric-template';
import { cookieMatch } from '../traffic/cookie-match';
import { meshError } from '../private/errors';
import {
  FLAGGER_BUILTIN_METRICS, flaggerDuration, flaggerOwnedNames, flaggerSeconds, FlaggerHandOver,
} from '../private/flagger';
import { checkDnsLabel, checkInteger, checkRange, checkUnique } from '../private/validate';
import { renderTrafficPolicy, TrafficPolicy } from '../traffic/traffic-policy';

/** Flagger's Istio router handles HTTP only: the canary port must be one of these protocols. */
const HTTP_PROTOCOLS = ['http', 'http2', 'grpc', 'grpc-web'] as const;

// ---------------------------------------------------------------------------------------------
// Strategy
// ---------------------------------------------------------------------------------------------

/** Session affinity of a progressive canary: once a user hit the canary, they stay on it. */
export interface SessionAffinity {
  /** Cookie Flagger sets on responses of the canary, e.g. 'flagger-cookie'. */
  readonly cookieName: string;
  /**
   * Cookie lifetime.
   * @default Duration.days(1) (Flagger's default, 86400s)
   */
  readonly maxAge?: Duration;
}

/** Options of a progressive (weighted) canary. */
export interface ProgressiveCanaryOptions {
  /**
   * Traffic added to the canary at each step, in percent. Not together with `stepWeights`.
   * @default 10 (when `stepWeights` is not set)
   */
  readonly stepWeight?: number;
  /**
   * Explicit weights of each step, increasing, e.g. [1, 5, 10, 25, 50]; the last one is the maximum.
   * @default - linear steps of `stepWeight`
   */
  readonly stepWeights?: number[];
  /**
   * Highest canary weight before promotion, in percent. Not with `stepWeights` (whose last step is the maximum).
   * @default 50
   */
  readonly maxWeight?: number;
  /**
   * Traffic shifted to the primary at each promotion step, in percent.
   * @default - promotion in one step
   */
  readonly stepWeightPromotion?: number;
  /**
   * Pin users who were routed to the canary to it with a cookie.
   * @default - no affinity
   */
  readonly sessionAffinity?: SessionAffinity;
}

/** Options of an A/B test. */
export interface AbTestingOptions {
  /**
   * Requests that go to the canary (ORed). Flagger supports header, query parameter and source label
   * conditions here; `CanaryMatch.cookie()` and `CanaryMatch.header()` build the common ones.
   */
  readonly match: HttpMatch[];
  /** Number of analysis runs before promotion. */
  readonly iterations: number;
}

/** Options of a blue/green release. */
export interface BlueGreenOptions {
  /** Number of analysis runs (against the canary Service, with no user traffic) before promotion. */
  readonly iterations: number;
}

/** Options of a blue/green release with traffic mirroring. */
export interface BlueGreenMirroringOptions extends BlueGreenOptions {
  /**
   * Percentage of live traffic copied to the canary (responses discarded).
   * @default 100
   */
  readonly mirrorWeight?: number;
}

/**
 * How Flagger shifts traffic during the analysis.
 * @see https://docs.flagger.app/usage/deployment-strategies
 */
export class CanaryStrategy {
  /** Canary release with progressive traffic shifting (Istio weights on the primary and canary). */
  public static progressive(options: ProgressiveCanaryOptions = {}): CanaryStrategy {
    return new CanaryStrategy('progressive', options);
  }

  /** A/B testing: requests matching `match` (e.g. a cookie or header) go to the canary for `iterations` runs. */
  public static abTesting(options: AbTestingOptions): CanaryStrategy {
    return new CanaryStrategy('ab-testing', options);
  }

  /** Blue/green: the canary is tested for `iterations` runs (through its own Service) then traffic switches at once. */
  public static blueGreen(options: BlueGreenOptions): CanaryStrategy {
    return new CanaryStrategy('blue-green', options);
  }

  /** Blue/green with traffic mirroring: live traffic is copied (shadowed) to the canary during the analysis. */
  public static blueGreenMirroring(options: BlueGreenMirroringOptions): CanaryStrategy {
    return new CanaryStrategy('blue-green-mirroring', options);
  }

  private constructor(
    /** 'progressive', 'ab-testing', 'blue-green' or 'blue-green-mirroring'. */
    public readonly kind: string,
    private readonly _options: ProgressiveCanaryOptions | AbTestingOptions | BlueGreenOptions | BlueGreenMirroringOptions,
  ) {}

  /** Validates and renders the strategy's fields of `spec.analysis`. @internal */
  public _render(scope: IConstruct, host: string): Record<string, unknown> {
    const f = 'strategy';
    switch (this.kind) {
      case 'progressive': {
        const o = this._options as ProgressiveCanaryOptions;
        const out: Record<string, unknown> = {};
        if (o.stepWeights !== undefined) {
          if (o.stepWeight !== undefined) {
            throw meshError(scope, `${f}.stepWeight`, 'cannot be combined with stepWeights', o.stepWeight, 'use either stepWeight (linear steps) or stepWeights (explicit steps)');
          }
          if (o.maxWeight !== undefined) {
            throw meshError(scope, `${f}.maxWeight`, 'cannot be combined with stepWeights (Flagger stops at the last step weight)', o.maxWeight,
              `remove maxWeight, or end stepWeights with ${o.maxWeight}`);
          }
          if (o.stepWeights.length === 0) {
            throw meshError(scope, `${f}.stepWeights`, 'must not be empty', [], 'list the weights of each step, e.g. [1, 5, 10, 25, 50]');
          }
          o.stepWeights.forEach((w, i) => {
            checkInteger(scope, `${f}.stepWeights[${i}]`, w, 1, 100);
            if (i > 0 && w <= o.stepWeights![i - 1]) {
              throw meshError(scope, `${f}.stepWeights`, 'must be strictly increasing', o.stepWeights, 'sort the weights and remove duplicates');
            }
          });
          out.stepWeights = [...o.stepWeights];
        } else {
          const maxWeight = checkInteger(scope, `${f}.maxWeight`, o.maxWeight ?? 50, 1, 100);
          const stepWeight = checkInteger(scope, `${f}.stepWeight`, o.stepWeight ?? 10, 1, 100);
          if (stepWeight > maxWeight) {
            throw meshError(scope, `${f}.stepWeight`, `must not exceed maxWeight (${maxWeight})`, stepWeight, 'lower stepWeight or raise maxWeight');
          }
          out.maxWeight = maxWeight;
          out.stepWeight = stepWeight;
        }
        if (o.stepWeightPromotion !== undefined) out.stepWeightPromotion = checkInteger(scope, `${f}.stepWeightPromotion`, o.stepWeightPromotion, 1, 100);
        if (o.sessionAffinity) out.sessionAffinity = renderSessionAffinity(scope, `${f}.sessionAffinity`, o.sessionAffinity);
        return out;
      }
      case 'ab-testing': {
        const o = this._options as AbTestingOptions;
        if (!o.match || o.match.length === 0) {
          throw meshError(scope, `${f}.match`, 'must list at least one condition for an A/B test', o.match ?? [],
            "pass match: [CanaryMatch.cookie('canary', 'always')] or a header condition");
        }
        return { iterations: checkIterations(scope, f, o.iterations), match: o.match.map((m, i) => renderAbMatch(scope, `${f}.match[${i}]`, m, host)) };
      }
      case 'blue-green':
        return { iterations: checkIterations(scope, f, (this._options as BlueGreenOptions).iterations) };
      default: {
        const o = this._options as BlueGreenMirroringOptions;
        const out: Record<string, unknown> = { iterations: checkIterations(scope, f, o.iterations), mirror: true };
        if (o.mirrorWeight !== undefined) out.mirrorWeight = checkInteger(scope, `${f}.mirrorWeight`, o.mirrorWeight, 1, 100);
        return out;
      }
    }
  }
}

/** Builders of the request conditions used by A/B tests (`CanaryStrategy.abTesting({ match })`). */
export class CanaryMatch {
  /**
   * Requests carrying the cookie `name=value` (the regex Flagger's docs use on the Cookie header).
   * @see https://docs.flagger.app/tutorials/istio-ab-testing
   */
  public static cookie(name: string, value: string): HttpMatch {
    return cookieMatch(name, value);
  }

  /** Requests whose header `name` (lower case) matches, e.g. CanaryMatch.header('x-canary', StringMatch.exact('insider')). */
  public static header(name: string, match: StringMatch): HttpMatch {
    return { headers: { [name]: match } };
  }

  private constructor() {}
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

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
   * Metric name in the analysis (must not be a builtin name).
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
      checkDnsLabel(scope, `${f}.name`, name);
      if ((FLAGGER_BUILTIN_METRICS as readonly string[]).includes(name)) {
        throw meshError(scope, `${f}.name`, 'is the name of a builtin metric', name, `name the metric after its template, e.g. "${template.name}-check"`);
      }
      if (options.min === undefined && options.max === undefined) {
        throw meshError(scope, f, 'needs a threshold: set min, max or both', { template: template.name },
          'pass e.g. { max: 5 } for an error percentage or { min: 99 } for a success rate');
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
      templateVariables: this._variables ? { ...this._variables } : undefined,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------

/** Options of `LoadTester.at()`. */
export interface LoadTesterOptions {
  /**
   * Namespace the load tester runs in (for authorization policies of STRICT namespaces).
   * @default - the namespace in the URL's host (`flagger-loadtester.<namespace>`)
   */
  readonly namespace?: string;
}

/**
 * The Flagger load tester service (ghcr.io/fluxcd/flagger-loadtester) that runs load tests, acceptance tests
 * and manual gates for the analysis.
 * @see https://docs.flagger.app/usage/webhooks#load-testing
 */
export class LoadTester {
  /** `http://flagger-loadtester.test/` (the Helm chart installed in namespace `test`, as in Flagger's tutorials). */
  public static readonly DEFAULT = LoadTester.at('http://flagger-loadtester.test/');

  /** A load tester at `url`. */
  public static at(url: string, options: LoadTesterOptions = {}): LoadTester {
    const base = url.endsWith('/') ? url : `${url}/`;
    const m = /^https?:\/\/[a-z0-9-]+\.([a-z0-9-]+)(\.svc(\.[a-z0-9.-]+)?)?(:[0-9]+)?\//.exec(base);
    return new LoadTester(base, options.namespace ?? m?.[1]);
  }

  private constructor(
    /** Base URL, ending with '/'. */
    public readonly url: string,
    /** Namespace of the load tester, when known. */
    public readonly namespace: string | undefined,
  ) {}
}

/** Options of `CanaryWebhook.loadTest()`. */
export interface LoadTestOptions {
  /**
   * The load tester that runs the command.
   * @default LoadTester.DEFAULT (http://flagger-loadtester.test/)
   */
  readonly loadTester?: LoadTester;
  /**
   * The command to run.
   * @default - `hey -z <duration> -q <qps> -c <concurrency> http://<svc>-canary.<namespace>:<port>/` (HTTP ports only)
   */
  readonly cmd?: string;
  /**
   * How long each `hey` run lasts.
   * @default Duration.minutes(1)
   */
  readonly duration?: Duration;
  /**
   * Requests per second per worker.
   * @default 10
   */
  readonly qps?: number;
  /**
   * Concurrent workers.
   * @default 2
   */
  readonly concurrency?: number;
  /**
   * Request headers, e.g. the cookie of an A/B test.
   * @default - none
   */
  readonly headers?: Record<string, string>;
  /**
   * Timeout of the webhook call (the load tester starts the command and returns).
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * Webhook name.
   * @default 'load-test'
   */
  readonly name?: string;
}

/** Options of `CanaryWebhook.acceptanceTest()`. */
export interface AcceptanceTestOptions {
  /** Shell command run by the load tester before traffic shifting, e.g. `curl -sf http://podinfo-canary.test:9898/healthz`. */
  readonly cmd: string;
  /**
   * @default LoadTester.DEFAULT
   */
  readonly loadTester?: LoadTester;
  /**
   * Timeout of the test.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Webhook name.
   * @default 'acceptance-test'
   */
  readonly name?: string;
}

/** Options of the manual gates (confirm-rollout, confirm-promotion, confirm-traffic-increase) and rollback. */
export interface GateOptions {
  /**
   * Gate URL: Flagger proceeds while it answers 200 (rollback: rolls back when it answers 200).
   * @default - the load tester's gate: `<loadTester>gate/check` (rollback: `<loadTester>rollback/check`)
   */
  readonly url?: string;
  /**
   * Load tester hosting the default gate URL.
   * @default LoadTester.DEFAULT
   */
  readonly loadTester?: LoadTester;
  /**
   * Timeout of each call.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Webhook name.
   * @default - the hook type, e.g. 'confirm-rollout'
   */
  readonly name?: string;
}

/** Options of a webhook calling your own service. */
export interface HttpWebhookOptions {
  /** URL Flagger POSTs the canary event to. No credentials in it: dist/ is committed. */
  readonly url: string;
  /**
   * Webhook name.
   * @default - the hook type, e.g. 'post-rollout'
   */
  readonly name?: string;
  /**
   * Timeout of each call.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Retries of a failed call.
   * @default - no retries
   */
  readonly retries?: number;
  /**
   * Metadata sent in the payload.
   * @default - none
   */
  readonly metadata?: Record<string, string>;
}

/** What a webhook needs to know about its canary when it is rendered. @internal */
export interface WebhookContext {
  /** `http://<svc>-canary.<namespace>:<port>/` */
  readonly canaryUrl: string;
  /** Whether the canary port speaks HTTP/1 (hey can load-test it). */
  readonly http: boolean;
}

/**
 * A Flagger webhook: load tests, acceptance tests, manual gates and notifications around the analysis.
 * @see https://docs.flagger.app/usage/webhooks
 */
export class CanaryWebhook {
  /** `rollout` hook: starts a `hey` load test against the canary at every analysis step, so the metrics have traffic. */
  public static loadTest(options: LoadTestOptions = {}): CanaryWebhook {
    const lt = options.loadTester ?? LoadTester.DEFAULT;
    return new CanaryWebhook('rollout', options.name ?? 'load-test', lt.url, options.timeout ?? Duration.seconds(5), lt, (scope, f, ctx) => {
      if (options.cmd !== undefined) return { type: 'cmd', cmd: checkCmd(scope, `${f}.cmd`, options.cmd) };
      if (!ctx.http) {
        throw meshError(scope, `${f}.cmd`, 'has no default for a gRPC canary port (hey speaks HTTP/1)', undefined,
          "pass cmd, e.g. 'ghz -z 1m --insecure --call <package.Service/Method> <svc>-canary.<ns>:<port>'");
      }
      const duration = flaggerDuration(scope, `${f}.duration`, options.duration ?? Duration.minutes(1));
      const qps = checkInteger(scope, `${f}.qps`, options.qps ?? 10, 1, 100_000);
      const c = checkInteger(scope, `${f}.concurrency`, options.concurrency ?? 2, 1, 10_000);
      const headers = Object.entries(options.headers ?? {}).map(([k, v]) => {
        if (/['\n]/.test(k + v)) throw meshError(scope, `${f}.headers`, "must not contain quotes or newlines", `${k}: ${v}`, 'remove them from the header');
        return ` -H '${k}: ${v}'`;
      }).join('');
      return { type: 'cmd', cmd: `hey -z ${duration} -q ${qps} -c ${c}${headers} ${ctx.canaryUrl}` };
    });
  }

  /** `pre-rollout` hook: a command the load tester runs against the canary before any traffic is shifted; failing it stops the release. */
  public static acceptanceTest(options: AcceptanceTestOptions): CanaryWebhook {
    const lt = options.loadTester ?? LoadTester.DEFAULT;
    return new CanaryWebhook('pre-rollout', options.name ?? 'acceptance-test', lt.url, options.timeout ?? Duration.seconds(30), lt,
      (scope, f) => ({ type: 'bash', cmd: checkCmd(scope, `${f}.cmd`, options.cmd) }));
  }

  /** `confirm-rollout` gate: the canary is not scaled up until the gate opens (manual approval). */
  public static confirmRollout(options: GateOptions = {}): CanaryWebhook {
    return CanaryWebhook.gate('confirm-rollout', 'gate/check', options);
  }

  /** `confirm-promotion` gate: the analysis waits at the last step until the gate opens. */
  public static confirmPromotion(options: GateOptions = {}): CanaryWebhook {
    return CanaryWebhook.gate('confirm-promotion', 'gate/check', options);
  }

  /** `confirm-traffic-increase` gate: each weight increase waits for the gate. */
  public static confirmTrafficIncrease(options: GateOptions = {}): CanaryWebhook {
    return CanaryWebhook.gate('confirm-traffic-increase', 'gate/check', options);
  }

  /** `rollback` hook: while it answers 200, Flagger rolls the canary back (manual abort). */
  public static rollback(options: GateOptions = {}): CanaryWebhook {
    return CanaryWebhook.gate('rollback', 'rollback/check', options);
  }

  /** `post-rollout` hook: called after promotion or rollback (e.g. to notify a deploy tracker). */
  public static postRollout(options: HttpWebhookOptions): CanaryWebhook {
    return CanaryWebhook.http('post-rollout', options);
  }

  /** `event` hook: receives every Flagger event of the canary. */
  public static event(options: HttpWebhookOptions): CanaryWebhook {
    return CanaryWebhook.http('event', options);
  }

  private static gate(type: string, path: string, options: GateOptions): CanaryWebhook {
    const lt = options.loadTester ?? LoadTester.DEFAULT;
    return new CanaryWebhook(type, options.name ?? type, options.url ?? `${lt.url}${path}`, options.timeout, options.url ? undefined : lt, () => undefined);
  }

  private static http(type: string, options: HttpWebhookOptions): CanaryWebhook {
    return new CanaryWebhook(type, options.name ?? type, options.url, options.timeout, undefined,
      () => (options.metadata ? { ...options.metadata } : undefined), options.retries);
  }

  private constructor(
    /** Flagger hook type: 'rollout', 'pre-rollout', 'confirm-rollout', ... */
    public readonly type: string,
    /** Webhook name (unique within a canary). */
    public readonly name: string,
    /** URL Flagger calls. */
    public readonly url: string,
    private readonly _timeout: Duration | undefined,
    /** The load tester this hook calls, if any (it must be allowed to reach the canary). */
    public readonly loadTester: LoadTester | undefined,
    private readonly _metadata: (scope: IConstruct, field: string, ctx: WebhookContext) => Record<string, string> | undefined,
    private readonly _retries?: number,
  ) {}

  /** Timeout in seconds, as Flagger applies it (10s when unset). @internal */
  public _timeoutSeconds(scope: IConstruct, field: string): number {
    return this._timeout ? flaggerSeconds(scope, `${field}.timeout`, this._timeout) : 10;
  }

  /** @internal */
  public _render(scope: IConstruct, field: string, ctx: WebhookContext): flagger.CanarySpecAnalysisWebhooks {
    checkDnsLabel(scope, `${field}.name`, this.name);
    checkUrl(scope, `${field}.url`, this.url);
    return {
      name: this.name,
      type: this.type as flagger.CanarySpecAnalysisWebhooksType,
      url: this.url,
      timeout: this._timeout ? flaggerDuration(scope, `${field}.timeout`, this._timeout) : undefined,
      retries: this._retries !== undefined ? checkInteger(scope, `${field}.retries`, this._retries, 0, 100) : undefined,
      metadata: this._metadata(scope, field, ctx),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------

/** Which canary events an alert gets. */
export class AlertSeverity {
  /** Every event (progress, promotion, failure). */
  public static readonly INFO = new AlertSeverity('info');
  /** Warnings and errors. */
  public static readonly WARN = new AlertSeverity('warn');
  /** Failures only (rollbacks). */
  public static readonly ERROR = new AlertSeverity('error');
  private constructor(public readonly value: string) {}
}

/** One alert of a canary. */
export interface CanaryAlert {
  /** Where to post. */
  readonly provider: IAlertProvider;
  /**
   * Which events to post.
   * @default AlertSeverity.INFO
   */
  readonly severity?: AlertSeverity;
  /**
   * Alert name.
   * @default - the provider's name
   */
  readonly name?: string;
}

// ---------------------------------------------------------------------------------------------
// CanaryRelease
// ---------------------------------------------------------------------------------------------

/** Properties of a CanaryRelease. */
export interface CanaryReleaseProps {
  /**
   * The app to release progressively. It must have exactly one version; the CanaryRelease takes over its
   * Service, DestinationRule and VirtualServices (Flagger creates `<name>`, `<name>-primary`, `<name>-canary`).
   */
  readonly app: MeshApp;
  /**
   * How traffic moves during the analysis.
   * @default CanaryStrategy.progressive() (stepWeight 10, maxWeight 50)
   */
  readonly strategy?: CanaryStrategy;
  /**
   * Time between analysis steps.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Failed checks before the canary is rolled back.
   * @default 5
   */
  readonly threshold?: number;
  /**
   * Checks run at every step.
   * @default - request-success-rate ≥ 99% and request-duration ≤ 500ms over 1m
   */
  readonly metrics?: CanaryMetric[];
  /**
   * Webhooks (load tests, gates, notifications). `addWebhook()` adds more.
   * @default - none
   */
  readonly webhooks?: CanaryWebhook[];
  /**
   * Alerts. `addAlert()` adds more.
   * @default - none
   */
  readonly alerts?: CanaryAlert[];
  /**
   * Service port of the canary (`service.port`); Flagger routes this port.
   * @default - the app's first port
   */
  readonly port?: number;
  /**
   * Container port behind `port`; must be a container port of the app.
   * @default - the targetPort of the app's port
   */
  readonly targetPort?: number;
  /**
   * Name of the port in the Services Flagger generates; needs an Istio HTTP protocol prefix (http, http2, grpc, grpc-web).
   * @default - the name of the app's port
   */
  readonly portName?: string;
  /**
   * Gateways the canary VirtualService binds to (the mesh is always included).
   * @default - the gateways the app is exposed through with `exposeVia()`, plus the mesh
   */
  readonly gateways?: IGateway[];
  /**
   * Extra hosts of the canary VirtualService (the Service name is always one).
   * @default - the hosts of the app's `exposeVia()` bindings
   */
  readonly hosts?: string[];
  /**
   * Traffic policy of the primary and canary DestinationRules. Flagger supports connectionPool.http,
   * loadBalancer, outlierDetection and tls.
   * @default - the app's trafficPolicy; ISTIO_MUTUAL TLS in a STRICT namespace
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * Conditions of the canary VirtualService route.
   * @default - the match of the app's route, if any
   */
  readonly match?: HttpMatch[];
  /**
   * Retry policy.
   * @default - the app's route retries, else Istio's default
   */
  readonly retries?: HttpRetry;
  /**
   * Request timeout.
   * @default - the app's route timeout, else none
   */
  readonly timeout?: Duration;
  /**
   * Header manipulation.
   * @default - the app's route headers, else none
   */
  readonly headers?: HeaderOperations;
  /**
   * CORS policy.
   * @default - the app's route CORS policy, else none
   */
  readonly corsPolicy?: CorsPolicy;
  /**
   * Path/authority rewrite.
   * @default - the app's route rewrite, else none
   */
  readonly rewrite?: HttpRewrite;
  /**
   * Time the canary may take to make progress before Flagger rolls it back.
   * @default Duration.minutes(10) (Flagger's default, 600s)
   */
  readonly progressDeadline?: Duration;
  /**
   * Promote without analysis (emergency fixes).
   * @default false
   */
  readonly skipAnalysis?: boolean;
  /**
   * metadata.name of the Canary.
   * @default - the app's name
   */
  readonly name?: string;
}

/**
 * Progressive delivery of a MeshApp with Flagger on Istio: a flagger.app/v1beta1 Canary targeting the app's
 * Deployment. Flagger then owns the Services `<name>`, `<name>-primary`, `<name>-canary`, the VirtualService
 * and the DestinationRules, so the app stops emitting them.
 *
 * @example
 * new CanaryRelease(chart, 'podinfo-canary', {
 *   app: podinfo,
 *   strategy: CanaryStrategy.progressive({ stepWeight: 10, maxWeight: 50 }),
 *   webhooks: [CanaryWebhook.loadTest()],
 * });
 * @see https://docs.flagger.app/tutorials/istio-progressive-delivery
 */
export class CanaryRelease extends Construct {
  /** metadata.name of the Canary. */
  public readonly name: string;
  /** Namespace of the app and the Canary. */
  public readonly namespace: string;
  /** The app released. */
  public readonly app: MeshApp;
  /** The strategy. */
  public readonly strategy: CanaryStrategy;
  /** Name of the apex Service Flagger creates (the app's name). */
  public readonly serviceName: string;
  /** Name of the primary Deployment and Service Flagger creates (`<name>-primary`); its pods get `app: <name>-primary`. */
  public readonly primaryName: string;
  /** Name of the canary Service Flagger creates (`<name>-canary`). */
  public readonly canaryServiceName: string;
  /** The Canary object (escape hatch). */
  public readonly resource: ApiObject;

  private readonly _props: CanaryReleaseProps;
  private readonly _handOver: FlaggerHandOver;
  private readonly _port: { name: string; port: number; targetPort: number };
  private readonly _interval: number;
  private readonly _metrics: CanaryMetric[];
  private readonly _webhooks: CanaryWebhook[] = [];
  private readonly _alerts: CanaryAlert[] = [];
  private readonly _allowedLoadTesters = new Set<string>();

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    this._props = props;
    this.app = props.app;
    this.namespace = props.app.namespace;
    this.name = checkDnsLabel(this, 'name', props.name ?? props.app.name);
    this.strategy = props.strategy ?? CanaryStrategy.progressive();
    this.serviceName = props.app.name;
    const owned = flaggerOwnedNames(this.serviceName);
    this.primaryName = owned.primary;
    this.canaryServiceName = owned.canary;

    this._handOver = props.app._handOverToFlagger(this);
    const h = this._handOver;
    if (h.fixedReplicas !== undefined) {
      throw meshError(props.app, 'replicas', 'cannot be fixed on an app released by Flagger (Flagger scales the primary and the canary; Flux would fight it)',
        h.fixedReplicas, 'remove replicas and give the app autoscaling: { minReplicas, maxReplicas } (Flagger copies the HPA for the primary)');
    }
    this._port = this._resolvePort();
    this._interval = flaggerSeconds(this, 'interval', props.interval ?? Duration.minutes(1));
    flaggerDuration(this, 'interval', props.interval ?? Duration.minutes(1));
    checkInteger(this, 'threshold', props.threshold ?? 5, 1, 1000);
    if (props.progressDeadline) checkInteger(this, 'progressDeadline', flaggerSeconds(this, 'progressDeadline', props.progressDeadline), 1);
    this.strategy._render(this, this.app.host); // throw early
    this._metrics = props.metrics ?? [CanaryMetric.requestSuccessRate(), CanaryMetric.requestDuration()];
    this._metrics.forEach((m, i) => m._render(this, `metrics[${i}]`, this.namespace));
    checkUnique(this, 'metrics[].name', this._metrics, (m) => m.name);
    for (const w of props.webhooks ?? []) this.addWebhook(w);
    for (const a of props.alerts ?? []) this.addAlert(a);
    if (props.trafficPolicy) renderTrafficPolicy(this, 'trafficPolicy', props.trafficPolicy);
    this._renderService(); // throw early on routing the app has now; rendered again (lazily) at synth

    this._allowLoadTestersIfDenied();
    this.node.addValidation({ validate: () => this._validateLoadTesterAccess() });

    this.resource = new flagger.Canary(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._renderSpec() }) as unknown as flagger.CanarySpec,
    });
  }

  /** `http://<name>-canary.<namespace>:<port>/`: the canary Service, for load tests and acceptance tests. */
  public get canaryUrl(): string {
    return `http://${this.canaryServiceName}.${this.namespace}:${this._port.port}/`;
  }

  /**
   * Whether the app's namespace (or the whole mesh) requires mTLS: a namespace-wide STRICT PeerAuthentication in
   * the app's namespace or in the mesh root namespace. The Canary's DestinationRules then use ISTIO_MUTUAL.
   */
  public get strictMtls(): boolean {
    return this.node.root.node.findAll().some((c) => c instanceof PeerAuthentication && c.namespaceWide && c.mode === MtlsMode.STRICT
      && (c.namespace === this.namespace || c.namespace === MESH_ROOT_NAMESPACE));
  }

  /** The webhooks, in order. A copy. */
  public get webhooks(): CanaryWebhook[] {
    return [...this._webhooks];
  }

  /** Load testers the webhooks call: they must be able to reach the canary workload. */
  public get loadTesters(): LoadTester[] {
    return [...new Set(this._webhooks.map((w) => w.loadTester).filter((l): l is LoadTester => l !== undefined))];
  }

  /**
   * Adds a webhook. Throws when the `rollout` hooks together could take longer than the analysis interval
   * (Flagger calls them at every step, before the next one).
   */
  public addWebhook(webhook: CanaryWebhook): void {
    const field = `webhooks[${this._webhooks.length}]`;
    webhook._render(this, field, this._webhookContext()); // throw early
    if (this._webhooks.some((w) => w.name === webhook.name)) {
      throw meshError(this, `${field}.name`, 'must be unique among the webhooks', webhook.name, 'pass a distinct name to the webhook factory');
    }
    const all = [...this._webhooks, webhook];
    const rollout = all.map((w, i) => ({ w, i })).filter(({ w }) => w.type === 'rollout');
    const sum = rollout.reduce((s, { w, i }) => s + w._timeoutSeconds(this, `webhooks[${i}]`), 0);
    if (rollout.length > 0 && sum >= this._interval) {
      throw meshError(this, 'webhooks[].timeout', `of the rollout webhooks add up to ${sum}s, not less than the analysis interval (${this._interval}s)`,
        rollout.map(({ w, i }) => `${w.name}=${w._timeoutSeconds(this, `webhooks[${i}]`)}s`).join('+'),
        'lower the webhook timeouts (the load tester returns as soon as it started the command) or raise interval');
    }
    this._webhooks.push(webhook);
    if (this.resource && webhook.loadTester) this._allowLoadTestersIfDenied(); // later additions
  }

  /** Sends canary events to an AlertProvider. */
  public addAlert(alert: CanaryAlert): void {
    const name = alert.name ?? alert.provider.name;
    checkDnsLabel(this, `alerts[${this._alerts.length}].name`, name);
    if (this._alerts.some((a) => (a.name ?? a.provider.name) === name)) {
      throw meshError(this, `alerts[${this._alerts.length}].name`, 'must be unique among the alerts', name, 'pass a distinct name');
    }
    this._alerts.push(alert);
  }

  /**
   * Lets the load testers of the webhooks call the app (ALLOW `source.namespaces: [<load tester namespace>]`).
   * Done automatically when the namespace has a deny-all policy or the app already has ALLOW policies (then any
   * caller not allowed is denied). Idempotent; returns the policies.
   */
  public allowLoadTesters(): AuthorizationPolicy[] {
    return this.loadTesters.map((lt, i) => {
      if (!lt.namespace) {
        throw meshError(this, `loadTesters[${i}]`, 'has no known namespace, so no policy can let it reach the canary', lt.url,
          "pass LoadTester.at(url, { namespace: 'test' })");
      }
      this._allowedLoadTesters.add(lt.namespace);
      return this.app.allowFrom(MeshPeer.namespace(lt.namespace));
    });
  }

  /** Whether callers of the app need an explicit ALLOW: a deny-all in its namespace, or ALLOW policies on it. */
  private _callersDenied(): boolean {
    const policies = this.node.root.node.findAll().filter((c): c is AuthorizationPolicy => c instanceof AuthorizationPolicy);
    return policies.some((p) => p.namespace === this.namespace && !p.workload && p.action === AuthorizationAction.ALLOW && p.rules.length === 0)
      || policies.some((p) => p.workload === this.app && p.action === AuthorizationAction.ALLOW);
  }

  private _allowLoadTestersIfDenied(): void {
    if (this._callersDenied()) this.allowLoadTesters();
  }

  private _validateLoadTesterAccess(): string[] {
    const missing = this.loadTesters.filter((lt) => !lt.namespace || !this._allowedLoadTesters.has(lt.namespace));
    if (missing.length === 0 || !this._callersDenied()) return [];
    return [`'webhooks' call load testers that authorization policies keep from reaching the canary (deny-all or ALLOW policies on "${this.app.name}"), `
      + `got ${JSON.stringify(missing.map((lt) => lt.url))}. Fix: call canary.allowLoadTesters() (done automatically when the policies exist before the CanaryRelease)`];
  }

  // ---- rendering ----

  private _webhookContext(): { canaryUrl: string; http: boolean } {
    return { canaryUrl: this.canaryUrl, http: /^http(2)?(-|$)/.test(this._port.name) };
  }

  private _resolvePort(): { name: string; port: number; targetPort: number } {
    const h = this._handOver;
    const p = this._props;
    let base = h.ports[0];
    if (p.port !== undefined) {
      checkInteger(this, 'port', p.port, 1, 65535);
      const found = h.ports.find((x) => x.port === p.port);
      base = found ?? { name: p.portName ?? 'http', port: p.port, targetPort: p.targetPort ?? p.port };
    }
    const name = p.portName ?? base.name;
    checkDnsLabel(this, 'portName', name);
    if (!HTTP_PROTOCOLS.some((proto) => name === proto || name.startsWith(`${proto}-`))) {
      throw meshError(this, 'portName', `must start with an Istio HTTP protocol prefix (${HTTP_PROTOCOLS.join(', ')}): Flagger's Istio router only shifts HTTP traffic`,
        name, `name the port "http" (or "http-${name.replace(/^[a-z0-9]+-?/, '') || 'web'}", "grpc")`);
    }
    const targetPort = p.targetPort ?? base.targetPort;
    checkInteger(this, 'targetPort', targetPort, 1, 65535);
    if (!h.containerPorts.includes(targetPort)) {
      throw meshError(this, 'targetPort', `is not a container port of ${h.deploymentName} (container ports: ${h.containerPorts.join(', ')})`, targetPort,
        `use one of ${h.containerPorts.join(', ')}, or add the port to the app's ports`);
    }
    return { name, port: base.port, targetPort };
  }

  private _renderSpec(): Record<string, unknown> {
    const h = this._handOver;
    const p = this._props;
    const ctx = this._webhookContext();
    const analysis: Record<string, unknown> = {
      interval: flaggerDuration(this, 'interval', p.interval ?? Duration.minutes(1)),
      threshold: p.threshold ?? 5,
      ...this.strategy._render(this, this.app.host),
      metrics: this._metrics.map((m, i) => m._render(this, `metrics[${i}]`, this.namespace)),
      webhooks: this._webhooks.length ? this._webhooks.map((w, i) => w._render(this, `webhooks[${i}]`, ctx)) : undefined,
      alerts: this._alerts.length
        ? this._alerts.map((a) => ({
          name: a.name ?? a.provider.name,
          severity: (a.severity ?? AlertSeverity.INFO).value,
          providerRef: { name: a.provider.name, namespace: a.provider.namespace === this.namespace ? undefined : a.provider.namespace },
        }))
        : undefined,
    };
    return {
      provider: 'istio',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: h.deploymentName },
      autoscalerRef: h.autoscalerName ? { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: h.autoscalerName } : undefined,
      progressDeadlineSeconds: p.progressDeadline ? flaggerSeconds(this, 'progressDeadline', p.progressDeadline) : undefined,
      skipAnalysis: p.skipAnalysis ? true : undefined,
      service: this._renderService(),
      analysis,
    };
  }

  /** The Canary's `service` section: ports, routing moved over from the app (or given here), traffic policy. */
  private _renderService(): Record<string, unknown> {
    const h = this._handOver;
    const p = this._props;
    const out: Record<string, unknown> = {
      name: this.serviceName,
      port: this._port.port,
      targetPort: this._port.targetPort,
      portName: this._port.name,
    };
    // Extra Service ports: Flagger copies the Deployment's container ports onto the Services it generates.
    if (h.ports.length > 1) out.portDiscovery = true;

    // Gateways and hosts.
    const bindings = h.gateways();
    bindings.forEach((b) => {
      if (b.routesField) {
        throw meshError(this.app, b.routesField, 'cannot be moved to the Canary: Flagger renders one route for the mesh and every gateway', '(gateway routes)',
          'remove the routes from exposeVia() and set the routing on the app (or on the CanaryRelease)');
      }
    });
    const gateways = p.gateways ? p.gateways.map((g) => g.ref) : bindings.map((b) => b.ref);
    const hosts = p.hosts ?? bindings.flatMap((b) => [...b.hosts]);
    if (gateways.length > 0) out.gateways = [...new Set([...gateways, 'mesh'])];
    if (hosts.length > 0) {
      checkUnique(this, 'hosts', [...new Set(hosts)], (x) => x);
      out.hosts = [...new Set(hosts)];
    }

    // Routing: explicit props win; else the app's single route moves over.
    const explicit: HttpRouteOptions = {
      match: p.match, retries: p.retries, timeout: p.timeout, headers: p.headers, corsPolicy: p.corsPolicy, rewrite: p.rewrite,
    };
    const routes = h.routes();
    if (routes.length > 1) {
      throw meshError(this.app, `routes[1]`, `cannot be moved to the Canary: Flagger renders a single route (the app has ${routes.length})`,
        routes.map((r) => r.field), 'keep one route on the app (match, retries, timeout, headers, corsPolicy, rewrite), or pass them to the CanaryRelease');
    }
    const fromApp = routes.length === 1 ? convertRoute(this.app, routes[0].field, routes[0].route, h.version) : {};
    const fromProps = convertRoute(this, 'props', renderHttpRoute(this, 'props', explicit, { host: this.app.host, versions: [h.version] }), h.version);
    Object.assign(out, fromApp, fromProps);

    // Traffic policy.
    let policy: Record<string, unknown> | undefined;
    if (p.trafficPolicy) policy = convertTrafficPolicy(this, 'trafficPolicy', renderTrafficPolicy(this, 'trafficPolicy', p.trafficPolicy));
    else if (h.trafficPolicy) policy = convertTrafficPolicy(this.app, h.trafficPolicy.field, h.trafficPolicy.rendered);
    if (this.strictMtls && !(policy?.tls)) policy = { ...policy, tls: { mode: 'ISTIO_MUTUAL' } };
    if (policy) out.trafficPolicy = policy;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

function checkIterations(scope: IConstruct, field: string, iterations: number): number {
  return checkInteger(scope, `${field}.iterations`, iterations, 1, 1000);
}

function renderSessionAffinity(scope: IConstruct, field: string, s: SessionAffinity): Record<string, unknown> {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s.cookieName)) {
    throw meshError(scope, `${field}.cookieName`, 'must be a cookie name (an HTTP token)', s.cookieName, "use a name like 'flagger-cookie'");
  }
  const out: Record<string, unknown> = { cookieName: s.cookieName };
  if (s.maxAge) out.maxAge = checkInteger(scope, `${field}.maxAge`, flaggerSeconds(scope, `${field}.maxAge`, s.maxAge), 1);
  return out;
}

/** A/B conditions: Flagger's analysis.match takes headers, queryParams and sourceLabels only. */
function renderAbMatch(scope: IConstruct, field: string, m: HttpMatch, host: string): Record<string, unknown> {
  const unsupported = (['uri', 'scheme', 'method', 'authority', 'withoutHeaders', 'ignoreUriCase', 'port', 'sourceNamespace', 'name'] as const)
    .find((k) => m[k] !== undefined);
  if (unsupported) {
    throw meshError(scope, `${field}.${unsupported}`, 'is not supported by Flagger in an A/B match (headers, queryParams and sourceLabels are)', m[unsupported],
      'match on a header or cookie instead (CanaryMatch.header(), CanaryMatch.cookie())');
  }
  const rendered = renderHttpRoute(scope, field, { match: [m] }, { host, versions: [] }).match as Record<string, unknown>[];
  return rendered[0];
}

/** Route fields of an Istio http route (rendered) and what Flagger's `service` section calls them. */
const MOVABLE_ROUTE_FIELDS = ['match', 'retries', 'timeout', 'headers', 'corsPolicy', 'rewrite'] as const;
const UNSUPPORTED_ROUTE_FIELDS: Record<string, [string, string]> = {
  fault: ['fault', 'Flagger does not render fault injection; test resilience on a non-canaried app or add the fault after the release'],
  redirect: ['redirect', 'move the redirect to a VirtualService of another host (e.g. the gateway), Flagger routes to the primary and canary'],
  mirror: ['mirror', 'use CanaryStrategy.blueGreenMirroring() (Flagger mirrors to the canary during the analysis)'],
  mirrorPercentage: ['mirror.percentage', 'use CanaryStrategy.blueGreenMirroring({ mirrorWeight })'],
  name: ['name', 'remove the route name (Flagger names its routes)'],
};

function convertRoute(scope: IConstruct, field: string, route: Record<string, unknown>, version: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(route)) {
    if (v === undefined) continue;
    if ((MOVABLE_ROUTE_FIELDS as readonly string[]).includes(k)) {
      out[k] = k === 'retries' ? convertRetries(scope, `${field}.retries`, v as Record<string, unknown>) : k === 'rewrite' ? convertRewrite(scope, `${field}.rewrite`, v as Record<string, unknown>) : v;
    } else if (k === 'route') {
      const dests = v as Array<Record<string, any>>;
      const d = dests[0];
      if (dests.length > 1 || (d.weight !== undefined && d.weight !== 100)) {
        throw meshError(scope, `${field}.destinations`, 'cannot set weights on a canaried app: Flagger sets the primary/canary weights itself', dests.map((x) => x.weight),
          'remove the destinations (use CanaryStrategy.progressive() to shift traffic)');
      }
      if (d.headers) {
        throw meshError(scope, `${field}.destinations[0].headers`, 'is not supported by Flagger (per-destination headers)', d.headers, 'move the header operations to the route');
      }
      if (d.destination?.subset !== undefined && d.destination.subset !== version) {
        throw meshError(scope, `${field}.destinations[0].version`, 'is not the canaried version', d.destination.subset, `use ${JSON.stringify(version)} or remove it`);
      }
    } else if (UNSUPPORTED_ROUTE_FIELDS[k]) {
      const [name, fix] = UNSUPPORTED_ROUTE_FIELDS[k];
      throw meshError(scope, `${field}.${name}`, 'is not supported on a canaried app (Flagger owns the VirtualService)', v, fix);
    } else {
      throw meshError(scope, `${field}.${k}`, 'is not supported on a canaried app (Flagger owns the VirtualService)', v, 'remove it from the route');
    }
  }
  return out;
}

function convertRetries(scope: IConstruct, field: string, r: Record<string, unknown>): Record<string, unknown> {
  const { retryRemoteLocalities, ...rest } = r;
  if (retryRemoteLocalities !== undefined) {
    throw meshError(scope, `${field}.retryRemoteLocalities`, 'is not supported by Flagger', retryRemoteLocalities, 'remove it (Flagger takes attempts, perTryTimeout and retryOn)');
  }
  return rest;
}

function convertRewrite(scope: IConstruct, field: string, r: Record<string, unknown>): Record<string, unknown> {
  if (r.uriRegexRewrite !== undefined) {
    throw meshError(scope, `${field}.uriRegex`, 'is not supported by Flagger (uri and authority are)', r.uriRegexRewrite, 'use a prefix rewrite (uri)');
  }
  return r;
}

/** Flagger's service.trafficPolicy is a subset of Istio's: fail on the fields it would silently drop. */
function convertTrafficPolicy(scope: IConstruct, field: string, policy: Record<string, any>): Record<string, unknown> {
  const fail = (f: string, v: unknown, fix: string): never => {
    throw meshError(scope, `${field}.${f}`, 'is not supported in a Flagger Canary trafficPolicy (connectionPool.http, loadBalancer, outlierDetection and tls are)', v, fix);
  };
  for (const k of Object.keys(policy)) {
    if (!['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'].includes(k)) fail(k, policy[k], 'remove it');
  }
  const out: Record<string, unknown> = { ...policy };
  if (policy.connectionPool) {
    const { http, ...other } = policy.connectionPool;
    const extra = Object.keys(other)[0];
    if (extra) fail(`connectionPool.${extra}`, other[extra], 'keep only connectionPool.http (Flagger has no TCP settings)');
    if (http) {
      for (const k of Object.keys(http)) {
        if (!['h2UpgradePolicy', 'http1MaxPendingRequests', 'http2MaxRequests', 'idleTimeout', 'maxRequestsPerConnection', 'maxRetries'].includes(k)) {
          fail(`connectionPool.http.${k}`, http[k], 'remove it');
        }
      }
    }
  }
  if (policy.loadBalancer) {
    const { warmup, ...lb } = policy.loadBalancer;
    if (warmup) {
      if (warmup.aggression !== undefined || warmup.minimumPercent !== undefined) fail('loadBalancer.warmup', warmup, 'keep only the warmup duration');
      lb.warmupDurationSecs = warmup.duration;
    }
    for (const k of Object.keys(lb)) {
      if (!['simple', 'consistentHash', 'localityLbSetting', 'warmupDurationSecs'].includes(k)) fail(`loadBalancer.${k}`, lb[k], 'remove it');
    }
    out.loadBalancer = lb;
  }
  if (policy.tls) {
    for (const k of ['credentialName', 'insecureSkipVerify']) {
      if (policy.tls[k] !== undefined) fail(`tls.${k}`, policy.tls[k], 'use caCertificates/clientCertificate/privateKey files, or ISTIO_MUTUAL');
    }
  }
  return out;
}

function checkCmd(scope: IConstruct, field: string, cmd: string): string {
  if (cmd.trim() === '') throw meshError(scope, field, 'must not be empty', cmd, 'pass the command the load tester runs');
  return cmd;
}

function checkUrl(scope: IConstruct, field: string, url: string): void {
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) {
    throw meshError(scope, field, 'must be an http(s) URL', url, 'use a URL like "http://flagger-loadtester.test/"');
  }
  if (/^https?:\/\/[^/]*@/.test(url) || /[?&](token|key|secret|password|sig)=/i.test(url)) {
    throw meshError(scope, field, 'must not carry credentials (dist/ is committed to git)', url.replace(/\/\/[^@/]*@/, '//***@').replace(/=([^&]*)/g, '=***'),
      'authenticate the webhook receiver by mesh identity (AuthorizationPolicy), or send events through an AlertProvider with a Secret');
  }
}

