/**
 * Helpers of the bad-input suites: every case builds something a user could write into a fresh chart `test` and
 * states, in one regular expression, the construct path, the field, the bad value and the fix the error must name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { analyze, MeshApp, MeshAppProps, synthesize, SynthesisError } from '../../lib';
import { listFiles, tempDir } from '../util/files';

/** What a case builds into the chart `test`. */
export type Build = (chart: Chart) => unknown;

/** A regex-safe copy of a literal. */
export function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The error of a construct, as `meshError()` writes it: `[path] 'field' <problem>, got <value>. Fix: <fix...>`.
 * `value` and `fix` are literal fragments (the value as the message shows it, e.g. `"v2/"` with its quotes).
 */
export function meshErr(constructPath: string, field: string, value: string, fix: string): RegExp {
  return new RegExp(`\\[${esc(constructPath)}\\] '${esc(field)}' [^\\n]*, got ${esc(value)}\\. Fix: [^\\n]*${esc(fix)}`);
}

/** A finding of an analysis rule: `[path] ... 'field' <problem>, got <value>. Fix: <fix...> (rule)`. */
export function findingErr(constructPath: string, field: string, value: string, fix: string, rule: string): RegExp {
  return new RegExp(`\\[${esc(constructPath)}\\] [^\\n]*'${esc(field)}'[^\\n]*, got ${esc(value)}\\. Fix: [^\\n]*${esc(fix)}[^\\n]*\\(${esc(rule)}\\)`);
}

/** A fresh app with one chart `test` (default namespace unset, so objects land in "default"). */
export function newChart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/**
 * Builds the case and analyses the whole app like `synthesize()` does (construct validations, every object rendered,
 * every rule), failing the test unless an error whose message matches `error` is raised.
 */
export function expectRejected(build: Build, error: RegExp): void {
  const chart = newChart();
  let thrown: unknown;
  try {
    build(chart);
    const report = analyze(chart.node.root as App);
    if (report.errors.length > 0) throw new SynthesisError(report.errors);
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected an error matching ${error}, but the input was accepted`);
  expect((thrown as Error).message).toMatch(error);
}

/** Builds the case and expects a warning whose message carries `[id]` (and matches `message`); no error. */
export function expectWarning(build: Build, id: string, message: RegExp): void {
  const chart = newChart();
  build(chart);
  const report = analyze(chart.node.root as App);
  expect(report.errors.map((f) => f.message)).toEqual([]);
  const matching = report.warnings.filter((w) => w.message.includes(`[${id}]`) || w.rule === id);
  if (matching.length === 0) throw new Error(`expected a warning [${id}], got ${JSON.stringify(report.warnings.map((w) => w.message))}`);
  expect(matching.map((w) => `[${w.path}] ${w.message}`).join('\n')).toMatch(message);
}

/** Builds the case and expects it accepted: no error, every object rendered. Returns the manifests. */
export function expectAccepted(build: Build): any[] {
  const chart = newChart();
  build(chart);
  const report = analyze(chart.node.root as App);
  expect(report.errors.map((f) => `[${f.path}] ${f.message}`)).toEqual([]);
  return report.objects.map((o) => o.manifest);
}

/** Every file below `dir` with its bytes, by relative path. */
function snapshot(dir: string): Map<string, Buffer> {
  return new Map(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

/**
 * Synthesizes the case with `synthesize(app, { outdir })` into a directory holding a previous output, expects the
 * error, and that the previous output is still there byte for byte.
 */
export function expectRejectedKeepingOutput(build: Build, error: RegExp): void {
  const outdir = path.join(tempDir('mesh-bad-input-'), 'dist');
  const previous = Testing.app();
  const good = new Chart(previous, 'test');
  new ApiObject(good, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'previous' }, data: { a: '1' } });
  shop(good, 'previous-app');
  synthesize(previous, { outdir, strict: false });
  const before = snapshot(outdir);
  expect(before.size).toBeGreaterThan(3);

  const chart = newChart();
  let thrown: unknown;
  try {
    build(chart);
    synthesize(chart.node.root as App, { outdir, strict: false });
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected synthesize() to fail with ${error}, but it wrote the output`);
  expect((thrown as Error).message).toMatch(error);
  const after = snapshot(outdir);
  expect([...after.keys()]).toEqual([...before.keys()]);
  for (const [file, bytes] of before) expect(after.get(file)!.equals(bytes)).toBe(true);
}

/** A valid MeshApp `shop` (versions v1 and v2) with `props` merged over it. */
export function shop(chart: Chart, id = 'shop', props: Partial<MeshAppProps> = {}): MeshApp {
  return new MeshApp(chart, id, {
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    versions: [{ name: 'v1', image: 'registry.example.com/shop:1.0.0' }, { name: 'v2', image: 'registry.example.com/shop:2.0.0' }],
    ...props,
  });
}
