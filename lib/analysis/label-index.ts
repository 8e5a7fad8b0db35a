/*
 * Indexes the analysis model keeps, so that rules stay linear in the number of objects: items by namespace and by
 * `key=value`, answered from the shortest candidate list; Istio host names; small helpers over plain manifests.
 */

export { LabelIndex, type Labelled, push } from '../private/label-index';


/** A map of strings (labels, selectors), or an empty one for anything else. */
export function stringMap(x: unknown): Record<string, string> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** An array, or an empty one for anything else. */
export function arrayOf(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}

/** `k=v,k=v`, keys sorted (Kubernetes' selector string). */
export function selectorString(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector).sort().map((k) => `${k}=${selector[k]}`).join(',');
}

/**
 * Istio's host name match (`pkg/config/host.Name.Matches`): equal names, or a wildcard (`*`, `*.example.com`) that
 * covers the other name or wildcard.
 */
export function hostsMatch(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * Istio's `ConvertHostToFQDN`: a short name (no dot, no wildcard) is a Service in `namespace`; anything else is taken
 * as written (so `reviews.bookinfo` is not `reviews.bookinfo.svc.cluster.local`, as in Istio).
 */
export function toFqdn(host: string, namespace: string, clusterDomain: string): string {
  const h = host.toLowerCase();
  return h.startsWith('*') || h.includes('.') ? h : `${h}.${namespace}.svc.${clusterDomain}`;
}

/** The pod template of a workload object (`[metadata, spec]`), for Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and CronJob. */
export function podTemplateOf(m: { kind: string; spec?: any; metadata?: any }): [any, any] | undefined {
  if (m.kind === 'Pod') return [m.metadata ?? {}, m.spec ?? {}];
  if (!POD_TEMPLATE_KINDS.has(m.kind)) return undefined;
  const t = m.kind === 'CronJob' ? m.spec?.jobTemplate?.spec?.template : m.spec?.template;
  if (!t || typeof t !== 'object') return undefined;
  return [t.metadata ?? {}, t.spec ?? {}];
}

/** Kinds with a pod template. */
export const POD_TEMPLATE_KINDS: ReadonlySet<string> = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);
