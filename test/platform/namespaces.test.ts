import { FindingSeverity } from '../../lib';
import { NamespacesChart } from '../../platform/charts/namespaces';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: namespaces chart (S10)', () => {
  const { platform, report, manifestsOf } = analyzedPlatform();
  const chart = platform.production.namespaces;
  const out = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(NamespacesChart);
    expectValidManifests(out);
  });

  test('S10: foo and bar injected, legacy not, and legacy pods opt out too', () => {
    const restricted = {
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted',
    };
    expect(find(out, 'Namespace', 'foo').metadata.labels).toEqual({ 'istio-injection': 'enabled', ...restricted });
    expect(find(out, 'Namespace', 'bar').metadata.labels).toEqual({ 'istio-injection': 'enabled', ...restricted });
    expect(find(out, 'Namespace', 'legacy').metadata.labels).toEqual({ 'istio-injection': 'disabled', ...restricted });
    const legacySleep = out.find((m) => m.kind === 'Deployment' && m.metadata.namespace === 'legacy' && m.metadata.name.startsWith('sleep'));
    expect(legacySleep!.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    // No legacy -> mesh call is declared, so the mesh-wide STRICT policy raises no error anywhere in the platform.
    expect(report.findings.filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
  });

  test('secure defaults: foo and bar are STRICT through the mesh-wide policy, so deny-all, NetworkPolicies, and S10 calls allowed', () => {
    for (const ns of ['foo', 'bar']) {
      expect(find(out, 'AuthorizationPolicy', 'deny-all', ns).spec).toEqual({});
      expect(find(out, 'NetworkPolicy', 'default-deny', ns)).toBeDefined();
      const allows = out.filter((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === ns && o.spec.action === 'ALLOW');
      expect(allows.flatMap((p) => p.spec.rules.flatMap((r: any) => r.from[0].source.principals)).sort()).toEqual([
        'cluster.local/ns/bar/sa/sleep', 'cluster.local/ns/foo/sa/sleep',
      ]);
    }
    // the calls declared across the two namespaces pass their NetworkPolicies: the caller's namespace (a ServiceAccount
    // peer has no pod labels) into the server's, and to the server's httpbin pods out of the caller's
    const other = (ns: string) => (ns === 'foo' ? 'bar' : 'foo');
    for (const ns of ['foo', 'bar']) {
      const allow = find(out, 'NetworkPolicy', 'allow-mesh', ns).spec;
      const nsPeer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': other(ns) } } };
      expect(allow.ingress[0].from).toContainEqual(nsPeer);
      expect(allow.egress[0].to).toContainEqual({ ...nsPeer, podSelector: { matchLabels: { app: 'httpbin' } } });
    }
    expect(out.filter((o) => o.metadata.namespace === 'legacy' && ['AuthorizationPolicy', 'NetworkPolicy'].includes(o.kind))).toEqual([]);
  });
});
