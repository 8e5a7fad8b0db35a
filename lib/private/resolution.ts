import { createHash } from 'node:crypto';
import {
  ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver, resolve,
} from 'cdk8s';

/*
 * Rendering an ApiObject (`toJson()`) is the largest cost of a synthesis. cdk8s's implementation resolves the whole
 * value tree (for every value: `App.of()` up the construct tree, a ResolutionContext, a copied key path, the three
 * resolvers), then walks the result again to sanitize it (sort keys, drop null and undefined), and does the same for
 * the metadata. `withFastResolution(f)` runs `f` with ApiObject and ApiObjectMetadataDefinition rendering the same
 * JSON in one walk, and puts cdk8s's methods back when `f` returns or throws.
 *
 * It is the same computation, not an approximation:
 * - it is used only when the installed cdk8s's code is the code it was written from: the source text of every function
 *   involved (ApiObject.toJson, ApiObjectMetadataDefinition.toJson, resolve, the sanitizer, the three built-in
 *   resolvers, Lazy.produce, JsonPatch.apply) hashes to CDK8S_RENDERING; another cdk8s version keeps its own methods;
 * - only while strings, numbers, booleans and Object.prototype have no `resolve` or `value` property (which would
 *   make cdk8s's resolvers call or unwrap them);
 * - per object, only when its App has exactly the built-in resolvers (an app with custom `resolvers` is rendered by
 *   cdk8s, which passes them a ResolutionContext with the key path);
 * - the resolvers are applied in cdk8s's order with cdk8s's tests (Lazy, then an implicit token's `resolve()`, then a
 *   number-or-string union), on every value, and again on what they return; children of a plain object are resolved
 *   in its property order (so lazy producers run in the same order) and written in sorted order without null and
 *   undefined; arrays keep their length and holes; the metadata drops empty arrays and objects, as cdk8s's does;
 * - anything else (an object that is not a plain object or array, a `__proto__` key, which cdk8s's resolver turns
 *   into a prototype) hands the whole object over to cdk8s's own method.
 * test/synth/resolution.test.ts compares both over the reference platform and generated value trees.
 */

/** SHA-256 of the cdk8s functions this module reimplements (cdk8s 2.70.x). */
export const CDK8S_RENDERING = 'c88375e53fb40c365d2409a5b06dc4952c434931df27c1182a93f02a106949c9';

interface Options {
  readonly sortKeys: boolean;
  readonly filterEmpty: boolean;
}

const METADATA: Options = { sortKeys: true, filterEmpty: true };
const SORTED: Options = { sortKeys: true, filterEmpty: false };
const UNSORTED: Options = { sortKeys: false, filterEmpty: false };

/** Thrown inside the walk for a value that only cdk8s's own method renders with certainty. */
const HAND_OVER: unique symbol = Symbol('hand over to cdk8s');

let active = false;

/**
 * Runs `f` with the one-walk rendering of ApiObjects when the installed cdk8s is the one it reproduces (see above);
 * otherwise, or when already inside, just runs `f`.
 */
export function withFastResolution<T>(f: () => T): T {
  if (active || !matchesInstalledCdk8s() || !plainPrimitives()) return f();
  const apiObject = ApiObject.prototype.toJson;
  const metadata = ApiObjectMetadataDefinition.prototype.toJson;
  ApiObject.prototype.toJson = function fastApiObjectToJson(this: ApiObject) {
    return renderApiObject(this, apiObject);
  };
  ApiObjectMetadataDefinition.prototype.toJson = function fastMetadataToJson(this: ApiObjectMetadataDefinition) {
    return renderMetadata(this, metadata);
  };
  active = true;
  try {
    return f();
  } finally {
    active = false;
    ApiObject.prototype.toJson = apiObject;
    ApiObjectMetadataDefinition.prototype.toJson = metadata;
  }
}

/** The hash of the installed cdk8s's rendering functions, as they are now (a wrapped method changes it). */
export function installedRenderingHash(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { sanitizeValue } = require('cdk8s/lib/_util') as { sanitizeValue: (...args: unknown[]) => unknown };
  const sources = [
    ApiObject.prototype.toJson, ApiObjectMetadataDefinition.prototype.toJson, resolve, sanitizeValue,
    LazyResolver.prototype.resolve, ImplicitTokenResolver.prototype.resolve, NumberStringUnionResolver.prototype.resolve, Lazy.prototype.produce,
    JsonPatch.apply,
  ].map((f) => String(f));
  return createHash('sha256').update(sources.join('\n\0\n')).digest('hex');
}

/**
 * Whether strings, numbers, booleans and plain objects have no `resolve` or `value` property (none of their
 * prototypes was given one) and their own constructors: then cdk8s's resolvers never replace a string, number or
 * boolean, nor a plain object without own `resolve` and `constructor` keys, and the walk takes them as they are.
 */
function plainPrimitives(): boolean {
  return ([[String, String.prototype], [Number, Number.prototype], [Boolean, Boolean.prototype], [Object, Object.prototype]] as const)
    .every(([type, p]) => !('resolve' in p) && !('value' in p) && p.constructor === type);
}

