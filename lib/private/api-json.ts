import { ApiObject } from 'cdk8s';
import { restoreKeys } from './plain-keys';

/**
 * Makes an object of a generated class (imports/) serialize like a plain ApiObject, keeping the API field
 * names its spec already has.
 *
 * The library's renderers produce specs in API field names (validated against the CRD schemas in tests).
 * The generated `toJson_*` converters map TypeScript property names back to API names and silently drop
 * every key they do not know, and some API names do not survive their camel-casing: `consecutive5xxErrors`
 * (TypeScript `consecutive5XxErrors`), `isCA` (`isCa`), `skipCRDs` (`skipCrDs`). Passed in API spelling
 * through the generated converter, those fields would vanish from the output.
 *
 * Keys escaped by `outputMap()` (`__proto__`, `constructor` in labels, headers, selectors) are restored as plain keys.
 */
export function withApiFieldNames<T extends ApiObject>(obj: T): T {
  obj.toJson = () => restoreKeys(ApiObject.prototype.toJson.call(obj));
  return obj;
}
