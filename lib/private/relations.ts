import { IConstruct } from 'constructs';
import type { IMeshPeer } from './identity';
import { meshScopeOf } from './mesh-scope';

/** How a relation between two peers was declared. */
export type RelationKind = 'allow' | 'call';

/** `caller` sends requests to `callee`: declared by `allowFrom` (kind 'allow') or a `connectTo`-style verb ('call'). */
export interface MeshRelation {
  readonly kind: RelationKind;
  readonly caller: IMeshPeer;
  readonly callee: IMeshPeer;
  /** Construct path of the construct that declared the relation (for findings). */
  readonly path: string;
  /** How the relation was declared, for messages (e.g. 'exposeVia'). */
  readonly via: string;
}

const REGISTRY = new WeakMap<IConstruct, MeshRelation[]>();

/** Records that `caller` calls `callee`, for the whole-output analysis of the app `scope` belongs to. */
export function recordRelation(scope: IConstruct, kind: RelationKind, caller: IMeshPeer, callee: IMeshPeer, via?: string): void {
  const root = meshScopeOf(scope);
  const list = REGISTRY.get(root) ?? [];
  REGISTRY.set(root, list);
  if (!list.some((r) => r.kind === kind && r.caller === caller && r.callee === callee)) {
    list.push({ kind, caller, callee, path: scope.node.path, via: via ?? (kind === 'allow' ? 'allowFrom' : 'connectTo') });
  }
}

/** Every relation recorded in the app whose root is `root`. */
export function relationsOf(root: IConstruct): readonly MeshRelation[] {
  return REGISTRY.get(meshScopeOf(root)) ?? [];
}
