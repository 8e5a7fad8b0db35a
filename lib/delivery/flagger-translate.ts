import { IConstruct } from 'constructs';
import type { TrafficManagement } from '../traffic/traffic-managed';
import { meshError } from '../private/errors';

/*
 * The Istio -> Flagger translation: Flagger's Canary `service` section takes a subset of an Istio http route and of a
 * DestinationRule traffic policy. These functions take the rendered Istio JSON and fail, naming the user's field, on
 * what Flagger would silently drop. Internal: not exported from lib/index.ts.
 */

/** Pod label shared by the primary and canary pods of an app released by Flagger (policies select it). */
export const FLAGGER_SHARED_LABEL = 'app.kubernetes.io/name';

/**
 * How a MeshApp renders once Flagger owns its traffic (`MeshApp.markTrafficManaged()`):
 *
 * - Flagger requires the target Deployment's selector to be `app: <name>`; it copies the Deployment to
 *   `<name>-primary` and rewrites that label to `app: <name>-primary` there;
 * - primary and canary pods both keep `app.kubernetes.io/name: <name>` (Flagger copies it unchanged), so the app's
 *   policies select that label;
 * - Flagger scales the target (to 0 after promotion) and the primary, so Flux must not reset `spec.replicas`.
 */
export function flaggerTrafficManagement(manager: IConstruct, appName: string): TrafficManagement {
  return {
    manager,
    description: 'released by Flagger',
    podSelector: { [FLAGGER_SHARED_LABEL]: appName },
    podLabels: { [FLAGGER_SHARED_LABEL]: appName },
    deploymentSelector: { app: appName },
    managesReplicas: true,
  };
}

/** Route fields of an Istio http route (rendered) and what Flagger's `service` section calls them. */
const MOVABLE_ROUTE_FIELDS = ['match', 'retries', 'timeout', 'headers', 'corsPolicy', 'rewrite'] as const;
const UNSUPPORTED_ROUTE_FIELDS: Record<string, [string, string]> = {
  fault: ['fault', 'Flagger does not render fault injection; test resilience on a non-canaried app or add the fault after the release'],
  redirect: ['redirect', 'move the redirect to a VirtualService of another host (e.g. the gateway), Flagger routes to the primary and canary'],
  mirror: ['mirror', 'use CanaryStrategy.progressive({ mirror: true }) or blueGreenMirroring() (Flagger mirrors to the canary during the analysis)'],
  mirrorPercentage: ['mirror.percentage', 'use CanaryStrategy.progressive({ mirror: true, mirrorWeight }) or blueGreenMirroring({ mirrorWeight })'],
  name: ['name', 'remove the route name (Flagger names its routes)'],
};

export function convertRoute(scope: IConstruct, field: string, route: Record<string, unknown>, version: string): Record<string, unknown> {
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
export function convertTrafficPolicy(scope: IConstruct, field: string, policy: Record<string, any>): Record<string, unknown> {
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
