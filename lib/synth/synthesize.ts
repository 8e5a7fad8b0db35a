import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { fieldCommentsOf, FieldPath, parseCommitted, setValueAt, stringifyWithComments, valueAt } from './field-comments';
import { ChartOutput, OutputLayout } from './output-layout';
import { SynthesisError } from './synthesis-error';
import { AnalysisReport, analyze } from '../analysis/analyze';
import { checkOutputDirectory, writeOutputDirectory } from './write';
// YAML: byte for byte cdk8s's Yaml.stringify, faster (lib/synth/yaml.ts).
import { toYaml } from './yaml';
import { AnalyzedObject, CLUSTER_SCOPED_KINDS, Finding, IAnalysisRule } from '../analysis/context';
import { buildMeshGraph } from '../graph/build-mesh-graph';
import { clusterDomainOf } from '../private/names';
import { renderMermaid } from '../graph/render-mermaid';

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
  /**
   * The committed output whose Flux-written fields (image tags at setter markers) the synth keeps. Set it when
   * synthesizing into another directory than the committed one (a determinism check, a scratch copy), so the result
   * still equals what the committed output should be.
   * @default - $CDK8S_MESH_COMMITTED_OUTDIR, else outdir itself
   */
  readonly committedOutdir?: string;
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
export function renderFiles(report: AnalysisReport, app?: App, committed?: (rel: string) => string | undefined): Map<string, string> {
  const byFolder = new Map<string, { files: Map<string, string>; output: ChartOutput; chartPath: string }>();
  // The chart's checks and folder, once per chart (objects of a chart are consecutive, but need not be).
  const folderOf = new Map<Chart, { files: Map<string, string>; output: ChartOutput }>();
  for (const o of report.objects) {
    let entry = folderOf.get(o.chart);
    if (!entry) {
      checkPathSegment(o.chart.node.path, 'chart id', o.chart.node.id);
      const output = OutputLayout.of(o.chart);
      let folder = byFolder.get(output.folder);
      if (!folder) {
        folder = { files: new Map<string, string>(), output, chartPath: o.chart.node.path };
        byFolder.set(output.folder, folder);
      } else if (folder.chartPath !== o.chart.node.path) {
        throw new Error(`[${o.chart.node.path}] two charts would be written to the folder ${output.folder} (the other is ${folder.chartPath}). `
          + 'Fix: give one of the charts another id.');
      }
      entry = folder;
      folderOf.set(o.chart, entry);
    }
    const output = entry.output;
    const rel = output.flat ? flatFile(o) : objectFile(o);
    if (entry.files.has(rel)) {
      // Same kind and name in the same namespace of one chart: the duplicate-object rule reports it first.
      throw new Error(`[${o.path}] two objects would be written to ${output.folder}/${rel}`);
    }
    entry.files.set(rel, renderObject(o, committed ? () => committed(`${output.folder}/${rel}`) : undefined));
  }
  const out = new Map<string, string>();
  const groups = new Map<string, string[]>();
  for (const folder of [...byFolder.keys()].sort()) {
    const { files, output } = byFolder.get(folder)!;
    const names = [...files.keys()].sort();
    if (!output.flat) out.set(`${folder}/kustomization.yaml`, kustomization(names));
    for (const name of names) out.set(`${folder}/${name}`, files.get(name)!);
    if (output.group !== undefined) {
      const charts = groups.get(output.group) ?? [];
      charts.push(folder.slice(output.group.length + 1));
      groups.set(output.group, charts);
    }
  }
  // Per cluster, a picture of its mesh next to the Flux entry point (clusters/<name>/MESH-GRAPH.md).
  for (const [name, { folder, objects, clusterDomain }] of clusterGraphs(report)) {
    const rel = `${folder}/MESH-GRAPH.md`;
    if (out.has(rel)) throw new Error(`the mesh graph ${rel} would overwrite a file of the output. Fix: rename the object written there.`);
    out.set(rel, renderMermaid(buildMeshGraph(objects, { clusterDomain }), { title: `Mesh graph: ${name}` }));
  }
  // A layer folder (e.g. apps/staging) lists its chart folders, so that one Flux Kustomization applies them all;
  // an empty layer still gets one, so that the Flux Kustomization pointing at it builds.
  for (const group of app ? OutputLayout.groupFolders(app) : []) if (!groups.has(group)) groups.set(group, []);
  for (const [rel, produce] of app ? OutputLayout.documents(app) : []) {
    if (out.has(rel)) throw new Error(`the document ${rel} would overwrite a manifest. Fix: give the document another path.`);
    out.set(rel, produce());
  }
  for (const [group, charts] of groups) out.set(`${group}/kustomization.yaml`, kustomization(charts.sort()));
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * One object's YAML, with its field comments (Flux setter markers) at the end of their lines. A field that another
 * tool rewrites in the committed output keeps the committed value when the comment's `keepCommitted` says so.
 */
function renderObject(o: AnalyzedObject, committedFile?: () => string | undefined): string {
  const comments = fieldCommentsOf(o.apiObject);
  if (comments.length === 0) return toYaml(o.manifest);
  const located: { path: FieldPath; text: string }[] = [];
  for (const c of comments) {
    const at = c.locate(o.manifest);
    if (at === undefined) throw new Error(`[${o.path}] a field comment (${c.text}) names a field the object does not have. Fix: check the container name it was given.`);
    located.push({ path: at, text: c.text });
  }
  const rendered = stringifyWithComments(o.manifest, located);
  if (!committedFile || !comments.some((c) => c.keepCommitted)) return rendered;
  // The committed file is what the program writes now (no tag committed since): nothing to keep, nothing to parse.
  const content = committedFile();
  if (content === undefined || content === rendered) return rendered;
  const previous = parseCommitted(content);
  if (previous === undefined) return rendered;
  let kept = false;
  comments.forEach((c, i) => {
    if (!c.keepCommitted) return;
    const at = located[i].path;
    const old = valueAt(previous, at);
    const now = valueAt(o.manifest, at);
    if (typeof old === 'string' && typeof now === 'string' && old !== now && c.keepCommitted(old, now)) {
      setValueAt(o.manifest, at, old);
      kept = true;
    }
  });
  return kept ? stringifyWithComments(o.manifest, located) : rendered;
}

/** The objects of each cluster, and the folder of its Flux entry point (the flat chart of the cluster). */
function clusterGraphs(report: AnalysisReport): Map<string, { folder: string; objects: any[]; clusterDomain: string }> {
  const clusters = new Map<string, { folder?: string; objects: any[]; clusterDomain: string }>();
  const outputs = new Map<Chart, ChartOutput>();
  for (const o of report.objects) {
    let output = outputs.get(o.chart);
    if (!output) outputs.set(o.chart, (output = OutputLayout.of(o.chart)));
    if (output.cluster === undefined) continue;
    const entry = clusters.get(output.cluster) ?? { objects: [], clusterDomain: clusterDomainOf(o.chart) };
    clusters.set(output.cluster, entry);
    entry.objects.push(o.manifest);
    if (output.flat) entry.folder = output.folder;
  }
  const out = new Map<string, { folder: string; objects: any[]; clusterDomain: string }>();
  for (const [name, c] of [...clusters.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (c.folder) out.set(name, { folder: c.folder, objects: c.objects, clusterDomain: c.clusterDomain });
  }
  return out;
}

function kustomization(resources: string[]): string {
  return toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
}

/** `<kind>-<name>.yaml` at the top of a flat folder (namespaces do not make folders there). */
function flatFile(o: AnalyzedObject): string {
  const m = o.manifest;
  return `${checkPathSegment(o.path, 'kind', m.kind).toLowerCase()}-${checkPathSegment(o.path, 'metadata.name', m.metadata.name)}.yaml`;
}

function objectFile(o: AnalyzedObject): string {
  const m = o.manifest;
  const dir = CLUSTER_SCOPED_KINDS.has(m.kind) ? '_cluster' : checkPathSegment(o.path, 'metadata.namespace', m.metadata.namespace ?? 'default');
  return `${dir}/${checkPathSegment(o.path, 'kind', m.kind).toLowerCase()}-${checkPathSegment(o.path, 'metadata.name', m.metadata.name)}.yaml`;
}

/** A file of the previous output, if there is one (it must stay inside outdir: `rel` was checked by the layout). */
function readCommitted(outdir: string, rel: string): string | undefined {
  try {
    return fs.readFileSync(path.join(outdir, rel), 'utf8');
  } catch {
    return undefined;
  }
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
  const blocking = strict ? [...report.errors, ...report.warnings] : report.errors;
  if (blocking.length > 0) throw new SynthesisError(blocking);

  const committed = options.committedOutdir ?? (process.env.CDK8S_MESH_COMMITTED_OUTDIR || outdir);
  const files = renderFiles(report, app, (rel) => readCommitted(committed, rel));
  const written = writeOutputDirectory(outdir, files, { preserve: OutputLayout.preservedFolders(app) });
  return {
    outdir: written.outdir,
    files: [...files.keys()],
    objectCount: report.objects.length,
    warnings: report.warnings,
    writeWarnings: written.warnings,
  };
}
