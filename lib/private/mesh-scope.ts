import { IConstruct } from 'constructs';

const BOUNDARIES = new WeakSet<IConstruct>();

/**
 * Marks `scope` as the boundary of one mesh (a cluster): whole-mesh questions (topology, relations, egress grants,
 * one-per-mesh objects) asked below it see only the constructs below it. A GitOpsCluster is one.
 */
export function markMeshBoundary(scope: IConstruct): void {
  BOUNDARIES.add(scope);
}

/** The construct bounding the mesh `scope` belongs to: its nearest marked ancestor, else the App. */
export function meshScopeOf(scope: IConstruct): IConstruct {
  for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
    if (BOUNDARIES.has(s)) return s;
  }
  return scope.node.root;
}
