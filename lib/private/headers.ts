import { IConstruct } from 'constructs';
import { meshError } from './errors';

/**
 * A header name in a match or a hash key. Istio rejects upper-case names there ("header match
 * must be lowercase"); Envoy compares lower-cased names.
 */
export function checkMatchHeaderName(scope: IConstruct, field: string, name: string): string {
  if (!/^:?[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(name)) {
    throw meshError(scope, field, 'must be a lower-case HTTP header name', name,
      `use ${JSON.stringify(name.toLowerCase().replace(/[^a-z0-9!#$%&'*+\-.^_`|~:]/g, '-') || 'x-my-header')}`);
  }
  return name;
}

/**
 * A header name to set, add or remove. Istio accepts [-_A-Za-z0-9]+ and refuses pseudo-headers
 * and Host, which Envoy manages itself (use a rewrite of the authority instead).
 */
export function checkOperationHeaderName(scope: IConstruct, field: string, name: string): string {
  if (!/^[-_A-Za-z0-9]+$/.test(name)) {
    throw meshError(scope, field, 'must be an HTTP header name (letters, digits, \'-\' and \'_\')', name, "use a name like 'x-request-source'");
  }
  if (name.toLowerCase() === 'host') {
    throw meshError(scope, field, 'cannot be changed with header operations (Istio rejects the Host header)', name, 'use rewrite: { authority } instead');
  }
  return name;
}
