import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeManifestReport, analyzeManifests, clusterOfFile } from '../../lib/analysis/analyze';
import { Finding } from '../../lib/analysis/context';
import { meshSettingsFromConfig } from '../../lib/analysis/mesh-config';
import * as graph from '../../lib/graph';
import { analyzedPlatform } from '../platform/reference-platform';

// The CLI is plain JavaScript on the compiled library; in-process it gets the TypeScript sources instead of build/lib.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = require('../../scripts/analyze.js') as {
  main(argv: string[], lib: unknown, out: (s: string) => void, err: (s: string) => void): number;
};
const lib = { ...graph, analyzeManifests, analyzeManifestReport, meshSettingsFromConfig };
const REPO = path.join(__dirname, '..', '..');

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = cli.main(argv, lib, (s) => { out += s; }, (s) => { err += s; });
  return { code, out, err };
}

/** A finding as the CLI prints it in JSON, and as synthesis reports it, in one comparable form. */
function comparable(f: { code?: string; rule: string; severity: string; kind?: string; namespace?: string; name?: string; message: string; fix?: string }): string {
  const message = f.fix !== undefined && f.message.endsWith(f.fix) ? f.message.slice(0, f.message.length - f.fix.length).replace(/\s*Fix: $/, '') : f.message;
  // Where objects are (construct paths vs files) and how a call was learned (the construct method vs the manifest) differ.
  const text = message.replace(/\[[^\]]*\]/g, '[...]').replace(/ \((exposeVia|connectTo|allowFrom|VirtualService "[^"]+"|Canary "[^"]+")\)/g, ' (via ...)');
  return [f.code, f.rule, f.severity, f.kind, f.namespace, f.name, text, f.fix ?? ''].join(' | ');
}

describe('npm run analyze over the committed dist/ reports what synthesis reports', () => {
  const { report } = analyzedPlatform();
  const synth = report.findings.filter((f) => f.rule !== 'construct');
  const cliJson = (args: string[]) => {
    const stdout = execFileSync(process.execPath, ['-r', 'tsx/cjs', 'scripts/analyze.js', '--json', ...args], {
      cwd: REPO, env: { ...process.env, CDK8S_MESH_LIB: 'lib' }, encoding: 'utf8',
    });
    return JSON.parse(stdout) as Array<Finding & { file: string }>;
  };

  test('the whole dist/, grouped per cluster like synthesis (if this fails after a platform change, run npm run synth)', () => {
    const found = cliJson(['dist']);
    expect(found.map(comparable).sort()).toEqual(synth.map(comparable).sort());
    expect(found.every((f) => f.file.startsWith('dist/') && f.code !== undefined && !/ Fix: /.test(f.message))).toBe(true);
  });

  test('one cluster, given as its three folders', () => {
    const found = cliJson(['dist/apps/staging', 'dist/infrastructure/staging', 'dist/clusters/staging']);
    expect(found.map(comparable).sort()).toEqual(synth.filter((f) => f.path.startsWith('staging/')).map(comparable).sort());
  });
});

