/**
 * npm run bench — what synthesizing N MeshApps costs against the same objects written with plain cdk8s.
 *
 *   mesh:    N MeshApps (2 versions, a DestinationRule traffic policy, a header route and a 90/10 split: 8 objects
 *            each) through what `synthesize()` does: build, validate + resolve, analysis, YAML, atomic write;
 *   cdk8s:   the same 8 objects per app written by hand as a plain cdk8s user would (cdk8s-plus Deployments, Service,
 *            ServiceAccount; the generated KubePodDisruptionBudget, DestinationRule and VirtualService classes of
 *            imports/), synthesized by cdk8s's own `app.synth()` with FOLDER_PER_CHART_FILE_PER_RESOURCE: one file per
 *            object, the layout closest to ours (same number of files written);
 *   cdk8s-1f: the same, with cdk8s's default FILE_PER_CHART (one file for the whole chart: fewer, larger writes).
 *
 * Before timing, a check run proves the baseline builds the same objects (same kinds, names and content) and that
 * the bench's phase-by-phase synthesis writes the same files as `synthesize()`.
 *
 * Each run is its own child process, so module loading is outside the timed region and the peak RSS (the kernel's
 * maxrss of the child) is the case's own. Runs alternate between the cases; each figure is the median of the runs.
 * The children run compiled JavaScript: scripts/bench.ts and what it imports, compiled with tsconfig.synth.json
 * (the synth program's compile settings) into a temporary directory; tsx only if that compile fails.
 *
 * Phases, from explicit timers (performance.now()):
 *   build:            constructing the App (MeshApps, or cdk8s-plus objects and generated classes);
 *   validate+resolve: what any synthesis of these objects does: the construct validations (Node.validate), the
 *                     dependency ordering (cdk8s: DependencyGraph for app.charts and one per chart; mesh: the
 *                     one-walk constructTree() and synthesisOrder() of lib/private/object-order.ts) and every
 *                     ApiObject's toJson();
 *                     timed by wrapping those functions, outermost calls only;
 *   analysis:         (mesh) the rest of analyze(): collecting the objects, the rules, the warnings;
 *   yaml:             (mesh) renderFiles(); (cdk8s) Yaml.stringify inside app.synth();
 *   write:            (mesh) checkOutputDirectory() + writeOutputDirectory(), the atomic write;
 *                     (cdk8s) the rest of app.synth(): its file writes and bookkeeping.
 * The file writes depend on the disk: on a shared VM they vary by several times from run to run.
 * cpu: the user + system CPU time of the case (process.cpuUsage() around build and synthesis), which other processes
 * on a shared machine disturb much less than the wall time: its ratio is printed next to the wall-time ratio.
 *
 * Then the reference platform as `npm run synth` runs it: `tsx main.ts` and the compiled `node scripts/synth.js`.
 *
 *   npm run bench                    # N = 10, 100, 1000, 10000 (the last for mesh only)
 *   npm run bench -- 100 1000        # chosen sizes
 *   npm run bench -- --reps 9        # runs per case for N <= 1000 (default 7; N > 1000: 1)
 *   npm run bench -- --all-10000     # also the cdk8s baselines at N > 1000 (slow: ~1 min each)
 *   npm run bench -- --quick         # while iterating: N = 1000 only, 3 runs per case, no reference platform (~30 s)
 *   npm run bench -- --no-platform   # skip the reference platform timings
 *   npm run bench -- --platform      # only the reference platform timings
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, DependencyGraph, Duration, JsonPatch, Yaml, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, Node } from 'constructs';
import { DestinationRule, VirtualService } from '../imports/networking.istio.io';
import { analyze, MeshApp, StringMatch, synthesize } from '../lib';
import { BUILTIN_RULES } from '../lib/analysis/rules';
import { OutputLayout } from '../lib/synth/output-layout';
import { renderFiles } from '../lib/synth/synthesize';
import { checkOutputDirectory, writeOutputDirectory } from '../lib/synth/write';

type Kind = 'mesh' | 'cdk8s' | 'cdk8s-1f';

interface Phases {
  build: number;
  validateResolve: number;
  analysis: number;
  yaml: number;
  write: number;
}

interface CaseResult {
  readonly kind: Kind;
  readonly n: number;
  readonly objects: number;
  readonly files: number;
  /** Wall time of the whole case: build, validate, resolve, analysis, YAML and the writes. */
  readonly total: number;
  /** CPU time (user + system) of the same. */
  readonly cpu: number;
  readonly phases: Phases;
  /** ApiObject.toJson() calls per object (1 = every object resolved once). */
  readonly toJsonPerObject: number;
  readonly maxRssMb: number;
  /** The case's temporary directory, removed by the parent. */
  readonly tmpdir: string;
  /** (mesh) Time in each analysis rule, by rule id. */
  readonly rules?: Record<string, number>;
}

