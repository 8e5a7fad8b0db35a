import { IConstruct } from 'constructs';

/** Metadata type under which the library records synth-time warnings (cdk8s has no Annotations). */
export const WARNING_METADATA = 'mesh:warning';

/**
 * Records a warning on a construct. Warnings are printed by the synth step (never by constructs),
 * and become errors when MESH_STRICT=1. `id` is a stable code (e.g. 'mesh-app:no-probes').
 */
export function addWarning(scope: IConstruct, id: string, message: string): void {
  const data = `${message} [${id}]`;
  // Specs are rendered more than once (early validation, then synth): record each warning once.
  if (scope.node.metadata.some((m) => m.type === WARNING_METADATA && m.data === data)) return;
  scope.node.addMetadata(WARNING_METADATA, data);
}

/** Every warning recorded under `root`, as `[path] message`, in tree order. */
export function collectWarnings(root: IConstruct): string[] {
  const out: string[] = [];
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type === WARNING_METADATA) out.push(`[${c.node.path}] ${m.data}`);
    }
  }
  return out;
}
