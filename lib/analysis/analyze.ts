import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { AnalysisContext, AnalyzedObject, CLUSTER_SCOPED_KINDS, Finding, FindingSeverity, IAnalysisRule, Manifest } from './context';
import { BUILTIN_RULES } from './rules';
import { OutputLayout } from '../synth/output-layout';
import { collectWarnings } from '../private/warnings';

/** Options for `analyze()`. */
export interface AnalyzeOptions {
  /**
   * Rules to run in addition to the built-in ones.
   * @default - only the built-in rules
   */
  readonly rules?: IAnalysisRule[];
}

/** The result of analysing an app. */
export interface AnalysisReport {
  readonly objects: readonly AnalyzedObject[];
  readonly findings: readonly Finding[];
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

/** The built-in rules, in the order they run. */
export function builtinRules(): readonly IAnalysisRule[] {
  return [...BUILTIN_RULES];
}

/**
 * Validates the construct tree (every `node.addValidation`, aggregated like `cdk8s` does), resolves every
 * object once, and runs the analysis rules over the whole output. Throws on construct validation errors;
 * rule findings are returned, not thrown, so callers decide (see `synthesize()`).
 */
export function analyze(app: App, options: AnalyzeOptions = {}): AnalysisReport {
  validateTree(app);
  const objects: AnalyzedObject[] = [];
  for (const chart of app.charts) {
    const apiObjects = new DependencyGraph(chart.node).topology()
      .filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === chart);
    for (const apiObject of apiObjects) {
      objects.push({ manifest: withoutClusterNamespace(apiObject.toJson()), apiObject, chart, path: apiObject.node.path });
    }
  }
  // Each cluster is its own world (the same object may exist in staging and production): rules run per cluster.
  const byCluster = new Map<string, AnalyzedObject[]>();
  for (const o of objects) {
    const cluster = OutputLayout.of(o.chart).cluster ?? '';
    const list = byCluster.get(cluster);
    if (list) list.push(o);
    else byCluster.set(cluster, [o]);
  }
  const findings: Finding[] = [];
  for (const clusterObjects of byCluster.values()) {
    const ctx = new AnalysisContext(clusterObjects);
    for (const rule of [...BUILTIN_RULES, ...(options.rules ?? [])]) ctx._run(rule);
    findings.push(...ctx.findings);
  }
  for (const w of collectWarnings(app)) {
    const m = /^\[([^\]]*)\] ([\s\S]*)$/.exec(w)!;
    findings.push({ severity: FindingSeverity.WARNING, rule: 'construct', path: m[1], message: m[2] });
  }
  return {
    objects,
    findings,
    errors: findings.filter((f) => f.severity === FindingSeverity.ERROR),
    warnings: findings.filter((f) => f.severity === FindingSeverity.WARNING),
  };
}

/** A chart's namespace is stamped on every object; cluster-scoped objects must not carry it. */
function withoutClusterNamespace(m: Manifest): Manifest {
  if (!CLUSTER_SCOPED_KINDS.has(m.kind) || m.metadata?.namespace === undefined) return m;
  const { namespace: _ns, ...metadata } = m.metadata;
  return { ...m, metadata: metadata as Manifest['metadata'] };
}

function validateTree(app: App): void {
  const errors: string[] = [];
  for (const c of app.node.findAll()) {
    for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
  }
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
}
