import { Yaml } from 'cdk8s';

/**
 * A YAML writer for manifests whose output is byte for byte what cdk8s's `Yaml.stringify(value)` writes
 * (`YAML.stringify(value, { keepUndefined: true, lineWidth: 0, version: '1.1' })` of the `yaml` 2.x package), at a
 * fraction of its cost: the `yaml` package builds a node tree of the whole document first, then renders it.
 *
 * The emitter renders JSON-like trees: plain objects, arrays, strings, finite and special numbers, booleans, null
 * and undefined (written as `null`). String quoting is a port of `yaml`'s `stringifyString` for block context and
 * `lineWidth: 0` (no folding): plain when the string cannot be read back as anything else under the YAML 1.1
 * schema, else single or double quoted as `yaml` chooses, multi-line strings as block literals (`|`, `|-`, `|+`,
 * with an indentation indicator when they start with a space).
 *
 * Whatever the port does not cover with certainty renders the whole document with the `yaml` package instead:
 * objects that are not plain (Date, Map, Set, class instances, objects with `toJSON`), the same object or array
 * twice in one document (`yaml` writes anchors and aliases), bigint, symbols and functions, keys longer than
 * 1024 characters (explicit keys), document markers in a root-level context, and comments on anything but a
 * one-line scalar. test/synth/yaml.test.ts compares both writers byte for byte.
 */

/** An end-of-line comment on the scalar at `path` (object keys and array indexes), as `stringifyWithComments()` takes. */
export interface YamlLineComment {
  readonly path: readonly (string | number)[];
  /** The comment text, without '#'. */
  readonly text: string;
}

/** Thrown inside the emitter when a value is outside what it renders with certainty. */
const UNSUPPORTED: unique symbol = Symbol('unsupported');

/**
 * The YAML of one document, byte for byte `Yaml.stringify(value)` of cdk8s (an undefined document is an empty line).
 */
export function toYaml(value: unknown): string {
  if (value === undefined) return '\n';
  const out = agreesWithCdk8s() ? emitDocument(value, undefined) : undefined;
  return out ?? Yaml.stringify(value);
}

/**
 * The YAML of one document with end-of-line comments on scalar fields, as the `yaml` package writes a document
 * whose scalar nodes carry a `comment` (`key: value # text`, `- value # text`). Returns undefined when the emitter
 * does not cover the document or a comment with certainty; the caller then renders it with the `yaml` package.
 * Throws when a comment's path does not lead to a scalar.
 */
export function toYamlWithComments(value: unknown, comments: readonly YamlLineComment[]): string | undefined {
  if (!agreesWithCdk8s()) return undefined;
  const byContainer = new Map<object, Map<string | number, string>>();
  for (const c of comments) {
    if (/[\n\r\u2028\u2029]/.test(c.text)) return undefined; // a multi-line comment: rendered by `yaml`
    const located = locateScalar(value, c.path);
    if (located === undefined) throw new Error(`cannot put a comment on ${c.path.join('.')}: it is not a scalar field`);
    let entries = byContainer.get(located.container);
    if (!entries) byContainer.set(located.container, (entries = new Map()));
    entries.set(located.key, c.text); // a later comment on the same field replaces the earlier one, as in `yaml`
  }
  return emitDocument(value, byContainer.size > 0 ? byContainer : undefined);
}

/**
 * Strings of every quoting class: implicit tags of YAML 1.1 and 1.2, indicators, document markers, whitespace,
 * newlines (block literals, chomping, indentation indicator), control characters, non-ASCII, a lone surrogate.
 */
const PROBE_STRINGS = ['', ' a', 'a ', 'yes', 'No', 'on', 'OFF', 'y', 'n', 'null', '~', 'true', 'False', '0', '012', '0o12', '0x1F',
  '0b11', '1_000', '1e3', 'E5', '.5', '.inf', '.NaN', '1:20', '2001-12-14', '<<', '-', '- a', '? a', ': a', 'a: b', 'a:', 'a #b', '#a',
  '&a', '*a', '!a', '|a', '>a', '%a', '@a', '`a', "'a", '"a', 'a\'b"c', '---', '--- a', '...', 'a\nb', 'a\n', 'a\n\n', '\na', ' a\nb',
  'a\n b', 'a \nb', 'a\n\t', '\ta', 'a\tb', '\u0000', '\u001b', '\u0085', '\u00a0', '\u2028', 'é日😀', '\ud800', `${'x'.repeat(50)}\n y`];

/** Whether the emitter writes the probe document as the installed cdk8s does; else everything goes to `yaml`. */
let agrees: boolean | undefined;

/**
 * cdk8s is a peer dependency: an installed version may ship another `yaml` that quotes differently. The first call
 * renders a probe document of every quoting class with both writers (a few milliseconds, once per process) and
 * keeps the fast path only when they agree byte for byte.
 */
