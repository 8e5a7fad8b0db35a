/**
 * The output writer must never destroy anything: every test works in a throwaway directory under
 * os.tmpdir() holding a small project (.git, package.json, src/, a previous dist/) and checks that what
 * must not change is byte-identical afterwards.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkOutputDirectory, OUTPUT_MARKER_CONTENT, OUTPUT_MARKER_FILE, writeOutputDirectory, WriteResult } from '../../lib/synth/write';
import { generatedFiles } from './fixtures/generated-files';

jest.setTimeout(60_000);

const REPO = path.resolve(__dirname, '../..');
const FIXTURE = path.join(__dirname, 'fixtures', 'slow-write.ts');
const TSX_LOADER = path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const NOBODY = 65534;

/** Recursive listing + content of dir: rel path → 'dir' | 'file:<content>' | 'link:<target>'. Undefined when missing. */
function snapshot(dir: string): Record<string, string> | undefined {
  if (!fs.existsSync(dir) && !isLink(dir)) return undefined;
  const out: Record<string, string> = {};
  const visit = (abs: string, rel: string): void => {
    const st = fs.lstatSync(abs);
    if (st.isSymbolicLink()) out[rel] = `link:${fs.readlinkSync(abs)}`;
    else if (st.isFile()) out[rel] = `file:${fs.readFileSync(abs, 'latin1')}`;
    else if (st.isDirectory()) {
      out[rel] = 'dir';
      for (const name of fs.readdirSync(abs).sort()) visit(path.join(abs, name), rel ? `${rel}/${name}` : name);
    } else out[rel] = 'other';
  };
  visit(dir, '');
  return out;
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** What writeOutputDirectory() should leave in outdir for `files`. */
function expectedTree(files: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = { '': 'dir', [OUTPUT_MARKER_FILE]: `file:${OUTPUT_MARKER_CONTENT}` };
  for (const [rel, content] of files) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) out[parts.slice(0, i).join('/')] = 'dir';
    out[rel] = `file:${Buffer.from(content).toString('latin1')}`;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
}

interface Project {
  /** The mkdtemp directory holding everything. */
  readonly root: string;
  /** root/proj: .git, package.json, src/, dist/. */
  readonly proj: string;
  readonly dist: string;
  /** The files of the previous output in dist/ (written by the writer: it has the marker). */
  readonly oldFiles: Map<string, string>;
}

const roots: string[] = [];
function makeProject(): Project {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-write-test-'));
  roots.push(root);
  const proj = path.join(root, 'proj');
  writeTree(proj, {
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.git/config': '[core]\n',
    'package.json': '{ "name": "p" }\n',
    'src/index.ts': 'export const x = 1;\n',
    'README.md': '# p\n',
  });
  const dist = path.join(proj, 'dist');
  const oldFiles = generatedFiles(12, 'old');
  writeOutputDirectory(dist, oldFiles, { cwd: proj });
  return { root, proj, dist, oldFiles };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => {
  for (const root of roots) {
    spawnSync('chmod', ['-R', 'u+rwx', root]);
    fs.rmSync(root, { recursive: true, force: true });
  }
});

/** Leftover names beside dist/. */
const LEFTOVERS = ['.cdk8s-dist.lock', '.cdk8s-dist.staging', '.cdk8s-dist.old'];

function expectNoLeftovers(p: Project): void {
  expect(fs.readdirSync(p.proj).sort()).toEqual(['.git', 'README.md', 'dist', 'package.json', 'src']);
}

/** Asserts that fn throws an Error matching `pattern` and that nothing under p.root changed. */
function expectRefused(p: Project, fn: () => unknown, pattern: RegExp): Error {
  const before = snapshot(p.root);
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(pattern);
  expect(snapshot(p.root)).toEqual(before);
  return error as Error;
}

