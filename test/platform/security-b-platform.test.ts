import { Testing } from 'cdk8s';
import { buildReferencePlatform, EgressChart, IngressTlsChart, TenantCasChart } from '../../main';
import { analyze } from '../../lib';
import { expectValidManifests } from '../util/schema';

describe('reference platform: S7, S8, S13 charts', () => {
  const app = Testing.app();
  const charts = buildReferencePlatform(app);
  const report = analyze(app);
  const byChart = (id: string) => report.objects.filter((o) => o.chart.node.id === id).map((o) => o.manifest);

  test('the whole platform analyses without errors; every object of these charts validates against its schema', () => {
    expect(report.errors).toEqual([]);
    // The whole platform's objects are validated by main.test.ts / schema.test.ts.
    expectValidManifests(['tenant-cas', 'ingress-tls', 'egress'].flatMap(byChart) as any);
    expect(charts.some((c) => c instanceof TenantCasChart)).toBe(true);
    expect(charts.some((c) => c instanceof IngressTlsChart)).toBe(true);
    expect(charts.some((c) => c instanceof EgressChart)).toBe(true);
  });

  test('S7: Issuer and Certificate gateway-ca-tls next to the gateway pods, Gateway mygateway, VirtualService httpbin', () => {
    const objs = byChart('ingress-tls');
    expect(objs.find((m) => m.kind === 'Issuer')).toMatchObject({ metadata: { namespace: 'istio-system' }, spec: { selfSigned: {} } });
    expect(objs.find((m) => m.kind === 'Certificate')).toMatchObject({
      metadata: { namespace: 'istio-system' },
      spec: { secretName: 'gateway-ca-tls', dnsNames: ['example.com', 'tenanta.example.com', 'tenantb.example.com'], privateKey: { algorithm: 'ECDSA', size: 256 } },
    });
    const gw = objs.find((m) => m.kind === 'Gateway')!;
    expect(gw.metadata.name).toBe('mygateway');
    expect(gw.spec.servers[0]).toMatchObject({ port: { number: 443, protocol: 'HTTPS' }, hosts: ['tenanta.example.com', 'tenantb.example.com'], tls: { mode: 'SIMPLE', credentialName: 'gateway-ca-tls' } });
    expect(gw.spec.servers[1]).toMatchObject({ port: { number: 80, protocol: 'HTTP' }, tls: { httpsRedirect: true } });
    const vs = objs.find((m) => m.kind === 'VirtualService')!;
    expect(vs.metadata.name).toBe('httpbin');
    expect(vs.spec).toMatchObject({
      hosts: ['tenanta.example.com'], gateways: ['istio-system/mygateway'],
      http: [{ match: [{ uri: { prefix: '/status' } }, { uri: { prefix: '/delay' } }], route: [{ destination: { host: 'httpbin.tenanta.svc.cluster.local' } }] }],
    });
    expect(objs.find((m) => m.kind === 'Service' && m.metadata.name === 'httpbin')!.spec.ports[0].port).toBe(8000);
  });

  test('S8: three tenants with CA chain and ProxyConfig', () => {
    const objs = byChart('tenant-cas');
    expect(objs.filter((m) => m.kind === 'ClusterIssuer').map((m) => m.metadata.name)).toEqual([
      'selfsigned-istio-system-issuer', 'istio-system', 'selfsigned-tenanta-issuer', 'tenanta', 'selfsigned-tenantb-issuer', 'tenantb',
    ]);
    expect(objs.filter((m) => m.kind === 'Certificate').map((m) => [m.metadata.namespace, m.spec.secretName, m.spec.isCA, m.spec.duration])).toEqual([
      ['cert-manager', 'istio-system-ca-selfsigned', true, '87600h'],
      ['cert-manager', 'tenanta-ca-selfsigned', true, '87600h'],
      ['cert-manager', 'tenantb-ca-selfsigned', true, '87600h'],
    ]);
    expect(objs.filter((m) => m.kind === 'ProxyConfig').map((m) => m.metadata.namespace)).toEqual(['istio-system', 'tenanta', 'tenantb']);
  });

  test('S13: ServiceEntries, TLS origination without IST0128 warning, Sidecar egress granted to sleep', () => {
    const objs = byChart('egress');
    expect(objs.filter((m) => m.kind === 'ServiceEntry').map((m) => [m.spec.hosts, m.spec.resolution])).toEqual([[['*.foo.com'], 'NONE'], [['api.example.com'], 'DNS']]);
    expect(objs.find((m) => m.kind === 'DestinationRule' && m.metadata.name === 'example-com-tls')!.spec.host).toBe('*.example.com');
    expect(objs.find((m) => m.kind === 'Sidecar')!.spec.egress[0].hosts).toEqual(['./*', 'istio-system/*', 'egress/*.foo.com', 'egress/api.example.com']);
    expect(report.warnings.filter((w) => w.rule === 'destination-rule-ca-certificates')).toEqual([]);
  });
});
