#!/usr/bin/env node
/**
 * Runs the reference platform (main.ts) as compiled JavaScript: `npm run synth` and cdk8s.yaml's `app:` both call this.
 *
 *   1. Compiles main.ts, platform/, lib/ and imports/ with tsconfig.synth.json into build-synth/ (incremental), unless
 *      nothing changed since the last successful compile. A type error stops here, and the next run compiles again.
 *   2. Runs build-synth/main.js in this process, as its main module (`require.main === module` there), so that the
 *      environment (CDK8S_OUTDIR, MESH_STRICT), the arguments and the exit code are the program's: one Node start
 *      instead of two (about 60 ms of the ~0.5 s).
 *   3. With V8's code cache for every module it loads (build-synth/.v8-cache/): the compiled code of the ~370 files
 *      (cdk8s-plus alone is 3.5 MB of JavaScript) is reused instead of being parsed and compiled again on every run
 *      (about 90 ms). See enableCodeCache(); MESH_SYNTH_CODE_CACHE=0 turns it off.
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
const codeCache = path.join(outdir, '.v8-cache');
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
  fs.rmSync(codeCache, { recursive: true, force: true }); // entries of files that are gone would stay forever
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

/**
 * V8's code cache for the CommonJS modules of this process, in `dir`: Node's own module.enableCompileCache() where
 * there is one (Node >= 22.1), else the same done here (Node 20): each module is compiled as a vm.Script with the
 * cached data of a previous run, and the code V8 compiled during this run (lazily compiled functions included) is
 * stored at exit for the modules that had none. An entry is keyed by the file name and the SHA-1 of its content and
 * the Node version (V8 itself checks little more than the length of the source), written to a temporary file and
 * renamed (concurrent runs are safe). Modules using import() (which a vm.Script cannot load), runs with source maps or
 * an inspector, and any error reading or writing the cache fall back to Node's own compilation.
 */
function enableCodeCache(dir) {
  if (process.env.MESH_SYNTH_CODE_CACHE === '0') return;
  const Module = require('node:module');
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(dir);
    return;
  }
  const nodeOptions = process.env.NODE_OPTIONS ?? '';
  if (process.sourceMapsEnabled || /--(?:inspect|enable-source-maps|experimental-policy)/.test(`${process.execArgv.join(' ')} ${nodeOptions}`)) return;
  const vm = require('node:vm');
  const crypto = require('node:crypto');
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch {
    return;
  }
  const compile = Module.prototype._compile;
  const produce = [];
  Module.prototype._compile = function compileWithCodeCache(content, filename) {
    if (content.includes('import(')) return compile.call(this, content, filename);
    const file = path.join(dir, crypto.createHash('sha1').update(`${process.version}\0${filename}\0`).update(content).digest('hex'));
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch { /* not cached yet */ }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) produce.push({ script, file });
    const mod = this;
    const require = (id) => mod.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return script.runInThisContext({ displayErrors: true }).call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    for (const { script, file } of produce) {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      } catch {
        try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
      }
    }
  });
}

enableCodeCache(codeCache);
// As `node build-synth/main.js <args>` would: Module.runMain() loads process.argv[1] as the main module.
process.argv[1] = entry;
require('node:module').runMain();