describe('refused output directories: nothing is deleted', () => {
  const newFiles = generatedFiles(5, 'new');

  test('an empty outdir', () => {
    const p = makeProject();
    for (const outdir of ['', '   ']) {
      expectRefused(p, () => checkOutputDirectory(outdir, { cwd: p.proj }), /outdir is empty.*Set outdir/);
      expectRefused(p, () => writeOutputDirectory(outdir, newFiles, { cwd: p.proj }), /outdir is empty.*Set outdir/);
    }
  });

  test("'.', the working directory, by relative and absolute path", () => {
    const p = makeProject();
    for (const outdir of ['.', './', p.proj, `${p.proj}/`, 'src/..']) {
      const err = expectRefused(p, () => writeOutputDirectory(outdir, newFiles, { cwd: p.proj }), /it is the working directory.*Set outdir to a dedicated directory/);
      expect(err.message).toContain(p.proj);
    }
  });

  test('a parent of the working directory', () => {
    const p = makeProject();
    const cwd = path.join(p.proj, 'src');
    for (const outdir of ['..', '../..', p.root]) {
      expectRefused(p, () => writeOutputDirectory(outdir, newFiles, { cwd }), /it contains the working directory/);
    }
  });

  test('the working directory of the process and its parents, whatever options.cwd says', () => {
    const p = makeProject();
    // Only checked: the refusal happens before anything is touched, and a check writes nothing anyway.
    expect(() => checkOutputDirectory(process.cwd(), { cwd: p.proj })).toThrow(/working directory of this process/);
    expect(() => checkOutputDirectory(path.dirname(process.cwd()), { cwd: p.proj })).toThrow(/contains the working directory of this process/);
  });

  test("the filesystem root '/'", () => {
    const p = makeProject();
    // Guard: only call the writer once the check is known to refuse, so that a regression cannot touch '/'.
    expect(() => checkOutputDirectory('/', { cwd: p.proj })).toThrow(/refusing to write output to \/: it is the filesystem root/);
    expectRefused(p, () => writeOutputDirectory('/', newFiles, { cwd: p.proj }), /filesystem root/);
  });

  // os.homedir() reads the real $HOME, which jest's sandboxed process.env does not change: run in a child
  // process whose HOME is a throwaway directory, so that a regression can only hit that directory.
  test('the home directory and its parents', async () => {
    const p = makeProject();
    const home = path.join(p.root, 'home', 'user');
    writeTree(home, { '.bashrc': 'x\n', 'notes/a.yaml': 'a: 1\n' });
    const before = snapshot(p.root);
    for (const [outdir, pattern] of [[home, 'it is the home directory'], [path.dirname(home), 'it contains the home directory']]) {
      const r = await startChild(p, undefined, 3, 'new', { outdir, env: { HOME: home } }).exited;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`refusing to write output to ${outdir}: ${pattern} (${home})`);
      expect(snapshot(p.root)).toEqual(before);
    }
  });

  test.each([
    ['a directory with .git', { '.git/HEAD': 'ref\n', 'app/deploy.yaml': 'a: 1\n' }, /holds \.git, so it is \(part of\) a project/],
    ['a directory with .git deep down', { 'app/.git/HEAD': 'ref\n', 'app/deploy.yaml': 'a: 1\n' }, /holds app\/\.git/],
    ['a directory with package.json', { 'package.json': '{}\n', 'app/deploy.yaml': 'a: 1\n' }, /holds package\.json/],
    ['a directory with node_modules', { 'node_modules/x/index.js': '1\n' }, /holds node_modules/],
    ['a marked output holding .git', { [OUTPUT_MARKER_FILE]: OUTPUT_MARKER_CONTENT, '.git/HEAD': 'ref\n' }, /holds \.git/],
    ['a non-empty foreign directory', { 'notes.txt': 'keep me\n', 'src/main.go': 'package main\n' }, /not written by cdk8s-mesh \(no \.generated-by-cdk8s-mesh file; it holds notes\.txt, src\/main\.go\)/],
    ['YAML at the top (not in sub-folders)', { 'app.yaml': 'a: 1\n' }, /not written by cdk8s-mesh.*it holds app\.yaml/],
    ['a sub-folder with a non-YAML file', { 'app/deploy.yaml': 'a: 1\n', 'app/secret.env': 'X=1\n' }, /it holds app\/secret\.env/],
    ['Markdown only (documentation, not an output)', { 'guide/a.md': '# a\n' }, /no YAML file/],
    ['a marker that is a directory', { [`${OUTPUT_MARKER_FILE}/x`]: 'x\n' }, /not written by cdk8s-mesh/],
  ])('%s', (_name, content, pattern) => {
    const p = makeProject();
    const target = path.join(p.proj, 'target');
    writeTree(target, content);
    expect(() => checkOutputDirectory('target', { cwd: p.proj })).toThrow(pattern);
    const err = expectRefused(p, () => writeOutputDirectory('target', newFiles, { cwd: p.proj }), pattern);
    expect(err.message).toContain(`refusing to replace ${target}`);
    expect(err.message).toMatch(/Choose an empty or new directory as outdir, or delete .* yourself/);
  });

  test('a symbolic link in the tree of a legacy output is refused', () => {
    const p = makeProject();
    const target = path.join(p.proj, 'target');
    writeTree(target, { 'app/deploy.yaml': 'a: 1\n' });
    fs.symlinkSync('../../src', path.join(target, 'app', 'src'));
    expectRefused(p, () => writeOutputDirectory('target', newFiles, { cwd: p.proj }), /it holds app\/src \(symlink\)/);
  });

  test('outdir that is a regular file', () => {
    const p = makeProject();
    fs.writeFileSync(path.join(p.proj, 'out'), 'precious\n');
    expectRefused(p, () => writeOutputDirectory('out', newFiles, { cwd: p.proj }), /refusing to write output to .*\/proj\/out: it exists and is not a directory\. Choose an empty or new directory/);
  });

  test('outdir that is a symbolic link (to a directory, to a file, dangling)', () => {
    const p = makeProject();
    fs.symlinkSync('dist', path.join(p.proj, 'out'));
    fs.symlinkSync('README.md', path.join(p.proj, 'out-file'));
    fs.symlinkSync('missing', path.join(p.proj, 'out-dangling'));
    const err = expectRefused(p, () => writeOutputDirectory('out', newFiles, { cwd: p.proj }), /is a symbolic link to dist/);
    expect(err.message).toContain(`${p.proj}/out`);
    expect(err.message).toContain(`Set outdir to the real directory (${p.dist}) or remove the link yourself`);
    expectRefused(p, () => writeOutputDirectory('out-file', newFiles, { cwd: p.proj }), /out-file: it is a symbolic link to README\.md/);
    expectRefused(p, () => writeOutputDirectory('out-dangling', newFiles, { cwd: p.proj }), /out-dangling: it is a symbolic link to missing/);
  });
});