describe('scripts/analyze.js', () => {
  let dir: string;
  const fixture = (rule: string, kind: 'fail' | 'pass') => path.join(REPO, 'test', 'fixtures', 'analyze', rule, `${kind}.yaml`);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-analyze-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('prints a readable report, exit code 1 on errors', () => {
    const r = run([fixture('istio-referenced-host', 'fail')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Error \[IST0101\] \(VirtualService bookinfo\/reviews .*test\/fixtures\/analyze\/istio-referenced-host\/fail\.yaml\) Referenced host not found: "reviewz" .* \[istio-referenced-host\]\n {4}Fix: use the fully qualified name/m);
    expect(r.out).toMatch(/\n1 error\(s\), 0 warning\(s\), 0 info\(s\) in 6 objects\.\n$/);
  });

  test('exit code 0 with infos only; --json prints the findings with the fix apart', () => {
    const r = run(['--json', fixture('istio-port-name', 'fail')]);
    expect(r.code).toBe(0);
    const findings = JSON.parse(r.out);
    expect(findings).toEqual([{
      code: 'IST0118', rule: 'istio-port-name', severity: 'info', kind: 'Service', name: 'api', namespace: 'shop',
      file: fixture('istio-port-name', 'fail'), path: `${fixture('istio-port-name', 'fail')}#2`,
      message: expect.stringMatching(/^Port name web \(port: 80, targetPort: 8080\) doesn't follow the naming convention of Istio port \(Service shop\/api\)/),
      fix: expect.stringMatching(/^name the port "<protocol>\[-<suffix>\]"/),
    }]);
    expect(run(['--json', fixture('istio-port-name', 'pass')])).toMatchObject({ code: 0, out: '[]\n' });
  });

  test('info is its own level (istioctl\'s): printed as Info, after warnings; --failure-threshold sets the exit code', () => {
    const file = fixture('istio-port-name', 'fail');
    const r = run([file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Info \[IST0118\] \(Service shop\/api .*\) Port name web .* \[istio-port-name\]$/m);
    expect(r.out).toMatch(/\n0 error\(s\), 0 warning\(s\), 1 info\(s\) in \d+ objects\.\n$/);
    expect(run(['--failure-threshold', 'warning', file]).code).toBe(0);
    expect(run(['--failure-threshold', 'info', file]).code).toBe(1);
    const warn = fixture('istio-gateway-port', 'fail');
    expect(run([warn]).code).toBe(0);
    expect(run(['--failure-threshold', 'WARNING', warn]).code).toBe(1);
    expect(run(['--failure-threshold', 'fatal', file])).toMatchObject({ code: 2, err: expect.stringMatching(/--failure-threshold must be error, warning or info, got fatal/) });
    // Sorted: errors, then warnings, then infos.
    const mixed = run(['--json', fixture('istio-referenced-host', 'fail'), warn, file]);
    const severities = JSON.parse(mixed.out).map((f: Finding) => f.severity);
    expect(severities).toEqual([...severities].sort((a: string, b: string) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
    expect(new Set(severities)).toEqual(new Set(['error', 'warning', 'info']));
  });

  test('reads directories recursively and kubectl List objects; files of apps/<cluster>, infrastructure/<cluster>, clusters/<cluster> are analysed per cluster', () => {
    const cm = (ns: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ${ns}\n`;
    for (const c of ['staging', 'production']) {
      fs.mkdirSync(path.join(dir, 'apps', c, 'shop'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'apps', c, 'shop', 'cm.yaml'), cm('shop'));
    }
    expect(run(['--json', dir])).toMatchObject({ code: 0, out: '[]\n' }); // one per cluster: no duplicate
    fs.writeFileSync(path.join(dir, 'apps', 'staging', 'list.yml'), `apiVersion: v1\nkind: List\nitems:\n  - ${cm('shop').trimEnd().replace(/\n/g, '\n    ')}\n`);
    const r = run(['--json', dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).map((f: Finding) => [f.rule, f.path])).toEqual([['duplicate-object', `${path.join(dir, 'apps', 'staging', 'shop', 'cm.yaml')}`]]);
    expect(run([dir]).out).toMatch(/in 3 objects \(clusters: production, staging\)\.\n$/);
    expect(clusterOfFile('dist/infrastructure/production/controllers/x.yaml')).toBe('production');
    expect(clusterOfFile('manifests/deploy.yaml')).toBeUndefined();
  });

  test('--mesh-config sets the root namespace (a MeshConfig, the istio ConfigMap or Helm values)', () => {
    const pa = (name: string) => `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: ${name}\n  namespace: mesh-root\nspec:\n  mtls:\n    mode: STRICT\n`;
    const input = path.join(dir, 'pa.yaml');
    fs.writeFileSync(input, `${pa('default')}---\n${pa('again')}`);
    expect(run([input]).out).toMatch(/a second policy namespace-wide in namespace "mesh-root"/);
    const configs = {
      'mesh.yaml': 'rootNamespace: mesh-root\ntrustDomain: example.org\n',
      'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |-\n    rootNamespace: mesh-root\n',
      'values.yaml': 'meshConfig:\n  rootNamespace: mesh-root\n',
    };
    for (const [name, content] of Object.entries(configs)) {
      fs.writeFileSync(path.join(dir, name), content);
      expect(run(['--mesh-config', path.join(dir, name), input]).out).toMatch(/a second policy mesh-wide \(root namespace "mesh-root"\)/);
    }
    expect(meshSettingsFromConfig({ spec: { values: { meshConfig: { trustDomain: 'td' }, global: { proxy: { clusterDomain: 'corp.local' } } } } }))
      .toEqual({ trustDomain: 'td', clusterDomain: 'corp.local' });
  });

  test('fails with exit code 2 on bad arguments and 1 on a missing file or an unreadable MeshConfig', () => {
    expect(run([])).toMatchObject({ code: 2, err: expect.stringMatching(/nothing to do/) });
    expect(run(['--json', '--graph', dir])).toMatchObject({ code: 2, err: expect.stringMatching(/--json applies to the analysis/) });
    expect(run(['--mesh-config'])).toMatchObject({ code: 2, err: expect.stringMatching(/--mesh-config needs a value/) });
    expect(run([path.join(dir, 'nope')])).toMatchObject({ code: 1, err: expect.stringMatching(/ENOENT.*nope/) });
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    expect(run(['--mesh-config', path.join(dir, 'mesh.yaml'), dir])).toMatchObject({ code: 1, err: expect.stringMatching(/mesh\.yaml: the ConfigMap has no data\.mesh/) });
  });

  test('--graph still draws the mesh graph', () => {
    const r = run(['--graph', fixture('sidecarless-mtls', 'fail'), '--format', 'mermaid']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^flowchart LR/);
  });
});
