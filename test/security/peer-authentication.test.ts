import { Testing } from 'cdk8s';
import { MeshPeer, PeerAuthentication, MtlsMode } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { TestWorkload } from '../util/fixtures';
import { find } from '../util/synth';

describe('PeerAuthentication', () => {
  test('default: namespace-wide policy "default", STRICT, in the chart namespace', () => {
    const chart = Testing.chart();
    new PeerAuthentication(chart, 'Mtls');
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    const pa = find(out, 'PeerAuthentication', 'default');
    expect(pa.apiVersion).toBe('security.istio.io/v1');
    expect(pa.metadata.namespace).toBe('default');
    expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });
    expectValidManifests(out);
  });

  test('workload policy selects the pods, is named <workload>-mtls and carries port exceptions', () => {
    const chart = Testing.chart();
    const customers = new TestWorkload(chart, 'customers', { namespace: 'shop' });
    const pa = new PeerAuthentication(chart, 'Mtls', { workload: customers, mode: MtlsMode.PERMISSIVE });
    expect(pa.addPortMtls(9090, MtlsMode.DISABLE)).toBe(pa);
    pa.addPortMtls(8080, MtlsMode.STRICT);
    const out = Testing.synth(chart);
    const m = find(out, 'PeerAuthentication', 'customers-mtls', 'shop');
    expect(m.spec).toEqual({
      selector: { matchLabels: { app: 'customers' } },
      mtls: { mode: 'PERMISSIVE' },
      portLevelMtls: { 8080: { mode: 'STRICT' }, 9090: { mode: 'DISABLE' } },
    });
    expect(Object.keys(m.spec.portLevelMtls)).toEqual(['8080', '9090']);
    expectValidManifests(out);
  });

  test('UNSET on a workload policy inherits (no mtls field)', () => {
    const chart = Testing.chart();
    const w = new TestWorkload(chart, 'w');
    new PeerAuthentication(chart, 'Mtls', { workload: w, mode: MtlsMode.UNSET }).addPortMtls(15090, MtlsMode.DISABLE);
    const m = find(Testing.synth(chart), 'PeerAuthentication', 'w-mtls');
    expect(m.spec.mtls).toBeUndefined();
  });

  test('fails when a port exception is added to a namespace-wide policy', () => {
    const chart = Testing.chart();
    const pa = new PeerAuthentication(chart, 'Mtls');
    expect(() => pa.addPortMtls(8080, MtlsMode.DISABLE)).toThrow(/\[test\/Mtls\] 'portLevelMtls' needs a workload selector.*got 8080\. Fix: pass 'workload'/);
  });

  test('fails on an out-of-range port and on conflicting port modes', () => {
    const chart = Testing.chart();
    const pa = new PeerAuthentication(chart, 'Mtls', { workload: new TestWorkload(chart, 'w') });
    expect(() => pa.addPortMtls(70000, MtlsMode.DISABLE)).toThrow(/'portLevelMtls\[70000\]' must be an integer from 1 to 65535, got 70000/);
    pa.addPortMtls(8080, MtlsMode.DISABLE);
    expect(() => pa.addPortMtls(8080, MtlsMode.STRICT)).toThrow(/'portLevelMtls\[8080\]' is already DISABLE, got "STRICT"/);
  });

  test('fails when namespace-wide mode is UNSET', () => {
    expect(() => new PeerAuthentication(Testing.chart(), 'Mtls', { mode: MtlsMode.UNSET }))
      .toThrow(/'mode' UNSET has no parent to inherit from.*Fix: use MtlsMode.STRICT/);
  });

  test('fails when the workload is not selectable, has no sidecar, or lives in another namespace', () => {
    const chart = Testing.chart();
    expect(() => new PeerAuthentication(chart, 'A', { workload: MeshPeer.namespace('foo') })).toThrow(/'workload' must be a workload with pod labels/);
    expect(() => new PeerAuthentication(chart, 'B', { workload: new TestWorkload(chart, 'legacy', { sidecar: false }) }))
      .toThrow(/'workload' has no sidecar, so a PeerAuthentication selecting it has no effect, got "legacy"/);
    expect(() => new PeerAuthentication(chart, 'C', { workload: new TestWorkload(chart, 'x', { namespace: 'shop' }), namespace: 'other' }))
      .toThrow(/'namespace' must be the namespace of the workload "x" \("shop"\).*got "other"/);
  });
});
