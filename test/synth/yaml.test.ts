/**
 * lib/synth/yaml.ts against cdk8s's Yaml.stringify (the `yaml` package it ships), byte for byte: every object of the
 * reference platform, a generated corpus of tricky strings, keys and numbers, and end-of-line comments; the output
 * read back with the `yaml` package gives the input.
 */
import * as path from 'node:path';
import { App, Yaml } from 'cdk8s';
import { analyze } from '../../lib';
import { fieldCommentsOf, stringifyWithComments } from '../../lib/synth/field-comments';
import { NEVER_TAGGED_START, toYaml, toYamlWithComments, YAML_11_IMPLICIT_TAG_TESTS } from '../../lib/synth/yaml';
import { buildReferencePlatform } from '../../platform';

/** The `yaml` package cdk8s renders with (its own copy when it has one). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const YAML: typeof import('yaml') = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));

/** The document as cdk8s writes it, and the fast writer's own answer (undefined: it fell back to `yaml`). */
function both(value: unknown): { expected: string; fast: string | undefined } {
  return { expected: Yaml.stringify(value), fast: toYamlWithComments(value, []) };
}

/** Reads YAML back as cdk8s's output is meant to be read (YAML 1.1; '<<' as a plain key, not a merge). */
function readBack(yaml: string): unknown {
  return YAML.parse(yaml, { version: '1.1', customTags: (tags) => tags.filter((t) => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:merge') });
}

/**
 * Strings that the `yaml` package (so cdk8s) itself does not write in a way that reads back the same: a leading
 * U+FEFF (read as a byte order mark at the start of the document) and whitespace-only lines of a block scalar
 * (" \n" is written `|+` with a line of spaces, read back as "\n"). The writers agree byte for byte on them; only
 * the read-back check skips them.
 */
function yamlLosesIt(s: string): boolean {
  return s.startsWith('\ufeff') || (/^[ \t\n]+$/.test(s) && /[ \t]/.test(s) && s.includes('\n'));
}

/** Whether any key or string of the tree is one of those. */
function treeLosesIt(v: unknown): boolean {
  if (typeof v === 'string') return yamlLosesIt(v);
  if (Array.isArray(v)) return v.some(treeLosesIt);
  if (v !== null && typeof v === 'object') return Object.entries(v).some(([k, x]) => yamlLosesIt(k) || treeLosesIt(x));
  return false;
}

/** undefined is written as null. */
function normalized(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return Array.from(value, normalized);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalized(v)]));
  }
  return value;
}

/** What the `yaml` package writes for a document with end-of-line comments on scalars (as cdk8s's Yaml.stringify, YAML 1.1). */
function withComments(manifest: unknown, comments: { path: (string | number)[]; text: string }[]): string {
  const doc = new YAML.Document(manifest, { keepUndefined: true, version: '1.1' });
  for (const c of comments) (doc.getIn(c.path, true) as { comment?: string }).comment = ` ${c.text}`;
  return doc.toString({ lineWidth: 0 });
}

/** A small deterministic PRNG (mulberry32), so that a failure is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters that matter to YAML, whitespace, quotes, control characters, non-ASCII and surrogates. */
const ALPHABET = [
  ...'-?:,[]{}#&*!|>\'"%@`~<=+._/\\ \t\n\r',
  ...'aAnNyYtTfFoO0179eExXbB',
  '\0', '\x07', '\x0b', '\x1b', '\x7f', '\x85', '\xa0', '\u2028', '\u2029', '\ufeff', 'é', '日', '😀', '\ud800', '\udc00',
];

