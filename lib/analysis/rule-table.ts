import { BUILTIN_CODES } from './codes';
import { SUPPRESS_ANNOTATION } from './context';
import { RULE_DOCS } from './rules/docs';
import { BUILTIN_RULES } from './rules';

/** One built-in rule, documented: what the README's table shows. */
export interface RuleEntry {
  readonly id: string;
  readonly code: string;
  readonly severity: string;
  readonly catches: string;
  readonly why: string;
  readonly fix: string;
  readonly on: string;
}

/** Every built-in rule with its documentation, in the order they run. Throws when a rule has no documentation. */
export function ruleCatalog(): RuleEntry[] {
  return BUILTIN_RULES.map((r) => {
    const doc = RULE_DOCS[r.id];
    const severity = r.severity ?? doc?.severity;
    if (!doc || !severity) throw new Error(`analysis rule "${r.id}" has no documentation in lib/analysis/rules/docs.ts (why, fix, on, and severity when it declares none)`);
    return { id: r.id, code: r.code ?? BUILTIN_CODES[r.id] ?? '', severity, catches: r.description, why: doc.why, fix: doc.fix, on: doc.on };
  });
}

/**
 * The rule table of the README (Markdown), sorted by code: code, rule, severity, what it catches, why it matters, the fix,
 * and the object its findings are reported on (where `cdk8s-mesh.io/suppress` goes).
 */
export function rulesMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = ruleCatalog().sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.id < b.id ? -1 : 1))
    .map((e) => `| ${e.code} | \`${e.id}\` | ${cell(e.severity)} | ${cell(e.catches)} | ${cell(e.why)} | ${cell(e.fix)} | ${cell(e.on)} |`);
  return [
    `| code | rule | severity | catches | why it matters | fix | reported on (put \`${SUPPRESS_ANNOTATION}\` there) |`,
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n') + '\n';
}
