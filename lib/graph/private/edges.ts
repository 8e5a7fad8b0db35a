/*
 * Edge drafts (node keys, not ids yet), their merging, and the id and ordering helpers of build-mesh-graph.ts.
 */
import { MeshGraphEdgeKind, MeshGraphEdgeStatus } from './model';

export interface EdgeDraft {
  from: string;
  to: string;
  kind: MeshGraphEdgeKind;
  status: MeshGraphEdgeStatus;
  labels: string[];
  reasons: string[];
  sources: string[];
}

/** How bad a status is: merging keeps the worst. */
export const SEVERITY: Record<MeshGraphEdgeStatus, number> = {
  [MeshGraphEdgeStatus.ALLOWED]: 0,
  [MeshGraphEdgeStatus.CONDITIONAL]: 1,
  [MeshGraphEdgeStatus.PLAINTEXT]: 2,
  [MeshGraphEdgeStatus.DENIED]: 3,
};

/** Parallel edges of one kind between the same nodes become one: every label (in order, once), the worst status. */
export function merge(edges: readonly EdgeDraft[]): EdgeDraft[] {
  const byKey = new Map<string, EdgeDraft>();
  for (const e of edges) {
    const key = `${e.from}\u0001${e.to}\u0001${e.kind}`;
    const m = byKey.get(key);
    if (!m) {
      byKey.set(key, { ...e, labels: [...new Set(e.labels)], reasons: [...e.reasons], sources: [...e.sources] });
      continue;
    }
    if (SEVERITY[e.status] > SEVERITY[m.status]) m.status = e.status;
    for (const l of e.labels) if (!m.labels.includes(l)) m.labels.push(l);
    m.reasons.push(...e.reasons);
    m.sources.push(...e.sources);
  }
  return [...byKey.values()];
}

export function sortedRecord<V>(r: Readonly<Record<string, V>>): Record<string, V> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => compare(a, b)));
}

/** A Mermaid-safe id: letters, digits and `_`. */
export function safeId(base: string): string {
  const s = base.replace(/\*/g, 'any').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z]/.test(s) ? s : `n_${s}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