const NAMESPACE = 'bench';

// ---------------------------------------------------------------------------------------------------
// The two ways of writing the same platform

function buildMesh(chart: Chart, n: number): void {
  for (let i = 0; i < n; i++) {
    new MeshApp(chart, `app${i}`, {
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      versions: [
        { name: 'v1', image: `registry.example.com/app${i}:1.0.0` },
        { name: 'v2', image: `registry.example.com/app${i}:2.0.0` },
      ],
      trafficPolicy: {
        connectionPool: { http: { http1MaxPendingRequests: 10 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30) },
      },
      routes: [
        { match: [{ headers: { 'end-user': StringMatch.exact('jason') } }], destinations: [{ version: 'v2' }] },
        { destinations: [{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }] },
      ],
    });
  }
}

/** The same objects as MeshApp renders, written by hand with cdk8s-plus and the generated classes. */
function buildPlain(root: Chart, n: number): void {
  for (let i = 0; i < n; i++) {
    const name = `app${i}`;
    // One scope per app, the same tree shape as MeshApp.
    const scope = new Construct(root, name);
    const host = `${name}.${NAMESPACE}.svc.cluster.local`;
    const sa = new kplus.ServiceAccount(scope, 'sa', { metadata: { name } });
    for (const v of ['v1', 'v2']) {
      const labels = { app: name, version: v };
      const d = new kplus.Deployment(scope, v, {
        metadata: { name: `${name}-${v}` },
        replicas: 2,
        serviceAccount: sa,
        select: false,
        securityContext: { ensureNonRoot: true },
        containers: [{
          name,
          image: `registry.example.com/${name}:${v === 'v1' ? '1.0.0' : '2.0.0'}`,
          ports: [{ number: 8080, name: 'http' }],
          readiness: kplus.Probe.fromTcpSocket({ port: 8080 }),
          startup: kplus.Probe.fromTcpSocket({ port: 8080 }),
          securityContext: {
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: [kplus.Capability.ALL] },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
        }],
      });
      d.select(kplus.LabelSelector.of({ labels }));
      d.podMetadata.addLabel('app', name);
      d.podMetadata.addLabel('version', v);
      d.podMetadata.addLabel('sidecar.istio.io/inject', 'true');
      ApiObject.of(d).addJsonPatch(
        JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
        JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      );
      new kplus.k8s.KubePodDisruptionBudget(scope, `${v}-pdb`, {
        metadata: { name: `${name}-${v}` },
        spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
      });
    }
    const svc = new kplus.Service(scope, 'svc', {
      metadata: { name },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: kplus.Protocol.TCP }],
    });
    svc.selectLabel('app', name);
    ApiObject.of(svc).addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', 'http'));
    new DestinationRule(scope, 'dr', {
      metadata: { name },
      spec: {
        host,
        trafficPolicy: {
          connectionPool: { http: { http1MaxPendingRequests: 10 } },
          outlierDetection: { consecutive5XxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
        },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
      },
    });
    new VirtualService(scope, 'vs', {
      metadata: { name },
      spec: {
        hosts: [host],
        http: [
          { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host, subset: 'v2' } }] },
          { route: [{ destination: { host, subset: 'v1' }, weight: 90 }, { destination: { host, subset: 'v2' }, weight: 10 }] },
        ],
      },
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Timers around the methods the phases spend their time in

