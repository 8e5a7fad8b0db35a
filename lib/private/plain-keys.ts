import { ApiObject } from 'cdk8s';

/*
 * Keys that come from data (labels, header names, selectors) are plain strings, including `__proto__` and
 * `constructor`. JavaScript objects used as maps mistake them for the prototype: `key in {}` is true for
 * `constructor`, `out['__proto__'] = v` sets the prototype instead of a key. And cdk8s's serializer cannot carry
 * them: its resolver assigns `result[key]` (a `__proto__` key vanishes) and its sanitizer reads `obj.constructor.name`
 * (a `constructor` key crashes it). So:
 *
 * - lookups use `hasOwn()` / `ownEntries()`, never `in` or a bare `obj[key]`;
 * - maps written into a manifest go through `outputMap()`, which escapes those two keys, and the ApiObject through
 *   `withPlainKeys()`, which restores them once cdk8s has rendered the object (as own properties, in cdk8s's order).
 */

/** Keys that a JavaScript object or cdk8s's serializer does not treat as plain keys. */
const SPECIAL_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);
/** Prefix of an escaped key (a NUL character cannot start a label, header or selector key). */
const ESCAPE = '\u0000mesh-plain-key:';

/** Whether `obj` has its own property `key` (`constructor` and `__proto__` included, prototypes excluded). */
export function hasOwn(obj: object | undefined, key: string): boolean {
  return obj !== undefined && obj !== null && Object.prototype.hasOwnProperty.call(obj, key);
}

/** The own value of `key`, or undefined (never a prototype member such as `Object.prototype.constructor`). */
export function ownValue<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && hasOwn(obj, key) ? (Object.getOwnPropertyDescriptor(obj, key)!.value as T) : undefined;
}

/** The own enumerable entries of a map, `__proto__` and `constructor` included (an own key shadows the prototype's). */
export function ownEntries<T>(obj: Readonly<Record<string, T>> | undefined): Array<[string, T]> {
  if (obj === undefined || obj === null) return [];
  return Object.entries(obj);
}

/** A copy of a map with own properties only: `__proto__` and `constructor` stay plain keys. */
export function copyMap<T>(obj: Readonly<Record<string, T>> | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of ownEntries(obj)) define(out, k, v);
  return out;
}

/**
 * A map to write into a manifest: the keys cdk8s cannot serialize are escaped, and come back as plain keys when
 * the ApiObject is wrapped with `withPlainKeys()` (or `withApiFieldNames()`).
 */
export function outputMap<T>(entries: Iterable<[string, T]> | Readonly<Record<string, T>>): Record<string, T> {
  const list = Symbol.iterator in Object(entries) ? [...(entries as Iterable<[string, T]>)] : ownEntries(entries as Record<string, T>);
  const out: Record<string, T> = {};
  for (const [k, v] of list) define(out, SPECIAL_KEYS.has(k) ? ESCAPE + k : k, v);
  return out;
}

/** Makes the ApiObject restore the keys `outputMap()` escaped, after cdk8s rendered it. Idempotent. */
export function withPlainKeys<T extends ApiObject>(obj: T): T {
  const marked = obj as T & { [WRAPPED]?: true };
  if (marked[WRAPPED]) return obj;
  const render = obj.toJson.bind(obj);
  obj.toJson = () => restoreKeys(render());
  marked[WRAPPED] = true;
  return obj;
}

const WRAPPED: unique symbol = Symbol('mesh-plain-keys');

/** `value` with every escaped key restored; objects without one are returned as they are. */
export function restoreKeys<V>(value: V): V {
  return hasEscapedKey(value) ? restore(value) : value;
}

/** Whether a key anywhere in `value` starts with the escape's NUL (a quick scan: most manifests have none). */
function hasEscapedKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasEscapedKey);
  for (const k of Object.keys(value)) {
    if (k.charCodeAt(0) === 0 || hasEscapedKey((value as Record<string, unknown>)[k])) return true;
  }
  return false;
}

function restore<V>(value: V): V {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((x) => {
      const r = restore(x);
      changed ||= r !== x;
      return r;
    });
    return (changed ? out : value) as V;
  }
  if (value === null || typeof value !== 'object') return value;
  let changed = false;
  const entries: Array<[string, unknown]> = [];
  for (const [k, v] of ownEntries(value as Record<string, unknown>)) {
    const key = k.startsWith(ESCAPE) ? k.slice(ESCAPE.length) : k;
    const r = restore(v);
    changed ||= key !== k || r !== v;
    entries.push([key, r]);
  }
  if (!changed) return value;
  // cdk8s writes keys sorted (unless CDK8S_DISABLE_SORT): an escaped key sorted under its escape, put it in place.
  if (entries.some(([k]) => SPECIAL_KEYS.has(k)) && !process.env.CDK8S_DISABLE_SORT) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) define(out, k, v);
  return out as V;
}

/** Sets an own, enumerable data property (an assignment to `__proto__` would set the prototype instead). */
function define(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
