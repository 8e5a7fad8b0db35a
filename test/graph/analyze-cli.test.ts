import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as graph from '../../lib/graph';

// The CLI is plain JavaScript on the compiled library; here it gets the TypeScript sources instead of build/lib.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = require('../../scripts/analyze.js') as {
  main(argv: string[], lib: unknown, out: (s: string) => void, err: (s: string) => void): number;
};

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = cli.main(argv, graph, (s) => { out += s; }, (s) => { err += s; });
  return { code, out, err };
}

describe('scripts/analyze.js --graph', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-graph-'));
    fs.mkdirSync(path.join(dir, 'apps', 'shop'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'apps', 'shop', 'all.yaml'), [
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    app: api\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-v1\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: api\n    spec: {}\n',
      '# an empty document\n',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [all.yaml]\n',
    ].join('---\n'));
    fs.writeFileSync(path.join(dir, 'apps', 'web.yml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-v1\n  namespace: shop\nspec:\n'
      + '  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: main\n          env:\n            - name: API\n              value: http://api.shop.svc.cluster.local\n');
    fs.writeFileSync(path.join(dir, 'README.md'), '# not YAML\n');
    fs.writeFileSync(path.join(dir, '.git', 'config.yaml'), 'kind: Service\nmetadata: {name: hidden}\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads directories recursively and multi-document files, and prints the Markdown graph', () => {
    const r = run(['--graph', dir, '--title', 'test']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^# Mesh graph: test\n/);
    expect(r.out).toContain('(4 objects).'); // the Kustomization is read, and ignored
    expect(r.out).toContain('    svc_shop_api(["api"])');
    expect(r.out).toContain('  wl_shop_web_v1 --> svc_shop_api');
    expect(r.out).not.toContain('hidden');
  });

  test('--format mermaid prints only the diagram; a file can be named directly', () => {
    const r = run(['--graph', path.join(dir, 'apps', 'shop', 'all.yaml'), '--format', 'mermaid']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(graph.renderMermaidFlowchart(graph.buildMeshGraph([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api-v1', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'api' } }, spec: {} } } },
    ])));
  });

  test('fails with exit code 2 on bad arguments and 1 on a missing path or invalid YAML', () => {
    expect(run([])).toMatchObject({ code: 2, err: expect.stringMatching(/nothing to do: give --graph/) });
    expect(run(['--graph'])).toMatchObject({ code: 2, err: expect.stringMatching(/at least one file or directory/) });
    expect(run(['--graph', dir, '--format', 'svg'])).toMatchObject({ code: 2, err: expect.stringMatching(/--format must be markdown or mermaid, got svg/) });
    expect(run(['--graph', path.join(dir, 'nope')])).toMatchObject({ code: 1, err: expect.stringMatching(/ENOENT.*nope/) });
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'kind: Service\nmetadata: [unclosed\n');
    try {
      expect(run(['--graph', bad])).toMatchObject({ code: 1, err: expect.stringContaining(bad) });
    } finally {
      fs.rmSync(bad);
    }
  });
});