/** Whole strings that are special under YAML 1.1 or 1.2, or to the writer. */
const SPECIAL_STRINGS = [
  '', ' ', '  ', '\t', '\n', '\n\n', ' \n', '\n ', 'a\n', 'a\n\n', 'a\n\n\n', '\na', '\n\na', ' a\nb', '  a\n b', 'a \nb', 'a\n b',
  'a\nb\n', 'a\n\nb', 'a\t\nb', 'a\n\t', 'a\n ', '-', '?', ':', '- ', '? ', ': ', '-a', '?a', ':a', 'a:', 'a: b', 'a:b', 'a #b', 'a#b', '#a',
  '---', '--- a', '...', '%YAML', 'a\n---\nb', 'a\n...', 'a\n%b', '---a', '<<', '<< ', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True',
  'TRUE', 'tRUE', 'false', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'y', 'Y', 'n', 'N', 'yES',
  '0', '1', '-1', '+1', '01', '0755', '08', '0o17', '0x1F', '0X1F', '0b101', '1_000', '1e3', '1E3', '1e+3', '-1.5e-3', '.5', '5.', '.',
  '1.0', '1.50', '.inf', '-.inf', '+.INF', '.nan', '.NaN', 'NaN', 'Infinity', '1:20', '1:20:30', '-1:20.5', '190:20:30', '1:60',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2002-12-14', '2001-1-1', '12:30', '1.2.3', 'v1', '1Gi',
  '500m', '25%', '*', '*a', '&a', '!a', '!!str', '|', '>', '|-', '@a', '`a', "'", '"', '\'a"', '"a\'', 'it\'s', 'say "hi"', '{}', '[]',
  'a,b', '[a]', '{a: b}', 'a]', 'a}', '= ', 'https://example.com/a?b=c#d', 'registry.example.com/app:1.0.0', 'sha256:abc',
  `${'x'.repeat(1030)}`, `a${' '.repeat(50)}\nb`, 'a very long line '.repeat(20), 'line one\nline two that is rather long '.repeat(4),
  'é', '日本語', '😀', '\u2028', 'a\u2028b', '\x85', '\0', 'a\x1bb', '\ud800', '\ufeffa',
];

function randomString(rnd: () => number): string {
  const len = Math.floor(rnd() * (rnd() < 0.15 ? 60 : 8)); // long ones reach the multi-line double-quoted form
  let s = '';
  for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)];
  return s;
}

function randomNumber(rnd: () => number): number {
  const pick = Math.floor(rnd() * 10);
  switch (pick) {
    case 0: return [0, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, 2 ** 53, -(2 ** 53)][Math.floor(rnd() * 10)];
    case 1: return Math.floor(rnd() * 1e6) - 5e5;
    case 2: return (rnd() - 0.5) * 10 ** Math.floor(rnd() * 60 - 30);
    case 3: return Math.floor(rnd() * 100) / 10;
    default: return Math.floor(rnd() * 100);
  }
}

/** A random JSON-like tree: maps with tricky keys, sequences, strings, numbers, booleans, null and undefined. */
function randomTree(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth > 0 && r < 0.3) {
    const out: Record<string, unknown> = {};
    const n = Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) out[rnd() < 0.3 ? SPECIAL_STRINGS[Math.floor(rnd() * SPECIAL_STRINGS.length)] : randomString(rnd)] = randomTree(rnd, depth - 1);
    return out;
  }
  if (depth > 0 && r < 0.5) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomTree(rnd, depth - 1));
  if (r < 0.6) return randomNumber(rnd);
  if (r < 0.63) return rnd() < 0.5;
  if (r < 0.65) return null;
  if (r < 0.66) return undefined;
  return rnd() < 0.3 ? SPECIAL_STRINGS[Math.floor(rnd() * SPECIAL_STRINGS.length)] : randomString(rnd);
}

describe('the YAML 1.1 implicit tags', () => {
  test('are the ones of the `yaml` package cdk8s uses', () => {
    const doc = new YAML.Document(null, { version: '1.1' });
    const schema = doc.schema as unknown as { tags: { tag: string; default?: unknown; test?: RegExp }[]; compat: unknown };
    const tests = schema.tags.filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test).map((t) => t.test!.source);
    expect(new Set(YAML_11_IMPLICIT_TAG_TESTS.map((r) => r.source))).toEqual(new Set(tests));
    expect(schema.compat).toBeNull();
  });

  test('none matches a string starting with a character of the fast path', () => {
    const starts = [...Array(128).keys()].map((c) => String.fromCharCode(c)).filter((c) => NEVER_TAGGED_START.test(c));
    expect(starts.length).toBeGreaterThan(30);
    const suffixes = [...SPECIAL_STRINGS, ...SPECIAL_STRINGS.map((x) => x.slice(1)), ...[...Array(128).keys()].map((c) => String.fromCharCode(c)),
      'es', 'rue', 'ull', 'o', 'n', 'ff', 'alse', '5', 'e5', '.5', '_1', ':20', '-12-14'];
    const tagged = starts.flatMap((c) => suffixes.map((t) => c + t)).filter((x) => YAML_11_IMPLICIT_TAG_TESTS.some((r) => r.test(x)));
    expect(tagged).toEqual([]);
  });
});

