import { ApiObject, Chart, Testing } from 'cdk8s';
import { analyze, analyzeManifestReport, analyzeManifests, ManifestInput } from '../../lib/analysis/analyze';
import { FindingSeverity, IAnalysisRule, ISTIO_SUPPRESS_ANNOTATION, SUPPRESS_ANNOTATION } from '../../lib/analysis/context';

const inputs = (...manifests: any[]): ManifestInput[] => manifests.map((manifest, i) => ({ manifest, source: `test#${i}` }));
const rulesOf = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);

const vs = (name: string, spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'shop' }, spec });
const deployment = (name: string, labels: Record<string, string>, extra: any = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' },
  spec: { selector: { matchLabels: { app: labels.app } }, template: { metadata: { labels }, spec: { containers: [{ name, image: `example.com/${name}:1.0.0` }] } }, ...extra },
});

describe('analyze(app): the same rules, with the finding fields', () => {
  test('findings carry code, kind, name, namespace and the fix; construct paths stay', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new ApiObject(chart, 'vs', vs('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviewz' } }] }] }));
    const [f] = analyze(app).errors.filter((x) => x.rule === 'istio-referenced-host');
    expect(f).toMatchObject({
      code: 'IST0101', severity: FindingSeverity.ERROR, kind: 'VirtualService', name: 'reviews', namespace: 'shop', path: 'shop/vs',
      fix: expect.stringMatching(/^use the fully qualified name/),
    });
    expect(f.message.endsWith(`Fix: ${f.fix}`)).toBe(true);
    expect(f.file).toBeUndefined();
  });

  test(`${SUPPRESS_ANNOTATION} drops a finding about its own object only (by rule id or code); galley.istio.io/analyze-suppress takes IST codes`, () => {
    const build = (annotations?: Record<string, string>, nsAnnotations?: Record<string, string>) => {
      const app = Testing.app();
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: nsAnnotations } });
      new ApiObject(chart, 'vs', { ...vs('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviewz' } }] }] }), metadata: { name: 'reviews', annotations } });
      return analyze(app);
    };
    expect(rulesOf(build().errors)).toContain('istio-referenced-host');
    const variants: Array<Record<string, string>> = [
      { [SUPPRESS_ANNOTATION]: 'istio-referenced-host' }, { [SUPPRESS_ANNOTATION]: 'IST0101' }, { [ISTIO_SUPPRESS_ANNOTATION]: 'IST0101' },
      { [ISTIO_SUPPRESS_ANNOTATION]: '*' }, // istioctl: every message about the object
    ];
    for (const annotations of variants) {
      const report = build(annotations);
      expect(rulesOf(report.errors)).not.toContain('istio-referenced-host');
      expect(rulesOf(report.suppressed)).toEqual(['istio-referenced-host']);
    }
    // Never wider than the object: not from its Namespace, not for the other rules of the object.
    expect(rulesOf(build(undefined, { [SUPPRESS_ANNOTATION]: 'istio-referenced-host' }).errors)).toContain('istio-referenced-host');
    expect(rulesOf(build({ [ISTIO_SUPPRESS_ANNOTATION]: 'istio-referenced-host' }).errors)).toContain('istio-referenced-host');
  });
});

