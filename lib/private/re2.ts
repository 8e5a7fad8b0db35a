import { IConstruct } from 'constructs';
import { meshError, show } from './errors';

/*
 * Envoy matches with Google RE2, which rejects what backtracking engines (and JavaScript) accept: back-references,
 * look-around, atomic groups, possessive quantifiers, recursion and conditionals, counted repetitions above 1000
 * (also nested: `(a{100}){20}` is 2000), and escapes outside its list. A pattern is checked against RE2's syntax
 * first, then compiled by JavaScript (after translating RE2-only syntax) for everything else.
 * @see https://github.com/google/re2/wiki/Syntax
 */

/** RE2's limit on a counted repetition, and on the product of nested ones. */
const MAX_REPEAT = 1000;
/** Letters RE2 accepts after a backslash. */
const RE2_ESCAPE_LETTERS = new Set('aftnrvxCQEAbBzdDsSwWpP'.split(''));
/** Flags RE2 accepts in (?flags) and (?flags:re). */
const RE2_FLAGS = /^(:|[imsU]+(-[imsU]+)?[:)]|-[imsU]+[:)])/;

/** What RE2 cannot compile in `pattern`: the problem and the part of the pattern it is about; undefined when none. */
export function re2Problem(pattern: string): { readonly problem: string; readonly token: string } | undefined {
  const p = pattern;
  const frames: number[] = [1]; // per open group: the largest product of counted repetitions inside it
  let last: number | undefined; // what the atom just read counts for (1, or a group's inner product)
  const atom = (value: number) => {
    last = value;
    frames[frames.length - 1] = Math.max(frames[frames.length - 1], value);
  };
  for (let i = 0; i < p.length;) {
    const c = p[i];
    if (c === '\\') {
      const d = p[i + 1];
      if (d === undefined) return { problem: 'ends with a lone backslash', token: '\\' };
      if (/[1-9]/.test(d)) return { problem: 'uses a back-reference', token: `\\${d}` };
      if (d === 'k' && /[<{']/.test(p[i + 2] ?? '')) return { problem: 'uses a named back-reference', token: p.slice(i, i + 3) };
      if (/[A-Za-z]/.test(d) && !RE2_ESCAPE_LETTERS.has(d)) return { problem: 'uses an escape sequence RE2 does not have', token: `\\${d}` };
      if (d === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        i = end < 0 ? p.length : end + 2;
        atom(1);
        continue;
      }
      if (/[xpP]/.test(d) && p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        i = end < 0 ? p.length : end + 1;
      } else {
        i += 2;
      }
      atom(1);
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (p[j] === '^') j++;
      if (p[j] === ']') j++;
      while (j < p.length && p[j] !== ']') {
        if (p[j] === '\\') j += 2;
        else if (p[j] === '[' && p[j + 1] === ':') j = Math.max(p.indexOf(':]', j + 2) + 2, j + 1);
        else j++;
      }
      i = j + 1;
      atom(1);
      continue;
    }
    if (c === '(') {
      if (p[i + 1] === '?') {
        const rest = p.slice(i + 2);
        const bad: Array<[RegExp, string]> = [
          [/^[=!]/, 'uses a look-ahead'],
          [/^<[=!]/, 'uses a look-behind'],
          [/^>/, 'uses an atomic group'],
          [/^\|/, 'uses a branch-reset group'],
          [/^\(/, 'uses a conditional'],
          [/^#/, 'uses a comment group'],
          [/^P[=>]/, 'uses a named back-reference or recursion'],
          [/^(R|[+-]?[0-9]|&)/, 'uses recursion'],
        ];
        for (const [re, problem] of bad) {
          const m = re.exec(rest);
          if (m) return { problem, token: `(?${m[0]}` };
        }
        if (!/^P?<[A-Za-z_][A-Za-z0-9_]*>/.test(rest) && !RE2_FLAGS.test(rest)) {
          return { problem: 'uses a group syntax or flag RE2 does not have (flags: i, m, s, U)', token: p.slice(i, i + 4) };
        }
        if (RE2_FLAGS.test(rest) && rest[rest.search(/[:)]/)] === ')') {
          i += 2 + rest.indexOf(')') + 1; // (?i): a flag change, not a group
          continue;
        }
      }
      frames.push(1);
      last = undefined;
      i++;
      continue;
    }
    if (c === ')') {
      const inner = frames.length > 1 ? frames.pop()! : 1;
      i++;
      atom(inner);
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      if (last !== undefined && p[i + 1] === '+') return { problem: 'uses a possessive quantifier', token: `${c}+` };
      i += p[i + 1] === '?' ? 2 : 1;
      last = undefined;
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d+)(?:,(\d*))?\}/.exec(p.slice(i));
      if (m && last !== undefined) {
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[2] === '' ? undefined : Number(m[2]);
        if (min > MAX_REPEAT || (max !== undefined && max > MAX_REPEAT)) {
          return { problem: `repeats more than ${MAX_REPEAT} times (RE2's limit)`, token: m[0] };
        }
        const count = max ?? min;
        const total = count > 0 ? count * last : last;
        if (total > MAX_REPEAT) return { problem: `nests counted repetitions that multiply to ${total}, above RE2's limit of ${MAX_REPEAT}`, token: m[0] };
        frames[frames.length - 1] = Math.max(frames[frames.length - 1], total);
        i += m[0].length;
        if (p[i] === '+') return { problem: 'uses a possessive quantifier', token: `${m[0]}+` };
        if (p[i] === '?') i++;
        last = undefined;
        continue;
      }
      i++;
      atom(1);
      continue;
    }
    if (c === '|') {
      last = undefined;
      i++;
      continue;
    }
    i++;
    atom(1);
  }
  return undefined;
}

/** The pattern in JavaScript syntax: RE2's (?P<name>, inline flags and \Q...\E translated. */
export function toJavaScript(pattern: string): string {
  return pattern
    .replace(/\\Q([\s\S]*?)(\\E|$)/g, (_m, text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'))
    .replace(/\(\?P</g, '(?<').replace(/\(\?[imsU]*(-[imsU]+)?\)/g, '').replace(/\(\?[imsU]*(-[imsU]+)?:/g, '(?:')
    .replace(/\\z/g, '$').replace(/\\A/g, '^').replace(/\\C/g, '.').replace(/\\[pP]\{?\w*\}?/g, '.').replace(/\\x\{([0-9A-Fa-f]+)\}/g, '.');
}

/** Whether RE2 `pattern` matches the whole of `input` (as Envoy's safe_regex does); undefined when it cannot be told. */
export function re2FullMatch(pattern: string, input: string): boolean | undefined {
  if (re2Problem(pattern)) return undefined;
  try {
    return new RegExp(`^(?:${toJavaScript(pattern)})$`, /^\(\?[msU]*i/.test(pattern) ? 'i' : '').test(input);
  } catch {
    return undefined;
  }
}

/**
 * Throws unless Envoy's RE2 compiles `pattern`: no look-around, back-references, atomic groups, possessive quantifiers
 * or repetitions above 1000, and a valid expression otherwise.
 */
export function checkRe2(scope: IConstruct, field: string, pattern: string): void {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw meshError(scope, field, 'must be a non-empty regular expression', pattern, "pass an RE2 expression such as '.*Firefox.*'");
  }
  const unsupported = re2Problem(pattern);
  if (unsupported) {
    throw meshError(scope, field, `${unsupported.problem} (${show(unsupported.token)}), which RE2 (Envoy's regex engine) does not support`, pattern,
      'rewrite the expression in RE2 syntax: no look-around, back-references, atomic groups or possessive quantifiers, repetitions up to {1000}');
  }
  let problem: string | undefined;
  try {
    new RegExp(toJavaScript(pattern));
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem !== undefined) {
    throw meshError(scope, field, `is not a valid regular expression (${problem})`, pattern, 'fix the expression (RE2 syntax)');
  }
}
