import { Testing } from 'cdk8s';
import { MeshWideMtls, MtlsMode } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';

describe('MeshWideMtls', () => {
  test('default: PeerAuthentication "default" STRICT in istio-system, no DestinationRule', () => {
    const chart = Testing.chart();
    const mesh = new MeshWideMtls(chart, 'Mesh');
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out).toHaveLength(1);
    const pa = find(out, 'PeerAuthentication', 'default', 'istio-system');
    expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(mesh.mode).toBe(MtlsMode.STRICT);
    expect(mesh.destinationRule).toBeUndefined();
    expectValidManifests(out);
  });

  test('PERMISSIVE (the revert) and a custom root namespace', () => {
    const chart = Testing.chart();
    new MeshWideMtls(chart, 'Mesh', { mode: MtlsMode.PERMISSIVE, rootNamespace: 'istio-config' });
    const pa = find(Testing.synth(chart), 'PeerAuthentication', 'default', 'istio-config');
    expect(pa.spec.mtls.mode).toBe('PERMISSIVE');
  });

  test('istioMutualDestinationRule emits DestinationRule default for *.local with ISTIO_MUTUAL (S10)', () => {
    const chart = Testing.chart();
    new MeshWideMtls(chart, 'Mesh', { istioMutualDestinationRule: true });
    const out = Testing.synth(chart);
    const dr = find(out, 'DestinationRule', 'default', 'istio-system');
    expect(dr.apiVersion).toBe('networking.istio.io/v1');
    expect(dr.spec).toEqual({ host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
    expectValidManifests(out);
  });

  test('fails on UNSET, and on ISTIO_MUTUAL with DISABLE', () => {
    expect(() => new MeshWideMtls(Testing.chart(), 'Mesh', { mode: MtlsMode.UNSET })).toThrow(/\[test\/Mesh\] 'mode' cannot be UNSET at mesh level/);
    expect(() => new MeshWideMtls(Testing.chart(), 'Mesh', { mode: MtlsMode.DISABLE, istioMutualDestinationRule: true }))
      .toThrow(/'istioMutualDestinationRule' contradicts mode DISABLE.*got true\. Fix:/);
  });
});
