import { App } from 'cdk8s';
import { printFindings } from './findings-report';
import { SynthesisError } from './synthesis-error';
import { synthesize, SynthesizeOptions } from './synthesize';

/**
 * The entry point of a synth program: synthesizes `app` with `synthesize()`, prints every finding once (errors
 * and warnings, with rule id, object and fix) and a one-line summary, and returns the process exit code (1 on
 * errors, including a refused output directory). Never throws; nothing is written when it returns 1.
 *
 *   process.exitCode = runSynthesis(app);
 */
export function runSynthesis(app: App, options: SynthesizeOptions = {}, out: { write(s: string): unknown } = process.stderr): number {
  try {
    const result = synthesize(app, options);
    printFindings(result.warnings, out);
    for (const w of result.writeWarnings) out.write(`note: ${w}\n`);
    out.write(`synthesized ${result.objectCount} objects into ${result.files.length} files in ${result.outdir}\n`);
    return 0;
  } catch (err) {
    if (err instanceof SynthesisError) {
      printFindings(err.findings, out);
      out.write(`synthesis failed with ${err.findings.length} finding(s); the output directory was left unchanged\n`);
    } else {
      out.write(`synthesis failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return 1;
  }
}
