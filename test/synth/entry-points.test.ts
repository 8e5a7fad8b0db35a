import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { AnalyzedApp, MeshTesting, runSynthesis, SynthesisError } from '../../lib';
import { addWarning } from '../../lib/private/warnings';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-entry-test-'));
}

function configMap(chart: Chart, id: string, name: string): ApiObject {
  return new ApiObject(chart, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
}

/** Two ConfigMaps with one name in one namespace: the duplicate-object rule's error. */
function duplicateChart(app = Testing.app()): Chart {
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  configMap(chart, 'a', 'settings');
  configMap(chart, 'b', 'settings');
  return chart;
}

function sink(): { text: string; write(s: string): void } {
  return { text: '', write(s: string) { this.text += s; } };
}

describe('MeshTesting', () => {
  test('synth returns the chart\'s manifests, like Testing.synth, when the analysis passes', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    configMap(chart, 'a', 'settings');
    expect(MeshTesting.synth(chart)).toEqual(Testing.synth(chart));
  });

  test('only the manifests of the chart asked for, although the whole app is analyzed', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'a' });
    configMap(a, 'x', 'x');
    configMap(new Chart(app, 'b', { namespace: 'b' }), 'y', 'y');
    expect(MeshTesting.synth(a).map((m) => m.metadata.name)).toEqual(['x']);
  });

  test('fails where Testing.synth passes: a duplicate object is an analysis error', () => {
    const chart = duplicateChart();
    expect(Testing.synth(chart)).toHaveLength(2); // plain cdk8s: green
    expect(() => MeshTesting.synth(chart)).toThrow(SynthesisError);
    expect(() => MeshTesting.synth(chart)).toThrow(/\[shop\/b\] .*(duplicate-object)/);
  });

  test('warnings are returned and printed, and fail the test only in strict mode', () => {
    const chart = new Chart(Testing.app(), 'shop');
    addWarning(configMap(chart, 'a', 'settings'), 'test:warn', 'look at this');
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const result = MeshTesting.analyze(chart);
      expect(result.warnings.map((w) => w.message)).toEqual(['look at this [test:warn]']);
      expect(spy.mock.calls.map((c) => String(c[0])).join('')).toContain('warning: [shop/a] look at this [test:warn] (construct)');
      expect(MeshTesting.synth(chart)).toHaveLength(1);
      expect(() => MeshTesting.synth(chart, { strict: true })).toThrow(/look at this/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('AnalyzedApp', () => {
  test('synth() writes cdk8s\'s own layout (one <chart>.k8s.yaml per chart), atomically, with the output marker', () => {
    const outdir = path.join(tmp(), 'dist');
    const app = new AnalyzedApp({ outdir });
    configMap(new Chart(app, 'shop', { namespace: 'shop' }), 'a', 'settings');
    app.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['.generated-by-cdk8s-mesh', 'shop.k8s.yaml']);
    expect(fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8')).toContain('name: settings');
    expect(app.outdir).toBe(outdir);
  });

  test('fails on analysis errors and leaves the previous output byte-identical', () => {
    const outdir = path.join(tmp(), 'dist');
    const first = new AnalyzedApp({ outdir });
    configMap(new Chart(first, 'shop', { namespace: 'shop' }), 'a', 'settings');
    first.synth();
    const before = fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8');
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const second = new AnalyzedApp({ outdir });
      duplicateChart(second);
      expect(() => second.synth()).toThrow(SynthesisError);
    } finally {
      spy.mockRestore();
    }
    expect(fs.readdirSync(outdir).sort()).toEqual(['.generated-by-cdk8s-mesh', 'shop.k8s.yaml']);
    expect(fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8')).toBe(before);
  });

  test('fails before writing anything when outdir is the working directory', () => {
    const app = new AnalyzedApp({ outdir: '.' });
    configMap(new Chart(app, 'shop'), 'a', 'settings');
    const listing = fs.readdirSync('.').sort();
    expect(() => app.synth()).toThrow(/refusing|working directory/i);
    expect(fs.readdirSync('.').sort()).toEqual(listing);
  });
});

describe('runSynthesis', () => {
  test('prints each finding once with its rule and returns 1, writing nothing', () => {
    const outdir = path.join(tmp(), 'dist');
    const app = Testing.app();
    duplicateChart(app);
    const out = sink();
    expect(runSynthesis(app, { outdir }, out)).toBe(1);
    const lines = out.text.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('error: '))).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: \[shop\/b\] .*\(duplicate-object\)$/);
    expect(lines[lines.length - 1]).toBe('synthesis failed with 1 finding(s); the output directory was left unchanged');
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('returns 0 and prints warnings and a summary on success', () => {
    const outdir = path.join(tmp(), 'dist');
    const app = Testing.app();
    addWarning(configMap(new Chart(app, 'shop', { namespace: 'shop' }), 'a', 'settings'), 'test:warn', 'look at this');
    const out = sink();
    expect(runSynthesis(app, { outdir, strict: false }, out)).toBe(0);
    expect(out.text).toContain('warning: [shop/a] look at this [test:warn] (construct)\n');
    expect(out.text).toMatch(/synthesized 1 objects into 2 files in .*dist\n$/);
  });

  test.each([[''], ['.'], ['..'], ['/']])('returns 1 for the output directory %j, and the project is untouched', (outdir) => {
    const app = Testing.app();
    configMap(new Chart(app, 'shop'), 'a', 'settings');
    const listing = fs.readdirSync('.').sort();
    const out = sink();
    expect(runSynthesis(app, { outdir }, out)).toBe(1);
    expect(out.text).toMatch(/^synthesis failed: refusing to write output/);
    expect(fs.readdirSync('.').sort()).toEqual(listing);
  });

  test('an empty CDK8S_OUTDIR is refused, not taken as the working directory', () => {
    const saved = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = '';
    try {
      const app = Testing.app();
      configMap(new Chart(app, 'shop'), 'a', 'settings');
      const out = sink();
      expect(runSynthesis(app, {}, out)).toBe(1);
      expect(out.text).toMatch(/outdir is empty/);
    } finally {
      if (saved === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = saved;
    }
  });
});

describe('path traversal through names', () => {
  test.each([
    ['a chart id ..', (app: any) => configMap(new Chart(app, '..'), 'a', 'x'), /\[\.\.\] 'chart id' must be a plain name .* got "\.\."/],
    ['an object name ../../x', (app: any) => configMap(new Chart(app, 'shop'), 'a', '../../x'), /\[shop\/a\] ConfigMap 'metadata.name' must be a DNS-1123 subdomain .*got "\.\.\/\.\.\/x"\. Fix:/],
    ['a namespace with a slash', (app: any) => new ApiObject(new Chart(app, 'shop'), 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'a/../../b' } }), /\[shop\/a\] ConfigMap "x" 'metadata.namespace' must be a DNS-1123 label .*got "a\/\.\.\/\.\.\/b"\. Fix:/],
  ])('fails for %s, and writes nothing anywhere', (_name, build, message) => {
    const parent = tmp();
    const outdir = path.join(parent, 'dist');
    const app = Testing.app();
    build(app);
    const out = sink();
    expect(runSynthesis(app, { outdir }, out)).toBe(1);
    expect(out.text).toMatch(message);
    expect(fs.readdirSync(parent)).toEqual([]);
  });
});
