#!/usr/bin/env node
/**
 * Analyses Kubernetes YAML (any source: dist/, kubectl output, a Helm render) with the compiled library (build/lib).
 *
 *   npm run analyze -- dist/                                        # the analysis rules, a readable report
 *   npm run analyze -- --json dist/apps/staging dist/infrastructure/staging dist/clusters/staging
 *   npm run analyze -- --mesh-config mesh.yaml rendered.yaml       # rootNamespace / trustDomain of the mesh
 *   npm run analyze -- --list-rules                                 # every rule: code, severity, why, fix (the README's table)
 *   npm run analyze -- --graph <files or directories>...            # the mesh graph as Markdown (Mermaid), on stdout
 *   npm run analyze -- --graph dist/apps/production dist/infrastructure/production --title "production"
 *   npm run analyze -- --graph dist/apps/staging --format mermaid   # only the Mermaid source (e.g. for mmdc)
 *
 * Reads multi-document files and directories recursively (*.yaml, *.yml; hidden folders and node_modules skipped);
 * `List` objects are expanded; kinds no rule knows are ignored by the rules. Files of the GitOps layout of dist/
 * (`apps/<cluster>/`, `infrastructure/<cluster>/`, `clusters/<cluster>/`) are analysed per cluster, as synthesis does;
 * anything else as one cluster. A finding about an object is dropped when the object carries the annotation
 * `cdk8s-mesh.io/suppress: "<rule id or code>,..."` (or istioctl's `galley.istio.io/analyze-suppress` for IST codes).
 *
 * Severities are istioctl's: Error, Warning, Info. Exit codes: 0 no finding at or above the failure threshold (default
 * error, as istioctl's --failure-threshold: warnings and infos allowed), 1 findings at or above it or an unreadable or
 * invalid file, 2 bad arguments. `--failure-threshold warning` fails on warnings too, `info` on any finding.
 *
 * Plain CommonJS JavaScript on the compiled library (`npm run build` first; `npm run analyze` does it). The library
 * directory can be overridden with CDK8S_MESH_LIB (e.g. `CDK8S_MESH_LIB=lib node -r tsx/cjs scripts/analyze.js` runs
 * on the TypeScript sources).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const USAGE = [
  'usage: analyze [--json] [--mesh-config <file>] [--failure-threshold error|warning|info] <file or directory>...',
  '       analyze --list-rules',
  '       analyze --graph <file or directory>... [--format markdown|mermaid] [--title <text>] [--root-namespace <ns>]',
].join('\n');

/** Parses argv into options; throws an Error with a message for the user on a bad argument. */
function parseArgs(argv) {
  const options = { graph: false, json: false, paths: [], format: 'markdown', title: undefined, rootNamespace: undefined, meshConfig: undefined, failureThreshold: 'error' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--graph') options.graph = true;
    else if (a === '--json') options.json = true;
    else if (a === '--mesh-config') options.meshConfig = value();
    else if (a === '--failure-threshold') options.failureThreshold = value().toLowerCase();
    else if (a === '--format') options.format = value();
    else if (a === '--title') options.title = value();
    else if (a === '--root-namespace') options.rootNamespace = value();
    else if (a === '--help' || a === '-h') options.help = true;
    else if (a === '--list-rules') options.listRules = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else options.paths.push(a);
  }
  if (options.help) return options;
  if (options.listRules) {
    if (options.paths.length > 0 || options.graph || options.json) throw new Error('--list-rules takes no other argument');
    return options;
  }
  if (options.paths.length === 0) {
    throw new Error(options.graph ? '--graph needs at least one file or directory' : 'nothing to do: give --graph and/or the files or directories to analyze');
  }
  if (options.graph && options.json) throw new Error('--json applies to the analysis, not to --graph');
  if (!(options.failureThreshold in SEVERITY_RANK)) throw new Error(`--failure-threshold must be error, warning or info, got ${options.failureThreshold}`);
  if (!['markdown', 'mermaid'].includes(options.format)) throw new Error(`--format must be markdown or mermaid, got ${options.format}`);
  return options;
}

/** Every YAML file under the given paths, sorted (a file given by name is read whatever its extension). */
function yamlFiles(paths) {
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) files.push(p);
    }
  };
  for (const p of paths) {
    const stat = fs.statSync(p); // throws ENOENT with the path in the message
    if (stat.isDirectory()) walk(p);
    else files.push(p);
  }
  return files;
}

/**
 * The objects of every YAML document of the files (empty documents skipped), each with its file and `<file>#<n>` for
 * the n-th document of a multi-document file; throws naming the file on a YAML error.
 */
function readDocuments(paths) {
  const YAML = require('yaml');
  const out = [];
  for (const file of yamlFiles(paths)) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
    const values = [];
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS();
      if (value && typeof value === 'object' && !Array.isArray(value)) values.push(value);
    }
    values.forEach((manifest, i) => out.push({ manifest, file, source: values.length > 1 ? `${file}#${i}` : file }));
  }
  return out;
}

/** The objects of the files (for --graph). */
function readManifests(paths) {
  return readDocuments(paths).map((d) => d.manifest);
}

/** The mesh settings of a MeshConfig file (first document). */
function readMeshConfig(lib, file) {
  const YAML = require('yaml');
  const doc = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).find((d) => d.contents !== null);
  if (!doc) throw new Error(`${file}: no MeshConfig in the file`);
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
  try {
    return lib.meshSettingsFromConfig(doc.toJS());
  } catch (e) {
    throw new Error(`${file}: ${e.message}`);
  }
}

