#!/usr/bin/env node
/**
 * Analyses Kubernetes YAML (any source: dist/, kubectl output, a Helm render) with the compiled library (build/lib).
 *
 *   npm run analyze -- --graph <files or directories>...           # the mesh graph as Markdown (Mermaid), on stdout
 *   npm run analyze -- --graph dist/apps/production dist/infrastructure/production --title "production"
 *   npm run analyze -- --graph dist/apps/staging --format mermaid   # only the Mermaid source (e.g. for mmdc)
 *
 * Reads multi-document files and directories recursively (*.yaml, *.yml; hidden folders and node_modules skipped);
 * kinds the graph does not know are ignored. One invocation draws one graph: give it the folders of one cluster.
 * Exit codes: 0 done, 1 an unreadable or invalid file, 2 bad arguments.
 *
 * Plain CommonJS JavaScript on the compiled library (`npm run build` first; `npm run analyze` does it).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const USAGE = 'usage: analyze --graph <file or directory>... [--format markdown|mermaid] [--title <text>] [--root-namespace <ns>]';

/** Parses argv into options; throws an Error with a message for the user on a bad argument. */
function parseArgs(argv) {
  const options = { graph: false, paths: [], format: 'markdown', title: undefined, rootNamespace: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--graph') options.graph = true;
    else if (a === '--format') options.format = value();
    else if (a === '--title') options.title = value();
    else if (a === '--root-namespace') options.rootNamespace = value();
    else if (a === '--help' || a === '-h') options.help = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else options.paths.push(a);
  }
  if (options.help) return options;
  if (!options.graph) throw new Error('nothing to do: give --graph');
  if (options.paths.length === 0) throw new Error('--graph needs at least one file or directory');
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

/** The objects of every YAML document of the files (empty documents skipped); throws naming the file on a YAML error. */
function readManifests(paths) {
  const YAML = require('yaml');
  const manifests = [];
  for (const file of yamlFiles(paths)) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS();
      if (value && typeof value === 'object' && !Array.isArray(value)) manifests.push(value);
    }
  }
  return manifests;
}

/**
 * Runs the command. `lib` is the library (`require('../build/lib')` by default); `out`/`err` write text.
 * Returns the exit code.
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
  let manifests;
  try {
    manifests = readManifests(options.paths);
  } catch (e) {
    err(`analyze: ${e.message}\n`);
    return 1;
  }
  const graph = lib.buildMeshGraph(manifests, options.rootNamespace ? { rootNamespace: options.rootNamespace } : {});
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

module.exports = { main, parseArgs, readManifests, yamlFiles };

if (require.main === module) {
  let lib;
  try {
    lib = require(path.join(__dirname, '..', 'build', 'lib'));
  } catch (e) {
    process.stderr.write(`analyze: cannot load the compiled library from build/lib (run \`npm run build\`, or use \`npm run analyze\`): ${e.message}\n`);
    process.exit(1);
  }
  if (typeof lib.buildMeshGraph !== 'function') {
    // Until lib/index.ts exports the graph, read it from its own barrel.
    lib = require(path.join(__dirname, '..', 'build', 'lib', 'graph'));
  }
  process.exitCode = main(process.argv.slice(2), lib);
}
