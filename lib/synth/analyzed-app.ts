import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, AppProps } from 'cdk8s';
import { printFindings } from './findings-report';
import { SynthesisError } from './synthesis-error';
import { writeOutputDirectory } from './write';
import { analyze } from '../analysis/analyze';
import { IAnalysisRule } from '../analysis/context';

/** Props of `AnalyzedApp`: those of the cdk8s App, plus the analysis settings. */
export interface AnalyzedAppProps extends AppProps {
  /**
   * Treat warnings as errors.
   * @default - true when the environment variable MESH_STRICT is '1' or 'true'
   */
  readonly strict?: boolean;
  /**
   * Analysis rules to run in addition to the built-in ones.
   * @default - only the built-in rules
   */
  readonly rules?: IAnalysisRule[];
}

/**
 * A drop-in replacement for the cdk8s `App` of the `cdk8s init` template: `synth()` writes the same files in the
 * same layout (`yamlOutputType`, `outputFileExtension`), but first runs the whole-output analysis (errors stop
 * the synth, warnings are printed to standard error) and then replaces the output directory atomically, with the
 * safety checks of `synthesize()` (no write outside it, never a project directory, recoverable if killed).
 *
 *   const app = new AnalyzedApp();      // instead of new App()
 *   new MyChart(app, 'my-chart');
 *   app.synth();                        // throws SynthesisError on findings, dist/ untouched
 *
 * Use `synthesize()` instead for the Flux folder layout of dist/ (one folder per chart with a kustomization.yaml).
 */
export class AnalyzedApp extends App {
  private readonly _strict?: boolean;
  private readonly _rules?: IAnalysisRule[];

  constructor(props: AnalyzedAppProps = {}) {
    super(props);
    this._strict = props.strict;
    this._rules = props.rules;
  }

  /** Analyzes, then writes every chart as cdk8s would, atomically. Throws SynthesisError, leaving outdir untouched, on errors. */
  public synth(): void {
    const report = analyze(this, { rules: this._rules });
    const strict = this._strict ?? ['1', 'true'].includes((process.env.MESH_STRICT ?? '').toLowerCase());
    const blocking = strict ? [...report.errors, ...report.warnings] : report.errors;
    printFindings(report.findings);
    if (blocking.length > 0) throw new SynthesisError(blocking);

    const outdir = this.outdir;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-app-'));
    try {
      // cdk8s's own writer into a scratch directory (its file naming, unchanged), then one atomic replacement.
      (this as { outdir: string }).outdir = scratch;
      super.synth();
      writeOutputDirectory(outdir, readTree(scratch));
    } finally {
      (this as { outdir: string }).outdir = outdir;
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}

function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(path.relative(root, p).split(path.sep).join('/'), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return files;
}
