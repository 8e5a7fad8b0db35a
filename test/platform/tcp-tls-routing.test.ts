import { FindingSeverity } from '../../lib';
import { TcpTlsRoutingChart } from '../../platform/charts/tcp-tls-routing';
import { expectValidManifests } from '../util/schema';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: l4-routing chart (TCP traffic shifting, TLS passthrough)', () => {
  const { platform, manifestsOf, findingsOf, report } = analyzedPlatform();
  const chart = platform.production.l4Routing;
  const objs = manifestsOf(chart);
  const find = (kind: string, name: string) => objs.find((m) => m.kind === kind && m.metadata.name === name)!;

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(TcpTlsRoutingChart);
    expect(findingsOf(chart).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expectValidManifests(objs);
  });

  test('Gateway l4-gateway: a TCP server on 31400 and a PASSTHROUGH server on 443, no plaintext HTTP', () => {
    expect(find('Gateway', 'l4-gateway').spec.servers).toEqual([
      { name: 'tcp-31400', port: { number: 31400, name: 'tcp-31400', protocol: 'TCP' }, hosts: ['*'] },
      { name: 'tls-443', port: { number: 443, name: 'tls-443', protocol: 'TLS' }, hosts: ['nginx.example.com'], tls: { mode: 'PASSTHROUGH' } },
    ]);
  });

  test('tcp-echo: 80/20 split of connections on the mesh and at the gateway TCP server', () => {
    const host = 'tcp-echo.l4-routing.svc.cluster.local';
    expect(find('VirtualService', 'tcp-echo').spec).toEqual({
      hosts: [host],
      tcp: [9000, 9001].map((port) => ({
        match: [{ port }],
        route: [{ destination: { host, subset: 'v1', port: { number: port } }, weight: 80 }, { destination: { host, subset: 'v2', port: { number: port } }, weight: 20 }],
      })),
    });
    expect(find('VirtualService', 'tcp-echo-l4-gateway').spec).toEqual({
      hosts: ['*'],
      gateways: ['l4-routing/l4-gateway'],
      tcp: [{ match: [{ port: 31400 }], route: [{ destination: { host, subset: 'v1', port: { number: 9000 } }, weight: 80 }, { destination: { host, subset: 'v2', port: { number: 9000 } }, weight: 20 }] }],
    });
  });

  test('nginx: a tls route by SNI to the https port, with its own certificate mounted', () => {
    expect(find('VirtualService', 'nginx-l4-gateway').spec).toEqual({
      hosts: ['nginx.example.com'],
      gateways: ['l4-routing/l4-gateway'],
      tls: [{ match: [{ sniHosts: ['nginx.example.com'], port: 443 }], route: [{ destination: { host: 'nginx.l4-routing.svc.cluster.local' } }] }],
    });
    expect(find('Certificate', 'nginx-server-certs').spec).toMatchObject({ secretName: 'nginx-server-certs', dnsNames: ['nginx.example.com'] });
    const volumes = find('Deployment', 'nginx-v1').spec.template.spec.volumes;
    expect(volumes).toEqual(expect.arrayContaining([expect.objectContaining({ secret: expect.objectContaining({ secretName: 'nginx-server-certs' }) })]));
  });

  test('the ingress gateway Service opens the TCP port', () => {
    const release = report.objects.map((o) => o.manifest).find((m) => m.kind === 'HelmRelease' && m.metadata.name === 'istio-ingressgateway'
      && JSON.stringify(m).includes('31400'));
    expect(release!.spec.values.service.ports).toContainEqual({ name: 'tcp', port: 31400, protocol: 'TCP', targetPort: 31400 });
  });
});
