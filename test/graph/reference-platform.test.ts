import { App } from 'cdk8s';
import { mermaidBlock, mermaidParse } from './mermaid-parser';
import { analyze } from '../../lib';
import { buildMeshGraph, renderMermaid } from '../../lib/graph';
import { buildReferencePlatform } from '../../platform';

/** The reference platform (platform/), analysed as `npm run synth` would, one graph per cluster. */
describe('the reference platform\'s mesh graph', () => {
  let manifestsOf: (cluster: 'staging' | 'production') => any[];
  beforeAll(() => {
    const app = new App();
    const platform = buildReferencePlatform(app);
    const report = analyze(app);
    // The manifests of one cluster: the objects of every chart inside its GitOpsCluster.
    manifestsOf = (cluster) => report.objects.filter((o) => o.chart.node.path.startsWith(`${platform[cluster].cluster.node.path}/`)).map((o) => o.manifest);
  });

  for (const name of ['staging', 'production'] as const) {
    test(`the ${name} cluster's graph parses, and is the same twice`, async () => {
      const manifests = manifestsOf(name);
      expect(manifests.length).toBeGreaterThan(50);
      const md = renderMermaid(buildMeshGraph(manifests), { title: `Mesh graph: ${name}` });
      expect(await mermaidParse(mermaidBlock(md))).toBe('flowchart-v2');
      expect(renderMermaid(buildMeshGraph([...manifests].reverse()), { title: `Mesh graph: ${name}` })).toBe(md);
    });
  }

  test('production: the sample app, zero-trust and canary edges', () => {
    const g = buildMeshGraph(manifestsOf('production'));
    const line = (from: string, to: string) => g.edges.filter((e) => e.from === from && e.to === to).map((e) => `${e.kind} ${e.status} ${e.labels.join(' | ')}`.trim());
    // The sample app's web-frontend has no sidecar and calls customers (PERMISSIVE in default): plaintext.
    expect(line('svc_default_web_frontend', 'svc_default_customers')).toEqual(['call plaintext plaintext']);
    expect(line('svc_default_customers', 'wl_default_customers_v1')).toEqual(['version allowed user-agent~Firefox | 70%']);
    expect(line('svc_default_customers', 'wl_default_customers_v2')).toEqual(['mirror allowed mirror 100%', 'version allowed /v1/api* | 30%']);
    // zero-trust: deny-all, the gateway's pods (istio-ingress/istio-ingressgateway, from the gateway HelmRelease) allowed, GET only to customers.
    expect(line('gw_default_gateway', 'svc_zero_trust_web_frontend')).toEqual(['route allowed zero-trust.example.com']);
    expect(line('svc_zero_trust_web_frontend', 'svc_zero_trust_customers')).toEqual(['call conditional GET']);
    expect(g.namespaces.find((n) => n.name === 'zero-trust')).toMatchObject({ denyAll: true, mtls: { mode: 'STRICT' } });
    expect(g.edges.filter((e) => e.status === 'denied')).toEqual([]);
  });
});
