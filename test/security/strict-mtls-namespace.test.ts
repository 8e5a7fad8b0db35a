import { Testing } from 'cdk8s';
import { MtlsMode, SidecarInjection, StrictMtlsNamespace } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { TestWorkload } from '../util/fixtures';
import { find } from '../util/synth';

describe('StrictMtlsNamespace', () => {
  test('default: injection, PeerAuthentication default STRICT and AuthorizationPolicy deny-all (empty spec)', () => {
    const chart = Testing.chart();
    const ns = new StrictMtlsNamespace(chart, 'shop');
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/shop', 'PeerAuthentication/default', 'AuthorizationPolicy/deny-all', 'NetworkPolicy/default-deny', 'NetworkPolicy/allow-mesh',
    ]);
    expect(find(out, 'Namespace', 'shop').metadata.labels).toEqual({
      'istio-injection': 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(find(out, 'PeerAuthentication', 'default', 'shop').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(find(out, 'AuthorizationPolicy', 'deny-all', 'shop').spec).toEqual({});
    expect(ns.peerAuthentication!.mode).toBe(MtlsMode.STRICT);
    expectValidManifests(out);
  });

  test('migration: a PERMISSIVE workload exception, revision label, deny-all opted out explicitly', () => {
    const chart = Testing.chart();
    const ns = new StrictMtlsNamespace(chart, 'shop', { injection: SidecarInjection.revision('stable'), denyAll: false });
    ns.addWorkloadException(new TestWorkload(chart, 'legacy', { namespace: 'shop' }), MtlsMode.PERMISSIVE);
    const out = Testing.synth(chart);
    expect(find(out, 'PeerAuthentication', 'default', 'shop').spec.mtls.mode).toBe('STRICT');
    expect(out.filter((o) => o.kind === 'PeerAuthentication').map((o) => o.spec.mtls.mode).sort()).toEqual(['PERMISSIVE', 'STRICT']);
    expect(find(out, 'Namespace', 'shop').metadata.labels['istio.io/rev']).toBe('stable');
    expect(out.some((o) => o.kind === 'AuthorizationPolicy')).toBe(false);
    expectValidManifests(out);
  });

  test.each([['PERMISSIVE', MtlsMode.PERMISSIVE], ['DISABLE', MtlsMode.DISABLE], ['UNSET', MtlsMode.UNSET]])(
    'fails when a non-STRICT mode %s is forced in (the type has no mtls prop)', (name, mode) => {
      expect(() => new StrictMtlsNamespace(Testing.chart(), 'shop', { mtls: mode } as any))
        .toThrow(new RegExp(`\\[test\\] 'shop.mtls' cannot be set on a StrictMtlsNamespace \\(it is always STRICT\\), got "${name}"\\. Fix: use MeshNamespace`));
    });

  test('fails when injection is disabled (a STRICT namespace needs sidecars)', () => {
    expect(() => new StrictMtlsNamespace(Testing.chart(), 'shop', { injection: SidecarInjection.DISABLED }))
      .toThrow(/\[test\/shop\] 'mtls' has no effect in a namespace without sidecar injection/);
  });
});