const now = (): number => performance.now();

/** Time spent in timed calls (outermost only: a timed call inside another counts once), and toJson() calls. */
const spent = { validateResolve: 0, yaml: 0, toJsonCalls: 0 };
let inside = 0;

function timed<T>(bucket: 'validateResolve' | 'yaml', f: () => T): T {
  if (inside > 0) return f();
  inside++;
  const start = now();
  try {
    return f();
  } finally {
    spent[bucket] += now() - start;
    inside--;
  }
}

function timeMethod(owner: any, name: string, bucket: 'validateResolve' | 'yaml'): void {
  const original = owner[name];
  owner[name] = function timedMethod(this: unknown, ...args: unknown[]) {
    return timed(bucket, () => original.apply(this, args));
  };
}

/**
 * Before the build: construct validations, dependency ordering (DependencyGraph, which cdk8s's synth and analyze()
 * both build: app.charts and one per chart) and cdk8s's YAML writer.
 */
function installTimers(): void {
  timeMethod(Node.prototype, 'validate', 'validateResolve');
  // cdk8s reads DependencyGraph from this module's exports at every use (app.charts, chart.toJson, and analyze()
  // through cdk8s's index): a timed subclass there times the graph construction too.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dependency = require('cdk8s/lib/dependency') as { DependencyGraph: typeof DependencyGraph };
  const Graph = dependency.DependencyGraph;
  dependency.DependencyGraph = class TimedDependencyGraph extends Graph {
    constructor(node: Node) {
      if (inside > 0) {
        super(node);
      } else {
        inside++;
        const start = now();
        try {
          super(node);
        } finally {
          spent.validateResolve += now() - start;
          inside--;
        }
      }
    }
  };
  timeMethod(Graph.prototype, 'topology', 'validateResolve');
  // analyze() walks and orders the tree with constructTree() and synthesisOrder(), read from the module's exports at each call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const order = require('../lib/private/object-order');
  timeMethod(order, 'constructTree', 'validateResolve');
  timeMethod(order, 'synthesisOrder', 'validateResolve');
  timeMethod(Yaml, 'stringify', 'yaml');
}

/** (mesh) Time per analysis rule: each built-in rule's check() is wrapped. */
function timeRules(): Record<string, number> {
  const times: Record<string, number> = {};
  for (const rule of BUILTIN_RULES) {
    const check = rule.check;
    times[rule.id] = 0;
    (rule as { check: typeof check }).check = function timedCheck(this: unknown, ctx) {
      const start = now();
      try {
        return check.call(this, ctx);
      } finally {
        times[rule.id] += now() - start;
      }
    };
  }
  return times;
}

/**
 * After the build: toJson() of every ApiObject as it is called (an instance's own toJson, e.g. the library's
 * withApiFieldNames(), or its class's with the generated props conversion), counting the outermost calls.
 */
