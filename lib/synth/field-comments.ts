import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import type * as YamlPackage from 'yaml';
import { toYamlWithComments } from './yaml';

/** A path into a manifest: object keys and array indexes. */
export type FieldPath = readonly (string | number)[];

/**
 * A comment at the end of the line of one scalar field of an object's YAML, e.g. a Flux image setter marker
 * `# {"$imagepolicy": "flux-system:web:tag"}` on a container image. cdk8s's YAML writer has no comments
 * (cdk8s-team/cdk8s#1802, #2001, #2165); the synth step adds them.
 */
export interface FieldComment {
  /** Where the field is, found in the resolved manifest (e.g. the container by name); undefined: not there. */
  readonly locate: (manifest: any) => FieldPath | undefined;
  /** The comment text, without '#'. */
  readonly text: string;
  /**
   * Another tool rewrites this field in the committed output (Flux's image automation commits new tags): the
   * next synth keeps the committed value when `keepCommitted(committed, current)` says so.
   * @default - the program's value is always written
   */
  readonly keepCommitted?: (committed: string, current: string) => boolean;
}

const COMMENTS = new WeakMap<IConstruct, FieldComment[]>();

/** The `yaml` package, loaded when first needed (a committed file to read, a document the fast writer leaves to it). */
function yaml(): typeof YamlPackage {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}

/** Registers a comment on a field of `obj`'s YAML. */
export function addFieldComment(obj: ApiObject, comment: FieldComment): void {
  COMMENTS.set(obj, [...(COMMENTS.get(obj) ?? []), comment]);
}

/** The comments registered on `obj`. */
export function fieldCommentsOf(obj: ApiObject): readonly FieldComment[] {
  return COMMENTS.get(obj) ?? [];
}

/** Reads a scalar at `path` of a parsed manifest, or undefined. */
export function valueAt(manifest: any, path: FieldPath): unknown {
  let v = manifest;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[k as any];
  }
  return v;
}

/** Sets the value at an existing `path` of `manifest` (a plain object tree). */
export function setValueAt(manifest: any, path: FieldPath, value: unknown): void {
  let v = manifest;
  for (const k of path.slice(0, -1)) v = v[k as any];
  v[path[path.length - 1] as any] = value;
}

/**
 * Renders `manifest` as cdk8s's Yaml.stringify does (YAML 1.1 quoting, no line wrapping), with each comment at the
 * end of its field's line.
 */
export function stringifyWithComments(manifest: any, comments: readonly { path: FieldPath; text: string }[]): string {
  // The fast writer (lib/synth/yaml.ts); it leaves what it does not cover with certainty to the `yaml` package below.
  const fast = toYamlWithComments(manifest, comments);
  if (fast !== undefined) return fast;
  // version 1.1: the schema cdk8s's Yaml.stringify writes with (quotes 'yes', 'on', '0755', ...), as for every other file.
  const { Document, isScalar } = yaml();
  const doc = new Document(manifest, { keepUndefined: true, version: '1.1' });
  for (const c of comments) {
    const node = doc.getIn(c.path as (string | number)[], true);
    if (!isScalar(node)) throw new Error(`cannot put a comment on ${c.path.join('.')}: it is not a scalar field`);
    node.comment = ` ${c.text}`;
  }
  return doc.toString({ lineWidth: 0 });
}

/** Parses a previously written manifest file (one document), or undefined if it cannot be read as one. */
export function parseCommitted(content: string): unknown {
  const { isMap, isSeq, parseDocument } = yaml();
  try {
    const doc = parseDocument(content);
    if (doc.errors.length > 0) return undefined;
    const node = doc.contents;
    return isMap(node) || isSeq(node) ? doc.toJS() : undefined;
  } catch {
    return undefined;
  }
}
