import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { analyze, FindingSeverity, IAnalysisRule, synthesize, SynthesisError } from '../../lib';
import { addWarning } from '../../lib/private/warnings';
import { listFiles, readTree, tempDir } from '../util/files';

function tmpdir(): string {
  return tempDir('mesh-synth-test-');
}

function sampleApp() {
  const app = Testing.app();
  const web = new Chart(app, 'web', { namespace: 'shop' });
  new ApiObject(web, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } } as any);
  new ApiObject(web, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  const ops = new Chart(app, 'ops');
  new ApiObject(ops, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ops' } });
  return app;
}

describe('synthesize', () => {
  test('writes one folder per chart, one file per object and a kustomization.yaml listing them', () => {
    const outdir = path.join(tmpdir(), 'dist');
    const result = synthesize(sampleApp(), { outdir, strict: false });
    expect(listFiles(outdir)).toEqual([
      '.generated-by-cdk8s-mesh',
      'ops/kustomization.yaml',
      'ops/ops/configmap-settings.yaml',
      'web/_cluster/namespace-shop.yaml',
      'web/kustomization.yaml',
      'web/shop/configmap-settings.yaml',
    ]);
    expect(result.objectCount).toBe(3);
    expect(fs.readFileSync(path.join(outdir, 'web/kustomization.yaml'), 'utf8')).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - _cluster/namespace-shop.yaml\n  - shop/configmap-settings.yaml\n');
    expect(fs.readFileSync(path.join(outdir, 'web/shop/configmap-settings.yaml'), 'utf8')).toContain('namespace: shop');
  });

  test('is deterministic: two synths give byte-identical trees', () => {
    const a = path.join(tmpdir(), 'dist');
    const b = path.join(tmpdir(), 'dist');
    synthesize(sampleApp(), { outdir: a, strict: false });
    synthesize(sampleApp(), { outdir: b, strict: false });
    expect(readTree(a)).toEqual(readTree(b));
  });

  test('replaces the whole outdir: files of objects that are gone disappear', () => {
    const outdir = path.join(tmpdir(), 'dist');
    fs.mkdirSync(path.join(outdir, 'stale'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'stale', 'old.yaml'), 'x');
    synthesize(sampleApp(), { outdir, strict: false });
    expect(fs.existsSync(path.join(outdir, 'stale'))).toBe(false);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']); // no staging or backup left behind
  });

  test('fails on an analysis error and leaves the previous outdir untouched', () => {
    const outdir = path.join(tmpdir(), 'dist');
    synthesize(sampleApp(), { outdir, strict: false });
    const before = readTree(outdir);

    const app = sampleApp();
    new ApiObject(app.charts[0], 'secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'hunter2' } } as any);
    expect(() => synthesize(app, { outdir, strict: false })).toThrow(/\[web\/secret\] Secret "db" carries data \(password\).*Fix: create the Secret in the cluster/);
    expect(readTree(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });

  test('fails on a construct validation error and writes nothing', () => {
    const outdir = path.join(tmpdir(), 'dist');
    const app = sampleApp();
    const c = new Construct(app.charts[0], 'incomplete');
    c.node.addValidation({ validate: () => ['needs a port named http'] });
    expect(() => synthesize(app, { outdir, strict: false })).toThrow(/Validation failed with the following errors:\n {2}\[web\/incomplete\] needs a port named http/);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('prints warnings in normal mode and fails on them in strict mode', () => {
    const outdir = path.join(tmpdir(), 'dist');
    const app = sampleApp();
    addWarning(app.charts[0], 'test:warn', 'something to look at');
    const result = synthesize(app, { outdir, strict: false });
    expect(result.warnings).toEqual([{ severity: FindingSeverity.WARNING, rule: 'construct', path: 'web', message: 'something to look at [test:warn]' }]);

    const strictOut = path.join(tmpdir(), 'dist');
    let error: unknown;
    try {
      synthesize(app, { outdir: strictOut, strict: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthesisError);
    expect((error as SynthesisError).findings.map((f) => f.message)).toEqual(['something to look at [test:warn]']);
    expect(fs.existsSync(strictOut)).toBe(false);
  });

  test('strict mode follows MESH_STRICT when not given', () => {
    const app = sampleApp();
    addWarning(app.charts[0], 'test:warn', 'w');
    const outdir = path.join(tmpdir(), 'dist');
    const saved = process.env.MESH_STRICT;
    process.env.MESH_STRICT = '1';
    try {
      expect(() => synthesize(app, { outdir })).toThrow(SynthesisError);
    } finally {
      if (saved === undefined) delete process.env.MESH_STRICT;
      else process.env.MESH_STRICT = saved;
    }
    expect(synthesize(app, { outdir, strict: false }).warnings).toHaveLength(1);
  });
});

describe('analyze', () => {
  test('resolves every object once, with its chart and construct path', () => {
    const report = analyze(sampleApp());
    expect(report.objects.map((o) => `${o.chart.node.id} ${o.path} ${o.manifest.kind}`)).toEqual([
      'web web/cm ConfigMap',
      'web web/ns Namespace',
      'ops ops/cm ConfigMap',
    ]);
    expect(report.findings).toEqual([]);
  });

  test('reports the same object emitted by two charts', () => {
    const app = sampleApp();
    const other = new Chart(app, 'other', { namespace: 'shop' });
    new ApiObject(other, 'dup', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
    const report = analyze(app);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ rule: 'duplicate-object', path: 'other/dup' });
    expect(report.errors[0].message).toMatch(/ConfigMap "settings" in namespace "shop" is also emitted by \[web\/cm\]/);
  });

  test('a Secret without data is fine; one with data is an error', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'n' });
    new ApiObject(chart, 'ref', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty' } });
    expect(analyze(app).errors).toEqual([]);
    new kplus.Secret(chart, 'withdata', { metadata: { name: 'token' }, stringData: { token: 'abc' } });
    expect(analyze(app).errors.map((f) => f.rule)).toEqual(['secret-data']);
  });

  test('runs extra rules with indexed lookups and keeps their findings apart', () => {
    const rule: IAnalysisRule = {
      id: 'configmap-needs-namespace',
      description: 'test rule',
      check(ctx) {
        for (const o of ctx.ofKind('ConfigMap', '')) {
          if (o.manifest.metadata.namespace === 'ops') ctx.warning(o, 'ops config');
        }
        if (!ctx.find('', 'Namespace', undefined, 'shop')) ctx.error('web', 'namespace missing');
        if (ctx.find('', 'Namespace', undefined, 'nope')) ctx.error('web', 'found a namespace that does not exist');
      },
    };
    const report = analyze(sampleApp(), { rules: [rule] });
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([{ severity: FindingSeverity.WARNING, rule: 'configmap-needs-namespace', path: 'ops/cm', message: 'ops config', kind: 'ConfigMap', name: 'settings', namespace: 'ops' }]);
  });
});
