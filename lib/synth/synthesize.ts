import { App, Yaml } from 'cdk8s';
import { SynthesisError } from './synthesis-error';
import { AnalysisReport, analyze } from '../analysis/analyze';
import { checkOutputDirectory, writeOutputDirectory } from './write';
import { AnalyzedObject, CLUSTER_SCOPED_KINDS, Finding, IAnalysisRule } from '../analysis/context';

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
  /** Findings of the analysis that did not stop the synth. */
  readonly warnings: readonly Finding[];
  /** What the writer recovered or could not clean up (an interrupted earlier synth, a stale lock). */
  readonly writeWarnings: readonly string[];
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
    const chart = checkPathSegment(o.chart.node.path, 'chart id', o.chart.node.id);
    const files = byChart.get(chart) ?? new Map<string, string>();
    byChart.set(chart, files);
    const rel = objectFile(o);
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

function objectFile(o: AnalyzedObject): string {
  const m = o.manifest;
  const dir = CLUSTER_SCOPED_KINDS.has(m.kind) ? '_cluster' : checkPathSegment(o.path, 'metadata.namespace', m.metadata.namespace ?? 'default');
  return `${dir}/${checkPathSegment(o.path, 'kind', m.kind).toLowerCase()}-${checkPathSegment(o.path, 'metadata.name', m.metadata.name)}.yaml`;
}

/**
 * Names that become file or folder names must be one plain path segment: no separator, no '..', nothing
 * hidden. Kubernetes would refuse such names anyway; here they would write outside the chart's folder.
 */
function checkPathSegment(constructPath: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(value) || value.includes('..')) {
    throw new Error(`[${constructPath}] '${field}' must be a plain name (letters, digits, '-', '.', ':'; no '/' or '..'), got ${JSON.stringify(value)}. `
      + 'Fix: use a DNS-1123 name such as "my-app"; file names in the output are made from it.');
  }
  return value;
}

/**
 * Synthesizes the app into outdir: validates the construct tree, runs the analysis rules over every
 * object, and only when there are no errors writes the files with `writeOutputDirectory()`: atomically,
 * recoverably if killed, never outside outdir and never over a directory that is not a previous output.
 * A failed synthesis leaves the previous outdir untouched.
 */
export function synthesize(app: App, options: SynthesizeOptions = {}): SynthesisResult {
  const outdir = options.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
  // Refuse a dangerous outdir before any work (an empty CDK8S_OUTDIR would be the working directory).
  checkOutputDirectory(outdir);
  const strict = options.strict ?? ['1', 'true'].includes((process.env.MESH_STRICT ?? '').toLowerCase());
  const report = analyze(app, { rules: options.rules });
  const blocking = strict ? report.findings : report.errors;
  if (blocking.length > 0) throw new SynthesisError(blocking);

  const files = renderFiles(report);
  const written = writeOutputDirectory(outdir, files);
  return {
    outdir: written.outdir,
    files: [...files.keys()],
    objectCount: report.objects.length,
    warnings: report.warnings,
    writeWarnings: written.warnings,
  };
}
