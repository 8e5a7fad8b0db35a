import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { HttpMatch } from '../traffic/http-route';
import { cookieMatch } from '../traffic/cookie-match';
import { renderHttpRoute } from '../traffic/render-http-route';
import type { StringMatch } from '../traffic/string-match';
import { meshError } from '../private/errors';
import { flaggerSeconds } from '../private/flagger';
import { checkInteger } from '../private/validate';

/** Session affinity of a progressive canary: once a user hit the canary, they stay on it. */
export interface SessionAffinity {
  /** Cookie Flagger sets on responses of the canary, e.g. 'flagger-cookie'. */
  readonly cookieName: string;
  /**
   * Cookie Flagger sets on responses of the primary (`primaryCookieName`), so users who hit the primary stay on it too.
   * @default - users routed to the primary are not pinned
   */
  readonly primaryCookieName?: string;
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
  /**
   * Mirror live traffic to the canary for one analysis step before shifting any (`analysis.mirror`): the canary sees
   * real requests, its responses are discarded; then the weights move as usual.
   * @default false
   * @see https://docs.flagger.app/usage/deployment-strategies#traffic-mirroring
   */
  readonly mirror?: boolean;
  /**
   * Percentage of the traffic mirrored during that step (`analysis.mirrorWeight`). Only with `mirror`.
   * @default 100
   */
  readonly mirrorWeight?: number;
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
 * How Flagger shifts traffic during the analysis. Use the static factories; each kind validates its own options
 * when the CanaryRelease renders it.
 * @see https://docs.flagger.app/usage/deployment-strategies
 */
export abstract class CanaryStrategy {
  /** Canary release with progressive traffic shifting (Istio weights on the primary and canary). */
  public static progressive(options: ProgressiveCanaryOptions = {}): CanaryStrategy {
    return new ProgressiveStrategy(options);
  }

  /** A/B testing: requests matching `match` (e.g. a cookie or header) go to the canary for `iterations` runs. */
  public static abTesting(options: AbTestingOptions): CanaryStrategy {
    return new AbTestingStrategy(options);
  }

  /** Blue/green: the canary is tested for `iterations` runs (through its own Service) then traffic switches at once. */
  public static blueGreen(options: BlueGreenOptions): CanaryStrategy {
    return new BlueGreenStrategy(options);
  }

  /** Blue/green with traffic mirroring: live traffic is copied (shadowed) to the canary during the analysis. */
  public static blueGreenMirroring(options: BlueGreenMirroringOptions): CanaryStrategy {
    return new BlueGreenMirroringStrategy(options);
  }

  protected constructor(
    /** 'progressive', 'ab-testing', 'blue-green' or 'blue-green-mirroring'. */
    public readonly kind: string,
  ) {}

  /**
   * Validates the options and renders the strategy's fields of `spec.analysis` (`host`: the canaried Service's host).
   * @internal
   */
  public abstract _render(scope: IConstruct, host: string): Record<string, unknown>;
}

const FIELD = 'strategy';

class ProgressiveStrategy extends CanaryStrategy {
  constructor(private readonly _options: ProgressiveCanaryOptions) {
    super('progressive');
  }

  /** @internal */
  public _render(scope: IConstruct): Record<string, unknown> {
    const f = FIELD;
    const o = this._options;
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
    if (o.mirrorWeight !== undefined && !o.mirror) {
      throw meshError(scope, `${f}.mirrorWeight`, 'needs mirror: true', o.mirrorWeight, 'add mirror: true, or remove mirrorWeight');
    }
    if (o.mirror) {
      out.mirror = true;
      if (o.mirrorWeight !== undefined) out.mirrorWeight = checkInteger(scope, `${f}.mirrorWeight`, o.mirrorWeight, 1, 100);
    }
    return out;
  }
}

class AbTestingStrategy extends CanaryStrategy {
  constructor(private readonly _options: AbTestingOptions) {
    super('ab-testing');
  }

  /** @internal */
  public _render(scope: IConstruct, host: string): Record<string, unknown> {
    const o = this._options;
    if (!o.match || o.match.length === 0) {
      throw meshError(scope, `${FIELD}.match`, 'must list at least one condition for an A/B test', o.match ?? [],
        "pass match: [CanaryMatch.cookie('canary', 'always')] or a header condition");
    }
    return { iterations: checkIterations(scope, o.iterations), match: o.match.map((m, i) => renderAbMatch(scope, `${FIELD}.match[${i}]`, m, host)) };
  }
}

class BlueGreenStrategy extends CanaryStrategy {
  constructor(private readonly _options: BlueGreenOptions) {
    super('blue-green');
  }

  /** @internal */
  public _render(scope: IConstruct): Record<string, unknown> {
    return { iterations: checkIterations(scope, this._options.iterations) };
  }
}

class BlueGreenMirroringStrategy extends CanaryStrategy {
  constructor(private readonly _options: BlueGreenMirroringOptions) {
    super('blue-green-mirroring');
  }

  /** @internal */
  public _render(scope: IConstruct): Record<string, unknown> {
    const o = this._options;
    const out: Record<string, unknown> = { iterations: checkIterations(scope, o.iterations), mirror: true };
    if (o.mirrorWeight !== undefined) out.mirrorWeight = checkInteger(scope, `${FIELD}.mirrorWeight`, o.mirrorWeight, 1, 100);
    return out;
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

function checkIterations(scope: IConstruct, iterations: number): number {
  return checkInteger(scope, `${FIELD}.iterations`, iterations, 1, 1000);
}

function renderSessionAffinity(scope: IConstruct, field: string, s: SessionAffinity): Record<string, unknown> {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s.cookieName)) {
    throw meshError(scope, `${field}.cookieName`, 'must be a cookie name (an HTTP token)', s.cookieName, "use a name like 'flagger-cookie'");
  }
  const out: Record<string, unknown> = { cookieName: s.cookieName };
  if (s.primaryCookieName !== undefined) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s.primaryCookieName) || s.primaryCookieName === s.cookieName) {
      throw meshError(scope, `${field}.primaryCookieName`, 'must be a cookie name (an HTTP token) other than cookieName', s.primaryCookieName,
        "use a name like 'flagger-primary-cookie'");
    }
    out.primaryCookieName = s.primaryCookieName;
  }
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
