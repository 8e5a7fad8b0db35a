import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { analyze, FindingSeverity, IAnalysisRule, synthesize } from '../../lib';
import { printFindings } from '../../lib/synth/findings-report';

/* Info is a level of its own: reported apart from warnings, printed as info, never blocking (not even in strict mode). */

const INFO_RULE: IAnalysisRule = {
  id: 'test-info',
  description: 'Reports every ConfigMap as info, for the test.',
  check(ctx) {
    for (const o of ctx.ofKind('ConfigMap', '')) ctx.info(o, `ConfigMap "${o.manifest.metadata.name}" is worth knowing about. Fix: nothing to fix.`);
  },
};

function app() {
  const a = Testing.app();
  const chart = new Chart(a, 'shop', { namespace: 'shop' });
  new ApiObject(chart, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
  return a;
}

test('an info finding is in findings and infos, not in warnings or errors', () => {
  const report = analyze(app(), { rules: [INFO_RULE] });
  const mine = report.findings.filter((f) => f.rule === 'test-info');
  expect(mine).toHaveLength(1);
  expect(mine[0].severity).toBe(FindingSeverity.INFO);
  expect(report.infos).toEqual(mine);
  expect(report.warnings.filter((f) => f.rule === 'test-info')).toEqual([]);
  expect(report.errors.filter((f) => f.rule === 'test-info')).toEqual([]);
});

test('strict synthesis fails on warnings but not on infos', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-info-'));
  try {
    expect(() => synthesize(app(), { outdir: path.join(outdir, 'dist'), strict: true, rules: [INFO_RULE] })).not.toThrow();
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('printFindings prints infos as info, after errors and warnings', () => {
  let out = '';
  const base = { rule: 'r', path: 'p', message: 'm' };
  printFindings([{ ...base, severity: FindingSeverity.INFO, message: 'i' }, { ...base, severity: FindingSeverity.WARNING, message: 'w' }, { ...base, severity: FindingSeverity.ERROR, message: 'e' }],
    { write: (s: string) => { out += s; } });
  expect(out).toBe('error: [p] e (r)\nwarning: [p] w (r)\ninfo: [p] i (r)\n');
});