describe('file paths are checked before anything is written', () => {
  test.each([
    ['../x.yaml', /"\.\.\/x\.yaml" has a '\.\.' segment/],
    ['a/../../x.yaml', /"a\/\.\.\/\.\.\/x\.yaml" has a '\.\.' segment/],
    ['../kustomization.yaml', /has a '\.\.' segment/], // a chart named '..'
    ['chart/../../../x.yaml', /has a '\.\.' segment/], // an object named '../../x'
    ['/abs.yaml', /"\/abs\.yaml" is absolute/],
    ['a//b.yaml', /"a\/\/b\.yaml" has an empty segment/],
    ['a/', /has an empty segment/],
    ['', /"" is empty/],
    ['a/./b.yaml', /has a '\.' segment/],
    ['a\\..\\..\\x.yaml', /contains a backslash/],
    ['a\0b.yaml', /contains a NUL character/],
    ['C:/x.yaml', /is absolute/],
    [OUTPUT_MARKER_FILE, /reserved for the output marker/],
    [`${OUTPUT_MARKER_FILE}/x.yaml`, /reserved for the output marker/],
  ])('%j is refused, nothing is written anywhere', (rel, pattern) => {
    const p = makeProject();
    const files = new Map(generatedFiles(6, 'new'));
    files.set(rel, 'kind: Evil\n');
    const err = expectRefused(p, () => writeOutputDirectory('dist', files, { cwd: p.proj }), pattern);
    expect(err.message).toContain(`refusing to write output to ${p.dist}: the file path ${JSON.stringify(rel)}`);
    expect(err.message).toContain('Fix the chart or object name');
    expect(fs.readdirSync(p.root)).toEqual(['proj']);
  });

  test('a path that is both a file and a folder', () => {
    const p = makeProject();
    const files = new Map([['a/b', 'x\n'], ['a/b/c.yaml', 'y\n']]);
    expectRefused(p, () => writeOutputDirectory('dist', files, { cwd: p.proj }), /"a\/b" is both a file and a folder/);
  });
});

