import type { AnalysisContext, IAnalysisRule, Manifest } from '../context';
import { CLUSTER_SCOPED_KINDS, FindingSeverity, objectId } from '../context';

/** The identity of an object in the cluster: a namespaced object without namespace lands in "default". */
function clusterId(m: Manifest): string {
  if (CLUSTER_SCOPED_KINDS.has(m.kind) || m.metadata?.namespace !== undefined) return objectId(m);
  return objectId({ ...m, metadata: { ...m.metadata, namespace: 'default' } });
}

/** Two objects with the same identity would overwrite each other in the cluster (and fight under Flux). */
export const DUPLICATE_OBJECT: IAnalysisRule = {
  id: 'duplicate-object',
  severity: FindingSeverity.ERROR,
  description: 'No two synthesized objects share API group, kind, namespace and name.',
  check(ctx: AnalysisContext) {
    const seen = new Map<string, string>();
    for (const o of ctx.objects) {
      const id = clusterId(o.manifest);
      const first = seen.get(id);
      if (first === undefined) {
        seen.set(id, o.path);
      } else {
        const m = o.manifest;
        const ns = m.metadata.namespace ?? (CLUSTER_SCOPED_KINDS.has(m.kind) ? undefined : 'default');
        ctx.error(o, `${m.kind} "${m.metadata.name}"${ns ? ` in namespace "${ns}"` : ''} is also emitted by [${first}]. `
          + 'Fix: give one of them another name or namespace, or create it once and reference it.');
      }
    }
  },
};

/** dist/ is committed to git: secret material must come from the cluster (SealedSecrets, SOPS, External Secrets), never from here. */
export const SECRET_DATA: IAnalysisRule = {
  id: 'secret-data',
  severity: FindingSeverity.ERROR,
  description: 'No Secret with data or stringData is written to dist/.',
  check(ctx: AnalysisContext) {
    for (const o of ctx.ofKind('Secret', '')) {
      const keys = [...Object.keys(o.manifest.data ?? {}), ...Object.keys(o.manifest.stringData ?? {})];
      if (keys.length > 0) {
        ctx.error(o, `Secret "${o.manifest.metadata.name}" carries data (${keys.sort().join(', ')}) that would be committed to git with dist/. `
          + 'Fix: create the Secret in the cluster (SOPS, Sealed Secrets or External Secrets) and reference it by name.');
      }
    }
  },
};
