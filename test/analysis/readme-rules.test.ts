import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinRules } from '../../lib/analysis/analyze';
import { meshSettingsFromConfig } from '../../lib/analysis/mesh-config';
import { ruleCatalog, rulesMarkdown } from '../../lib/analysis/rule-table';
import { RULE_DOCS } from '../../lib/analysis/rules/docs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = require('../../scripts/analyze.js') as { main(argv: string[], lib: unknown, out: (s: string) => void, err: (s: string) => void): number };

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

test('README lists every rule of the catalog, with its code, severity, why, fix and where to suppress (the generated table)', () => {
  const m = /<!-- rules:start -->\n([\s\S]*?)<!-- rules:end -->/.exec(README);
  expect(m).not.toBeNull();
  // If this fails after adding or changing a rule: paste the output of `npm run analyze -- --list-rules` between the markers.
  expect(m![1]).toBe(rulesMarkdown());
  for (const r of builtinRules()) expect(m![1]).toContain(`| \`${r.id}\` |`);
});

test('every rule is documented, and nothing documents a rule that does not exist', () => {
  expect(ruleCatalog().map((e) => e.id)).toEqual(builtinRules().map((r) => r.id));
  expect(Object.keys(RULE_DOCS).sort()).toEqual(builtinRules().map((r) => r.id).sort());
  for (const e of ruleCatalog()) {
    expect(e.code).toMatch(/^(IST|MESH)\d{4}$/);
    expect(e.severity).toMatch(/^(error|warning|info)/);
  }
});

test('npm run analyze -- --list-rules prints the table', () => {
  let out = '';
  const code = cli.main(['--list-rules'], { rulesMarkdown, meshSettingsFromConfig }, (s) => { out += s; }, () => undefined);
  expect(code).toBe(0);
  expect(out).toBe(rulesMarkdown());
  let err = '';
  expect(cli.main(['--list-rules', 'dist'], {}, () => undefined, (s) => { err += s; })).toBe(2);
  expect(err).toMatch(/--list-rules takes no other argument/);
});