describe('writes, replaces and is deterministic', () => {
  test('replaces a marked output; the marker has fixed content; no leftovers', () => {
    const p = makeProject();
    expect(snapshot(p.dist)).toEqual(expectedTree(p.oldFiles));
    const outside = snapshot(p.root);
    const newFiles = generatedFiles(30, 'new');
    const result = writeOutputDirectory('dist', newFiles, { cwd: p.proj });
    expect(result).toEqual({ outdir: p.dist, warnings: [] });
    expect(snapshot(p.dist)).toEqual(expectedTree(newFiles));
    expect(fs.readFileSync(path.join(p.dist, OUTPUT_MARKER_FILE), 'utf8')).toBe(OUTPUT_MARKER_CONTENT);
    expect(OUTPUT_MARKER_CONTENT.split('\n')).toHaveLength(2);
    expectNoLeftovers(p);
    // Everything but dist/ is untouched.
    const notDist = (t: Record<string, string> | undefined) => Object.fromEntries(Object.entries(t!).filter(([k]) => k !== 'proj/dist' && !k.startsWith('proj/dist/')));
    expect(notDist(snapshot(p.root))).toEqual(notDist(outside));
  });

  test('a marked output with files added by hand is replaced (the marker says the directory is disposable)', () => {
    const p = makeProject();
    writeTree(p.dist, { 'notes.txt': 'scratch\n' });
    const newFiles = generatedFiles(3, 'new');
    writeOutputDirectory('dist', newFiles, { cwd: p.proj });
    expect(snapshot(p.dist)).toEqual(expectedTree(newFiles));
  });

  test('same files twice: byte-identical output, marker included', () => {
    const p = makeProject();
    const files = generatedFiles(40, 'same');
    writeOutputDirectory('dist', files, { cwd: p.proj });
    const first = snapshot(p.dist);
    writeOutputDirectory('dist', new Map([...files].reverse()), { cwd: p.proj });
    expect(snapshot(p.dist)).toEqual(first);
    writeOutputDirectory(path.join(p.root, 'elsewhere'), files);
    expect(snapshot(path.join(p.root, 'elsewhere'))).toEqual(first);
  });

  test('a new outdir, its missing parents created; an empty existing directory', () => {
    const p = makeProject();
    const files = generatedFiles(4, 'new');
    const result = writeOutputDirectory('out/deep/dist', files, { cwd: p.proj });
    expect(result.outdir).toBe(path.join(p.proj, 'out/deep/dist'));
    expect(snapshot(result.outdir)).toEqual(expectedTree(files));
    expect(fs.readdirSync(path.join(p.proj, 'out/deep'))).toEqual(['dist']);
    fs.mkdirSync(path.join(p.proj, 'empty'));
    writeOutputDirectory('empty', files, { cwd: p.proj });
    expect(snapshot(path.join(p.proj, 'empty'))).toEqual(expectedTree(files));
  });

  test('a legacy output (YAML and Markdown in sub-folders, no marker) is replaced', () => {
    const p = makeProject();
    fs.rmSync(p.dist, { recursive: true });
    writeTree(p.dist, {
      'bookinfo/kustomization.yaml': 'kind: Kustomization\n',
      'bookinfo/default/deployment-a.yaml': 'kind: Deployment\n',
      'bookinfo/_cluster/namespace-a.yml': 'kind: Namespace\n',
      'docs/README.md': '# generated\n',
    });
    fs.mkdirSync(path.join(p.dist, 'empty-chart'));
    expect(() => checkOutputDirectory(p.dist)).not.toThrow();
    const files = generatedFiles(8, 'new');
    expect(writeOutputDirectory('dist', files, { cwd: p.proj }).warnings).toEqual([]);
    expect(snapshot(p.dist)).toEqual(expectedTree(files));
    expectNoLeftovers(p);
  });
});

