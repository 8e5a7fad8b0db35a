import { find } from '../util/synth';
import { analyzedPlatform } from './reference-platform';

/** The reference platform with the secure defaults of mesh namespaces: every scenario's callers still get through. */
describe('reference platform: secure defaults of mesh namespaces', () => {
  const { platform, report } = analyzedPlatform();
  const all = report.objects.filter((o) => o.path.startsWith('production/')).map((o) => o.manifest);
  const of = (kind: string, ns: string) => all.filter((o) => o.kind === kind && o.metadata.namespace === ns);
  const allowMesh = (ns: string) => find(all, 'NetworkPolicy', 'allow-mesh', ns).spec;
  const nsPeer = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

  test('every mesh namespace enforces Pod Security restricted (istio-cni is installed); istio-system admits the CNI agent', () => {
    expect(platform.production.platform.cniEnabled).toBe(true);
    for (const ns of ['foo', 'bar', 'legacy', 'zero-trust', 'test', 'egress', 'tenanta', 'tenantb']) {
      expect([ns, find(all, 'Namespace', ns).metadata.labels['pod-security.kubernetes.io/enforce']]).toEqual([ns, 'restricted']);
    }
    expect(find(all, 'Namespace', 'istio-system').metadata.labels).toEqual({ 'pod-security.kubernetes.io/enforce': 'privileged' });
  });

  test('mesh namespaces STRICT through the mesh-wide policy deny by default, and NetworkPolicies admit the platform', () => {
    for (const ns of ['foo', 'bar', 'zero-trust', 'test', 'egress', 'tenanta', 'tenantb']) {
      expect([ns, of('AuthorizationPolicy', ns).some((p) => p.metadata.name === 'deny-all')]).toEqual([ns, true]);
      expect(allowMesh(ns).ingress[0].from).toEqual(expect.arrayContaining([nsPeer('istio-system'), nsPeer('istio-ingress'), nsPeer('loadtester')]));
      expect(allowMesh(ns).ingress[1]).toEqual({ from: [nsPeer('monitoring')], ports: [{ protocol: 'TCP', port: 15020 }, { protocol: 'TCP', port: 15090 }] });
    }
    // the sample app's namespace stays PERMISSIVE for S1's migration and is no MeshNamespace: untouched
    expect(of('NetworkPolicy', 'default')).toEqual([]);
  });

  test('S7: the gateway is allowed to httpbin in tenanta; S13: the egress namespace lets the sidecar out on 443', () => {
    const allow = find(all, 'AuthorizationPolicy', 'httpbin-allow-mygateway', 'tenanta');
    expect(allow.spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/istio-ingress/sa/istio-ingressgateway']);
    expect(allowMesh('egress').egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  });
});