describe('toYaml is Yaml.stringify, byte for byte', () => {
  test('every object of the reference platform, without falling back', () => {
    const app = new App();
    buildReferencePlatform(app);
    const report = analyze(app);
    expect(report.objects.length).toBeGreaterThan(100);
    let commented = 0;
    for (const o of report.objects) {
      const { expected, fast } = both(o.manifest);
      expect({ path: o.path, yaml: fast }).toEqual({ path: o.path, yaml: expected });
      // Objects with field comments (Flux image setter markers) are rendered with them.
      const comments = fieldCommentsOf(o.apiObject).map((c) => ({ path: [...c.locate(o.manifest)!], text: c.text }));
      if (comments.length > 0) {
        commented++;
        expect({ path: o.path, yaml: toYamlWithComments(o.manifest, comments) }).toEqual({ path: o.path, yaml: withComments(o.manifest, comments) });
      }
    }
    expect(commented).toBeGreaterThan(0);
  });

  test('every special string as a value, a key, a sequence item, at every depth', () => {
    for (const s of SPECIAL_STRINGS) {
      const docs: unknown[] = [
        { v: s },
        { [s]: 1 },
        { [s]: { [s]: s } },
        { a: [s, [s], { [s]: [s] }] },
        { a: { b: { c: s, [s]: [{ d: s }] } } },
      ];
      for (const doc of docs) {
        const { expected, fast } = both(doc);
        expect({ s, yaml: toYaml(doc) }).toEqual({ s, yaml: expected });
        if (fast !== undefined && !yamlLosesIt(s)) expect({ s, back: readBack(fast) }).toEqual({ s, back: normalized(doc) });
      }
    }
  });

  test('3000 random trees of tricky strings, keys and numbers', () => {
    const rnd = prng(20240607);
    let covered = 0;
    for (let i = 0; i < 3000; i++) {
      const doc = { root: randomTree(rnd, 4), [randomString(rnd)]: randomTree(rnd, 3), last: randomString(rnd) };
      const { expected, fast } = both(doc);
      expect({ i, yaml: toYaml(doc) }).toEqual({ i, yaml: expected });
      if (fast !== undefined) covered++;
      if (fast !== undefined && !treeLosesIt(doc)) {
        expect({ i, back: readBack(fast) }).toEqual({ i, back: normalized(doc) });
      }
    }
    // The fast path covers the corpus except long keys (explicit keys in `yaml`).
    expect(covered).toBeGreaterThan(2900);
  });

  test('numbers, including -0, exponents and special floats', () => {
    const numbers = [0, -0, 1, -1, 1.5, -1.5, 0.1, 1e21, 1e-7, 123456789012345680000, 5e-324, 1.7976931348623157e308, NaN, Infinity, -Infinity, 2 ** 53 + 2];
    for (const n of numbers) {
      const { expected, fast } = both({ n, list: [n] });
      expect(fast).toBe(expected);
    }
  });

  test('empty maps and sequences, undefined and null, nested sequences', () => {
    const doc = { a: {}, b: [], c: [[]], d: [{}], e: undefined, f: null, g: [undefined, null, [1, [2, []]]], h: { i: { j: [] } }, k: [[{ l: 1, m: [2] }]] };
    const { expected, fast } = both(doc);
    expect(fast).toBe(expected);
    expect(toYaml({})).toBe(Yaml.stringify({}));
    expect(toYaml(undefined)).toBe(Yaml.stringify(undefined));
  });

  test('what it does not cover is rendered by `yaml`', () => {
    const shared = { x: 1 };
    class Thing { public readonly y = 2; }
    const docs: unknown[] = [
      { a: shared, b: shared }, // anchors and aliases
      { a: [shared, shared] },
      { d: new Date(0) },
      { m: new Map([['a', 1]]) },
      { t: new Thing() },
      { j: { toJSON: () => 'json' } },
      { [`${'k'.repeat(1100)}`]: 1 }, // explicit key
      { b: BigInt(10) },
      [1, 2],
      'a string',
      42,
    ];
    for (const doc of docs) {
      expect(toYamlWithComments(doc, [])).toBeUndefined();
      expect(toYaml(doc)).toBe(Yaml.stringify(doc));
    }
  });
});

