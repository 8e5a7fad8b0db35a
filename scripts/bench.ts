/**
 * npm run bench — synthesis cost of MeshApp against plain cdk8s-plus + raw CRD objects.
 *
 * For N = 10, 100, 1000 it synthesizes, each case in a fresh child process (so peak memory is the case's own):
 *   mesh:     N MeshApps, 2 versions each, a DestinationRule traffic policy and routes (header match + 90/10 split);
 *   baseline: the same objects written by hand: 2 cdk8s-plus Deployments, a Service, a ServiceAccount,
 *             2 PodDisruptionBudgets, a DestinationRule and a VirtualService (raw ApiObjects) per app;
 * both through the same steps as `synthesize()` (analysis, YAML rendering, atomic write), and prints wall time, the
 * in-memory part of it (the file writes depend on the disk and vary a lot on shared machines), objects/s, peak RSS and
 * the mesh/baseline ratio. It then times the whole reference platform (`tsx main.ts`, what `npm run synth` runs).
 *
 *   npm run bench                # all sizes
 *   npm run bench -- 10 100      # chosen sizes
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import { DestinationRule, VirtualService } from '../imports/networking.istio.io';
import { analyze, MeshApp, StringMatch } from '../lib';
import { renderFiles } from '../lib/synth/synthesize';
import { writeOutputDirectory } from '../lib/synth/write';

interface CaseResult {
  readonly kind: string;
  readonly n: number;
  readonly objects: number;
  /** Wall time of the whole synthesis: build, analysis, YAML rendering and the atomic write. */
  readonly ms: number;
  /** The in-memory part: build, analysis and YAML rendering (the file writes depend on the disk). */
  readonly memMs: number;
  readonly maxRssMb: number;
}

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

function buildBaseline(root: Chart, n: number): void {
  for (let i = 0; i < n; i++) {
    const name = `app${i}`;
    // One scope per app, the same tree shape as MeshApp (a flat chart of 8000 children is slower in cdk8s itself).
    const chart = new Construct(root, name);
    const host = `${name}.bench.svc.cluster.local`;
    const sa = new kplus.ServiceAccount(chart, `${name}-sa`, { metadata: { name } });
    for (const v of ['v1', 'v2']) {
      const d = new kplus.Deployment(chart, `${name}-${v}`, {
        metadata: { name: `${name}-${v}` },
        replicas: 2,
        serviceAccount: sa,
        select: false,
        podMetadata: { labels: { 'app': name, 'version': v, 'sidecar.istio.io/inject': 'true' } },
        containers: [{ image: `registry.example.com/${name}:${v === 'v1' ? '1.0.0' : '2.0.0'}`, ports: [{ number: 8080, name: 'http' }] }],
      });
      d.select(kplus.LabelSelector.of({ labels: { app: name, version: v } }));
      new ApiObject(chart, `${name}-${v}-pdb`, {
        apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: `${name}-${v}` },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: name, version: v } } },
      } as any);
    }
    new kplus.Service(chart, `${name}-svc`, {
      metadata: { name },
      selector: kplus.Pods.select(chart, `${name}-pods`, { labels: { app: name } }),
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
    new DestinationRule(chart, `${name}-dr`, {
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
    new VirtualService(chart, `${name}-vs`, {
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

/** Runs in the child: build, analyse and render (what synthesize() does), write into a temp dir, report. */
function runCase(kind: string, n: number): CaseResult {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-'));
  const start = process.hrtime.bigint();
  const app = new App();
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  if (kind === 'mesh') buildMesh(chart, n);
  else buildBaseline(chart, n);
  const report = analyze(app);
  if (report.errors.length > 0) throw new Error(`bench app has analysis errors: ${report.errors.map((e) => e.message).join('; ')}`);
  const files = renderFiles(report);
  const memMs = Number(process.hrtime.bigint() - start) / 1e6;
  writeOutputDirectory(path.join(outdir, 'dist'), files);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  return { kind, n, objects: report.objects.length, ms, memMs, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

function child(kind: string, n: number): CaseResult {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--case', kind, String(n)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--case') {
    console.log(JSON.stringify(runCase(args[1], Number(args[2]))));
    return;
  }
  const sizes = args.length > 0 ? args.map(Number) : [10, 100, 1000];
  const rows: string[] = [];
  const fmt = (r: CaseResult) => `${r.kind.padEnd(9)} ${String(r.n).padStart(5)} ${String(r.objects).padStart(7)} ${r.ms.toFixed(0).padStart(8)} `
    + `${r.memMs.toFixed(0).padStart(9)} ${Math.round(r.objects / (r.ms / 1000)).toString().padStart(9)} ${r.maxRssMb.toFixed(0).padStart(8)}`;
  console.log('case          N objects  wall ms in-mem ms objects/s  peak MB');
  const perObject: number[] = [];
  for (const n of sizes) {
    child('mesh', Math.min(n, 10)); // warm the transform cache so the first size is not penalised
    const mesh = child('mesh', n);
    const base = child('baseline', n);
    console.log(fmt(mesh));
    console.log(fmt(base));
    const ratio = mesh.ms / base.ms;
    perObject.push(mesh.memMs / mesh.objects);
    rows.push(`N=${n}: MeshApp/baseline time ratio ${ratio.toFixed(2)} wall, ${(mesh.memMs / base.memMs).toFixed(2)} in memory (target <= 1.5); `
      + `MeshApp ${(mesh.memMs / mesh.objects).toFixed(3)} ms/object in memory`);
  }
  console.log();
  for (const r of rows) console.log(r);
  if (perObject.length > 1) {
    console.log(`scaling (in memory): MeshApp ms/object from N=${sizes[0]} to N=${sizes[sizes.length - 1]}: ${perObject.map((p) => p.toFixed(3)).join(' -> ')} `
      + '(linear when it stays flat or falls)');
  }

  const root = path.resolve(__dirname, '..');
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-platform-'));
    const start = process.hrtime.bigint();
    execFileSync(tsx, ['main.ts'], { cwd: root, env: { ...process.env, CDK8S_OUTDIR: path.join(outdir, 'dist') }, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  console.log(`reference platform (tsx main.ts, as npm run synth): ${times.map((t) => t.toFixed(0)).join(' / ')} ms wall over 3 runs (target <= 1500 ms)`);
}

main();
