import { Chart, Testing } from 'cdk8s';
import { analyze, AnalysisReport, Finding } from '../../lib';
import { buildReferencePlatform, ReferencePlatform } from '../../platform';

/** The whole reference platform, built once per test file and analysed as `npm run synth` would. */
export interface AnalyzedPlatform {
  readonly platform: ReferencePlatform;
  readonly report: AnalysisReport;
  /** The manifests one chart produces (its dist/ folder), in synthesis order. */
  manifestsOf(chart: Chart): any[];
  /** The findings about objects of one chart. */
  findingsOf(chart: Chart): Finding[];
}

export function analyzedPlatform(): AnalyzedPlatform {
  const app = Testing.app();
  const platform = buildReferencePlatform(app);
  const report = analyze(app);
  return {
    platform,
    report,
    manifestsOf: (chart) => report.objects.filter((o) => o.chart === chart).map((o) => o.manifest),
    findingsOf: (chart) => report.findings.filter((f) => f.path === chart.node.path || f.path.startsWith(`${chart.node.path}/`)),
  };
}