describe('locking and recovery of interrupted synths', () => {
  const deadPid = (): number => {
    const r = spawnSync(process.execPath, ['-e', '0']);
    expect(r.status).toBe(0);
    return r.pid!;
  };

  test('stale staging and old directories and a stale lock (dead pid) are cleaned up', () => {
    const p = makeProject();
    writeTree(path.join(p.proj, '.cdk8s-dist.staging'), { 'chart-0/half.yaml': 'half\n' });
    writeTree(path.join(p.proj, '.cdk8s-dist.old'), { 'chart-0/older.yaml': 'older\n', [OUTPUT_MARKER_FILE]: OUTPUT_MARKER_CONTENT });
    const pid = deadPid();
    fs.writeFileSync(path.join(p.proj, '.cdk8s-dist.lock'), `${pid}\n`);
    const files = generatedFiles(10, 'new');
    const result = writeOutputDirectory('dist', files, { cwd: p.proj });
    expect(result.warnings).toEqual([
      expect.stringMatching(new RegExp(`took over the stale lock .*\\.cdk8s-dist\\.lock of pid ${pid}, which is no longer running`)),
      expect.stringMatching(/removed .*\.cdk8s-dist\.staging, left by an earlier interrupted synth/),
      expect.stringMatching(/removed .*\.cdk8s-dist\.old, left by an earlier interrupted synth/),
    ]);
    expect(snapshot(p.dist)).toEqual(expectedTree(files));
    expectNoLeftovers(p);
  });

  test('a lock holding our own pid is a leftover of an earlier process with the same pid (containers reuse pids)', () => {
    const p = makeProject();
    fs.writeFileSync(path.join(p.proj, '.cdk8s-dist.lock'), `${process.pid}\n`);
    const result = writeOutputDirectory('dist', generatedFiles(2, 'new'), { cwd: p.proj });
    expect(result.warnings).toEqual([expect.stringMatching(/took over the stale lock/)]);
    expectNoLeftovers(p);
  });

  test('a lock held by a live process: clear error, nothing changed', async () => {
    const p = makeProject();
    const sleeper = spawn('sleep', ['5']);
    children.push(sleeper);
    const lock = path.join(p.proj, '.cdk8s-dist.lock');
    fs.writeFileSync(lock, `${sleeper.pid}\n`);
    const err = expectRefused(p, () => writeOutputDirectory('dist', generatedFiles(2, 'new'), { cwd: p.proj }), /another synth/);
    expect(err.message).toBe(`another synth (pid ${sleeper.pid}) is writing ${p.dist}; wait or remove ${lock} if that process is gone.`);
    expect(snapshot(p.dist)).toEqual(expectedTree(p.oldFiles));
  });

  test('an empty lock: being created when young, stale when old', () => {
    const p = makeProject();
    const lock = path.join(p.proj, '.cdk8s-dist.lock');
    fs.writeFileSync(lock, '');
    expectRefused(p, () => writeOutputDirectory('dist', generatedFiles(2, 'new'), { cwd: p.proj }), /another synth is writing .*being created.*wait or remove/);
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, past, past);
    expect(writeOutputDirectory('dist', generatedFiles(2, 'new'), { cwd: p.proj }).warnings).toEqual([expect.stringMatching(/took over the unreadable lock/)]);
    expectNoLeftovers(p);
  });

  test('killed between the renames: outdir missing, the previous output in .old is restored by the next call', () => {
    const p = makeProject();
    fs.renameSync(p.dist, path.join(p.proj, '.cdk8s-dist.old'));
    writeTree(path.join(p.proj, '.cdk8s-dist.staging'), { 'chart-0/new.yaml': 'new\n' });
    // The next call restores the previous output first; if it then fails, outdir is the previous output, never missing.
    process.env.CDK8S_MESH_TEST_FAIL_AT = 'swap';
    try {
      expect(() => writeOutputDirectory('dist', generatedFiles(7, 'new'), { cwd: p.proj }))
        .toThrow(`cannot write output to ${p.dist}: moving the new tree into place failed (EACCES: permission denied (test hook CDK8S_MESH_TEST_FAIL_AT=swap)); ${p.dist} was left as it was before.`);
    } finally {
      delete process.env.CDK8S_MESH_TEST_FAIL_AT;
    }
    expect(snapshot(p.dist)).toEqual(expectedTree(p.oldFiles));
    expectNoLeftovers(p);
  });

  test('two writers: the second one is refused while the first holds the lock', async () => {
    const p = makeProject();
    const child = startChild(p, 'between-renames', 50, 'first');
    await child.paused;
    const lock = path.join(p.proj, '.cdk8s-dist.lock');
    const before = snapshot(p.root);
    expect(() => writeOutputDirectory('dist', generatedFiles(5, 'second'), { cwd: p.proj }))
      .toThrow(`another synth (pid ${child.process.pid}) is writing ${p.dist}; wait or remove ${lock} if that process is gone.`);
    expect(snapshot(p.root)).toEqual(before);
    await child.kill();
    const files = generatedFiles(5, 'second');
    writeOutputDirectory('dist', files, { cwd: p.proj });
    expect(snapshot(p.dist)).toEqual(expectedTree(files));
    expectNoLeftovers(p);
  });
});

