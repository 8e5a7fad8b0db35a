import { FindingSeverity } from '../../lib';
import { IngressTlsChart } from '../../platform/charts/ingress-tls';
import { expectValidManifests } from '../util/schema';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: ingress-tls chart (S7)', () => {
  const { platform, manifestsOf, findingsOf } = analyzedPlatform();
  const chart = platform.production.ingressTls;
  const objs = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(IngressTlsChart);
    expect(findingsOf(chart).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expectValidManifests(objs);
  });

  test('S7: Certificate gateway-ca-tls from the environment\'s ACME issuer next to the gateway pods, Gateway mygateway, VirtualService httpbin', () => {
    // The ingress gateway runs where the platform install puts it (istio-ingress); its certificate must be there.
    expect(objs.some((m) => m.kind === 'Issuer')).toBe(false);
    expect(objs.find((m) => m.kind === 'Certificate')).toMatchObject({
      metadata: { namespace: 'istio-ingress' },
      spec: {
        secretName: 'gateway-ca-tls', dnsNames: ['example.com', 'tenanta.example.com', 'tenantb.example.com'], privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      },
    });
    const gw = objs.find((m) => m.kind === 'Gateway')!;
    expect(gw.metadata.name).toBe('mygateway');
    expect(gw.spec.servers[0]).toMatchObject({ port: { number: 443, protocol: 'HTTPS' }, hosts: ['tenanta.example.com', 'tenantb.example.com'], tls: { mode: 'SIMPLE', credentialName: 'gateway-ca-tls' } });
    expect(gw.spec.servers[1]).toMatchObject({ port: { number: 80, protocol: 'HTTP' }, tls: { httpsRedirect: true } });
    const vs = objs.find((m) => m.kind === 'VirtualService')!;
    expect(vs.metadata.name).toBe('httpbin');
    expect(vs.spec).toMatchObject({
      hosts: ['tenanta.example.com'], gateways: ['istio-ingress/mygateway'],
      http: [{ match: [{ uri: { prefix: '/status' } }, { uri: { prefix: '/delay' } }], route: [{ destination: { host: 'httpbin.tenanta.svc.cluster.local' } }] }],
    });
    expect(objs.find((m) => m.kind === 'Service' && m.metadata.name === 'httpbin')!.spec.ports[0].port).toBe(8000);
  });
});
