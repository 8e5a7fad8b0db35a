import { fixtureManifests } from './fixture';
import { mermaidBlock, mermaidParse } from './mermaid-parser';
import { buildMeshGraph, MeshGraph, renderMermaid, renderMermaidFlowchart } from '../../lib/graph';

const parse = mermaidParse;

describe('renderMermaid', () => {
  test('Mermaid\'s parser rejects broken syntax (the check is real)', async () => {
    expect(await parse('flowchart LR\n  a -->|"x| b\n')).toMatch(/^error: (Parse|Lexical) error/);
    expect(await parse('flowchart LR\n  a --> b\n  linkStyle 3 stroke:red\n')).toMatch(/^error: /);
  });

  test('the fixture\'s diagram parses as a flowchart', async () => {
    const md = renderMermaid(buildMeshGraph(fixtureManifests()));
    expect(await parse(mermaidBlock(md))).toBe('flowchart-v2');
  });

  test('the fixture\'s diagram: subgraphs titled with the mode, shapes, labels and styles of denied and plaintext calls', () => {
    const g = buildMeshGraph(fixtureManifests());
    const text = renderMermaidFlowchart(g);
    const lines = text.split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines).toContain('  subgraph ns_shop["shop · mTLS STRICT · deny-all"]');
    expect(lines).toContain('  subgraph ns_legacy["legacy · mTLS PERMISSIVE (mesh) · injection disabled"]');
    expect(lines).toContain('    gw_shop_web{{"web<br/>HTTP 80 · shop.example.com"}}');
    expect(lines).toContain('    svc_shop_backend(["backend"])');
    expect(lines).toContain('    wl_shop_backend_v2["backend-v2<br/>:9090 DISABLE"]');
    expect(lines).toContain('    wl_legacy_client_v1["client-v1<br/>no sidecar"]');
    // Hosts a ServiceEntry declares sit in a box of their own inside the ServiceEntry's namespace (short edges).
    expect(lines.slice(lines.indexOf('    subgraph outside_ns_shop["outside the mesh · ServiceEntry"]'), lines.indexOf('    subgraph outside_ns_shop["outside the mesh · ServiceEntry"]') + 3))
      .toEqual(['    subgraph outside_ns_shop["outside the mesh · ServiceEntry"]', '      ext_api_stripe_com[/"api.stripe.com"/]', '    end']);
    expect(lines).toContain('    peer_shop_any>"any workload in shop"]');
    expect(lines).toContain('  svc_shop_backend -->|"x-beta=1<br/>20%"| wl_shop_backend_v2');
    expect(lines).toContain('  svc_shop_backend -.->|"mirror 10%"| wl_shop_backend_v2');
    expect(lines).toContain('  gw_shop_web ==>|"/*<br/>ext-authz opa"| svc_shop_frontend');
    expect(lines).toContain('  peer_shop_any --> ns_vm');
    const denied = lines.indexOf('  wl_legacy_client_v1 -.-x|"denied: STRICT mTLS"| svc_shop_backend');
    const plaintext = lines.indexOf('  wl_legacy_client_v1 -.->|"plaintext"| svc_open_api');
    expect(denied).toBeGreaterThan(0);
    expect(plaintext).toBeGreaterThan(0);
    // linkStyle indexes count edges in the order they are written.
    const firstEdge = lines.findIndex((l) => / (-->|==>|-\.->|-\.-x)/.test(l));
    const style = (name: string) => lines.find((l) => l.startsWith('  linkStyle ') && l.includes(name))!.split(' ')[3].split(',').map(Number);
    expect(style('stroke:#d62728')).toEqual(expect.arrayContaining([denied - firstEdge]));
    expect(style('stroke:#ff7f0e')).toEqual([plaintext - firstEdge]);
    expect(lines).toContain('  class wl_legacy_client_v1 nosidecar');
    expect(lines).toContain('  style ns_shop fill:#fbfbfb,stroke:#2ca02c,stroke-width:2px');
  });

  test('names and match values with Mermaid syntax characters are escaped and still parse', async () => {
    const g = buildMeshGraph([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'end', namespace: 'graph' }, spec: { selector: { app: 'end' } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'end-v1', namespace: 'graph' }, spec: { template: { metadata: { labels: { app: 'end', version: 'v1' } }, spec: {} } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'end-v2', namespace: 'graph' }, spec: { template: { metadata: { labels: { app: 'end', version: 'v2' } }, spec: {} } } },
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'end', namespace: 'graph' }, spec: { host: 'end', subsets: [{ name: 'a', labels: { version: 'v1' } }, { name: 'b', labels: { version: 'v2' } }] } },
      {
        apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'end', namespace: 'graph' },
        spec: {
          hosts: ['end'],
          http: [
            { match: [{ headers: { 'x-q': { exact: 'a"b|c;d#e<f>g&h`i{j}[k]' } } }], route: [{ destination: { host: 'end', subset: 'b' } }] },
            { match: [{ uri: { regex: '^/(a|b)/[0-9]+$' } }], route: [{ destination: { host: 'end', subset: 'a' } }] },
          ],
        },
      },
    ]);
    const text = renderMermaidFlowchart(g);
    expect(text).toContain('x-q=a#34;b#124;c#59;d#35;e#60;f#62;g#38;h#96;i#123;j#125;#91;k#93;');
    expect(await parse(text)).toBe('flowchart-v2');
  });

  test('an empty graph is a valid diagram', async () => {
    const empty: MeshGraph = buildMeshGraph([]);
    expect(await parse(renderMermaidFlowchart(empty))).toBe('flowchart-v2');
  });
});