interface Child {
  readonly process: ChildProcess;
  /** Resolves when the child reports the pause point on stderr. */
  readonly paused: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(): Promise<void>;
}

/** Runs test/synth/fixtures/slow-write.ts in a child node process (one process: tsx as a loader, not its CLI). */
function startChild(p: Project, pauseAt: string | undefined, count: number, tag: string,
  opts: { uid?: number; outdir?: string; env?: Record<string, string> } = {}): Child {
  const env = { ...process.env, ...opts.env };
  delete env.CDK8S_MESH_TEST_FAIL_AT;
  if (pauseAt) env.CDK8S_MESH_TEST_PAUSE_AT = pauseAt;
  else delete env.CDK8S_MESH_TEST_PAUSE_AT;
  const proc = spawn(process.execPath, ['--import', pathToFileURL(TSX_LOADER).href, FIXTURE, opts.outdir ?? 'dist', String(count), tag], {
    cwd: p.proj, env, stdio: ['ignore', 'pipe', 'pipe'], uid: opts.uid, gid: opts.uid,
  });
  children.push(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => { stdout += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    proc.on('exit', (code, signal) => {
      // Let the pipes drain.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
  const paused = new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', (d) => {
      stderr += d;
      if (pauseAt && stderr.includes(`cdk8s-mesh test pause: ${pauseAt} (pid ${proc.pid})`)) resolve();
    });
    void exited.then((r) => reject(new Error(`child exited (${r.code ?? r.signal}) before pausing at ${pauseAt}:\n${r.stderr}`)));
  });
  paused.catch(() => undefined);
  return {
    process: proc,
    paused,
    exited,
    kill: async () => {
      proc.kill('SIGKILL');
      const r = await exited;
      expect(r.signal).toBe('SIGKILL');
    },
  };
}

