import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { meshError } from '../private/errors';
import { checkMatchHeaderName } from '../private/headers';
import { istioDuration } from '../private/istio-duration';
import { outputMap, ownEntries } from '../private/plain-keys';
import { checkInteger, checkUnique } from '../private/validate';

/** One locality failover rule: when `from` has no healthy endpoints, traffic goes to `to`. */
export interface LocalityFailover {
  /** Originating region, e.g. 'us-west'. */
  readonly from: string;
  /** Region that receives the traffic when `from` is unhealthy, e.g. 'us-east'. */
  readonly to: string;
}

/** One locality-weighted distribution rule. */
export interface LocalityDistribution {
  /** Originating locality, 'region/zone/subzone' with '*' wildcards, e.g. 'us-west/zone1/*'. */
  readonly from: string;
  /** Destination localities and their weights (integers, summing to 100), e.g. { 'us-west/zone1/*': 80, 'us-east/*': 20 }. */
  readonly to: Record<string, number>;
}

/**
 * Locality-aware load balancing: failover between regions, or weighted distribution between localities.
 * Failover and distribution are mutually exclusive in Istio; the factories make that impossible to get wrong.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
 */
export class LocalityLoadBalancing {
  /** Turns locality load balancing off for this destination (it is on by default mesh-wide). */
  public static readonly DISABLED = new LocalityLoadBalancing('disabled', [], []);

  /**
   * Region failover. Needs outlierDetection on the same traffic policy (it is how Istio learns
   * that the local endpoints are unhealthy).
   */
  public static failover(rules: LocalityFailover[]): LocalityLoadBalancing {
    return new LocalityLoadBalancing('failover', rules, []);
  }

  /**
   * Failover ordered by matching labels, e.g. ['topology.istio.io/network', 'topology.kubernetes.io/region'].
   * Also needs outlierDetection.
   */
  public static failoverPriority(labels: string[]): LocalityLoadBalancing {
    return new LocalityLoadBalancing('failoverPriority', labels, []);
  }

  /** Weighted distribution of traffic from each origin locality. */
  public static distribute(rules: LocalityDistribution[]): LocalityLoadBalancing {
    return new LocalityLoadBalancing('distribute', [], rules);
  }

  private constructor(
    /** @internal */ public readonly _kind: 'disabled' | 'failover' | 'failoverPriority' | 'distribute',
    private readonly _failover: ReadonlyArray<LocalityFailover | string>,
    private readonly _distribute: readonly LocalityDistribution[],
  ) {}

  /** True when Istio can only act on this setting with outlier detection (failover, failoverPriority). */
  public get needsOutlierDetection(): boolean {
    return this._kind === 'failover' || this._kind === 'failoverPriority';
  }

  /** @internal */
  public _render(scope: IConstruct, field: string): Record<string, unknown> {
    switch (this._kind) {
      case 'disabled':
        return { enabled: false };
      case 'failover': {
        const rules = this._failover as LocalityFailover[];
        if (rules.length === 0) {
          throw meshError(scope, `${field}.failover`, 'must list at least one rule', rules, "pass [{ from: 'us-west', to: 'us-east' }]");
        }
        rules.forEach((r, i) => {
          checkRegion(scope, `${field}.failover[${i}].from`, r.from);
          checkRegion(scope, `${field}.failover[${i}].to`, r.to);
          if (r.from === r.to) {
            throw meshError(scope, `${field}.failover[${i}].to`, 'must differ from \'from\'', r.to, 'fail over to another region');
          }
        });
        checkUnique(scope, `${field}.failover[].from`, rules, (r) => r.from);
        return { failover: rules.map((r) => ({ from: r.from, to: r.to })) };
      }
      case 'failoverPriority': {
        const labels = this._failover as string[];
        if (labels.length === 0) {
          throw meshError(scope, `${field}.failoverPriority`, 'must list at least one label', labels, "pass ['topology.kubernetes.io/region']");
        }
        labels.forEach((l, i) => {
          if (!/^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?(=[-A-Za-z0-9_.]*)?$/.test(l)) {
            throw meshError(scope, `${field}.failoverPriority[${i}]`, 'must be a label key (optionally key=value)', l, "use a label key like 'topology.istio.io/network'");
          }
        });
        checkUnique(scope, `${field}.failoverPriority`, labels, (l) => l);
        return { failoverPriority: [...labels] };
      }
      case 'distribute': {
        const rules = this._distribute;
        if (rules.length === 0) {
          throw meshError(scope, `${field}.distribute`, 'must list at least one rule', rules, "pass [{ from: 'us-west/*', to: { 'us-west/*': 80, 'us-east/*': 20 } }]");
        }
        rules.forEach((r, i) => {
          checkLocality(scope, `${field}.distribute[${i}].from`, r.from);
          const entries = ownEntries(r.to);
          if (entries.length === 0) {
            throw meshError(scope, `${field}.distribute[${i}].to`, 'must list at least one locality', r.to, "pass { 'us-west/*': 100 }");
          }
          for (const [loc, w] of entries) {
            checkLocality(scope, `${field}.distribute[${i}].to[${JSON.stringify(loc)}]`, loc);
            checkInteger(scope, `${field}.distribute[${i}].to[${JSON.stringify(loc)}]`, w, 0, 100);
          }
          const sum = entries.reduce((s, [, w]) => s + w, 0);
          if (sum !== 100) {
            throw meshError(scope, `${field}.distribute[${i}].to`, 'weights must sum to 100', `${entries.map(([, w]) => w).join('+')}=${sum}`,
              'adjust the weights so they add up to 100');
          }
        });
        checkUnique(scope, `${field}.distribute[].from`, rules, (r) => r.from);
        return { distribute: rules.map((r) => ({ from: r.from, to: outputMap(r.to) })) };
      }
    }
  }
}

