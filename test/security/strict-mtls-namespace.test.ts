import { Testing } from 'cdk8s';
import { MtlsMode, SidecarInjection, StrictMtlsNamespace } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/security-fixtures';

describe('StrictMtlsNamespace', () => {
  test('default: injection, PeerAuthentication default STRICT and AuthorizationPolicy deny-all (empty spec)', () => {
    const chart = Testing.chart();
    const ns = new StrictMtlsNamespace(chart, 'shop');
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/shop', 'PeerAuthentication/default', 'AuthorizationPolicy/deny-all']);
    expect(find(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(find(out, 'PeerAuthentication', 'default', 'shop').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(find(out, 'AuthorizationPolicy', 'deny-all', 'shop').spec).toEqual({});
    expect(ns.peerAuthentication!.mode).toBe(MtlsMode.STRICT);
    expectValidManifests(out);
  });

  test('migration: PERMISSIVE namespace, revision label, deny-all opted out explicitly', () => {
    const chart = Testing.chart();
    new StrictMtlsNamespace(chart, 'shop', { mtls: MtlsMode.PERMISSIVE, injection: SidecarInjection.revision('stable'), denyAll: false });
    const out = Testing.synth(chart);
    expect(find(out, 'PeerAuthentication', 'default', 'shop').spec.mtls.mode).toBe('PERMISSIVE');
    expect(find(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'istio.io/rev': 'stable' });
    expect(out.some((o) => o.kind === 'AuthorizationPolicy')).toBe(false);
  });

  test('throws when injection is disabled (a STRICT namespace needs sidecars)', () => {
    expect(() => new StrictMtlsNamespace(Testing.chart(), 'shop', { injection: SidecarInjection.DISABLED }))
      .toThrow(/\[test\/shop\] 'mtls' has no effect in a namespace without sidecar injection/);
  });
});
