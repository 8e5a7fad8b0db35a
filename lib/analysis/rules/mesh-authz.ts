import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { gatewayRef, routeDestinations } from './istio-references';
import { routingObjects } from './istio-virtualservice';
import { arrayOf, push, stringMap } from '../label-index';
import { meshModel, nsOf, PodSet, refOf } from '../model';

/*
 * The product's own authorization check, beyond istioctl: gateway routes to workloads whose ALLOW policies (a deny-all
 * namespace's, or any ALLOW that applies) let no request from the gateway's identity in (MESH0027).
 */

const NETWORKING = 'networking.istio.io';

/** Istio's string match of AuthorizationPolicy values: `*`, `prefix*`, `*suffix`, or exact. */
function matchesPattern(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

/** The identity of a gateway's pods: namespace, and service account when known. */
interface GatewayIdentity {
  readonly namespace: string;
  readonly serviceAccount?: string;
  readonly principal: string;
}

function principalMatches(pattern: string, id: GatewayIdentity, trustDomain: string): boolean {
  if (id.serviceAccount === undefined) {
    // Where the pods run is known, their service account is not: any principal of the namespace may be theirs.
    const m = /\/ns\/([^/]+)\/sa\/[^/]+$/.exec(pattern);
    return pattern === '*' || (m !== null && matchesPattern(m[1], id.namespace)) || (pattern.endsWith('*') && `${trustDomain}/ns/${id.namespace}/`.startsWith(pattern.slice(0, -1)));
  }
  // Other trust domains are aliases of this one (the part after the trust domain decides).
  const path = `/ns/${id.namespace}/sa/${id.serviceAccount}`;
  return matchesPattern(pattern, `${trustDomain}${path}`) || (!pattern.startsWith('*') && !pattern.endsWith('*') && pattern.endsWith(path) && !pattern.slice(0, -path.length).includes('/'));
}

/** Whether an ALLOW rule may match a request from the gateway (sources the analysis cannot decide count as matching). */
function ruleMayMatch(rule: any, id: GatewayIdentity, trustDomain: string): boolean {
  const from = arrayOf(rule?.from);
  if (from.length === 0) return true;
  return from.some((f: any) => {
    const s = f?.source ?? {};
    if (['requestPrincipals', 'ipBlocks', 'remoteIpBlocks'].some((k) => arrayOf(s[k]).length > 0)) return true;
    const principals = arrayOf(s.principals).filter((x): x is string => typeof x === 'string');
    const namespaces = arrayOf(s.namespaces).filter((x): x is string => typeof x === 'string');
    if (principals.length > 0 && !principals.some((p) => principalMatches(p, id, trustDomain))) return false;
    if (namespaces.length > 0 && !namespaces.some((n) => matchesPattern(n, id.namespace))) return false;
    return true;
  });
}

/**
 * Under an ALLOW policy (a namespace's deny-all `{}` is one) a request is let in only by an ALLOW rule that matches it.
 * Routes from a gateway to such workloads need a rule matching the gateway's identity, or every request gets 403.
 */
export const GATEWAY_ROUTE_DENIED: IAnalysisRule = {
  id: 'gateway-route-denied',
  code: 'MESH0027',
  severity: FindingSeverity.ERROR,
  description: 'Workloads a gateway routes to, when ALLOW policies apply to them (e.g. a deny-all namespace), have an ALLOW rule matching the gateway\'s identity.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    const root = ctx.settings.rootNamespace;
    // ALLOW policies by namespace (no selector) and by namespace and selector pair: candidates come from the pod's labels.
    const wide = new Map<string, AnalyzedObject[]>();
    const byPair = new Map<string, Array<{ o: AnalyzedObject; selector: Record<string, string> }>>();
    for (const o of ctx.ofKind('AuthorizationPolicy', 'security.istio.io')) {
      const spec = o.manifest.spec ?? {};
      if ((spec.action ?? 'ALLOW') !== 'ALLOW' || spec.targetRef !== undefined || spec.targetRefs !== undefined || spec.provider !== undefined) continue;
      const selector = stringMap(spec.selector?.matchLabels);
      const pairs = Object.entries(selector);
      if (pairs.length === 0) push(wide, nsOf(o), o);
      else push(byPair, `${nsOf(o)}\u0000${pairs[0][0]}=${pairs[0][1]}`, { o, selector });
    }
    const applying = (p: PodSet): AnalyzedObject[] => {
      const out = [...(wide.get(p.namespace) ?? []), ...(p.namespace === root ? [] : wide.get(root) ?? [])];
      for (const ns of p.namespace === root ? [root] : [p.namespace, root]) {
        for (const [k, v] of Object.entries(p.labels)) {
          for (const a of byPair.get(`${ns}\u0000${k}=${v}`) ?? []) if (Object.entries(a.selector).every(([sk, sv]) => p.labels[sk] === sv)) out.push(a.o);
        }
      }
      return out;
    };
    const reported = new Set<string>();
    for (const r of routingObjects(ctx)) {
      const hosts = r.at.manifest.kind === 'Canary'
        ? [r.hosts[0]]
        : [...new Set(routeDestinations(r.at.manifest.spec).map((d) => d.destination.host).filter((h): h is string => typeof h === 'string'))];
      for (const ref of r.gateways) {
        if (ref === 'mesh') continue;
        const [gns, gname] = gatewayRef(ref, nsOf(r.at));
        const gateway = ctx.find(NETWORKING, 'Gateway', gns, gname);
        if (!gateway) continue;
        for (const gw of model.gatewayPods(gateway)) {
          const known = gw.origin !== 'assumed';
          const id: GatewayIdentity = {
            namespace: gw.namespace, serviceAccount: known ? gw.serviceAccount : undefined,
            principal: `${ctx.settings.trustDomain}/ns/${gw.namespace}/sa/${known ? gw.serviceAccount : '<its service account>'}`,
          };
          for (const host of hosts) {
            const target = model.resolveHost(host, nsOf(r.at));
            if (target?.kind !== 'service') continue;
            const backends = target.kind === 'service' ? model.backends(target.service) : [];
            for (const pods of backends) {
              if (pods.proxy !== 'sidecar' || (pods.origin !== 'manifest' && pods.origin !== 'flagger-primary')) continue;
              const policies = applying(pods);
              if (policies.length === 0) continue;
              if (policies.some((a) => arrayOf(a.manifest.spec?.rules).some((rule) => ruleMayMatch(rule, id, ctx.settings.trustDomain)))) continue;
              const key = `${r.ref}|${gw.key}|${pods.key}`;
              if (reported.has(key)) continue;
              reported.add(key);
              ctx.error(r.at, `${r.label} routes requests from gateway ${gns}/${gname} (pods ${gw.namespace}/${gw.name}, identity ${id.principal}) to `
                + `"${host}", but the ALLOW policies that apply to its pods ${pods.namespace}/${pods.name} (${policies.map((a) => refOf(a)).join(', ')}) have no rule `
                + 'matching that identity: every request gets 403 (RBAC: access denied). Fix: add an ALLOW AuthorizationPolicy selecting the pods, with '
                + `from.source.principals ["${id.principal}"], or allow the gateway's namespace "${gw.namespace}".`);
            }
          }
        }
      }
    }
  },
};
