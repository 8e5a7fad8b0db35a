import { FindingSeverity } from '../../lib';
import { MeshSecurityChart } from '../../platform/charts/mesh-security';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: mesh-security chart (S1 mTLS half, S10)', () => {
  const { platform, manifestsOf, findingsOf } = analyzedPlatform();
  const chart = platform.production.meshSecurity;
  const out = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(MeshSecurityChart);
    expect(findingsOf(chart).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expectValidManifests(out);
  });

  test('mesh-wide STRICT with *.local ISTIO_MUTUAL, and default PERMISSIVE (S1 migration state, S10)', () => {
    expect(find(out, 'PeerAuthentication', 'default', 'istio-system').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(find(out, 'DestinationRule', 'default', 'istio-system').spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
    expect(find(out, 'PeerAuthentication', 'default', 'default').spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });
});
