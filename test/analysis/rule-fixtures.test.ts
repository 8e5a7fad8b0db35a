import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyzeManifestReport, analyzeManifests, builtinRules, ManifestInput } from '../../lib/analysis/analyze';
import { BUILTIN_CODES } from '../../lib/analysis/codes';
import { Finding, FindingSeverity, IAnalysisRule, SUPPRESS_ANNOTATION } from '../../lib/analysis/context';
import * as inputRules from '../../lib/analysis/rules/input';

/*
 * Every built-in rule has a failing and a passing fixture: test/fixtures/analyze/<rule id>/{fail,pass}.yaml, a small set of
 * manifests a person could write. The failing one must trigger the rule, the passing one (a near miss) must not. The rules
 * of rules/input.ts (input validation) are tested with their own suite.
 */

const ROOT = path.join(__dirname, '..', 'fixtures', 'analyze');

function load(file: string): ManifestInput[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const values = docs.map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
    return d.toJS();
  }).filter((v) => v && typeof v === 'object');
  const rel = path.relative(path.join(__dirname, '..', '..'), file);
  return values.map((manifest, i) => ({ manifest, file: rel, source: `${rel}#${i}` }));
}

const isRule = (x: unknown): x is IAnalysisRule => !!x && typeof x === 'object' && typeof (x as IAnalysisRule).id === 'string' && typeof (x as IAnalysisRule).check === 'function';
const elsewhere = new Set(Object.values(inputRules).filter(isRule).map((r) => r.id));
const rules = builtinRules().filter((r) => !elsewhere.has(r.id));
/** Findings of a rule that carry another code than the rule's (a rule mirrors two istioctl messages). */
const OTHER_CODES: Record<string, string[]> = {
  'destination-rule-ca-certificates': ['IST0129'], 'istio-destination-port': ['IST0101'],
  'istio-envoy-filter-operation': ['IST0153', 'IST0154'], 'istio-envoy-filter-relative': ['IST0155'], 'istio-image-auto': ['IST0147'],
};

function of(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

describe.each(rules.map((r) => [r.id, r] as const))('rule %s', (id, rule) => {
  const code = rule.code ?? BUILTIN_CODES[id];

  test('fires on fail.yaml, on an object, with its code and severity', () => {
    const found = of(analyzeManifests(load(path.join(ROOT, id, 'fail.yaml'))), id);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      expect([code, ...(OTHER_CODES[id] ?? [])]).toContain(f.code);
      if (rule.severity) expect(f.severity).toBe(rule.severity);
      expect(f).toMatchObject({ kind: expect.any(String), name: expect.any(String), file: `test/fixtures/analyze/${id}/fail.yaml` });
      expect(f.path).toMatch(new RegExp(`^test/fixtures/analyze/${id}/fail\\.yaml#\\d+$`));
      expect(f.message).toMatch(/ Fix: /);
      expect(f.fix).toBe(f.message.slice(f.message.indexOf(' Fix: ') + 6));
    }
  });

  test('does not fire on pass.yaml (a near miss)', () => {
    expect(of(analyzeManifests(load(path.join(ROOT, id, 'pass.yaml'))), id)).toEqual([]);
  });

  test(`is suppressed by ${SUPPRESS_ANNOTATION} on the object it reports, and only there`, () => {
    const inputs = load(path.join(ROOT, id, 'fail.yaml'));
    const found = of(analyzeManifests(inputs), id);
    const target = found[0];
    const annotate = (value: string) => inputs.map((i) => (i.manifest.kind === target.kind && i.manifest.metadata.name === target.name
      && (i.manifest.metadata.namespace ?? undefined) === target.namespace
      ? { ...i, manifest: { ...i.manifest, metadata: { ...i.manifest.metadata, annotations: { ...i.manifest.metadata.annotations, [SUPPRESS_ANNOTATION]: value } } } }
      : i));
    const onTarget = (f: Finding) => f.kind === target.kind && f.name === target.name && f.namespace === target.namespace;
    const byId = analyzeManifestReport(annotate(`some-other-rule, ${id}`));
    expect(of(byId.findings, id)).toEqual(found.filter((f) => !onTarget(f)));
    expect(of(byId.suppressed, id)).toEqual(found.filter(onTarget));
    expect(of(analyzeManifests(annotate(code!)), id)).toEqual(found.filter((f) => !onTarget(f) || f.code !== code));
    expect(of(analyzeManifests(annotate('another-rule')), id)).toEqual(found);
  });
});

describe('the rule catalog', () => {
  test('has at least 40 rules, each with a unique id, a code, a description, and a fixture folder', () => {
    const all = builtinRules();
    expect(all.length).toBeGreaterThanOrEqual(40);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    for (const r of rules) {
      expect(r.code ?? BUILTIN_CODES[r.id]).toMatch(/^(IST\d{4}|MESH\d{4})$/);
      expect(r.description.length).toBeGreaterThan(20);
      expect(fs.existsSync(path.join(ROOT, r.id, 'fail.yaml')) && fs.existsSync(path.join(ROOT, r.id, 'pass.yaml'))).toBe(true);
    }
    expect(fs.readdirSync(ROOT).sort()).toEqual(rules.map((r) => r.id).sort());
  });

  test('MESH codes are never shared; IST codes only by rules mirroring the same istioctl message', () => {
    const byCode = new Map<string, string[]>();
    for (const r of rules) {
      const code = r.code ?? BUILTIN_CODES[r.id];
      byCode.set(code, [...(byCode.get(code) ?? []), r.id]);
    }
    for (const [code, ids] of byCode) if (code.startsWith('MESH')) expect(ids).toHaveLength(1);
    expect(byCode.get('IST0101')).toEqual(['istio-referenced-gateway', 'istio-referenced-host', 'istio-referenced-subset', 'istio-referenced-selector', 'istio-referenced-namespace']);
  });

  test('every rule with a declared severity reports with it; errors only from error rules', () => {
    const bySeverity = (s: FindingSeverity) => rules.filter((r) => r.severity === s).map((r) => r.id);
    expect(bySeverity(FindingSeverity.ERROR)).toEqual(expect.arrayContaining([
      'istio-referenced-gateway', 'istio-referenced-host', 'istio-referenced-subset', 'istio-mesh-gateway-hosts', 'istio-destination-port',
      'istio-conflicting-gateways', 'istio-jwt-claim-route', 'workload-selector-labels',
    ]));
  });
});
