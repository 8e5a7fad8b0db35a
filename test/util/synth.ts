/**
 * Synthesis helpers shared by the suites: a chart to build in, its manifests, and lookups in them.
 */
import { Chart, Testing } from 'cdk8s';
import { expectValidManifests } from './schema';

/** A chart named `test` (its id, so error paths read `[test/...]`) in a fresh `Testing.app()`. */
export function chart(namespace?: string, id: string = 'test'): Chart {
  return new Chart(Testing.app(), id, { namespace });
}

/** The chart's manifests, like `Testing.synth()` (runs the construct validations, not the analysis rules). */
export function synth(scope: Chart): any[] {
  return Testing.synth(scope);
}

/**
 * The manifests of what `build` adds to a fresh chart (`chart()`), after failing the test on any schema error
 * (test/util/schema.ts). For a fragment rendered on its own, build the resource that carries it.
 */
export function synthValid(build: (chart: Chart) => unknown): any[] {
  const c = chart();
  build(c);
  const manifests = synth(c);
  expectValidManifests(manifests);
  return manifests;
}

/** Every object of a kind, in synthesis order. */
export function ofKind(objects: readonly any[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}

/**
 * The object of a kind with that name (and namespace, when given); without a name, the only object of the kind.
 * Throws, listing what there is, when there is no such object or the lookup is ambiguous, so a test fails at the
 * lookup rather than on `undefined` later.
 */
export function find(objects: readonly any[], kind: string, name?: string, namespace?: string): any {
  const found = objects.filter((o) => o.kind === kind
    && (name === undefined || o.metadata?.name === name)
    && (namespace === undefined || o.metadata?.namespace === namespace));
  const wanted = [kind, name === undefined ? '' : `"${name}"`, namespace === undefined ? '' : `in namespace ${namespace}`].filter(Boolean).join(' ');
  const listing = () => `[${objects.map((o) => `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`).join(', ')}]`;
  if (found.length === 0) throw new Error(`no ${wanted} among ${listing()}`);
  if (found.length > 1) throw new Error(`${found.length} objects match ${wanted} among ${listing()}: give the name (and namespace)`);
  return found[0];
}