function timeToJson(app: App): void {
  for (const c of app.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    const obj = c as ApiObject & { toJson: () => any };
    const original = obj.toJson;
    obj.toJson = function timedToJson(this: unknown) {
      if (inside === 0) spent.toJsonCalls++;
      return timed('validateResolve', () => original.call(this));
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// One case (in a child process)

/** What synthesize() does, phase by phase (the check run proves it writes the same files). */
function synthesizeInPhases(app: App, outdir: string, phases: Phases): { objects: number; files: number } {
  let t = now();
  checkOutputDirectory(outdir);
  phases.write += now() - t;
  t = now();
  const spentBefore = spent.validateResolve;
  const report = analyze(app);
  if (report.errors.length > 0) throw new Error(`bench app has analysis errors: ${report.errors.map((e) => e.message).join('; ')}`);
  const analyzeMs = now() - t;
  phases.validateResolve = spent.validateResolve - spentBefore;
  phases.analysis = analyzeMs - phases.validateResolve;
  t = now();
  const files = renderFiles(report, app, () => undefined);
  phases.yaml = now() - t;
  t = now();
  writeOutputDirectory(outdir, files, { preserve: OutputLayout.preservedFolders(app) });
  phases.write += now() - t;
  return { objects: report.objects.length, files: files.size };
}

function runCase(kind: Kind, n: number): CaseResult {
  installTimers();
  spent.validateResolve = 0;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-'));
  const outdir = path.join(tmp, 'dist');
  const phases: Phases = { build: 0, validateResolve: 0, analysis: 0, yaml: 0, write: 0 };
  let objects: number;
  let files: number;
  let rules: Record<string, number> | undefined;
  // total = build + synthesis; wrapping toJson() between them is not timed
  const cpuStart = process.cpuUsage();
  let cpuPaused = { user: 0, system: 0 };
  const start = now();
  let synthMs: number;
  if (kind === 'mesh') {
    const app = new App({ outdir });
    buildMesh(new Chart(app, 'bench', { namespace: NAMESPACE }), n);
    phases.build = now() - start;
    const pause = process.cpuUsage();
    timeToJson(app);
    rules = timeRules();
    cpuPaused = process.cpuUsage(pause);
    const t = now();
    ({ objects, files } = synthesizeInPhases(app, outdir, phases));
    synthMs = now() - t;
  } else {
    const app = new App({ outdir, yamlOutputType: kind === 'cdk8s' ? YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE : YamlOutputType.FILE_PER_CHART });
    const chart = new Chart(app, 'bench', { namespace: NAMESPACE });
    buildPlain(chart, n);
    phases.build = now() - start;
    const pause = process.cpuUsage();
    timeToJson(app);
    cpuPaused = process.cpuUsage(pause);
    spent.validateResolve = 0;
    const t = now();
    app.synth();
    synthMs = now() - t;
    phases.validateResolve = spent.validateResolve;
    phases.yaml = spent.yaml;
    phases.write = synthMs - spent.validateResolve - spent.yaml;
    objects = chart.node.findAll().filter((c) => ApiObject.isApiObject(c)).length;
    files = countFiles(outdir);
  }
  const total = phases.build + synthMs;
  const used = process.cpuUsage(cpuStart);
  const cpu = (used.user + used.system - cpuPaused.user - cpuPaused.system) / 1000;
  // The parent removes `tmp` after all runs of this size: deleting thousands of files makes the next writes slow.
  return { kind, n, objects, files, total, cpu, rules, phases, toJsonPerObject: spent.toJsonCalls / objects, maxRssMb: process.resourceUsage().maxRSS / 1024, tmpdir: tmp };
}

function countFiles(dir: string): number {
  let count = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) count += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return count;
}

/** Sorted keys, so that two objects compare by content. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as any)[k])]));
  return v;
}

/** The baseline builds the same objects; the phase-by-phase synthesis writes what synthesize() writes. */
function runCheck(n: number): string[] {
  const problems: string[] = [];
  const meshApp = new App();
  buildMesh(new Chart(meshApp, 'bench', { namespace: NAMESPACE }), n);
  const mesh = new Map(analyze(meshApp).objects.map((o) => [`${o.manifest.kind}/${o.manifest.metadata.name}`, JSON.stringify(canonical(o.manifest))]));
  const plainApp = new App();
  const plainChart = new Chart(plainApp, 'bench', { namespace: NAMESPACE });
  buildPlain(plainChart, n);
  const plain = new Map(plainChart.toJson().map((m: any) => [`${m.kind}/${m.metadata.name}`, JSON.stringify(canonical(m))]));
  for (const [key, json] of mesh) {
    if (!plain.has(key)) problems.push(`the baseline has no ${key}`);
    else if (plain.get(key) !== json) problems.push(`${key} differs:\n    mesh:  ${json}\n    cdk8s: ${plain.get(key)}`);
  }
  for (const key of plain.keys()) if (!mesh.has(key)) problems.push(`the baseline has ${key}, MeshApp does not`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-check-'));
  const a = new App();
  buildMesh(new Chart(a, 'bench', { namespace: NAMESPACE }), n);
  synthesize(a, { outdir: path.join(tmp, 'a') });
  const b = new App();
  buildMesh(new Chart(b, 'bench', { namespace: NAMESPACE }), n);
  synthesizeInPhases(b, path.join(tmp, 'b'), { build: 0, validateResolve: 0, analysis: 0, yaml: 0, write: 0 });
  const read = (dir: string) => JSON.stringify(listTree(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
  if (read(path.join(tmp, 'a')) !== read(path.join(tmp, 'b'))) problems.push('the phase-by-phase synthesis writes other files than synthesize()');
  fs.rmSync(tmp, { recursive: true, force: true });
  return problems;
}

function listTree(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1)).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listTree(path.join(dir, e.name), rel) : [rel];
  });
}

// ---------------------------------------------------------------------------------------------------
// The driver (parent process)

const ROOT = path.resolve(__dirname, '..');

interface Runner { readonly command: string; readonly args: string[]; readonly env: NodeJS.ProcessEnv; readonly description: string }

/** Compiles this file and what it imports (tsconfig.synth.json settings) into a temporary directory. */
function compiledRunner(): Runner {
  const tsx: Runner = { command: process.execPath, args: [...process.execArgv, __filename], env: process.env, description: 'tsx (TypeScript transpiled at load time)' };
  if (__filename.endsWith('.js')) return { ...tsx, description: 'compiled JavaScript' };
  const base = ['tsconfig.synth.json', 'tsconfig.build.json', 'tsconfig.json'].map((f) => path.join(ROOT, f)).find((f) => fs.existsSync(f))!;
  const dir = path.join(os.tmpdir(), `cdk8s-mesh-bench-${Buffer.from(ROOT).toString('hex').slice(-16)}`);
  const out = path.join(dir, 'out');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    extends: base,
    compilerOptions: {
      module: 'nodenext', moduleResolution: 'nodenext', types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')], noEmit: false, declaration: false, sourceMap: false,
      incremental: true, tsBuildInfoFile: path.join(dir, '.tsbuildinfo'), rootDir: ROOT, outDir: out,
    },
    include: [path.join(ROOT, 'scripts', 'bench.ts')],
    exclude: [],
  }, null, 2));
  const tsc = path.join(path.dirname(require.resolve('typescript/package.json', { paths: [ROOT] })), 'bin', 'tsc');
  let note = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    const text = String((err as { stdout?: Buffer }).stdout ?? '');
    note = ` (tsc reported ${text.split('\n').filter((l) => l.includes('error TS')).length} type errors, emitted anyway)`;
  }
  const entry = path.join(out, 'scripts', 'bench.js');
  if (!fs.existsSync(entry)) return { ...tsx, description: `${tsx.description}: compiling with ${path.basename(base)} failed` };
  return {
    command: process.execPath,
    args: [entry],
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    description: `compiled JavaScript (${path.basename(base)} + scripts/bench.ts -> ${out})${note}`,
  };
}

