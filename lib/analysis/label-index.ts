/*
 * Indexes the analysis model keeps, so that rules stay linear in the number of objects: items by namespace and by
 * `key=value`, answered from the shortest candidate list; Istio host names; small helpers over plain manifests.
 */

/** Something with labels in a namespace. */
export interface Labelled {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Items indexed by namespace and label pair. */
export class LabelIndex<T extends Labelled> {
  private readonly _byNamespace = new Map<string, T[]>();
  private readonly _byLabel = new Map<string, T[]>();
  private readonly _byLabelAnyNamespace = new Map<string, T[]>();

  public add(item: T): void {
    push(this._byNamespace, item.namespace, item);
    for (const [k, v] of Object.entries(item.labels)) {
      push(this._byLabel, `${item.namespace}\u0000${k}=${v}`, item);
      push(this._byLabelAnyNamespace, `${k}=${v}`, item);
    }
  }

  /** Items of `namespace` whose labels include every pair of `selector`; every item of the namespace for an empty selector. */
  public select(namespace: string, selector: Readonly<Record<string, string>> | undefined): T[] {
    const pairs = Object.entries(selector ?? {});
    if (pairs.length === 0) return [...(this._byNamespace.get(namespace) ?? [])];
    return filterShortest(pairs.map(([k, v]) => this._byLabel.get(`${namespace}\u0000${k}=${v}`) ?? []), pairs);
  }

  /** Items of any namespace whose labels include every pair of a non-empty `selector`. */
  public selectAnyNamespace(selector: Readonly<Record<string, string>>): T[] {
    const pairs = Object.entries(selector);
    if (pairs.length === 0) return [];
    return filterShortest(pairs.map(([k, v]) => this._byLabelAnyNamespace.get(`${k}=${v}`) ?? []), pairs);
  }

  /** Every item of `namespace`. */
  public inNamespace(namespace: string): readonly T[] {
    return this._byNamespace.get(namespace) ?? [];
  }
}

function filterShortest<T extends Labelled>(lists: T[][], pairs: [string, string][]): T[] {
  let shortest = lists[0];
  for (const l of lists) if (l.length < shortest.length) shortest = l;
  return shortest.filter((item) => pairs.every(([k, v]) => item.labels[k] === v));
}

/** Appends to the list at `key`, creating it. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

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
