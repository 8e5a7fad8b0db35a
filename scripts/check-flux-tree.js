#!/usr/bin/env node
/*
 * Checks the Flux tree in dist/ with the real kustomize (kubectl kustomize), as Flux would build it:
 * - every folder holding a kustomization.yaml builds;
 * - every Flux Kustomization's spec.path (relative to the repository root, which is this project) exists in dist/
 *   and builds; every dependsOn target exists among the Kustomizations of the same folder tree;
 * - every clusters/<name> folder (the `flux bootstrap --path`, with no kustomization.yaml: Flux generates one
 *   from the YAML files in it) builds when a kustomization.yaml listing its files is generated the same way.
 * Usage: node scripts/check-flux-tree.js [dist]
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseAllDocuments } = require('yaml');

const root = path.resolve(process.argv[2] ?? 'dist');
const repo = path.dirname(root);
let failures = 0;
const fail = (msg) => { failures++; console.error(`FAIL ${msg}`); };

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out); else out.push(p);
  }
  return out;
}

function build(dir) {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (out.match(/^kind:/gm) ?? []).length;
}

const files = walk(root);
const rel = (p) => path.relative(repo, p);
let folders = 0;
for (const k of files.filter((f) => path.basename(f) === 'kustomization.yaml')) {
  try { build(path.dirname(k)); folders++; } catch (e) { fail(`kubectl kustomize ${rel(path.dirname(k))}: ${e.stderr || e.message}`); }
}

const kustomizations = [];
for (const f of files.filter((x) => x.endsWith('.yaml'))) {
  for (const doc of parseAllDocuments(fs.readFileSync(f, 'utf8'))) {
    const o = doc.toJS();
    if (o && o.kind === 'Kustomization' && String(o.apiVersion).startsWith('kustomize.toolkit.fluxcd.io/')) kustomizations.push({ file: f, o });
  }
}
const byTree = new Map();
for (const { file, o } of kustomizations) {
  const p = o.spec?.path ?? './';
  const target = path.resolve(repo, p);
  if (!target.startsWith(root + path.sep)) { fail(`${rel(file)}: path ${p} is not inside ${rel(root)}/`); continue; }
  if (!fs.existsSync(path.join(target, 'kustomization.yaml'))) { fail(`${rel(file)}: path ${p} has no kustomization.yaml`); continue; }
  try {
    const n = build(target);
    console.log(`${rel(file)}: ${o.metadata.name} -> ${p}: ${n} objects`);
  } catch (e) { fail(`${rel(file)}: kubectl kustomize ${p}: ${e.stderr || e.message}`); }
  const tree = path.dirname(file);
  byTree.set(tree, [...(byTree.get(tree) ?? []), o]);
}
for (const [tree, list] of byTree) {
  const names = new Set(list.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`));
  for (const o of list) {
    for (const d of o.spec?.dependsOn ?? []) {
      const key = `${d.namespace ?? o.metadata.namespace ?? ''}/${d.name}`;
      if (!names.has(key)) fail(`${rel(tree)}: ${o.metadata.name} depends on ${key}, which is not defined there`);
    }
  }
}

// clusters/<name>: Flux generates the kustomization.yaml (every YAML file and sub-folder with one).
const clusters = path.join(root, 'clusters');
for (const c of fs.existsSync(clusters) ? fs.readdirSync(clusters).sort() : []) {
  const dir = path.join(clusters, c);
  if (fs.existsSync(path.join(dir, 'kustomization.yaml'))) continue;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-entry-'));
  try {
    fs.cpSync(dir, tmp, { recursive: true });
    const resources = fs.readdirSync(tmp).filter((n) => n.endsWith('.yaml') || fs.existsSync(path.join(tmp, n, 'kustomization.yaml'))).sort();
    fs.writeFileSync(path.join(tmp, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join('\n')}\n`);
    console.log(`${rel(dir)} (bootstrap path, generated kustomization): ${build(tmp)} objects`);
  } catch (e) { fail(`${rel(dir)}: ${e.stderr || e.message}`); } finally { fs.rmSync(tmp, { recursive: true, force: true }); }
}

console.log(`${folders} folders built, ${kustomizations.length} Flux Kustomizations checked, ${failures} failure(s)`);
process.exit(failures > 0 ? 1 : 0);