describe('analyzeManifests(): plain YAML', () => {
  test('expands List objects, skips documents that are not Kubernetes objects, keeps sources', () => {
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' } });
    const report = analyzeManifestReport([
      { manifest: { apiVersion: 'v1', kind: 'List', items: [cm('a'), cm('a')] } as any, file: 'all.yaml' },
      { manifest: { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', metadata: { name: 'x' }, resources: [] }, file: 'kustomization.yaml' },
      { manifest: { kind: 'ConfigMap' } as any, file: 'broken.yaml' },
    ]);
    expect(report.objectCount).toBe(2);
    expect(report.findings.map((f) => [f.rule, f.path, f.file])).toEqual([['duplicate-object', 'all.yaml#items[1]', 'all.yaml']]);
  });

  test('objects of different clusters (by folder, or given) are analysed apart', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'shop' } };
    expect(analyzeManifests([{ manifest: cm, file: 'dist/apps/staging/a.yaml' }, { manifest: cm, file: 'dist/apps/production/a.yaml' }])).toEqual([]);
    expect(rulesOf(analyzeManifests([{ manifest: cm, cluster: 'x' }, { manifest: cm, cluster: 'x' }]))).toEqual(['duplicate-object']);
  });

  test('a rule that reads the construct of an object is stopped over plain manifests, and reported as skipped', () => {
    const rule: IAnalysisRule = { id: 'reads-construct', description: 'test', check: (ctx) => ctx.objects.forEach((o) => o.apiObject.node.path) };
    const report = analyzeManifestReport(inputs({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }), { rules: [rule] });
    expect(report.skippedRules).toContain('reads-construct');
  });

  test('the root namespace comes from the istiod HelmRelease of the output, unless given', () => {
    const pa = (name: string) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: 'mesh' }, spec: { mtls: { mode: 'STRICT' } } });
    const istiod = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'istiod', namespace: 'flux-system' }, spec: { chart: { spec: { chart: 'istiod' } }, values: { meshConfig: { rootNamespace: 'mesh' } } } };
    const message = (m: any[], options = {}) => analyzeManifests(inputs(...m), options).find((f) => f.rule === 'peer-authentication-conflict')!.message;
    expect(message([pa('a'), pa('b')])).toMatch(/namespace-wide in namespace "mesh"/);
    expect(message([pa('a'), pa('b'), istiod])).toMatch(/mesh-wide \(root namespace "mesh"\)/);
    expect(message([pa('a'), pa('b'), istiod], { settings: { rootNamespace: 'istio-system' } })).toMatch(/namespace-wide in namespace "mesh"/);
  });
});

describe('the model: what controllers create at run time', () => {
  const canary = {
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'podinfo', namespace: 'shop' },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, service: { port: 9898 }, analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10 } },
  };

  test('a Canary implies the Services <svc>, <svc>-primary, <svc>-canary and primary pods labelled <app>-primary', () => {
    const primaryPdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p', namespace: 'shop' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'podinfo-primary' } } } };
    const metrics = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'podinfo-metrics', namespace: 'shop' }, spec: { selector: { app: 'podinfo-primary' }, ports: [{ name: 'http-metrics', port: 9797 }] } };
    const route = vs('podinfo-tests', { hosts: ['tests.example.com'], http: [{ route: [{ destination: { host: 'podinfo-canary' } }, { destination: { host: 'podinfo-primary.shop.svc.cluster.local' } }] }] });
    const findings = analyzeManifests(inputs(canary, deployment('podinfo', { app: 'podinfo' }), primaryPdb, metrics, route));
    expect(rulesOf(findings)).not.toContain('istio-referenced-host');
    expect(rulesOf(findings)).not.toContain('workload-service-selector');
  });

  test('the gateway chart of a HelmRelease provides the pods a Gateway selects and the Service ports it listens on', () => {
    const release = (ports?: any[]) => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'edge', namespace: 'flux-system' },
      spec: { targetNamespace: 'edge', chart: { spec: { chart: 'gateway' } }, values: { ...(ports ? { service: { ports } } : {}) } },
    });
    const gateway = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop' }, spec: { selector: { istio: 'edge' }, servers: [{ port: { number: 8443, name: 'https', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'PASSTHROUGH' } }] } };
    // Release "edge-edge" (targetNamespace-name): labels app=edge-edge, istio=edge-edge; with values.name "edge": istio=edge.
    expect(rulesOf(analyzeManifests(inputs(gateway, release())))).toContain('istio-referenced-selector');
    const named = (ports?: any[]) => ({ ...release(ports), spec: { ...release(ports).spec, values: { ...release(ports).spec.values, name: 'edge' } } });
    const found = analyzeManifests(inputs(gateway, named()));
    expect(rulesOf(found)).not.toContain('istio-referenced-selector');
    expect(found.find((f) => f.rule === 'istio-gateway-port')!.message).toMatch(/port 8443.*Services edge\/edge expose \[80 443 15021\]/);
    expect(rulesOf(analyzeManifests(inputs(gateway, named([{ name: 'https', port: 8443, protocol: 'TCP' }]))))).not.toContain('istio-gateway-port');
  });

  test('istiod and the API server exist in every cluster: routes to them need no object of the output', () => {
    const route = vs('istiod', { hosts: ['*'], gateways: ['mesh'], tls: [{ match: [{ port: 15012, sniHosts: ['*'] }], route: [{ destination: { host: 'istiod.istio-system.svc.cluster.local', port: { number: 15012 } } }] }] });
    expect(rulesOf(analyzeManifests(inputs(route)))).not.toContain('istio-referenced-host');
  });
});
