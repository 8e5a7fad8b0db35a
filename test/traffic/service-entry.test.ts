import { Testing } from 'cdk8s';
import { ExportTo, ExternalProtocol, ServiceEntry, ServiceEntryResolution, MeshApp, MeshNamespace, ServiceEntryLocation, TlsMode } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';

describe('ServiceEntry', () => {
  test('default: DNS resolution, MESH_EXTERNAL, named ports, no exportTo', () => {
    const c = chart('shop', 'egress');
    const svc = new ServiceEntry(c, 'api-example', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests[0]).toEqual({
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry',
      metadata: { name: 'api-example', namespace: 'shop' },
      spec: { hosts: ['api.example.com'], ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }], location: 'MESH_EXTERNAL', resolution: 'DNS' },
    });
    expect(svc.resolution).toBe(ServiceEntryResolution.DNS);
    expect(svc.location).toBe(ServiceEntryLocation.MESH_EXTERNAL);
    expect(svc.egressHosts).toEqual(['shop/api.example.com']);
    expect(svc.isVisibleFrom('anything')).toBe(true);
  });

  test('wildcard hosts default to resolution NONE; exportTo is rendered', () => {
    const c = chart('shop', 'egress');
    const svc = new ServiceEntry(c, 'foo', {
      hosts: ['*.foo.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS, name: 'tls' }], exportTo: [ExportTo.SAME_NAMESPACE, ExportTo.namespace('tenanta')],
    });
    const [m] = Testing.synth(c);
    expect(m.spec.resolution).toBe('NONE');
    expect(m.spec.exportTo).toEqual(['.', 'tenanta']);
    expect(svc.isVisibleFrom('shop')).toBe(true);
    expect(svc.isVisibleFrom('tenanta')).toBe(true);
    expect(svc.isVisibleFrom('tenantb')).toBe(false);
  });

  test('IP endpoints default to STATIC', () => {
    const c = chart('shop', 'egress');
    new ServiceEntry(c, 'db', { hosts: ['db.corp.internal'], ports: [{ number: 5432, protocol: ExternalProtocol.TCP }], endpoints: ['10.0.0.5', '10.0.0.6'] });
    const [m] = Testing.synth(c);
    expect(m.spec.resolution).toBe('STATIC');
    expect(m.spec.endpoints).toEqual([{ address: '10.0.0.5' }, { address: '10.0.0.6' }]);
  });

  test('originateTls: SIMPLE with sni and caCertificates for *.example.com, idempotent', () => {
    const c = chart('shop', 'egress');
    const svc = new ServiceEntry(c, 'example', { hosts: ['api.example.com', 'www.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    const tls = { mode: TlsMode.SIMPLE, sni: 'api.example.com', caCertificates: '/etc/ssl/certs/ca-certificates.crt' };
    const dr = svc.originateTls({ host: '*.example.com', tls });
    expect(svc.originateTls({ host: '*.example.com', tls })).toBe(dr);
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests.find((m) => m.kind === 'DestinationRule')).toEqual({
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule',
      metadata: { name: 'example-tls', namespace: 'shop' },
      spec: { host: '*.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'api.example.com', caCertificates: '/etc/ssl/certs/ca-certificates.crt' } } },
    });
  });

  test('originateTls on one port: plain HTTP from the app, TLS to 443', () => {
    const c = chart('shop', 'egress');
    const svc = new ServiceEntry(c, 'edition', {
      hosts: ['edition.cnn.com'], ports: [{ number: 80, protocol: ExternalProtocol.HTTP, targetPort: 443 }, { number: 443, protocol: ExternalProtocol.HTTPS }],
    });
    svc.originateTls({ port: 80, tls: { mode: TlsMode.SIMPLE, caCertificates: '/etc/ssl/certs/ca-certificates.crt' } });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests[0].spec.ports[0]).toEqual({ number: 80, name: 'http-80', protocol: 'HTTP', targetPort: 443 });
    expect(manifests[1].spec.trafficPolicy).toEqual({
      portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt' } }],
    });
  });

  test('fails on DNS resolution of a wildcard host', () => {
    expect(() => new ServiceEntry(chart('shop', 'egress'), 'x', { hosts: ['*.foo.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }], resolution: ServiceEntryResolution.DNS }))
      .toThrow(/\[egress\/x\] 'resolution' DNS cannot resolve wildcard hosts without endpoints, got \["\*.foo.com"\]. Fix: use ServiceEntryResolution.DYNAMIC_DNS or NONE/);
  });

  test('fails on host *', () => {
    expect(() => new ServiceEntry(chart('shop', 'egress'), 'x', { hosts: ['*'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] }))
      .toThrow(/'hosts\[0\]' must be a DNS name or a wildcard/);
  });

  test('fails on duplicate port numbers', () => {
    expect(() => new ServiceEntry(chart('shop', 'egress'), 'x', {
      hosts: ['a.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }, { number: 443, protocol: ExternalProtocol.HTTPS }],
    })).toThrow(/'ports\[\].number' must be unique, got 443/);
  });

  test('fails on STATIC without IP endpoints', () => {
    expect(() => new ServiceEntry(chart('shop', 'egress'), 'x', { hosts: ['a.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }], resolution: ServiceEntryResolution.STATIC }))
      .toThrow(/'endpoints' must list IP addresses with resolution STATIC/);
  });

  test('fails on originateTls with ISTIO_MUTUAL', () => {
    const svc = new ServiceEntry(chart('shop', 'egress'), 'x', { hosts: ['a.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    expect(() => svc.originateTls({ tls: { mode: TlsMode.ISTIO_MUTUAL } })).toThrow(/'originateTls.tls.mode' must be SIMPLE or MUTUAL.*got "ISTIO_MUTUAL"/);
  });

  test('fails on originateTls for a host the service does not have', () => {
    const svc = new ServiceEntry(chart('shop', 'egress'), 'x', { hosts: ['a.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    expect(() => svc.originateTls({ host: 'b.other.com', tls: { mode: TlsMode.SIMPLE } })).toThrow(/'originateTls.host' must be one of the service's hosts.*got "b.other.com"/);
  });

  test('fails on originateTls without host when there are several', () => {
    const svc = new ServiceEntry(chart('shop', 'egress'), 'x', { hosts: ['a.example.com', 'b.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    expect(() => svc.originateTls({ tls: { mode: TlsMode.SIMPLE } })).toThrow(/'originateTls.host' is required when the service has several hosts/);
  });

  test('fails on originateTls for an unknown port', () => {
    const svc = new ServiceEntry(chart('shop', 'egress'), 'x', { hosts: ['a.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    expect(() => svc.originateTls({ port: 8443, tls: { mode: TlsMode.SIMPLE } })).toThrow(/'originateTls.port' is not a port of the service, got 8443. Fix: use one of 443/);
  });
});

describe('MeshApp.allowEgressTo', () => {
  const image = 'gcr.io/tetratelabs/customers:1.0.0';

  test('adds the service hosts to the namespace Sidecar egress, also when the namespace is defined later', () => {
    const c = chart('shop', 'shop');
    const api = new ServiceEntry(c, 'api', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    const foo = new ServiceEntry(c, 'foo', { namespace: 'egress', hosts: ['*.foo.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    const app = new MeshApp(c, 'customers', { versions: [{ name: 'v1', image }] });
    const grant = app.allowEgressTo(api);
    new MeshNamespace(c, 'shop-ns', { name: 'shop', restrictEgress: true });
    app.allowEgressTo(foo);
    expect(grant).toEqual({ service: api, hosts: ['shop/api.example.com'] });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests.find((m) => m.kind === 'Sidecar').spec.egress).toEqual([{ hosts: ['./*', 'istio-system/*', 'egress/*.foo.com', 'shop/api.example.com'] }]);
  });

  test('without an egress restriction nothing changes', () => {
    const c = chart('shop', 'shop');
    const api = new ServiceEntry(c, 'api', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    const app = new MeshApp(c, 'customers', { versions: [{ name: 'v1', image }] });
    expect(app.allowEgressTo(api).hosts).toEqual(['shop/api.example.com']);
    expect(Testing.synth(c).find((m) => m.kind === 'Sidecar')).toBeUndefined();
  });

  test('fails when the ServiceEntry is not exported to the app namespace', () => {
    const c = chart('shop', 'shop');
    const api = new ServiceEntry(c, 'api', { namespace: 'egress', hosts: ['api.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }], exportTo: [ExportTo.SAME_NAMESPACE] });
    const app = new MeshApp(c, 'customers', { versions: [{ name: 'v1', image }] });
    expect(() => app.allowEgressTo(api))
      .toThrow(/\[shop\/customers\] 'allowEgressTo\(api\)' is not exported to namespace "shop".*Fix: add ExportTo.namespace\("shop"\)/);
  });
});