describe('SIGKILL during a write (child process)', () => {
  test('the fixture child writes normally when not paused', async () => {
    const p = makeProject();
    const r = await startChild(p, undefined, 20, 'child').exited;
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(JSON.parse(r.stdout)).toEqual({ outdir: p.dist, warnings: [] });
    expect(snapshot(p.dist)).toEqual(expectedTree(generatedFiles(20, 'child')));
    expectNoLeftovers(p);
  });

  // After the kill, outdir is the whole previous tree, or missing with the whole previous tree in .old
  // (between the renames), or the whole new tree: never half-written. The next call recovers and writes.
  test.each([
    ['locked', 'old'],
    ['staging-half-written', 'old'],
    ['before-renames', 'old'],
    ['between-renames', 'missing'],
    ['before-remove-old', 'new'],
  ])('killed at %s, outdir is then: %s; the next call writes the whole new tree, no leftovers', async (point, state) => {
    const p = makeProject();
    const oldTree = expectedTree(p.oldFiles);
    const childFiles = generatedFiles(300, 'child');
    const outside = snapshot(p.root);
    const child = startChild(p, point, 300, 'child');
    await child.paused;
    await child.kill();

    const leftovers = LEFTOVERS.filter((n) => fs.existsSync(path.join(p.proj, n)));
    expect(leftovers).toContain('.cdk8s-dist.lock');
    if (state === 'old') expect(snapshot(p.dist)).toEqual(oldTree);
    if (state === 'new') expect(snapshot(p.dist)).toEqual(expectedTree(childFiles));
    if (state === 'missing') {
      expect(snapshot(p.dist)).toBeUndefined();
      expect(snapshot(path.join(p.proj, '.cdk8s-dist.old'))).toEqual(oldTree);
      expect(snapshot(path.join(p.proj, '.cdk8s-dist.staging'))).toEqual(expectedTree(childFiles));
      // A check does not recover (it writes nothing) and does not refuse: the next writer will recover.
      expect(() => checkOutputDirectory('dist', { cwd: p.proj })).not.toThrow();
    }
    if (point === 'staging-half-written') {
      const staging = snapshot(path.join(p.proj, '.cdk8s-dist.staging'))!;
      expect(staging[OUTPUT_MARKER_FILE]).toBeUndefined(); // incomplete staging has no marker
    }

    const files = generatedFiles(25, 'next');
    const result = writeOutputDirectory('dist', files, { cwd: p.proj });
    expect(result.warnings[0]).toMatch(new RegExp(`took over the stale lock .* of pid ${child.process.pid}`));
    if (state === 'missing') expect(result.warnings).toContainEqual(expect.stringMatching(/restored the previous output .* from .*\.cdk8s-dist\.old/));
    expect(snapshot(p.dist)).toEqual(expectedTree(files));
    expectNoLeftovers(p);
    const notDist = (t: Record<string, string> | undefined) => Object.fromEntries(Object.entries(t!).filter(([k]) => k !== 'proj/dist' && !k.startsWith('proj/dist/')));
    expect(notDist(snapshot(p.root))).toEqual(notDist(outside));
  });
});

/** True when directory permissions stop this process from deleting a file (false as root). */
function permissionsEnforced(): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-write-perm-'));
  try {
    fs.mkdirSync(path.join(dir, 'ro'));
    fs.writeFileSync(path.join(dir, 'ro', 'f'), '');
    fs.chmodSync(path.join(dir, 'ro'), 0o555);
    try {
      fs.unlinkSync(path.join(dir, 'ro', 'f'));
      return false;
    } catch {
      return true;
    }
  } finally {
    fs.chmodSync(path.join(dir, 'ro'), 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function chmodTree(dir: string, mode: number): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      chmodTree(path.join(dir, e.name), mode);
      fs.chmodSync(path.join(dir, e.name), mode);
    }
  }
}

function chownTree(p: string, uid: number): void {
  fs.lchownSync(p, uid, uid);
  if (fs.lstatSync(p).isDirectory()) for (const name of fs.readdirSync(p)) chownTree(path.join(p, name), uid);
}

/** Whether every directory from / down to `dir` lets others in (o+x), so a process running as nobody can read `dir`. */
function reachableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

