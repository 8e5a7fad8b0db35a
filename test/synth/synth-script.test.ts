/**
 * scripts/synth.js (npm run synth): with an up-to-date compile it runs build-synth/main.js in its own process, as the
 * main module, with the program's arguments, environment and exit code, and with V8's code cache. A copy of the script
 * in a temporary project whose build-synth/ is already "compiled", so that no compiler runs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'synth.js');

function project(main: string, files: Record<string, string> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-synth-script-'));
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(SCRIPT, path.join(root, 'scripts', 'synth.js'));
  fs.mkdirSync(path.join(root, 'build-synth'));
  fs.writeFileSync(path.join(root, 'build-synth', 'main.js'), main);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(root, 'build-synth', name), content);
  // Up to date: the stamp counts the five fixed inputs (none of which exists here) and no .ts file.
  const stamp = path.join(root, 'build-synth', '.stamp');
  fs.writeFileSync(stamp, '5');
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(stamp, later, later);
  return root;
}

describe('scripts/synth.js', () => {
  test('runs the compiled program in its own process, as the main module, with its arguments, environment and exit code', () => {
    const root = project(`
      process.stdout.write(JSON.stringify({ main: require.main === module, pid: process.pid, args: process.argv.slice(2), outdir: process.env.CDK8S_OUTDIR }));
      process.exitCode = 3;
    `);
    try {
      const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'synth.js'), 'a', 'b'], { encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: 'out' } });
      expect(r.status).toBe(3);
      const seen = JSON.parse(r.stdout);
      expect(seen).toEqual({ main: true, pid: r.pid, args: ['a', 'b'], outdir: 'out' });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('an uncaught error of the program fails the run with its message', () => {
    const root = project(`throw new Error('broken program');`);
    try {
      const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'synth.js')], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('broken program');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe('code cache', () => {
    const run = (root: string, env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [path.join(root, 'scripts', 'synth.js')], { encoding: 'utf8', env: { ...process.env, ...env } });
    const cached = (root: string) => {
      const dir = path.join(root, 'build-synth', '.v8-cache');
      return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).length : 0;
    };
    const main = `
      const helper = require('./helper');
      process.stdout.write(JSON.stringify({ main: require.main === module, helper: helper.value, resolved: require.resolve('./helper') === helper.file }));
    `;
    const helper = (value: string) => `exports.value = '${value}'; exports.file = __filename;`;

    test('the second run reuses the compiled code of the first; a module whose content changed runs its new content', () => {
      const root = project(main, { 'helper.js': helper('one') });
      try {
        const first = run(root);
        expect(first.status).toBe(0);
        expect(JSON.parse(first.stdout)).toEqual({ main: true, helper: 'one', resolved: true });
        expect(cached(root)).toBeGreaterThanOrEqual(2);
        expect(JSON.parse(run(root).stdout)).toEqual({ main: true, helper: 'one', resolved: true });
        // Same length: V8's own check of cached data would not notice; the entry is keyed by the content.
        fs.writeFileSync(path.join(root, 'build-synth', 'helper.js'), helper('two'));
        expect(JSON.parse(run(root).stdout)).toEqual({ main: true, helper: 'two', resolved: true });
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    test('MESH_SYNTH_CODE_CACHE=0 runs without it', () => {
      const root = project(main, { 'helper.js': helper('one') });
      try {
        const r = run(root, { MESH_SYNTH_CODE_CACHE: '0' });
        expect(JSON.parse(r.stdout)).toEqual({ main: true, helper: 'one', resolved: true });
        expect(cached(root)).toBe(0);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  });
});
