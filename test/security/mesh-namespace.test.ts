import { Testing } from 'cdk8s';
import { MeshNamespace, MeshPeer, MtlsMode, PodSecurityLevel, SidecarInjection } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { TestWorkload } from '../util/fixtures';
import { find } from '../util/synth';

const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

describe('MeshNamespace', () => {
  test('default: Namespace with injection and Pod Security restricted, NetworkPolicies; no deny-all without STRICT', () => {
    const chart = Testing.chart();
    const ns = new MeshNamespace(chart, 'foo');
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/foo', 'NetworkPolicy/default-deny', 'NetworkPolicy/allow-mesh']);
    expect(find(out, 'Namespace', 'foo').metadata.labels).toEqual({
      'istio-injection': 'enabled',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(ns.podSecurity).toBe(PodSecurityLevel.RESTRICTED);
    expect(ns.peerAuthentication).toBeUndefined();
    // Istio's default (PERMISSIVE) applies: plaintext callers carry no identity an ALLOW rule could name.
    expect(ns.deniesByDefault).toBe(false);
    expect(ns.denyAllPolicy).toBeUndefined();
    expect(ns.sidecar).toBeUndefined();
    expect(ns.networkPolicies).toHaveLength(2);
    expectValidManifests(out);
  });

  test('outside the mesh (S10 legacy): istio-injection=disabled; a revision label for canary control planes', () => {
    const chart = Testing.chart();
    new MeshNamespace(chart, 'legacy', { injection: SidecarInjection.DISABLED });
    new MeshNamespace(chart, 'canary', { injection: SidecarInjection.revision('1-30-3'), labels: { team: 'shop' } });
    const out = Testing.synth(chart);
    expect(find(out, 'Namespace', 'legacy').metadata.labels).toEqual({ 'istio-injection': 'disabled', ...RESTRICTED });
    expect(find(out, 'Namespace', 'canary').metadata.labels).toEqual({ 'istio.io/rev': '1-30-3', 'team': 'shop', ...RESTRICTED });
    // outside the mesh: no NetworkPolicies unless asked for
    expect(out.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'legacy')).toEqual([]);
    expect(new MeshNamespace(chart, 'x', { injection: SidecarInjection.DISABLED }).meshIdentity().sidecar).toBe(false);
    expectValidManifests(out);
  });

  test('namespace-wide mode, workload and port exceptions (S1 migration)', () => {
    const chart = Testing.chart();
    const ns = new MeshNamespace(chart, 'shop', { mtls: MtlsMode.PERMISSIVE });
    const customers = new TestWorkload(chart, 'customers', { namespace: 'shop' });
    const metrics = new TestWorkload(chart, 'metrics', { namespace: 'shop' });
    const a = ns.addWorkloadException(customers, MtlsMode.STRICT);
    const b = ns.addPortException(metrics, 9090, MtlsMode.DISABLE);
    expect(ns.addPortException(metrics, 9091, MtlsMode.DISABLE)).toBe(b);
    const out = Testing.synth(chart);
    expect(find(out, 'PeerAuthentication', 'default', 'shop').spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
    expect(find(out, 'PeerAuthentication', 'customers-mtls', 'shop').spec).toEqual({ selector: { matchLabels: { app: 'customers' } }, mtls: { mode: 'STRICT' } });
    expect(find(out, 'PeerAuthentication', 'metrics-mtls', 'shop').spec).toEqual({
      selector: { matchLabels: { app: 'metrics' } }, portLevelMtls: { 9090: { mode: 'DISABLE' }, 9091: { mode: 'DISABLE' } },
    });
    expect(a.mode).toBe(MtlsMode.STRICT);
    // a workload exception after a port exception sets the workload mode on the same policy
    expect(ns.addWorkloadException(metrics, MtlsMode.PERMISSIVE)).toBe(b);
    expect(find(Testing.synth(chart), 'PeerAuthentication', 'metrics-mtls').spec.mtls).toEqual({ mode: 'PERMISSIVE' });
    expectValidManifests(out);
  });

  test('restrictEgress: Sidecar default with ./* and istio-system/*, REGISTRY_ONLY, extended by addEgressHosts', () => {
    const chart = Testing.chart();
    const ns = new MeshNamespace(chart, 'foo', { restrictEgress: true });
    const sidecar = ns.addEgressHosts('istio-system/api.example.com', 'bar/*');
    expect(ns.addEgressHosts('bar/*')).toBe(sidecar);
    const out = Testing.synth(chart);
    expect(find(out, 'Sidecar', 'default', 'foo').spec).toEqual({
      egress: [{ hosts: ['./*', 'istio-system/*', 'istio-system/api.example.com', 'bar/*'] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
    expectValidManifests(out);
  });

  test('networkPolicy (default of a mesh namespace): default-deny plus allow-mesh (namespace, istio-system, kube-dns), extended per peer', () => {
    const chart = Testing.chart();
    const ns = new MeshNamespace(chart, 'foo');
    ns.allowNetworkFrom(MeshPeer.namespace('monitoring'));
    ns.allowNetworkTo(new TestWorkload(chart, 'db', { namespace: 'data' }));
    const out = Testing.synth(chart);
    expect(find(out, 'NetworkPolicy', 'default-deny', 'foo').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const allow = find(out, 'NetworkPolicy', 'allow-mesh', 'foo');
    expect(allow.spec.ingress[0].from).toEqual([
      { podSelector: {} },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
    expect(allow.spec.egress[0].to[2]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'db' } },
    });
    expect(allow.spec.egress[1]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    });
    expectValidManifests(out);
  });

  test('allowFrom on the namespace: allow-<peer> without selector', () => {
    const chart = Testing.chart();
    const ns = new MeshNamespace(chart, 'bar', { denyAll: true });
    const p = ns.allowFrom(MeshPeer.namespace('foo'), { methods: ['GET'] });
    expect(ns.allowFrom(MeshPeer.namespace('foo'), { methods: ['GET'] })).toBe(p);
    const out = Testing.synth(chart);
    expect(find(out, 'AuthorizationPolicy', 'deny-all', 'bar').spec).toEqual({});
    expect(find(out, 'AuthorizationPolicy', 'allow-ns-foo', 'bar').spec).toEqual({
      action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['foo'] } }], to: [{ operation: { methods: ['GET'] } }] }],
    });
    expectValidManifests(out);
  });

  test('fails when mesh settings are asked of a namespace without injection', () => {
    const chart = Testing.chart();
    expect(() => new MeshNamespace(chart, 'a', { injection: SidecarInjection.DISABLED, mtls: MtlsMode.STRICT }))
      .toThrow(/\[test\/a\] 'mtls' has no effect in a namespace without sidecar injection.*got "STRICT"\. Fix: enable injection/);
    expect(() => new MeshNamespace(chart, 'b', { injection: SidecarInjection.DISABLED, denyAll: true })).toThrow(/'denyAll' has no effect/);
    const legacy = new MeshNamespace(chart, 'legacy', { injection: SidecarInjection.DISABLED });
    expect(() => legacy.allowFrom(MeshPeer.namespace('foo'))).toThrow(/'allowFrom' has no effect in a namespace without sidecar injection/);
  });

  test('fails on an injection label in labels, a bad name, and egress/network verbs that were not enabled', () => {
    const chart = Testing.chart();
    expect(() => new MeshNamespace(chart, 'a', { labels: { 'istio-injection': 'enabled' } })).toThrow(/'labels.istio-injection' is managed by 'injection'/);
    expect(() => new MeshNamespace(chart, 'Bad_Name')).toThrow(/'name' must be a DNS-1123 label/);
    const ns = new MeshNamespace(chart, 'foo');
    expect(() => ns.addEgressHosts('istio-system/x.com')).toThrow(/'restrictEgress' must be true to add egress hosts.*got false\. Fix: pass restrictEgress: true/);
    const open = new MeshNamespace(chart, 'open', { networkPolicy: false });
    expect(() => open.allowNetworkFrom(MeshPeer.namespace('bar')))
      .toThrow(/\[test\/open\] 'allowNetworkFrom' needs the namespace NetworkPolicies, got "networkPolicy: false"\. Fix: drop networkPolicy: false/);
  });

  test('fails on a malformed egress host and on exceptions for workloads of another namespace', () => {
    const chart = Testing.chart();
    const ns = new MeshNamespace(chart, 'foo', { restrictEgress: true });
    expect(() => ns.addEgressHosts('api.example.com')).toThrow(/'egress.hosts' must be "<namespace>\/<dnsName>".*got "api.example.com"\. Fix: use e.g. "istio-system\/api.example.com"/);
    const other = new TestWorkload(chart, 'w', { namespace: 'bar' });
    expect(() => ns.addWorkloadException(other, MtlsMode.PERMISSIVE)).toThrow(/'workload' must run in namespace "foo", got "bar\/w"/);
    const mine = new TestWorkload(chart, 'm', { namespace: 'foo' });
    ns.addWorkloadException(mine, MtlsMode.PERMISSIVE);
    expect(() => ns.addWorkloadException(mine, MtlsMode.DISABLE)).toThrow(/'addWorkloadException' workload "m" already has mode PERMISSIVE/);
  });
});
