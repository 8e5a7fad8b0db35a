import { App, Chart, Testing } from 'cdk8s';
import {
  analyze, AuthorizationPolicy, CanaryRelease, ExternalProtocol, MeshApp, MeshNamespace, MeshWideMtls, MtlsMode, ServiceEntry,
} from '../../lib';
import { AnalysisContext } from '../../lib/analysis/context';
import { manifestTopology } from '../../lib/analysis/topology';
import { constructTopology, MeshTopology } from '../../lib/private/topology';

/**
 * The same topology questions, asked by a construct-side caller (constructTopology: what CanaryRelease and
 * MeshNamespace use) and a rule-side caller (manifestTopology: what the sidecarless-mtls rule uses), must get the
 * same answers.
 */
function bothSides(chart: Chart): Array<[string, MeshTopology]> {
  const report = analyze(chart.node.root as App);
  return [['construct side', constructTopology(chart)], ['rule side', manifestTopology(new AnalysisContext(report.objects))]];
}

function podinfo(chart: Chart, namespace = 'shop'): MeshApp {
  return new MeshApp(chart, 'podinfo', {
    namespace,
    ports: [{ name: 'http', port: 9898 }],
    versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }],
    autoscaling: { minReplicas: 2, maxReplicas: 4 },
  });
}

const POD = { app: 'podinfo', version: 'v1' };

