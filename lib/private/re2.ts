import { IConstruct } from 'constructs';
import { meshError, show } from './errors';

/**
 * Envoy matches with Google RE2: no look-around and no back-references. JavaScript's engine is
 * a superset for our purposes, once RE2-only syntax ((?P<name>, inline flags) is translated.
 */
export function checkRe2(scope: IConstruct, field: string, pattern: string): void {
  const unsupported = /\(\?<?[=!]|\\[1-9]/.exec(pattern);
  if (unsupported) {
    throw meshError(scope, field, `uses ${show(unsupported[0])}, which RE2 (Envoy's regex engine) does not support`, pattern,
      'rewrite the expression without look-around or back-references');
  }
  const js = pattern.replace(/\(\?P</g, '(?<').replace(/\(\?[imsU]+\)/g, '').replace(/\(\?[imsU]+:/g, '(?:');
  let problem: string | undefined;
  try {
    new RegExp(js);
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem !== undefined) {
    throw meshError(scope, field, `is not a valid regular expression (${problem})`, pattern, 'fix the expression (RE2 syntax)');
  }
}
