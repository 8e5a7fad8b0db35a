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

  test('api.example.com: one DestinationRule (TLS origination, connection pool, outlier detection) and a route with timeouts and retries', () => {
    const drs = objs.filter((m) => m.kind === 'DestinationRule' && m.spec.host.endsWith('example.com'));
    expect(drs.map((m) => m.metadata.name)).toEqual(['example-com-tls']);
    const port80 = drs[0].spec.trafficPolicy.portLevelSettings[0];
    expect(port80.tls).toEqual({ mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt' });
    expect(port80.outlierDetection.consecutiveGatewayErrors).toBe(5);
    expect(drs[0].spec.trafficPolicy.connectionPool.tcp).toEqual({ maxConnections: 100, connectTimeout: '2s' });
    const vs = objs.find((m) => m.kind === 'VirtualService' && m.spec.hosts[0] === 'api.example.com')!;
    expect(vs.metadata).toEqual({ name: 'api-example-com', namespace: 'egress' });
    expect(vs.spec.http.map((r: any) => [r.name, r.timeout, r.retries.retryOn])).toEqual([
      ['get', '5s', 'connect-failure,reset-before-request,gateway-error'],
      ['default', '5s', 'connect-failure,reset-before-request'],
    ]);
    expect(vs.spec.http[1].route).toEqual([{ destination: { host: 'api.example.com', port: { number: 80 } } }]);
  });
});
