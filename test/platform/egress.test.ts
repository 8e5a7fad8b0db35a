import { FindingSeverity } from '../../lib';
import { EgressChart } from '../../platform/charts/egress';
import { expectValidManifests } from '../util/schema';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: egress chart (S13)', () => {
  const { platform, report, manifestsOf, findingsOf } = analyzedPlatform();
  const chart = platform.production.egress;
  const objs = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(EgressChart);
    expect(findingsOf(chart).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expectValidManifests(objs);
  });

  test('S13: ServiceEntries, TLS origination without IST0128 warning, Sidecar egress granted to sleep', () => {
    expect(objs.filter((m) => m.kind === 'ServiceEntry').map((m) => [m.spec.hosts, m.spec.resolution])).toEqual([[['*.foo.com'], 'NONE'], [['api.example.com'], 'DNS']]);
    expect(objs.find((m) => m.kind === 'DestinationRule' && m.metadata.name === 'example-com-tls')!.spec.host).toBe('*.example.com');
    expect(objs.find((m) => m.kind === 'Sidecar')!.spec.egress[0].hosts).toEqual(['./*', 'istio-system/*', 'egress/*.foo.com', 'egress/api.example.com']);
    expect(report.warnings.filter((w) => w.rule === 'destination-rule-ca-certificates')).toEqual([]);
  });
});