function child(runner: Runner, args: string[]): string {
  return execFileSync(runner.command, [...runner.args, ...args], { encoding: 'utf8', env: runner.env, maxBuffer: 64 * 1024 * 1024 });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function summarize(runs: CaseResult[]): CaseResult {
  const pick = (f: (r: CaseResult) => number) => median(runs.map(f));
  return {
    ...runs[0],
    total: pick((r) => r.total),
    cpu: pick((r) => r.cpu),
    phases: {
      build: pick((r) => r.phases.build),
      validateResolve: pick((r) => r.phases.validateResolve),
      analysis: pick((r) => r.phases.analysis),
      yaml: pick((r) => r.phases.yaml),
      write: pick((r) => r.phases.write),
    },
    maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
    rules: runs[0].rules && Object.fromEntries(Object.keys(runs[0].rules).map((id) => [id, median(runs.map((r) => r.rules?.[id] ?? 0))])),
  };
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--case') {
    console.log(JSON.stringify(runCase(args[1] as Kind, Number(args[2]))));
    return;
  }
  if (args[0] === '--check') {
    console.log(JSON.stringify(runCheck(Number(args[1]))));
    return;
  }
  let reps = 7;
  let allLarge = false;
  let withPlatform = true;
  let platformOnly = false;
  const sizes: number[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--reps') reps = Number(args[++i]);
    else if (args[i] === '--all-10000') allLarge = true;
    else if (args[i] === '--no-platform') withPlatform = false;
    else if (args[i] === '--platform') platformOnly = true;
    else if (args[i] === '--quick') {
      reps = 3;
      withPlatform = false;
      sizes.push(1000);
    } else if (/^[0-9]+$/.test(args[i])) sizes.push(Number(args[i]));
    else throw new Error(`unknown argument ${JSON.stringify(args[i])}: sizes, --reps <n>, --all-10000, --quick, --no-platform, --platform`);
  }
  if (platformOnly) {
    timeReferencePlatform();
    return;
  }
  if (sizes.length === 0) sizes.push(10, 100, 1000, 10000);

  const runner = compiledRunner();
  console.log(`cdk8s-mesh bench: node ${process.version}, ${os.cpus().length} CPUs; children run ${runner.description}`);
  const problems: string[] = JSON.parse(child(runner, ['--check', '3']).trim().split('\n').pop()!);
  if (problems.length > 0) {
    console.log(`WARNING: the comparison is not like for like:\n  ${problems.join('\n  ')}`);
  } else {
    console.log('check: the cdk8s baseline builds the same 24 objects as 3 MeshApps (same kinds, names, content); '
      + 'the phase-by-phase synthesis writes the same files as synthesize()');
  }
  console.log('cdk8s = app.synth() with FOLDER_PER_CHART_FILE_PER_RESOURCE (one file per object, like ours); cdk8s-1f = the default FILE_PER_CHART');
  console.log(`median of ${reps} alternating runs per case (1 run for N > 1000); times in ms\n`);
  const header = 'case          N objects  files   total     cpu   build val+res analysis    yaml   write  toJson/obj peak MB';
  console.log('(val+res = validate+resolve; toJson/obj = ApiObject.toJson() calls per object, 1.00 = each resolved once)');
  console.log(header);
  const fmt = (r: CaseResult) => [
    r.kind.padEnd(9), String(r.n).padStart(6), String(r.objects).padStart(7), String(r.files).padStart(6),
    r.total.toFixed(0).padStart(7), r.cpu.toFixed(0).padStart(7), r.phases.build.toFixed(0).padStart(7), r.phases.validateResolve.toFixed(0).padStart(7),
    (r.kind === 'mesh' ? r.phases.analysis.toFixed(0) : '-').padStart(8), r.phases.yaml.toFixed(0).padStart(7), r.phases.write.toFixed(0).padStart(7),
    r.toJsonPerObject.toFixed(2).padStart(11), r.maxRssMb.toFixed(0).padStart(7),
  ].join(' ');

  const results = new Map<string, CaseResult>();
  // warm the disk cache of the compiled files
  fs.rmSync((JSON.parse(child(runner, ['--case', 'mesh', '10']).trim().split('\n').pop()!) as CaseResult).tmpdir, { recursive: true, force: true });
  for (const n of sizes) {
    const kinds: Kind[] = n > 1000 && !allLarge ? ['mesh'] : ['mesh', 'cdk8s', 'cdk8s-1f'];
    const runs = new Map<Kind, CaseResult[]>(kinds.map((k) => [k, []]));
    for (let rep = 0; rep < (n > 1000 ? 1 : reps); rep++) {
      for (const kind of kinds) runs.get(kind)!.push(JSON.parse(child(runner, ['--case', kind, String(n)]).trim().split('\n').pop()!));
    }
    for (const r of [...runs.values()].flat()) fs.rmSync(r.tmpdir, { recursive: true, force: true });
    for (const kind of kinds) {
      const r = summarize(runs.get(kind)!);
      results.set(`${kind}:${n}`, r);
      console.log(fmt(r));
    }
  }

  console.log();
  for (const n of sizes) {
    const mesh = results.get(`mesh:${n}`)!;
    const base = results.get(`cdk8s:${n}`);
    const one = results.get(`cdk8s-1f:${n}`);
    const p = mesh.phases;
    const share = (x: number) => `${((x / mesh.total) * 100).toFixed(0)}%`;
    let line = `N=${n}: mesh ${mesh.total.toFixed(0)} ms (build ${share(p.build)}, validate+resolve ${share(p.validateResolve)}, `
      + `analysis ${share(p.analysis)}, yaml ${share(p.yaml)}, write ${share(p.write)}; ${(mesh.total / mesh.objects * 1000).toFixed(0)} µs/object)`;
    if (base) line += `; mesh/cdk8s ${(mesh.total / base.total).toFixed(2)} (target <= 0.6; cpu ${(mesh.cpu / base.cpu).toFixed(2)})`;
    if (one) line += `, mesh/cdk8s-1f ${(mesh.total / one.total).toFixed(2)} (cpu ${(mesh.cpu / one.cpu).toFixed(2)})`;
    console.log(line);
  }
  const largest = results.get(`mesh:${Math.max(...sizes)}`);
  if (largest?.rules) {
    const top = Object.entries(largest.rules).sort(([, a], [, b]) => b - a).slice(0, 8);
    console.log(`analysis rules at N=${largest.n} (top 8 of ${Object.keys(largest.rules).length}, ms): ${top.map(([id, ms]) => `${id} ${ms.toFixed(0)}`).join(', ')}`);
  }
  const m1 = results.get('mesh:1000');
  const m10 = results.get('mesh:10000');
  if (m1 && m10) {
    const ratio = (x: number, y: number) => (y > 0 ? (x / y).toFixed(1) : '-');
    console.log(`scaling 1000 -> 10000 apps: total x${ratio(m10.total, m1.total)} (target <= 11), build x${ratio(m10.phases.build, m1.phases.build)}, `
      + `validate+resolve x${ratio(m10.phases.validateResolve, m1.phases.validateResolve)}, analysis x${ratio(m10.phases.analysis, m1.phases.analysis)}, `
      + `yaml x${ratio(m10.phases.yaml, m1.phases.yaml)}, write x${ratio(m10.phases.write, m1.phases.write)}; peak RSS ${m1.maxRssMb.toFixed(0)} -> ${m10.maxRssMb.toFixed(0)} MB`);
  }

  if (withPlatform) {
    console.log();
    timeReferencePlatform();
  }
}