/** A finding as printed in JSON: the message without its Fix sentence, which is in `fix`. */
function plainFinding(f) {
  const message = f.fix !== undefined ? f.message.slice(0, f.message.length - f.fix.length).replace(/\s*Fix: $/, '') : f.message;
  const out = { code: f.code, rule: f.rule, severity: f.severity, kind: f.kind, name: f.name, namespace: f.namespace, file: f.file, path: f.path, message, fix: f.fix };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** Severities, most severe first. */
const SEVERITY_RANK = { error: 0, warning: 1, info: 2 };
const LEVEL = { error: 'Error', warning: 'Warning', info: 'Info' };

/** Errors first, then warnings, then infos; then by file, object and rule. */
function sortFindings(findings) {
  const rank = (f) => SEVERITY_RANK[f.severity] ?? 1;
  const key = (f) => `${f.file ?? f.path}\u0000${f.kind ?? ''}\u0000${f.namespace ?? ''}\u0000${f.name ?? ''}\u0000${f.code ?? ''}\u0000${f.rule}`;
  return [...findings].sort((a, b) => rank(a) - rank(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The readable report: istioctl's `Level [CODE] (Kind namespace/name file) message`, the fix indented below. */
function renderReport(report) {
  const findings = report.findings;
  const lines = [];
  for (const f of sortFindings(findings).map(plainFinding)) {
    const level = LEVEL[f.severity] ?? 'Warning';
    const object = f.kind ? `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}` : f.path;
    const where = f.file ? ` ${f.file}` : '';
    lines.push(`${level} [${f.code ?? '-'}] (${object}${where}) ${f.message} [${f.rule}]`);
    if (f.fix) lines.push(`    Fix: ${f.fix}`);
  }
  const count = (s) => findings.filter((f) => f.severity === s).length;
  const [errors, warnings, infos] = [count('error'), count('warning'), count('info')];
  const clusters = report.clusters.filter((c) => c !== '');
  const scope = `${report.objectCount} objects${clusters.length > 0 ? ` (clusters: ${clusters.join(', ')})` : ''}`;
  if (report.suppressed.length > 0) lines.push(`note: ${report.suppressed.length} finding(s) suppressed by annotations on their objects`);
  if (report.skippedRules.length > 0) lines.push(`note: rules about the construct tree not run on plain manifests: ${report.skippedRules.join(', ')}`);
  lines.push(findings.length === 0 ? `No findings in ${scope}.` : `${errors} error(s), ${warnings} warning(s), ${infos} info(s) in ${scope}.`);
  return `${lines.join('\n')}\n`;
}

/**
 * Runs the command. `lib` is the library (see loadLibrary()); `out`/`err` write text. Returns the exit code.
 */
function main(argv, lib, out = (s) => process.stdout.write(s), err = (s) => process.stderr.write(s)) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (e) {
    err(`analyze: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    out(`${USAGE}\n`);
    return 0;
  }
  if (options.listRules) {
    out(lib.rulesMarkdown());
    return 0;
  }
  let documents;
  let settings;
  try {
    documents = readDocuments(options.paths);
    if (options.meshConfig !== undefined) settings = readMeshConfig(lib, options.meshConfig);
  } catch (e) {
    err(`analyze: ${e.message}\n`);
    return 1;
  }
  if (options.graph) {
    const manifests = documents.map((d) => d.manifest);
    const rootNamespace = options.rootNamespace ?? settings?.rootNamespace;
    const graph = lib.buildMeshGraph(manifests, rootNamespace ? { rootNamespace } : {});
    if (options.format === 'mermaid') {
      out(lib.renderMermaidFlowchart(graph));
    } else {
      out(lib.renderMermaid(graph, {
        title: options.title ? `Mesh graph: ${options.title}` : undefined,
        description: `Drawn from ${options.paths.map((p) => `\`${p}\``).join(', ')} (${manifests.length} objects).`,
      }));
    }
    return 0;
  }
  const report = lib.analyzeManifestReport(documents, settings ? { settings } : {});
  const findings = report.findings;
  if (options.json) out(`${JSON.stringify(sortFindings(findings).map(plainFinding), null, 2)}\n`);
  else out(renderReport(report));
  const threshold = SEVERITY_RANK[options.failureThreshold];
  return findings.some((f) => (SEVERITY_RANK[f.severity] ?? 1) <= threshold) ? 1 : 0;
}

/**
 * The functions the command uses, from the compiled library (build/lib) or the directory CDK8S_MESH_LIB names. Reads
 * the modules directly, so that it needs no public export and loads only the analysis and the graph.
 */
function loadLibrary(dir = process.env.CDK8S_MESH_LIB ? path.resolve(process.env.CDK8S_MESH_LIB) : path.join(__dirname, '..', 'build', 'lib')) {
  const analysis = require(path.join(dir, 'analysis', 'analyze'));
  const meshConfig = require(path.join(dir, 'analysis', 'mesh-config'));
  const ruleTable = require(path.join(dir, 'analysis', 'rule-table'));
  const graph = require(path.join(dir, 'graph'));
  return {
    analyzeManifests: analysis.analyzeManifests,
    analyzeManifestReport: analysis.analyzeManifestReport,
    meshSettingsFromConfig: meshConfig.meshSettingsFromConfig,
    rulesMarkdown: ruleTable.rulesMarkdown,
    buildMeshGraph: graph.buildMeshGraph,
    renderMermaid: graph.renderMermaid,
    renderMermaidFlowchart: graph.renderMermaidFlowchart,
  };
}

module.exports = { main, parseArgs, readManifests, readDocuments, yamlFiles, plainFinding, renderReport, loadLibrary };

if (require.main === module) {
  let lib;
  try {
    lib = loadLibrary();
  } catch (e) {
    process.stderr.write(`analyze: cannot load the compiled library from build/lib (run \`npm run build\`, or use \`npm run analyze\`): ${e.message}\n`);
    process.exit(1);
  }
  process.exitCode = main(process.argv.slice(2), lib);
}