function agreesWithCdk8s(): boolean {
  if (agrees === undefined) {
    const probe = {
      strings: PROBE_STRINGS,
      keys: Object.fromEntries(PROBE_STRINGS.map((x, i) => [x, { value: x, list: [x, i] }])),
      numbers: [0, -0, 1.5, -2, 1e21, 1e-7, 5e-324, NaN, Infinity, -Infinity],
      other: [true, false, null, undefined, {}, [], [[{ a: [{}] }]]],
      empty: {},
      none: undefined,
    };
    try {
      agrees = emitDocument(probe, undefined) === Yaml.stringify(probe);
    } catch {
      agrees = false;
    }
  }
  return agrees;
}

/** The container and key of the scalar at `path`, the way `Document.getIn(path, true)` finds a node; undefined if none. */
function locateScalar(root: unknown, path: readonly (string | number)[]): { container: object; key: string | number } | undefined {
  if (path.length === 0) return undefined;
  let v: unknown = root;
  let container: object | undefined;
  let key: string | number | undefined;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      const idx = typeof k === 'string' && k !== '' ? Number(k) : k;
      if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0 || idx >= v.length) return undefined;
      container = v;
      key = idx;
      v = v[idx];
    } else {
      if (typeof k !== 'string' || !Object.prototype.hasOwnProperty.call(v, k)) return undefined;
      container = v;
      key = k;
      v = (v as Record<string, unknown>)[k];
    }
  }
  if (v !== null && typeof v === 'object') return undefined;
  return { container: container!, key: key! };
}

/** The document's YAML, or undefined when it is not covered (the caller falls back to the `yaml` package). */
function emitDocument(value: unknown, comments: Map<object, Map<string | number, string>> | undefined): string | undefined {
  if (!isPlainObject(value)) return undefined; // manifests are maps; anything else goes to `yaml`
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}\n';
  // The pieces are joined once at the end: one flat string per document, instead of a tree of concatenations that
  // stays alive (and is promoted by the garbage collector) until the file is written.
  const out: string[] = [];
  try {
    const seen = new Set<object>();
    seen.add(value);
    emitMap(out, value as Record<string, unknown>, keys, '', seen, comments);
  } catch (err) {
    if (err === UNSUPPORTED) return undefined;
    throw err;
  }
  out.push('\n');
  return out.join('');
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * An object `yaml` writes as a plain mapping of its own enumerable keys: prototype Object.prototype or null, and no
 * `toJSON` (which `yaml` would call). An own `toJSON` that is not a function is refused too (rendered by `yaml`).
 */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype) return !hasOwn.call(v, 'toJSON') && (Object.prototype as { toJSON?: unknown }).toJSON === undefined;
  return proto === null && (v as { toJSON?: unknown }).toJSON === undefined;
}

/** Rendered keys of the SIMPLE form (they do not depend on the indentation): keys repeat across manifests. */
const KEY_CACHE = new Map<string, string>();

type Comments = Map<object, Map<string | number, string>> | undefined;

/** A block mapping at `indent` (its first line is placed by the caller). `keys` is non-empty. */
function emitMap(out: string[], obj: Record<string, unknown>, keys: string[], indent: string, seen: Set<object>, comments: Comments): void {
  const childIndent = `${indent}  `;
  const own = comments?.get(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    let k = KEY_CACHE.get(key);
    if (k === undefined) {
      k = stringifyString(key, childIndent, true);
      if (SIMPLE.test(key)) {
        if (KEY_CACHE.size >= 10_000) KEY_CACHE.clear();
        KEY_CACHE.set(key, k);
      }
    }
    if (k.length > 1024) throw UNSUPPORTED; // `yaml` writes an explicit key (`? key`)
    if (i > 0) out.push('\n', indent);
    out.push(k);
    const v = obj[key];
    if (v !== null && typeof v === 'object') {
      if (seen.has(v)) throw UNSUPPORTED; // `yaml` writes an anchor and an alias
      seen.add(v);
      if (Array.isArray(v)) {
        if (v.length === 0) {
          out.push(': []');
        } else {
          out.push(':\n', childIndent);
          emitSeq(out, v, childIndent, seen, comments);
        }
      } else {
        if (!isPlainObject(v)) throw UNSUPPORTED;
        const childKeys = Object.keys(v);
        if (childKeys.length === 0) {
          out.push(': {}');
        } else {
          out.push(':\n', childIndent);
          emitMap(out, v, childKeys, childIndent, seen, comments);
        }
      }
    } else {
      const s = scalar(v, childIndent);
      out.push(': ', s);
      if (own !== undefined) {
        const text = own.get(key);
        if (text !== undefined) out.push(lineComment(s, text));
      }
    }
  }
}

