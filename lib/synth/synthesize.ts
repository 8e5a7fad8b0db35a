import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Yaml } from 'cdk8s';
import { AnalysisReport, analyze } from '../analysis/analyze';
import { CLUSTER_SCOPED_KINDS, Finding, formatFinding, IAnalysisRule, Manifest } from '../analysis/context';

/** Options for `synthesize()`. */
export interface SynthesizeOptions {
  /**
   * Where the manifests go. The directory is replaced as a whole, atomically.
   * @default - $CDK8S_OUTDIR (set by `cdk8s synth`), else 'dist'
   */
  readonly outdir?: string;
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

/** What `synthesize()` wrote. */
export interface SynthesisResult {
  readonly outdir: string;
  /** Paths relative to outdir, sorted. */
  readonly files: readonly string[];
  readonly objectCount: number;
  readonly warnings: readonly Finding[];
}

/** Thrown when analysis finds errors (or warnings in strict mode). Nothing was written. */
export class SynthesisError extends Error {
  constructor(public readonly findings: readonly Finding[]) {
    super(`Synthesis failed, dist/ left unchanged:\n  ${findings.map(formatFinding).join('\n  ')}`);
    this.name = 'SynthesisError';
  }
}

/**
 * The layout of dist/, one folder per chart, one file per object, plus a kustomization.yaml per chart
 * so that a Flux Kustomization (or `kubectl kustomize`) can point at `dist/<chart>`:
 *
 *   dist/<chart>/kustomization.yaml
 *   dist/<chart>/<namespace>/<kind>-<name>.yaml
 *   dist/<chart>/_cluster/<kind>-<name>.yaml        (cluster-scoped objects)
 *
 * Returns relative path → file content.
 */
export function renderFiles(report: AnalysisReport): Map<string, string> {
  const byChart = new Map<string, Map<string, string>>();
  for (const o of report.objects) {
    const chart = o.chart.node.id;
    const files = byChart.get(chart) ?? new Map<string, string>();
    byChart.set(chart, files);
    const rel = objectFile(o.manifest);
    if (files.has(rel)) {
      // Same kind and name in the same namespace of one chart: the duplicate-object rule reports it first.
      throw new Error(`[${o.path}] two objects would be written to ${chart}/${rel}`);
    }
    files.set(rel, Yaml.stringify(o.manifest));
  }
  const out = new Map<string, string>();
  for (const chart of [...byChart.keys()].sort()) {
    const files = byChart.get(chart)!;
    const names = [...files.keys()].sort();
    out.set(`${chart}/kustomization.yaml`, Yaml.stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: names,
    }));
    for (const name of names) out.set(`${chart}/${name}`, files.get(name)!);
  }
  return out;
}

function objectFile(m: Manifest): string {
  const dir = CLUSTER_SCOPED_KINDS.has(m.kind) ? '_cluster' : (m.metadata.namespace ?? 'default');
  return `${dir}/${m.kind.toLowerCase()}-${m.metadata.name}.yaml`;
}

/**
 * Synthesizes the app into outdir: validates the construct tree, runs the analysis rules over every
 * object, and only when there are no errors writes the files to a staging directory next to outdir
 * and swaps it into place. A failed synthesis leaves the previous outdir untouched.
 */
export function synthesize(app: App, options: SynthesizeOptions = {}): SynthesisResult {
  const outdir = path.resolve(options.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  const strict = options.strict ?? ['1', 'true'].includes((process.env.MESH_STRICT ?? '').toLowerCase());
  const report = analyze(app, { rules: options.rules });
  const blocking = strict ? report.findings : report.errors;
  if (blocking.length > 0) throw new SynthesisError(blocking);

  const files = renderFiles(report);
  replaceDirectory(outdir, files);
  return { outdir, files: [...files.keys()], objectCount: report.objects.length, warnings: report.warnings };
}

/**
 * Writes `files` (relative path → content) into a staging directory next to `outdir`, then swaps it into
 * place with renames. On any failure the staging directory is removed and the previous `outdir` restored.
 */
export function replaceDirectory(outdir: string, files: ReadonlyMap<string, string>): void {
  const staging = `${outdir}.staging-${process.pid}`;
  const old = `${outdir}.old-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    // Create each directory once rather than a recursive mkdir per file.
    fs.mkdirSync(staging, { recursive: true });
    for (const dir of new Set([...files.keys()].map((rel) => path.dirname(rel)))) fs.mkdirSync(path.join(staging, dir), { recursive: true });
    for (const [rel, content] of files) fs.writeFileSync(path.join(staging, rel), content);
    const hadOld = fs.existsSync(outdir);
    if (hadOld) fs.renameSync(outdir, old);
    fs.renameSync(staging, outdir);
    if (hadOld) fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(outdir) && fs.existsSync(old)) fs.renameSync(old, outdir);
    throw err;
  }
}
