/**
 * Items with labels in a namespace, indexed by namespace and by `key=value`, so that a selector is answered from the
 * shortest candidate list instead of a scan of every item: the analysis and the graph stay linear in the number of objects.
 */
export interface Labelled {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

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

/** Whether every pair of `selector` is in `labels`. */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>> | undefined): boolean {
  for (const [k, v] of Object.entries(selector ?? {})) if (labels[k] !== v) return false;
  return true;
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
