import { IConstruct } from 'constructs';
import { meshError } from './errors';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** RFC 1123 label (Service, Namespace, port names...): lower case alphanumerics and '-', at most 63 characters. */
export function checkDnsLabel(scope: IConstruct, field: string, value: string, max = 63): string {
  if (!DNS_LABEL.test(value) || value.length > max) {
    throw meshError(scope, field, `must be a DNS-1123 label (lower case letters, digits and '-', starting and ending alphanumeric, at most ${max} characters)`, value,
      `use a name like ${JSON.stringify(suggestName(value, max))}`);
  }
  return value;
}

/** RFC 1123 subdomain (most object names): DNS labels joined by '.', at most 253 characters. */
export function checkDnsSubdomain(scope: IConstruct, field: string, value: string): string {
  if (!DNS_SUBDOMAIN.test(value) || value.length > 253) {
    throw meshError(scope, field, 'must be a DNS-1123 subdomain (lower case letters, digits, \'-\' and \'.\', at most 253 characters)', value,
      `use a name like ${JSON.stringify(suggestName(value, 253))}`);
  }
  return value;
}

export function checkRange(scope: IConstruct, field: string, value: number, min: number, max: number, fix?: string): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw meshError(scope, field, `must be between ${min} and ${max}`, value, fix ?? `pass a number from ${min} to ${max}`);
  }
  return value;
}

export function checkInteger(scope: IConstruct, field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw meshError(scope, field, `must be an integer from ${min} to ${max}`, value, `pass a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Throws when two entries share a key (subset names, port names...). */
export function checkUnique<T>(scope: IConstruct, field: string, items: readonly T[], key: (t: T) => string | number): void {
  const seen = new Set<string | number>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) throw meshError(scope, field, 'must be unique', k, `rename or remove the second entry ${JSON.stringify(k)}`);
    seen.add(k);
  }
}

function suggestName(value: string, max: number): string {
  const s = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
  return s || 'my-name';
}
