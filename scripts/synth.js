#!/usr/bin/env node
/**
 * Runs the reference platform (main.ts) as compiled JavaScript: `npm run synth` and cdk8s.yaml's `app:` both call this.
 *
 *   1. Compiles main.ts, platform/, lib/ and imports/ with tsconfig.synth.json into build-synth/ (incremental), unless
 *      nothing changed since the last successful compile. A type error stops here, and the next run compiles again.
 *   2. Runs build-synth/main.js in this process, as its main module (`require.main === module` there), so that the
 *      environment (CDK8S_OUTDIR, MESH_STRICT), the arguments and the exit code are the program's: one Node start
 *      instead of two (about 60 ms of the ~0.5 s).
 *
 * Plain CommonJS JavaScript so that it runs before anything is compiled.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, 'build-synth');
const stamp = path.join(outdir, '.stamp');
const entry = path.join(outdir, 'main.js');

/** The compiler's inputs: the sources, the configs and the installed packages (npm rewrites .package-lock.json). */
function inputs() {
  const files = ['main.ts', 'tsconfig.json', 'tsconfig.synth.json', 'package.json', 'node_modules/.package-lock.json']
    .map(f => path.join(root, f));
  const walk = dir => {
    let entries;
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  for (const dir of ['platform', 'lib', 'imports']) walk(path.join(root, dir));
  return files;
}

/** True when the last successful compile saw the same set of files and none changed after it started. */
function upToDate(files) {
  let built;
  try {
    built = fs.statSync(stamp);
    if (fs.readFileSync(stamp, 'utf8') !== String(files.length) || !fs.existsSync(entry)) return false;
  } catch { return false; }
  for (const f of files) {
    try { if (fs.statSync(f).mtimeMs >= built.mtimeMs) return false; } catch { /* optional input: absent */ }
  }
  return true;
}

function compile(files) {
  const started = new Date();
  fs.rmSync(stamp, { force: true });
  const tsc = path.join(path.dirname(require.resolve('typescript/package.json', { paths: [root] })), 'bin', 'tsc');
  // tsc prints its diagnostics on stdout: send them to stderr, which the cdk8s CLI shows (it swallows the app's stdout).
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.synth.json')], { cwd: root, stdio: ['inherit', 2, 2] });
  if (r.status !== 0) {
    console.error(`synth: compiling main.ts and lib/ failed (tsc -p tsconfig.synth.json${r.signal ? `, ${r.signal}` : `, exit ${r.status}`})`);
    process.exit(r.status || 1);
  }
  fs.writeFileSync(stamp, String(files.length));
  fs.utimesSync(stamp, started, started); // a source saved while tsc ran is newer than the stamp: compiled again next time
}

const files = inputs();
if (process.env.MESH_SYNTH_REBUILD === '1' || !upToDate(files)) compile(files);

// As `node build-synth/main.js <args>` would: Module.runMain() loads process.argv[1] as the main module.
process.argv[1] = entry;
require('node:module').runMain();