describe('a read-only previous tree', () => {
  const enforced = permissionsEnforced();
  // Running as nobody needs the project (node_modules/tsx for the child) reachable by others: a clone in a
  // mktemp directory (mode 0700, as CI makes) is not, and then the nobody variants are skipped.
  const isRoot = process.getuid?.() === 0 && reachableByOthers(path.resolve(__dirname, '..', '..', 'node_modules', 'tsx', 'dist'));

  test('deleting the previous tree fails after the swap (test hook): a warning, the new tree in place, the next call cleans up', () => {
    const p = makeProject();
    const files = generatedFiles(10, 'new');
    process.env.CDK8S_MESH_TEST_FAIL_AT = 'remove-old';
    let result: WriteResult | undefined;
    try {
      result = writeOutputDirectory('dist', files, { cwd: p.proj });
    } finally {
      delete process.env.CDK8S_MESH_TEST_FAIL_AT;
    }
    expect(result!.warnings).toEqual([
      `the new output is in place in ${p.dist}, but the previous output moved aside to ${p.proj}/.cdk8s-dist.old could not be deleted (EACCES: permission denied (test hook CDK8S_MESH_TEST_FAIL_AT=remove-old)); the next synth tries again and stops until it is gone: run chmod -R u+w '${p.proj}/.cdk8s-dist.old' && rm -rf '${p.proj}/.cdk8s-dist.old'`,
    ]);
    expect(snapshot(p.dist)).toEqual(expectedTree(files));
    expect(snapshot(path.join(p.proj, '.cdk8s-dist.old'))).toEqual(expectedTree(p.oldFiles));
    const next = generatedFiles(3, 'next');
    expect(writeOutputDirectory('dist', next, { cwd: p.proj }).warnings).toEqual([expect.stringMatching(/removed .*\.cdk8s-dist\.old/)]);
    expect(snapshot(p.dist)).toEqual(expectedTree(next));
    expectNoLeftovers(p);
  });

  // Real permissions: in-process when they are enforced for us; as root (which ignores them), in a child
  // process running as nobody; skipped when neither is possible.
  const real = enforced || isRoot ? test : test.skip;
  real(`chmod 0555 sub-folders: the swap succeeds and the old tree is made writable and deleted${enforced ? '' : ' (run as nobody: root ignores directory permissions)'}`, async () => {
    const p = makeProject();
    chmodTree(p.dist, 0o555);
    const files = generatedFiles(20, 'child');
    if (enforced) {
      expect(writeOutputDirectory('dist', files, { cwd: p.proj }).warnings).toEqual([]);
    } else {
      chownTree(p.root, NOBODY);
      const r = await startChild(p, undefined, 20, 'child', { uid: NOBODY }).exited;
      expect(r.stderr).toBe('');
      expect(r).toMatchObject({ code: 0, signal: null });
      expect(JSON.parse(r.stdout)).toEqual({ outdir: p.dist, warnings: [] });
    }
    expect(snapshot(p.dist)).toEqual(expectedTree(files));
    expectNoLeftovers(p);
  });

  const asRoot = isRoot ? test : test.skip;
  asRoot(`an old tree that cannot be made writable (root-owned, written as nobody): a warning, exit 0, the next call stops with the fix${isRoot ? '' : ' (skipped: needs root, and the project reachable by nobody, to run as nobody)'}`, async () => {
    const p = makeProject();
    chownTree(p.root, NOBODY);
    const locked = path.join(p.dist, 'chart-0');
    fs.chownSync(locked, 0, 0);
    fs.chmodSync(locked, 0o555);
    const r = await startChild(p, undefined, 20, 'child', { uid: NOBODY }).exited;
    expect(r).toMatchObject({ code: 0, signal: null });
    const { warnings } = JSON.parse(r.stdout) as { warnings: string[] };
    expect(warnings).toEqual([expect.stringMatching(/the new output is in place in .*, but the previous output moved aside to .*\.cdk8s-dist\.old could not be deleted \(EACCES/)]);
    expect(snapshot(p.dist)).toEqual(expectedTree(generatedFiles(20, 'child')));
    // A second run as nobody cannot remove the leftover either: it stops before changing anything and says so.
    const before = snapshot(p.root);
    const r2 = await startChild(p, undefined, 5, 'again', { uid: NOBODY }).exited;
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`cannot write output to ${p.dist}: cannot remove ${p.proj}/.cdk8s-dist.old, left by an earlier synth`);
    expect(r2.stderr).toContain(`${p.dist} was not changed`);
    expect(snapshot(p.root)).toEqual(before);
  });
});
