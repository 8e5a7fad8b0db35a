import * as fs from 'node:fs';
import * as path from 'node:path';

/** The structure rules of lib/: checked on every test run, so a change that breaks one fails CI. */
const libDir = path.join(__dirname, '..', 'lib');
const files: string[] = [];
(function walk(d: string) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
})(libDir);
const rel = (p: string) => path.relative(path.join(libDir, '..'), p);

/** Relative imports of a file, resolved to files of lib/ (type-only imports and re-exports included). */
function importsOf(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
    const target = path.resolve(path.dirname(file), m[1]);
    const found = [`${target}.ts`, path.join(target, 'index.ts')].find((c) => fs.existsSync(c));
    if (found && found.startsWith(libDir)) out.push(found);
  }
  return out;
}

describe('lib/ layout', () => {
  test('no file over 600 lines', () => {
    expect(files.filter((f) => fs.readFileSync(f, 'utf8').split('\n').length > 600).map(rel)).toEqual([]);
  });

  test('no import cycle', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (f: string, stack: string[]) => {
      state.set(f, 1);
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].map(rel).join(' -> '));
        else if (!state.has(d)) visit(d, stack);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of files) if (!state.has(f)) visit(f, []);
    expect(cycles).toEqual([]);
  });

  test('private/ folders are leaves: they import nothing outside themselves', () => {
    const bad: string[] = [];
    for (const f of files) {
      const i = f.indexOf(`${path.sep}private${path.sep}`);
      if (i < 0) continue;
      const own = f.slice(0, i + '/private/'.length);
      for (const d of importsOf(f)) if (!d.startsWith(own) && !d.startsWith(path.join(libDir, 'private') + path.sep)) bad.push(`${rel(f)} -> ${rel(d)}`);
    }
    expect(bad).toEqual([]);
  });

  test('one public construct per file', () => {
    const crowded = files
      .map((f) => ({ f, classes: [...fs.readFileSync(f, 'utf8').matchAll(/^export (?:abstract )?class (\w+) extends (?:Construct|Chart|ApiObject|App|MeshNamespace)\b/gm)].map((m) => m[1]) }))
      .filter((x) => x.classes.length > 1)
      .map((x) => `${rel(x.f)}: ${x.classes.join(', ')}`);
    expect(crowded).toEqual([]);
  });

  test('kebab-case file names', () => {
    expect(files.map((f) => path.basename(f)).filter((n) => !/^[a-z0-9]+(-[a-z0-9]+)*\.ts$/.test(n))).toEqual([]);
  });
});