/** A block sequence at `indent`. `arr` is non-empty. */
function emitSeq(out: string[], arr: readonly unknown[], indent: string, seen: Set<object>, comments: Comments): void {
  const itemIndent = `${indent}  `;
  const own = comments?.get(arr);
  for (let i = 0; i < arr.length; i++) {
    out.push(i === 0 ? '- ' : `\n${indent}- `);
    const v = arr[i];
    if (v !== null && typeof v === 'object') {
      if (seen.has(v)) throw UNSUPPORTED;
      seen.add(v);
      if (Array.isArray(v)) {
        if (v.length === 0) out.push('[]');
        else emitSeq(out, v, itemIndent, seen, comments);
      } else {
        if (!isPlainObject(v)) throw UNSUPPORTED;
        const keys = Object.keys(v);
        if (keys.length === 0) out.push('{}');
        else emitMap(out, v, keys, itemIndent, seen, comments);
      }
    } else {
      const s = scalar(v, itemIndent);
      out.push(s);
      if (own !== undefined) {
        const text = own.get(i);
        if (text !== undefined) out.push(lineComment(s, text));
      }
    }
  }
}

/** `yaml`'s lineComment() for a one-line scalar and a one-line comment `' ' + text`. */
function lineComment(str: string, text: string): string {
  if (str.includes('\n')) throw UNSUPPORTED; // a block scalar carries its comment in its header
  return `${str.endsWith(' ') ? '' : ' '}${text === '' ? '#' : `# ${text}`}`;
}

/** A scalar value (not a key) whose context indentation is `indent`. */
function scalar(v: unknown, indent: string): string {
  switch (typeof v) {
    case 'string':
      return stringifyString(v, indent, false);
    case 'number':
      if (Number.isFinite(v)) return Object.is(v, -0) ? '-0' : JSON.stringify(v);
      return Number.isNaN(v) ? '.nan' : v < 0 ? '-.inf' : '.inf';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null'; // keepUndefined: a pair or an item with an undefined value is written as null
    case 'object':
      if (v === null) return 'null';
      throw UNSUPPORTED;
    default:
      throw UNSUPPORTED; // bigint, symbol, function
  }
}

// ---------------------------------------------------------------------------------------------------
// Strings: a port of yaml 2.x stringify/stringifyString.js for block context (never inside a flow collection),
// lineWidth 0 (foldFlowLines() returns its input), default options (blockQuote true, singleQuote null,
// doubleQuotedMinMultiLineLength 40), the YAML 1.1 schema, and an indentation `indent` that is never empty
// (every scalar of a document whose root is a map is at least one level deep).

/**
 * The YAML 1.1 schema's implicit tags (null, bool, int, float, sexagesimal, timestamp, merge), the `test` of each
 * default tag other than str in yaml 2.x's yaml-1.1 schema: a plain scalar matching one would not read back as a
 * string, so it is quoted. test/synth/yaml.test.ts checks this list against the installed `yaml` package.
 */
export const YAML_11_IMPLICIT_TAG_TESTS: readonly RegExp[] = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^<<$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
];

/** One regular expression for all of them (each alternative is anchored at both ends). */
const IMPLICIT_TAG = new RegExp(`^(?:${YAML_11_IMPLICIT_TAG_TESTS.map((r) => `(?:${r.source})`).join('|')})$`);

/**
 * First characters with which no implicit tag can match: a letter other than those that start null, bool and
 * exponent words (n N y Y t T f F o O e E: "null", "yes", "true", "false", "on", "e5"), '_' or '/'. Every other
 * start (digits, '+', '-', '.', '~', '<', ...) goes through IMPLICIT_TAG. A fast path in front of it; the test
 * checks it against every tag with many suffixes.
 */
export const NEVER_TAGGED_START = /^[A-DG-MP-SU-XZa-dg-mp-su-xz_/]/;

/** Indicator characters and sequences that keep a string from being plain (`yaml`'s plainString() test). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

/** Characters only double quotes can carry: control characters and lone surrogates. */
const NEEDS_DOUBLE_QUOTES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;

const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/**
 * Letters, digits and a few punctuation characters that are never indicators, not starting with '-' or '.': such a
 * string has no character to escape, no indicator and no document marker, so `yaml` writes it plain unless an
 * implicit tag matches it (then quoted), whatever the indentation and whether it is a key. Most of a manifest.
 */
const SIMPLE = /^[A-Za-z0-9_/][A-Za-z0-9_./=+-]*$/;

function stringifyString(value: string, indent: string, implicitKey: boolean): string {
  if (SIMPLE.test(value)) {
    return NEVER_TAGGED_START.test(value) || !IMPLICIT_TAG.test(value) ? value : quotedString(value, indent, implicitKey);
  }
  if (value === '<<') return '<<'; // `yaml` picks the merge tag for it, which writes it plain
  if (NEEDS_DOUBLE_QUOTES.test(value)) return doubleQuotedString(value, indent, implicitKey);
  return plainString(value, indent, implicitKey);
}

