/**
 * scripts/synth.js (npm run synth): with an up-to-date compile it runs build-synth/main.js in its own process, as the
 * main module, with the program's arguments, environment and exit code. A copy of the script in a temporary project
 * whose build-synth/ is already "compiled", so that no compiler runs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'synth.js');

function project(main: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-synth-script-'));
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(SCRIPT, path.join(root, 'scripts', 'synth.js'));
  fs.mkdirSync(path.join(root, 'build-synth'));
  fs.writeFileSync(path.join(root, 'build-synth', 'main.js'), main);
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
});
