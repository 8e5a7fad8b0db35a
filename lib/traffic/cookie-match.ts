import type { HttpMatch } from './http-route';
import { StringMatch } from './string-match';

/**
 * A match on the Cookie header for `name=value` (the regex Flagger's and Istio's docs use):
 * `^(.*?;)?(name=value)(;.*)?$`.
 */
export function cookieMatch(name: string, value: string): HttpMatch {
  return { headers: { cookie: StringMatch.regex(`^(.*?;\\s*)?(${escapeRegex(name)}=${escapeRegex(value)})(;.*)?$`) } };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