describe('mesh topology', () => {
  test('PERMISSIVE is the default when no PeerAuthentication applies, on both sides', () => {
    const chart = Testing.chart();
    podinfo(chart);
    for (const [side, t] of bothSides(chart)) {
      expect([side, t.namespaceMode('shop')]).toEqual([side, { mode: 'PERMISSIVE', from: 'Istio\'s default, no PeerAuthentication' }]);
      expect([side, t.workloadMode('shop', POD).mode]).toEqual([side, 'PERMISSIVE']);
    }
  });

  test('a mesh-wide policy (root namespace) makes a namespace without its own policy STRICT, on both sides', () => {
    const chart = Testing.chart();
    podinfo(chart);
    new MeshWideMtls(chart, 'mesh');
    for (const [side, t] of bothSides(chart)) {
      expect([side, t.namespaceMode('shop')]).toEqual([side, { mode: 'STRICT', from: 'PeerAuthentication "default" in "istio-system"' }]);
      expect([side, t.workloadMode('shop', POD).mode]).toEqual([side, 'STRICT']);
    }
  });

  test('the namespace policy overrides the mesh-wide one, and a workload exception overrides the namespace, on both sides', () => {
    const chart = Testing.chart();
    const app = podinfo(chart);
    new MeshWideMtls(chart, 'mesh', { mode: MtlsMode.PERMISSIVE });
    const ns = new MeshNamespace(chart, 'shop', { mtls: MtlsMode.STRICT });
    ns.addWorkloadException(app, MtlsMode.PERMISSIVE);
    for (const [side, t] of bothSides(chart)) {
      expect([side, t.namespaceMode('shop')]).toEqual([side, { mode: 'STRICT', from: 'PeerAuthentication "default" in "shop"' }]);
      expect([side, t.workloadMode('shop', POD)]).toEqual([side, { mode: 'PERMISSIVE', from: 'PeerAuthentication "podinfo-mtls" in "shop"' }]);
      // pods the exception does not select keep the namespace mode
      expect([side, t.workloadMode('shop', { app: 'other' }).mode]).toEqual([side, 'STRICT']);
      expect([side, t.namespaceMode('elsewhere').mode]).toEqual([side, 'PERMISSIVE']);
    }
  });

  test('default deny, ALLOW policies, egress restriction and injection get the same answers on both sides', () => {
    const chart = Testing.chart();
    const app = podinfo(chart);
    new MeshNamespace(chart, 'shop', { denyAll: true, restrictEgress: true });
    new MeshNamespace(chart, 'legacy', { injection: undefined, labels: { team: 'a' } });
    const api = new ServiceEntry(chart, 'api', { namespace: 'shop', hosts: ['api.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    app.allowEgressTo(api);
    new AuthorizationPolicy(chart, 'other', { namespace: 'other', rules: [{ from: [{ namespaces: ['x'] }] }] });
    for (const [side, t] of bothSides(chart)) {
      expect([side, t.deniesByDefault('shop'), t.deniesByDefault('other')]).toEqual([side, true, false]);
      expect([side, t.allowPoliciesApply('shop', POD), t.allowPoliciesApply('other', POD)]).toEqual([side, true, true]);
      expect([side, t.egressRestriction('shop')?.registryOnly, t.egressRestriction('shop')?.sidecar.egressHosts])
        .toEqual([side, true, ['./*', 'istio-system/*', 'shop/api.example.com']]);
      expect([side, t.egressRestriction('legacy')]).toEqual([side, undefined]);
      expect([side, t.injected('shop', { labels: POD }), t.injected('shop', { labels: { 'sidecar.istio.io/inject': 'false' } })]).toEqual([side, true, false]);
    }
  });

  test('construct-side caller: CanaryRelease.strictMtls follows the same precedence (workload exception > namespace > mesh)', () => {
    const strictMtls = (setup: (chart: Chart, app: MeshApp) => void) => {
      const chart = Testing.chart();
      const app = podinfo(chart);
      setup(chart, app);
      const canary = new CanaryRelease(chart, 'canary', { app });
      const s = Testing.synth(chart).find((o) => o.kind === 'Canary').spec.service;
      return { strict: canary.strictMtls, tls: s.trafficPolicy?.tls };
    };
    expect(strictMtls(() => undefined)).toEqual({ strict: false, tls: undefined });
    expect(strictMtls((c) => new MeshWideMtls(c, 'mesh'))).toEqual({ strict: true, tls: { mode: 'ISTIO_MUTUAL' } });
    // a PERMISSIVE namespace overrides a STRICT mesh (the rules say so too; before, the canary still forced ISTIO_MUTUAL)
    expect(strictMtls((c) => {
      new MeshWideMtls(c, 'mesh');
      new MeshNamespace(c, 'shop', { mtls: MtlsMode.PERMISSIVE });
    })).toEqual({ strict: false, tls: undefined });
    // a workload exception on the released app (selecting its pods through the label Flagger keeps) overrides a STRICT namespace
    expect(strictMtls((c, app) => new MeshNamespace(c, 'shop', { mtls: MtlsMode.STRICT }).addWorkloadException(app, MtlsMode.PERMISSIVE)))
      .toEqual({ strict: false, tls: undefined });
  });

  test('rule-side caller: sidecarless-mtls reports STRICT from the mesh-wide policy, and a warning under the workload exception', () => {
    const chart = Testing.chart();
    const app = podinfo(chart);
    new MeshApp(chart, 'legacy-client', {
      namespace: 'shop', sidecar: false, versions: [{ name: 'v1', image: 'example/client:1' }],
    }).connectTo(app);
    new MeshWideMtls(chart, 'mesh');
    const rule = () => analyze(chart.node.root as App).findings.filter((f) => f.rule === 'sidecarless-mtls');
    expect(rule().map((f) => [f.severity, /STRICT from PeerAuthentication "default" in "istio-system"/.test(f.message)])).toEqual([['error', true]]);
    new MeshNamespace(chart, 'shop').addWorkloadException(app, MtlsMode.PERMISSIVE);
    expect(rule().map((f) => [f.severity, /PERMISSIVE \(PeerAuthentication "podinfo-mtls" in "shop"\)/.test(f.message)])).toEqual([['warning', true]]);
  });

  test('constructs see policies defined after they ask, since the per-App index is read when asked', () => {
    const chart = Testing.chart();
    expect(constructTopology(chart).namespaceMode('shop').mode).toBe('PERMISSIVE');
    new MeshNamespace(chart, 'shop', { mtls: MtlsMode.STRICT });
    expect(constructTopology(chart).namespaceMode('shop').mode).toBe('STRICT');
    // another App does not see it
    expect(constructTopology(Testing.chart()).namespaceMode('shop').mode).toBe('PERMISSIVE');
  });
});
