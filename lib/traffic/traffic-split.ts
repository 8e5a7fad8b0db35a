import { Duration } from 'cdk8s';
import type { CorsPolicy, HeaderOperations, HttpMatch, HttpRetry, HttpRouteOptions } from './http-route';
import type { StringMatch } from './string-match';
import { cookieMatch } from './cookie-match';

/** Route settings applied to every route of a split (they stay the same whichever version serves). */
export interface SplitRouteOptions {
  /** @default - no timeout (Istio's default) */
  readonly timeout?: Duration;
  /** @default - Istio's default retries */
  readonly retries?: HttpRetry;
  /** @default - none */
  readonly headers?: HeaderOperations;
  /** @default - no CORS handling */
  readonly corsPolicy?: CorsPolicy;
}

/**
 * A static release plan for a MeshApp: which version gets which traffic, by weight or by request match.
 * A thin layer over the app's routes: `app.splitTraffic(split)` adds `split.toRoutes()` to the mesh
 * VirtualService (and to gateway bindings without their own routes). For automated, metric-driven
 * shifting use a CanaryRelease instead.
 *
 * @example
 * customers.splitTraffic(TrafficSplit.weighted({ v1: 90, v2: 10 }));
 * customers.splitTraffic(TrafficSplit.byCookie('tester', 'true', 'v2', TrafficSplit.allTo('v1')));
 */
export class TrafficSplit {
  /** Shifts traffic by weight, e.g. `{ v1: 90, v2: 10 }` (integers summing to 100; 0 keeps a version routable but idle). */
  public static weighted(weights: Record<string, number>, options: SplitRouteOptions = {}): TrafficSplit {
    const destinations = Object.entries(weights).map(([version, weight]) => ({ version, weight }));
    return new TrafficSplit([{ ...options, destinations }]);
  }

  /** Sends everything to one version (e.g. the end of a release, or a rollback). */
  public static allTo(version: string, options: SplitRouteOptions = {}): TrafficSplit {
    return new TrafficSplit([{ ...options, destinations: [{ version }] }]);
  }

  /** Requests matching any of `match` go to `version`; every other request follows `otherwise`. */
  public static byMatch(match: HttpMatch[], version: string, otherwise: TrafficSplit, options: SplitRouteOptions = {}): TrafficSplit {
    return new TrafficSplit([{ ...options, match, destinations: [{ version }] }, ...otherwise._routes]);
  }

  /** Requests whose header `name` (lower case) matches go to `version`, e.g. S4's `user-agent` ~ `.*Firefox.*`. */
  public static byHeader(name: string, match: StringMatch, version: string, otherwise: TrafficSplit, options: SplitRouteOptions = {}): TrafficSplit {
    return TrafficSplit.byMatch([{ headers: { [name]: match } }], version, otherwise, options);
  }

  /** Requests carrying the cookie `name=value` go to `version` (testers opt in with a cookie). */
  public static byCookie(name: string, value: string, version: string, otherwise: TrafficSplit, options: SplitRouteOptions = {}): TrafficSplit {
    return TrafficSplit.byMatch([cookieMatch(name, value)], version, otherwise, options);
  }

  private constructor(private readonly _routes: HttpRouteOptions[]) {}

  /** The routes this plan adds, in match order (matches first, the catch-all last). */
  public toRoutes(): HttpRouteOptions[] {
    return this._routes.map((r) => ({ ...r }));
  }
}