function matchesInstalledCdk8s(): boolean {
  try {
    return installedRenderingHash() === CDK8S_RENDERING;
  } catch {
    return false;
  }
}

/** Whether the app of `scope` has exactly cdk8s's built-in resolvers, in their order. */
function builtinResolversOnly(scope: ApiObject): boolean {
  const r = (App.of(scope) as { resolvers?: any[] }).resolvers;
  return Array.isArray(r) && r.length === 3
    && r[0].constructor === LazyResolver && r[0].resolve === LazyResolver.prototype.resolve
    && r[1].constructor === ImplicitTokenResolver && r[1].resolve === ImplicitTokenResolver.prototype.resolve
    && r[2].constructor === NumberStringUnionResolver && r[2].resolve === NumberStringUnionResolver.prototype.resolve;
}

/** ApiObject.toJson() of cdk8s 2.70, in one walk. */
function renderApiObject(obj: ApiObject, original: () => any): any {
  if (!builtinResolversOnly(obj)) return original.call(obj);
  try {
    const data = { ...(obj as unknown as { props: object }).props, metadata: obj.metadata.toJson() };
    const json = render(data, process.env.CDK8S_DISABLE_SORT ? UNSORTED : SORTED);
    // JsonPatch.apply() with no operation returns the document itself (after cloning the empty list of operations).
    const patches = (obj as unknown as { patches: JsonPatch[] }).patches;
    const patched = patches.length === 0 ? json : JsonPatch.apply(json, ...patches);
    // "apiVersion", "kind" and "metadata" first, then the rest, as cdk8s orders them
    const result: Record<string, unknown> = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
      if (k in patched) result[k] = patched[k];
    }
    return result;
  } catch (e) {
    if (e === HAND_OVER) return original.call(obj);
    throw new Error(`Failed serializing construct at path '${obj.node.path}' with name '${obj.name}': ${e}`);
  }
}

/** ApiObjectMetadataDefinition.toJson() of cdk8s 2.70, in one walk. */
function renderMetadata(meta: ApiObjectMetadataDefinition, original: () => any): any {
  const m = meta as unknown as {
    apiObject?: ApiObject; _additionalAttributes: object; name?: string; namespace?: string;
    annotations: unknown; finalizers: unknown; ownerReferences: unknown; labels: unknown;
  };
  if (m.apiObject === undefined || !builtinResolversOnly(m.apiObject)) return original.call(meta);
  try {
    return render({
      ...m._additionalAttributes,
      name: m.name,
      namespace: m.namespace,
      annotations: m.annotations,
      finalizers: m.finalizers,
      ownerReferences: m.ownerReferences,
      labels: m.labels,
    }, METADATA);
  } catch (e) {
    if (e === HAND_OVER) return original.call(meta);
    throw e;
  }
}

/** sanitizeValue(resolve([], value, obj), options) of cdk8s, for the built-in resolvers. */
function render(input: any, o: Options): any {
  let value = input;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value; // no resolver replaces them (see plainPrimitives()), and the sanitizer keeps them
    case 'undefined':
      return undefined;
  }
  if (value === null) return undefined;
  if (Object.getPrototypeOf(value) === Object.prototype) {
    // A plain object without an own `resolve` or `constructor`: not a Lazy, no resolve(), its constructor is Object.
    const keys = Object.keys(value);
    if (!keys.includes('resolve') && !keys.includes('constructor')) return renderMap(value, keys, o);
  }
  // The resolvers, in cdk8s's order, until none replaces the value.
  for (;;) {
    if (value === null || value === undefined) return undefined;
    if (value instanceof Lazy) {
      value = value.produce();
    } else if (typeof value.resolve === 'function') {
      value = value.resolve();
    } else if (value.constructor !== Object && (typeof value.value === 'number' || typeof value.value === 'string')) {
      value = { value: value.value };
    } else {
      break;
    }
  }
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (o.filterEmpty && value.length === 0) return undefined;
    return value.map((x) => render(x, o));
  }
  if (value.constructor !== Object) throw HAND_OVER;
  return renderMap(value, Object.keys(value), o);
}

/** The children of a plain object, resolved in property order, written in sorted order without null and undefined. */
function renderMap(value: Record<string, unknown>, keys: string[], o: Options): Record<string, unknown> | undefined {
  const n = keys.length;
  // Like Object.entries(): every value is read before any is resolved.
  const rendered = new Array<unknown>(n);
  for (let i = 0; i < n; i++) rendered[i] = value[keys[i]];
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (k === '__proto__') throw HAND_OVER; // cdk8s's resolver would set the prototype of its copy
    if (i > 0 && keys[i - 1] > k) sorted = false;
    rendered[i] = render(rendered[i], o);
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  if (sorted || !o.sortKeys) {
    for (let i = 0; i < n; i++) {
      const v = rendered[i];
      if (v !== null && v !== undefined) {
        out[keys[i]] = v;
        count++;
      }
    }
  } else {
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : 1));
    for (const i of order) {
      const v = rendered[i];
      if (v !== null && v !== undefined) {
        out[keys[i]] = v;
        count++;
      }
    }
  }
  return o.filterEmpty && count === 0 ? undefined : out;
}
