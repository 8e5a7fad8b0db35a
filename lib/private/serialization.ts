import { ApiObject } from 'cdk8s';
import { meshError } from './errors';

/*
 * cdk8s's sanitizer reads `obj.constructor.name` of every object it renders, so a map with a plain key `constructor`
 * (a ConfigMap data key, a label, an annotation, from data) makes ApiObject.toJson() fail with "can't render
 * non-simple object of type 'undefined'", naming the object but not the key. The library's own constructs escape such
 * keys (plain-keys.ts); for an ApiObject written by hand this turns the failure into an error naming the field.
 *
 * Leaf module: it imports nothing outside lib/private.
 */

/**
 * The error to report when rendering `apiObject` threw `err`: a `meshError` naming the first `constructor` key of its
 * props or metadata, with the JSON patch that writes it after rendering; else `err` unchanged.
 */
export function explainRenderError(apiObject: ApiObject, err: unknown): unknown {
  const internals = apiObject as unknown as { props?: unknown; metadata?: { labels?: unknown; annotations?: unknown; _additionalAttributes?: unknown } };
  const roots: Array<[string[], unknown]> = [
    [['metadata', 'labels'], internals.metadata?.labels],
    [['metadata', 'annotations'], internals.metadata?.annotations],
    [['metadata'], internals.metadata?._additionalAttributes],
    [[], internals.props],
  ];
  for (const [base, value] of roots) {
    const found = findConstructorKey(value, base, new Set());
    if (!found) continue;
    const pointer = `/${found.path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
    return meshError(apiObject, found.path.join('.'), 'is a key cdk8s cannot render (its serializer reads obj.constructor.name of every map, so '
      + 'rendering fails with "can\'t render non-simple object")', found.value,
    `leave the key out of the object and add it after rendering: ApiObject.of(obj).addJsonPatch(JsonPatch.add(${JSON.stringify(pointer)}, ${JSON.stringify(found.value)}))`);
  }
  return err;
}

function findConstructorKey(value: unknown, path: string[], seen: Set<unknown>): { path: string[]; value: unknown } | undefined {
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, 'constructor')) {
    return { path: [...path, 'constructor'], value: (value as Record<string, unknown>).constructor };
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.keys(value).map((k) => [k, Object.getOwnPropertyDescriptor(value, k)!.value]);
  for (const [k, v] of entries) {
    const found = findConstructorKey(v, [...path, k], seen);
    if (found) return found;
  }
  return undefined;
}