/** Options shared by the simple load-balancing algorithms. */
export interface LoadBalancerOptions {
  /**
   * Locality-aware load balancing.
   * @default - the mesh-wide locality setting
   */
  readonly locality?: LocalityLoadBalancing;
  /**
   * Slow start: new endpoints get gradually more traffic during this window. ROUND_ROBIN and LEAST_REQUEST only.
   * @default - no warm-up
   */
  readonly warmup?: Duration;
}

/** Cookie used as the consistent-hash key; Envoy generates it when absent and `ttl` is set. */
export interface HashCookie {
  /** Cookie name. */
  readonly name: string;
  /** @default - no path */
  readonly path?: string;
  /** @default - a session cookie (not generated by Envoy) */
  readonly ttl?: Duration;
}

/** Consistent-hash (session affinity) key: set exactly one of the hash keys. */
export interface ConsistentHashOptions {
  /** @default - not hashed on a header */
  readonly httpHeaderName?: string;
  /** @default - not hashed on a cookie */
  readonly httpCookie?: HashCookie;
  /** @default false */
  readonly useSourceIp?: boolean;
  /** @default - not hashed on a query parameter */
  readonly httpQueryParameterName?: string;
  /** @default - the mesh-wide locality setting */
  readonly locality?: LocalityLoadBalancing;
}

/**
 * Load-balancing algorithm of a traffic policy.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
 */
export class LoadBalancer {
  /** Round robin over healthy hosts. */
  public static readonly ROUND_ROBIN = new LoadBalancer('ROUND_ROBIN');
  /** Random healthy host; often better than round robin without health checks. */
  public static readonly RANDOM = new LoadBalancer('RANDOM');
  /** Power of two choices, preferring the host with fewer active requests (Istio's default). */
  public static readonly LEAST_REQUEST = new LoadBalancer('LEAST_REQUEST');
  /** Forward to the original destination address (advanced; bypasses load balancing). */
  public static readonly PASSTHROUGH = new LoadBalancer('PASSTHROUGH');

  /** Round robin with locality or warm-up options. */
  public static roundRobin(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer('ROUND_ROBIN', undefined, options);
  }

  /** Random with locality options. */
  public static random(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer('RANDOM', undefined, options);
  }

  /** Least request with locality or warm-up options. */
  public static leastRequest(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer('LEAST_REQUEST', undefined, options);
  }

  /**
   * Locality-aware load balancing without naming an algorithm: only `localityLbSetting` is rendered, and the
   * endpoints within the chosen locality are balanced with Istio's default (LEAST_REQUEST).
   * @example LoadBalancer.localityAware(LocalityLoadBalancing.failover([{ from: 'us-west', to: 'us-east' }]))
   */
  public static localityAware(locality: LocalityLoadBalancing): LoadBalancer {
    return new LoadBalancer(undefined, undefined, { locality });
  }

