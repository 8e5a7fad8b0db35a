import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  analyze, CLUSTER_DOMAIN_CONTEXT, clusterDomain, DEFAULT_CLUSTER_DOMAIN, GitOpsCluster, MeshApp, MeshTesting, serviceHost, TRUST_DOMAIN_CONTEXT,
} from '../../lib';
import { renderFiles } from '../../lib/synth/synthesize';
import { buildReferencePlatform } from '../../platform';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';

const DOMAIN = 'k8s.example.com';
const ISTIO_GROUPS = ['networking.istio.io', 'security.istio.io'];
const V1 = 'gcr.io/tetratelabs/customers:1.0.0';
const V2 = 'gcr.io/tetratelabs/customers:2.0.0';

function appIn(context: Record<string, string>): App {
  const app = Testing.app();
  for (const [k, v] of Object.entries(context)) app.node.setContext(k, v);
  return app;
}

function chartIn(domain?: string): Chart {
  return new Chart(appIn(domain === undefined ? {} : { [CLUSTER_DOMAIN_CONTEXT]: domain }), 'test');
}

function customers(chart: Chart): MeshApp {
  return new MeshApp(chart, 'customers', {
    versions: [{ name: 'v1', image: V1 }, { name: 'v2', image: V2 }],
    routes: [{ destinations: [{ version: 'v1', weight: 50 }, { version: 'v2', weight: 50 }] }],
  });
}

describe('cluster domain (context cdk8s-mesh:clusterDomain)', () => {
  test('defaults to cluster.local', () => {
    const chart = chartIn();
    expect(DEFAULT_CLUSTER_DOMAIN).toBe('cluster.local');
    expect(clusterDomain(chart)).toBe('cluster.local');
    expect(customers(chart).host).toBe('customers.default.svc.cluster.local');
  });

  test('a MeshApp renders its Service FQDN in the cluster domain: DestinationRule, VirtualService hosts and destinations', () => {
    const chart = chartIn(DOMAIN);
    const app = customers(chart);
    const host = `customers.default.svc.${DOMAIN}`;
    expect(app.host).toBe(host);
    expect(serviceHost(chart, 'web', 'shop')).toBe(`web.shop.svc.${DOMAIN}`);
    const out = MeshTesting.synth(chart);
    expectValidManifests(out);
    expect(find(out, 'DestinationRule').spec.host).toBe(host);
    const vs = find(out, 'VirtualService').spec;
    expect(vs.hosts).toEqual([host]);
    expect(vs.http[0].route.map((r: any) => r.destination.host)).toEqual([host, host]);
  });

  test('the trust domain stays a separate setting: principals keep theirs', () => {
    const chart = new Chart(appIn({ [CLUSTER_DOMAIN_CONTEXT]: DOMAIN, [TRUST_DOMAIN_CONTEXT]: 'prod.example.org' }), 'test');
    const app = customers(chart);
    expect(app.principals).toEqual(['prod.example.org/ns/default/sa/customers']);
    const chart2 = chartIn(DOMAIN);
    expect(customers(chart2).principals).toEqual(['cluster.local/ns/default/sa/customers']);
  });

  test('the analysis resolves hosts in the cluster domain (no unknown-host or missing-subset findings)', () => {
    const chart = chartIn(DOMAIN);
    customers(chart);
    const report = analyze(App.of(chart) as App);
    expect(report.errors).toEqual([]);
    expect(report.warnings.filter((w) => /host|subset/i.test(w.message))).toEqual([]);
  });

  test('an invalid context value is refused, naming the key, the value and the fix', () => {
    for (const bad of ['svc.cluster.local', 'Cluster.Local', 'cluster.local.', '']) {
      expect(() => customers(chartIn(bad))).toThrow(/\[test\/customers\] 'context cdk8s-mesh:clusterDomain' must be a DNS domain .*got .*Fix: pass the kubelet's --cluster-domain/);
    }
  });

  test('GitOpsCluster clusterDomain: each cluster of one App renders and is analysed in its own domain', () => {
    const app = Testing.app();
    const staging = new GitOpsCluster(app, 'staging', { clusterDomain: 'staging.internal', preinstalledApiGroups: ISTIO_GROUPS });
    const production = new GitOpsCluster(app, 'production', { preinstalledApiGroups: ISTIO_GROUPS });
    const inStaging = customers(new Chart(staging.apps, 'shop'));
    const inProduction = customers(new Chart(production.apps, 'shop'));
    expect(inStaging.host).toBe('customers.default.svc.staging.internal');
    expect(inProduction.host).toBe('customers.default.svc.cluster.local');
    const web = new MeshApp(inStaging.node.scope as Chart, 'web', {
      versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/web-frontend:1.0.0' }],
      env: { CUSTOMERS_URL: kplus.EnvValue.fromValue(`http://${inStaging.host}`) },
    });
    expect(web.host).toBe('web.default.svc.staging.internal');
    const report = analyze(app);
    expect(report.errors).toEqual([]);
    // The cluster's mesh graph resolves the env URL in the cluster's domain: web calls customers.
    const graph = renderFiles(report, app).get('clusters/staging/MESH-GRAPH.md')!;
    expect(graph).toContain('svc_default_web --> svc_default_customers');
    expect(() => new GitOpsCluster(Testing.app(), 'c', { clusterDomain: 'svc.cluster.local' }))
      .toThrow(/\[c\] 'clusterDomain' must be a DNS domain without the 'svc\.' part .*got "svc\.cluster\.local"\. Fix: pass the kubelet's --cluster-domain/);
  });

  describe('the reference platform built in another cluster domain', () => {
    const app = appIn({ [CLUSTER_DOMAIN_CONTEXT]: DOMAIN });
    const platform = buildReferencePlatform(app);
    const report = analyze(app);
    const manifests = report.objects.map((o) => o.manifest);

    test('synthesizes without analysis errors', () => {
      expect(report.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    });

    test('S1: the sidecar-less web-frontend calling customers by its FQDN is still found (env URL in the cluster domain)', () => {
      const s1 = report.warnings.filter((w) => w.rule === 'sidecarless-mtls' && /web-frontend/.test(w.path));
      expect(s1.some((w) => /calls "default\/customers-v1"/.test(w.message))).toBe(true);
    });

    test('no object names a host in cluster.local', () => {
      const hosts = JSON.stringify(manifests).match(/[a-z0-9.-]+\.svc\.cluster\.local/g) ?? [];
      expect([...new Set(hosts)]).toEqual([]);
    });

    test('istiod gets global.proxy.clusterDomain (the sidecars\' and istiod\'s --domain)', () => {
      const istiod = manifests.filter((m) => m.kind === 'HelmRelease' && m.spec?.chart?.spec?.chart === 'istiod');
      expect(istiod.length).toBeGreaterThan(0);
      for (const r of istiod) expect(r.spec.values.global.proxy).toEqual({ clusterDomain: DOMAIN });
      expect(platform.production.sampleApp.customers.host).toBe(`customers.default.svc.${DOMAIN}`);
    });

    test('the default cluster domain leaves global.proxy unset', () => {
      const plain = Testing.app();
      buildReferencePlatform(plain);
      const values = plain.charts.flatMap((c) => c.toJson()).filter((m: any) => m.kind === 'HelmRelease' && m.spec?.chart?.spec?.chart === 'istiod')
        .map((m: any) => m.spec.values.global);
      expect(values.length).toBeGreaterThan(0);
      for (const g of values) expect(g.proxy).toBeUndefined();
    });
  });
});
