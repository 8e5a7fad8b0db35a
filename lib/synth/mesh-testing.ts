import { App, Chart } from 'cdk8s';
import { printFindings } from './findings-report';
import { SynthesisError } from './synthesis-error';
import { analyze } from '../analysis/analyze';
import { Finding, IAnalysisRule } from '../analysis/context';

/** Options of `MeshTesting.synth()` and `MeshTesting.analyze()`. */
export interface MeshTestingOptions {
  /**
   * Fail on warnings too.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * Analysis rules to run in addition to the built-in ones.
   * @default - only the built-in rules
   */
  readonly rules?: IAnalysisRule[];
  /**
   * Print warnings to standard error (jest shows them with the test).
   * @default true
   */
  readonly printWarnings?: boolean;
}

/** What `MeshTesting.analyze()` returns. */
export interface MeshTestingResult {
  /** The chart's objects, as they would be written to dist/. */
  readonly manifests: any[];
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

/**
 * Snapshot-testing for platform teams: like cdk8s `Testing.synth(chart)`, but runs the library's validation and
 * whole-app analysis first, so a duplicate object, a sidecar-less caller of a STRICT workload or a Flagger naming
 * clash fails the test instead of passing silently.
 *
 *   const chart = new MyChart(Testing.app(), 'shop');
 *   expect(MeshTesting.synth(chart)).toMatchSnapshot();   // throws SynthesisError on analysis errors
 */
export class MeshTesting {
  /** The chart's manifests after the analysis of its whole app. Throws SynthesisError on errors (and on warnings when strict). */
  public static synth(chart: Chart, options: MeshTestingOptions = {}): any[] {
    const result = MeshTesting.analyze(chart, options);
    const blocking = options.strict ? [...result.errors, ...result.warnings] : result.errors;
    if (blocking.length > 0) throw new SynthesisError(blocking);
    return result.manifests;
  }

  /** The chart's manifests and the findings of the analysis of its whole app, without throwing on findings. */
  public static analyze(chart: Chart, options: MeshTestingOptions = {}): MeshTestingResult {
    const report = analyze(App.of(chart), { rules: options.rules });
    if (options.printWarnings ?? true) printFindings(report.warnings);
    return {
      manifests: report.objects.filter((o) => o.chart === chart).map((o) => o.manifest),
      errors: report.errors,
      warnings: report.warnings,
    };
  }

  private constructor() {}
}