test('when the installed cdk8s writes YAML differently, everything goes to its writer', () => {
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cdk8s = require('cdk8s') as typeof import('cdk8s');
    const spy = jest.spyOn(cdk8s.Yaml, 'stringify').mockImplementation(() => 'other: writer\n');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fresh = require('../../lib/synth/yaml') as typeof import('../../lib/synth/yaml');
    expect(fresh.toYaml({ a: 1 })).toBe('other: writer\n');
    expect(fresh.toYamlWithComments({ a: 1 }, [{ path: ['a'], text: 'x' }])).toBeUndefined();
    spy.mockRestore();
  });
});

describe('end-of-line comments', () => {
  test('on map values and sequence items, as `yaml` writes them', () => {
    const manifest = {
      spec: {
        template: { spec: { containers: [{ name: 'web', image: 'registry.example.com/web:1.0.0' }, { name: 'side', image: 'yes' }] } },
        tags: ['a', 'b ', 'on'],
        empty: '',
        nothing: undefined,
        n: 3,
      },
    };
    const comments = [
      { path: ['spec', 'template', 'spec', 'containers', 0, 'image'], text: '{"$imagepolicy": "flux-system:web"}' },
      { path: ['spec', 'template', 'spec', 'containers', '1', 'image'], text: 'second' },
      { path: ['spec', 'tags', 1], text: '' },
      { path: ['spec', 'tags', 2], text: 'on' },
      { path: ['spec', 'empty'], text: 'e' },
      { path: ['spec', 'nothing'], text: 'undefined is null' },
      { path: ['spec', 'n'], text: 'first' },
      { path: ['spec', 'n'], text: 'the last one wins' },
    ];
    const expected = withComments(manifest, comments);
    expect(toYamlWithComments(manifest, comments)).toBe(expected);
    expect(stringifyWithComments(manifest, comments)).toBe(expected);
    expect(expected).toContain('image: registry.example.com/web:1.0.0 # {"$imagepolicy": "flux-system:web"}\n');
  });

  test('random comments on random scalars', () => {
    const rnd = prng(7);
    for (let i = 0; i < 500; i++) {
      const doc = { root: randomTree(rnd, 4), other: [randomTree(rnd, 2), randomString(rnd)] };
      const scalars: (string | number)[][] = [];
      const walk = (v: unknown, at: (string | number)[]) => {
        if (Array.isArray(v)) v.forEach((x, j) => walk(x, [...at, j]));
        else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
        else scalars.push(at);
      };
      walk(doc, []);
      const comments = scalars.filter(() => rnd() < 0.3).map((p) => ({ path: p, text: rnd() < 0.1 ? '' : randomString(rnd).replace(/[\n\r\u2028\u2029]/g, '') }));
      let expected: string;
      try {
        expected = withComments(doc, comments);
      } catch {
        continue; // `yaml` cannot put a comment on a key path such as one with an empty segment
      }
      expect({ i, yaml: stringifyWithComments(doc, comments) }).toEqual({ i, yaml: expected });
    }
  });

  test('a comment on something that is not a scalar field is refused', () => {
    expect(() => toYamlWithComments({ a: { b: 1 } }, [{ path: ['a'], text: 'x' }])).toThrow(/not a scalar field/);
    expect(() => toYamlWithComments({ a: [1] }, [{ path: ['a', 3], text: 'x' }])).toThrow(/not a scalar field/);
    expect(() => toYamlWithComments({ a: 1 }, [{ path: ['b'], text: 'x' }])).toThrow(/not a scalar field/);
  });
});
