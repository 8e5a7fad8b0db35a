import { ApiObject, Chart } from 'cdk8s';
import { expectValidManifests, isCustomResource } from '../util/schema';
import { analyzedPlatform } from './reference-platform';

describe('reference platform (platform/)', () => {
  const { platform, report } = analyzedPlatform();

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(report.errors).toEqual([]);
    expectValidManifests(report.objects.map((o) => o.manifest));
  });

  test('each cluster record holds every chart of its cluster, each written to a folder of its layer', () => {
    for (const cluster of [platform.staging, platform.production]) {
      const records = Object.values(cluster).filter((c): c is Chart => c instanceof Chart);
      const inCluster = new Set(report.objects.map((o) => o.chart).filter((c) => c.node.path.startsWith(`${cluster.cluster.node.id}/`)));
      const recorded = new Set(records);
      // every recorded chart is in the cluster; the rest are the platform install and the Flux entry charts
      for (const c of recorded) expect(inCluster.has(c)).toBe(true);
      for (const c of inCluster) if (!recorded.has(c)) expect(['platform', 'control-plane', 'observability', 'Flux']).toContain(c.node.id);
      expect(records.map((c) => c.node.id).sort()).toEqual(['bookinfo', 'canary', 'egress', 'image-automation', 'ingress-tls', 'issuers',
        'l4-routing', 'mesh-security', 'namespaces', 'sample-app', 'tenant-cas', 'zero-trust']);
    }
  });

  test('charts hold no global state: a second platform in another app synthesizes the same manifests', () => {
    const again = analyzedPlatform();
    expect(again.report.objects.map((o) => o.manifest)).toEqual(report.objects.map((o) => o.manifest));
    expect(again.report.findings).toEqual(report.findings);
  });

  test('no field is lost by the generated converters of imports/', () => {
    // Generated classes map TypeScript property names to API names and silently drop keys they do not know.
    // Constructs either pass typed props (TypeScript names, renamed by the converter) or render API JSON and
    // opt out of the converter (withApiFieldNames). Either way every value must survive.
    const leaves = (v: unknown): number => (v !== null && typeof v === 'object'
      ? Object.values(v as object).reduce((n: number, x) => n + leaves(x), 0)
      : 1);
    const crs = report.objects.filter((o) => isCustomResource(o.manifest));
    expect(crs.length).toBeGreaterThan(10);
    const lost = crs
      .filter((o) => leaves(o.manifest) < leaves(ApiObject.prototype.toJson.call(o.apiObject)))
      .map((o) => o.path);
    expect(lost).toEqual([]);
  });

  test('every workload runs under Pod Security "restricted"', () => {
    for (const o of report.objects.filter((x) => x.manifest.kind === 'Deployment')) {
      const pod = o.manifest.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources.requests).toBeDefined();
        expect(c.readinessProbe ?? c.startupProbe).toBeDefined();
      }
    }
  });

  test('no object name or pod label carries a construct-path hash', () => {
    for (const o of report.objects) {
      expect(o.manifest.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
      const podLabels = o.manifest.spec?.template?.metadata?.labels ?? {};
      expect(Object.keys(podLabels)).not.toContain('cdk8s.io/metadata.addr');
    }
  });
});
