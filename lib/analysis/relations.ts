import { AnalysisContext, AnalyzedObject } from './context';
import { arrayOf, stringMap } from './label-index';
import { meshModel, nsOf, PodSet, refOf } from './model';
import { CLUSTER_DOMAIN } from '../private/names';

/*
 * Who calls whom, as far as the manifests tell: service URLs in container env values, gateway routes of
 * VirtualServices and Flagger Canaries, and the principals ALLOW AuthorizationPolicies name. Relations the program
 * declares (e.g. `connectTo`) come as `ctx.facts.relations` (App analysis only).
 */

/** One end of a call: pods of the model, or a stand-in for pods not in it (a gateway installed elsewhere). */
export interface CallPeer {
  /** Unique key (a pod set's key). */
  readonly key: string;
  /** `<namespace>/<name>`, for messages. */
  readonly label: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Runs an Envoy (sidecar or gateway): presents an mTLS identity and enforces policies. */
  readonly sidecar: boolean;
  /** Where findings about it are reported. */
  readonly at: AnalyzedObject | string;
  readonly pods?: PodSet;
}

/** A call found in the manifests. */
export interface ManifestCall {
  readonly kind: 'allow' | 'call';
  readonly caller: CallPeer;
  readonly callee: CallPeer;
  /** How it was found, for messages (e.g. `env URL=...`, `VirtualService "ns/name"`). */
  readonly via: string;
  /** The object that makes it (for 'allow': the AuthorizationPolicy). */
  readonly at: AnalyzedObject | string;
}

/** A pod set as a call peer. */
export function peerOf(p: PodSet): CallPeer {
  return {
    key: p.key, label: `${p.namespace}/${p.name}`, namespace: p.namespace, labels: p.labels, sidecar: p.proxy !== 'none',
    at: p.object ?? p.source ?? p.key, pods: p,
  };
}

/**
 * Every call the manifests reveal in which at least one side runs no proxy (between two proxies there is nothing for
 * the mTLS checks to report; leaving those out keeps a policy that lets a whole namespace in from being one call per pair).
 */
export function manifestCalls(ctx: AnalysisContext): ManifestCall[] {
  const model = meshModel(ctx);
  const all: ManifestCall[] = [];
  const calls = { push: (c: ManifestCall) => (c.caller.sidecar && c.callee.sidecar ? 0 : all.push(c)) };
  // Service URLs in env values.
  for (const p of model.podSets) {
    for (const container of [...arrayOf(p.spec?.containers), ...arrayOf(p.spec?.initContainers)]) {
      for (const env of arrayOf(container?.env)) {
        if (typeof env?.value !== 'string') continue;
        const host = serviceOfUrl(env.value, p.namespace, ctx.settings.clusterDomain);
        const svc = host ? model.services.get(`${host.namespace}/${host.name}`) : undefined;
        if (!svc) continue;
        for (const callee of model.backends(svc)) {
          calls.push({ kind: 'call', caller: peerOf(p), callee: peerOf(callee), via: `env ${env.name}=${env.value}`, at: p.object ?? p.key });
        }
      }
    }
  }
  // Gateways calling what their HTTP routes send traffic to.
  const gatewayRoutes = (o: AnalyzedObject, gateways: unknown, hosts: string[], via: string) => {
    for (const ref of arrayOf(gateways)) {
      if (typeof ref !== 'string' || ref === 'mesh') continue;
      const [gns, gname] = ref.includes('/') ? ref.split('/', 2) : [nsOf(o), ref];
      const gateway = ctx.find('networking.istio.io', 'Gateway', gns, gname);
      if (!gateway) continue;
      for (const pods of model.gatewayPods(gateway)) {
        const caller: CallPeer = {
          key: `${pods.key}@${refOf(gateway)}`, label: `${pods.namespace}/${gname}`, namespace: pods.namespace, labels: pods.labels, sidecar: true, at: gateway,
        };
        for (const host of hosts) {
          const target = model.resolveHost(host, nsOf(o));
          if (target?.kind !== 'service') continue;
          for (const callee of model.backends(target.service)) {
            if (callee.origin === 'manifest' || callee.origin === 'flagger-primary') calls.push({ kind: 'call', caller, callee: peerOf(callee), via, at: o });
          }
        }
      }
    }
  };
  for (const o of ctx.ofKind('VirtualService', 'networking.istio.io')) {
    const spec = o.manifest.spec ?? {};
    // HTTP routes: the gateway's Envoy opens the connection to the backend (TLS and TCP routes may pass the client's TLS through).
    const hosts = arrayOf(spec.http)
      .flatMap((r: any) => [...arrayOf(r?.route).map((d: any) => d?.destination?.host), r?.mirror?.host])
      .filter((h: unknown): h is string => typeof h === 'string');
    gatewayRoutes(o, spec.gateways, [...new Set(hosts)], `VirtualService "${refOf(o)}"`);
  }
  for (const c of ctx.ofKind('Canary', 'flagger.app')) {
    const service = c.manifest.spec?.service?.name ?? c.manifest.spec?.targetRef?.name;
    if (typeof service === 'string') gatewayRoutes(c, c.manifest.spec?.service?.gateways, [service], `Canary "${refOf(c)}"`);
  }
  // The principals ALLOW policies let in, as callers of the pods the policy selects.
  for (const o of ctx.ofKind('AuthorizationPolicy', 'security.istio.io')) {
    const spec = o.manifest.spec ?? {};
    const selector = stringMap(spec.selector?.matchLabels);
    if ((spec.action ?? 'ALLOW') !== 'ALLOW' || Object.keys(selector).length === 0) continue;
    const callees = model.select(nsOf(o), selector);
    for (const rule of arrayOf(spec.rules)) {
      for (const from of arrayOf(rule?.from)) {
        for (const principal of arrayOf(from?.source?.principals)) {
          const m = typeof principal === 'string' ? /^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal) : null;
          if (!m) continue;
          const callers = model.podsOfAccount(m[1], m[2]);
          const via = `AuthorizationPolicy "${refOf(o)}"`;
          // Pairs with a side without proxy: callers without one with every callee, callers with one with callees without.
          for (const caller of callers.filter((p) => p.proxy === 'none')) {
            for (const callee of callees) calls.push({ kind: 'allow', caller: peerOf(caller), callee: peerOf(callee), via, at: o });
          }
          const bare = callees.filter((p) => p.proxy === 'none');
          for (const caller of bare.length > 0 ? callers.filter((p) => p.proxy !== 'none') : []) {
            for (const callee of bare) calls.push({ kind: 'allow', caller: peerOf(caller), callee: peerOf(callee), via, at: o });
          }
        }
      }
    }
  }
  return all;
}

const URL = /^[a-z][a-z0-9+.-]*:\/\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\.[a-z0-9.-]+)?)?)?(?::\d+)?(?:[/?#].*)?$/;

/** `http://customers.default.svc.cluster.local:80/x` → { name: customers, namespace: default }; `http://customers` → same namespace. */
export function serviceOfUrl(value: string, namespace: string, clusterDomain: string = CLUSTER_DOMAIN): { name: string; namespace: string } | undefined {
  const m = URL.exec(value.trim());
  if (!m) return undefined;
  const domain = m[6];
  if (domain !== undefined && domain !== `.${clusterDomain}`) return undefined;
  return { name: m[1], namespace: m[3] ?? namespace };
}
