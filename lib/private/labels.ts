import { IConstruct } from 'constructs';
import { meshError, show } from './errors';
import { ownEntries } from './plain-keys';

/*
 * Kubernetes label and annotation syntax (apimachinery's IsQualifiedName and IsValidLabelValue), for constructs
 * (errors naming the prop) and for the whole-output analysis (problems as text).
 */

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Total size of an object's annotations (keys and values) the API server accepts. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Why `key` is not a qualified name (label or annotation key), or undefined when it is one. */
export function qualifiedNameProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'must not be empty';
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (!DNS_SUBDOMAIN.test(prefix) || prefix.length > 253)) {
    return 'has a prefix that is not a DNS-1123 subdomain (lower case letters, digits, \'-\' and \'.\', at most 253 characters)';
  }
  if (name.length > 63) return `has a name part of ${name.length} characters (at most 63)`;
  if (!NAME.test(name)) return 'must be [prefix/]name where name has letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit';
  return undefined;
}

/** Why `value` is not a label value, or undefined when it is one. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > 63) return `has ${value.length} characters (at most 63)`;
  if (value !== '' && !NAME.test(value)) return 'must be letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit (or empty)';
  return undefined;
}

/** A label value that would pass, derived from `value`, for error messages. */
export function suggestLabelValue(value: string): string {
  const s = String(value).replace(/[^-A-Za-z0-9_.]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
  return s || 'my-value';
}

function suggestKey(key: string): string {
  const slash = key.lastIndexOf('/');
  const name = suggestLabelValue(slash >= 0 ? key.slice(slash + 1) : key);
  const prefix = slash >= 0 ? key.slice(0, slash).toLowerCase().replace(/[^-a-z0-9.]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** Throws unless `key` is a label key (a qualified name). */
export function checkLabelKey(scope: IConstruct, field: string, key: string): string {
  const problem = qualifiedNameProblem(key);
  if (problem) {
    throw meshError(scope, field, `is not a Kubernetes label key: it ${problem}`, key, `use a key like ${show(suggestKey(key))} or "app.kubernetes.io/name"`);
  }
  return key;
}

/** Throws unless `value` is a label value. */
export function checkLabelValue(scope: IConstruct, field: string, value: string): string {
  const problem = labelValueProblem(value);
  if (problem) throw meshError(scope, field, `is not a Kubernetes label value: it ${problem}`, value, `use a value like ${show(suggestLabelValue(value))}`);
  return value;
}

/**
 * Throws unless every entry is a valid label (`field[<key>]` names the entry). Returns a copy with own keys only
 * (`constructor` and `__proto__` stay plain keys; `__proto__` is not a valid key anyway).
 */
export function checkLabels(scope: IConstruct, field: string, labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of ownEntries(labels)) {
    checkLabelKey(scope, `${field}[${show(k)}]`, k);
    checkLabelValue(scope, `${field}[${show(k)}]`, v);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