/** The reference platform, as `npm run synth` runs it: 3 runs through tsx, 7 of the compiled program (after a warm-up run). */
function timeReferencePlatform(): void {
  const platform = (label: string, command: string, commandArgs: string[], runs: number) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-platform-'));
      const start = now();
      try {
        execFileSync(command, commandArgs, { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: path.join(outdir, 'dist') }, stdio: 'ignore' });
        times.push(now() - start);
      } catch {
        console.log(`reference platform (${label}): failed (exit code non-zero); run it by hand to see why`);
        return;
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
    console.log(`reference platform (${label}): ${times.map((t) => t.toFixed(0)).join(' / ')} ms wall over ${runs} runs, median ${median(times).toFixed(0)}`);
  };
  platform('tsx main.ts', path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['main.ts'], 3);
  if (fs.existsSync(path.join(ROOT, 'scripts', 'synth.js'))) {
    // The first run compiles build-synth/ if anything changed (and fills its code cache); the timed runs use the compiled program.
    const warm = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-platform-'));
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'synth.js')], { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: path.join(warm, 'dist') }, stdio: 'ignore' });
    } catch { /* reported by the timed runs */ }
    fs.rmSync(warm, { recursive: true, force: true });
    platform('npm run synth: node scripts/synth.js, compiled', process.execPath, [path.join(ROOT, 'scripts', 'synth.js')], 7);
  }
}

main();