  /** Session affinity: hash on a header, a cookie, the source IP or a query parameter (exactly one). */
  public static consistentHash(options: ConsistentHashOptions): LoadBalancer {
    return new LoadBalancer(undefined, options, { locality: options.locality });
  }

  private constructor(
    /** The simple algorithm name (ROUND_ROBIN, RANDOM, ...), undefined for consistent hashing and `localityAware()`. */
    public readonly simple?: string,
    private readonly _hash?: ConsistentHashOptions,
    private readonly _options: LoadBalancerOptions = {},
  ) {}

  /** The locality setting, if any. */
  public get locality(): LocalityLoadBalancing | undefined {
    return this._options.locality;
  }

  /** @internal */
  public _render(scope: IConstruct, field: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!this.simple && !this._hash && !this._options.locality) {
      throw meshError(scope, `${field}.locality`, 'is required by LoadBalancer.localityAware()', undefined,
        'pass a LocalityLoadBalancing, e.g. LocalityLoadBalancing.failover([...]), or use an algorithm such as LoadBalancer.LEAST_REQUEST');
    }
    if (this.simple) out.simple = this.simple;
    if (this._hash) out.consistentHash = renderHash(scope, `${field}.consistentHash`, this._hash);
    if (this._options.locality) out.localityLbSetting = this._options.locality._render(scope, `${field}.locality`);
    if (this._options.warmup) {
      if (this.simple !== 'ROUND_ROBIN' && this.simple !== 'LEAST_REQUEST') {
        throw meshError(scope, `${field}.warmup`, `is only supported with ROUND_ROBIN and LEAST_REQUEST, not ${this.simple}`,
          this._options.warmup.toHumanString(), 'use LoadBalancer.roundRobin({ warmup }) or LoadBalancer.leastRequest({ warmup })');
      }
      out.warmup = { duration: istioDuration(scope, `${field}.warmup`, this._options.warmup) };
    }
    return out;
  }
}

function renderHash(scope: IConstruct, field: string, hash: ConsistentHashOptions): Record<string, unknown> {
  const keys = (['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'] as const).filter((k) => hash[k] !== undefined && hash[k] !== false);
  if (keys.length !== 1) {
    throw meshError(scope, field, 'must set exactly one hash key (httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName)', keys,
      "pick one, e.g. LoadBalancer.consistentHash({ httpHeaderName: 'x-user' })");
  }
  const key = keys[0];
  switch (key) {
    case 'httpHeaderName':
      return { httpHeaderName: checkMatchHeaderName(scope, `${field}.httpHeaderName`, hash.httpHeaderName!) };
    case 'httpQueryParameterName':
      if (!hash.httpQueryParameterName) {
        throw meshError(scope, `${field}.httpQueryParameterName`, 'must not be empty', hash.httpQueryParameterName, 'name the query parameter');
      }
      return { httpQueryParameterName: hash.httpQueryParameterName };
    case 'useSourceIp':
      return { useSourceIp: true };
    case 'httpCookie': {
      const c = hash.httpCookie!;
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(c.name)) {
        throw meshError(scope, `${field}.httpCookie.name`, 'must be a cookie name (an HTTP token)', c.name, "use a name like 'session-id'");
      }
      const cookie: Record<string, unknown> = { name: c.name };
      if (c.path !== undefined) cookie.path = c.path;
      if (c.ttl) cookie.ttl = istioDuration(scope, `${field}.httpCookie.ttl`, c.ttl, 0);
      return { httpCookie: cookie };
    }
  }
}

function checkRegion(scope: IConstruct, field: string, region: string): void {
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(region)) {
    throw meshError(scope, field, 'must be a region name (no zone, no wildcard: failover works between regions)', region, "use a region like 'us-east'");
  }
}

function checkLocality(scope: IConstruct, field: string, locality: string): void {
  const parts = locality.split('/');
  const ok = parts.length <= 3 && parts.every((p) => p === '*' || /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(p))
    && parts.slice(0, -1).every((p, i) => p !== '*' || parts.slice(i + 1).every((q) => q === '*'));
  if (!ok) {
    throw meshError(scope, field, "must be a locality 'region[/zone[/subzone]]' where '*' may only replace trailing parts", locality,
      "use e.g. 'us-west/zone1/*' or 'us-east/*'");
  }
}