function plainString(value: string, indent: string, implicitKey: boolean): string {
  const multiLine = value.includes('\n');
  if (implicitKey && multiLine) return quotedString(value, indent, implicitKey);
  if (NOT_PLAIN.test(value)) {
    return implicitKey || !multiLine ? quotedString(value, indent, implicitKey) : blockString(value, indent, implicitKey);
  }
  if (!implicitKey && multiLine) return blockString(value, indent, implicitKey);
  if (DOCUMENT_MARKER.test(value)) {
    if (indent === '') throw UNSUPPORTED; // `yaml` forces a block scalar at the root
    if (implicitKey && indent === '  ') return quotedString(value, indent, implicitKey);
  }
  // One line from here (multi-line strings were handled above), so `yaml`'s newline re-indentation is a no-op.
  if (!NEVER_TAGGED_START.test(value) && IMPLICIT_TAG.test(value)) return quotedString(value, indent, implicitKey);
  return value;
}

function quotedString(value: string, indent: string, implicitKey: boolean): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  // singleQuote is null: single quotes only when the string has double quotes and no single ones
  return hasDouble && !hasSingle ? singleQuotedString(value, indent, implicitKey) : doubleQuotedString(value, indent, implicitKey);
}

function singleQuotedString(value: string, indent: string, implicitKey: boolean): string {
  if ((implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuotedString(value, indent, implicitKey);
  const ind = indent || (DOCUMENT_MARKER.test(value) ? '  ' : '');
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${ind}`)}'`;
}

function doubleQuotedString(value: string, indent: string, implicitKey: boolean): string {
  const json = JSON.stringify(value);
  const ind = indent || (DOCUMENT_MARKER.test(value) ? '  ' : '');
  let str = '';
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      // space before newline needs to be escaped to not be folded
      str += `${json.slice(start, i)}\\ `;
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch === '\\') {
      switch (json[i + 1]) {
        case 'u': {
          str += json.slice(start, i);
          const code = json.substr(i + 2, 4);
          switch (code) {
            case '0000': str += '\\0'; break;
            case '0007': str += '\\a'; break;
            case '000b': str += '\\v'; break;
            case '001b': str += '\\e'; break;
            case '0085': str += '\\N'; break;
            case '00a0': str += '\\_'; break;
            case '2028': str += '\\L'; break;
            case '2029': str += '\\P'; break;
            default:
              if (code.substr(0, 2) === '00') str += `\\x${code.substr(2)}`;
              else str += json.substr(i, 6);
          }
          i += 5;
          start = i + 1;
          break;
        }
        case 'n':
          if (implicitKey || json[i + 2] === '"' || json.length < 40) {
            i += 1;
          } else {
            // folding will eat first newline
            str += `${json.slice(start, i)}\n\n`;
            while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
              str += '\n';
              i += 2;
            }
            str += ind;
            // space after newline needs to be escaped to not be folded
            if (json[i + 2] === ' ') str += '\\';
            i += 1;
            start = i + 1;
          }
          break;
        default:
          i += 1;
      }
    }
  }
  return start ? str + json.slice(start) : json;
}

let blockEndNewlines: RegExp;
try {
  blockEndNewlines = new RegExp('(^|(?<!\n))\n+(?!\n|$)', 'g');
} catch {
  blockEndNewlines = /\n+(?!\n|$)/g;
}

/** A block literal (lineWidth 0 never folds), no comment in the header. */
function blockString(value: string, indent: string, implicitKey: boolean): string {
  // 1. Block can't end in whitespace unless the last line is non-empty.
  // 2. Strings consisting of only whitespace are best rendered explicitly.
  if (/\n[\t ]+$/.test(value)) return quotedString(value, indent, implicitKey);
  const ind = indent || (DOCUMENT_MARKER.test(value) ? '  ' : '');
  if (!value) return '|\n';
  // determine chomping from whitespace at value end
  let chomp: string;
  let endStart: number;
  for (endStart = value.length; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  if (endNlPos === -1) chomp = '-'; // strip
  else if (value === end || endNlPos !== end.length - 1) chomp = '+'; // keep
  else chomp = ''; // clip
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(blockEndNewlines, `$&${ind}`);
  }
  // determine indent indicator from whitespace at value start
  let startWithSpace = false;
  let startEnd: number;
  let startNlPos = -1;
  for (startEnd = 0; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${ind}`);
  }
  const indentSize = ind ? '2' : '1';
  const header = (startWithSpace ? indentSize : '') + chomp;
  value = value.replace(/\n+/g, `$&${ind}`);
  return `|${header}\n${ind}${start}${value}${end}`;
}
