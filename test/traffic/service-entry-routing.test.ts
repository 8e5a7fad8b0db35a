import { Duration, Testing } from 'cdk8s';
import {
  ExportTo, ExternalProtocol, LoadBalancer, LocalityLoadBalancing, MeshApp, RetryOn, ServiceEntry, StringMatch, TlsMode,
} from '../../lib';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';

const image = 'gcr.io/tetratelabs/customers:1.0.0';
const CA = '/etc/ssl/certs/ca-certificates.crt';
const OUTLIER = { consecutive5xxErrors: 3, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30) };

function api(c = chart('shop', 'egress'), props: Partial<ConstructorParameters<typeof ServiceEntry>[2]> = {}): ServiceEntry {
  return new ServiceEntry(c, 'api', {
    namespace: 'egress',
    hosts: ['api.example.com'],
    ports: [{ number: 80, protocol: ExternalProtocol.HTTP, name: 'http' }, { number: 443, protocol: ExternalProtocol.HTTPS, name: 'https' }],
    ...props,
  });
}

describe('ServiceEntry.addDestinationRule', () => {
  test('renders connection pool, outlier detection, load balancer and TLS origination for the external host', () => {
    const c = chart('shop', 'egress');
    const svc = api(c, { exportTo: [ExportTo.namespace('shop'), ExportTo.SAME_NAMESPACE] });
    const dr = svc.addDestinationRule({
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 50, connectTimeout: Duration.seconds(2) }, http: { http1MaxPendingRequests: 10 } },
        outlierDetection: OUTLIER,
        loadBalancer: LoadBalancer.LEAST_REQUEST,
        portLevelSettings: [{ port: 443, tls: { mode: TlsMode.SIMPLE, caCertificates: CA, sni: 'api.example.com' } }],
      },
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    const out = manifests.find((m) => m.kind === 'DestinationRule');
    expect(out.metadata).toEqual({ name: 'api', namespace: 'egress' });
    expect(dr.name).toBe('api');
    expect(out.spec.host).toBe('api.example.com');
    expect(out.spec.exportTo).toEqual(['shop', '.']);
    expect(out.spec.workloadSelector).toBeUndefined();
    expect(out.spec.trafficPolicy.outlierDetection).toEqual({ consecutive5xxErrors: 3, interval: '10s', baseEjectionTime: '30s' });
    expect(out.spec.trafficPolicy.connectionPool).toEqual({ tcp: { maxConnections: 50, connectTimeout: '2s' }, http: { http1MaxPendingRequests: 10 } });
    // the port keeps the top-level settings (Istio would reset them on a port with its own setting)
    expect(out.spec.trafficPolicy.portLevelSettings).toEqual([{
      port: { number: 443 },
      connectionPool: { tcp: { maxConnections: 50, connectTimeout: '2s' }, http: { http1MaxPendingRequests: 10 } },
      loadBalancer: { simple: 'LEAST_REQUEST' },
      outlierDetection: { consecutive5xxErrors: 3, interval: '10s', baseEjectionTime: '30s' },
      tls: { mode: 'SIMPLE', caCertificates: CA, sni: 'api.example.com' },
    }]);
  });

  test('MUTUAL origination with credentialName gets the client\'s workloadSelector, in the client\'s namespace', () => {
    const c = chart('shop', 'egress');
    const svc = api(c);
    const app = new MeshApp(c, 'customers', { namespace: 'shop', versions: [{ name: 'v1', image }] });
    svc.addDestinationRule({
      client: app,
      trafficPolicy: { tls: { mode: TlsMode.MUTUAL, credentialName: 'api-client-cert', sni: 'api.example.com' }, outlierDetection: OUTLIER },
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    const dr = manifests.find((m) => m.kind === 'DestinationRule' && m.spec.host === 'api.example.com');
    expect(dr.metadata).toEqual({ name: 'api-customers', namespace: 'shop' });
    expect(dr.spec.workloadSelector).toEqual({ matchLabels: { app: 'customers' } });
    expect(dr.spec.exportTo).toEqual(['.']);
    expect(dr.spec.trafficPolicy.tls).toEqual({ mode: 'MUTUAL', credentialName: 'api-client-cert', sni: 'api.example.com' });
  });

  test('originateTls and addDestinationRule for one host make one DestinationRule; originateTls on two ports too', () => {
    const c = chart('shop', 'egress');
    const svc = api(c);
    const a = svc.addDestinationRule({ trafficPolicy: { loadBalancer: LoadBalancer.localityAware(LocalityLoadBalancing.DISABLED) } });
    const b = svc.originateTls({ port: 443, tls: { mode: TlsMode.SIMPLE, caCertificates: CA } });
    const d = svc.originateTls({ port: 80, tls: { mode: TlsMode.SIMPLE, caCertificates: CA } });
    expect(b).toBe(a);
    expect(d).toBe(a);
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    const drs = manifests.filter((m) => m.kind === 'DestinationRule');
    expect(drs).toHaveLength(1);
    expect(drs[0].spec.trafficPolicy.portLevelSettings.map((p: any) => [p.port.number, p.tls.mode, p.loadBalancer])).toEqual([
      [443, 'SIMPLE', { localityLbSetting: { enabled: false } }],
      [80, 'SIMPLE', { localityLbSetting: { enabled: false } }],
    ]);
  });

  test('fails on credentialName without a client: sidecars only read it with a workloadSelector', () => {
    const svc = api();
    expect(() => svc.addDestinationRule({ trafficPolicy: { tls: { mode: TlsMode.MUTUAL, credentialName: 'api-client-cert' } } }))
      .toThrow(/\[egress\/api\] 'addDestinationRule.client' is required with tls.credentialName \(api-client-cert\): a sidecar only reads a credential Secret through a DestinationRule with a workloadSelector.*got nothing\. Fix: pass client:/);
    const c = chart('shop', 'egress');
    const svc2 = api(c);
    expect(() => svc2.originateTls({ port: 443, tls: { mode: TlsMode.MUTUAL, credentialName: 'api-client-cert' } }))
      .toThrow(/'originateTls.client' is required with tls.credentialName/);
    // the refused call left nothing behind
    expect(Testing.synth(c).map((m) => m.kind)).toEqual(['ServiceEntry']);
  });

  test('fails on a second addDestinationRule for the same host and client, and on TLS set twice', () => {
    const svc = api();
    svc.addDestinationRule({ trafficPolicy: { outlierDetection: OUTLIER, tls: { mode: TlsMode.SIMPLE, caCertificates: CA } } });
    expect(() => svc.addDestinationRule({ trafficPolicy: { outlierDetection: OUTLIER } }))
      .toThrow(/'addDestinationRule' was already called for host api.example.com.*Fix: pass the whole traffic policy in one addDestinationRule\(\) call/);
    expect(() => svc.originateTls({ tls: { mode: TlsMode.SIMPLE, caCertificates: CA } }))
      .toThrow(/'addDestinationRule.trafficPolicy.tls' is set twice for host api.example.com: by originateTls\(\) and by addDestinationRule\(\)/);
  });

  test('fails on ISTIO_MUTUAL towards an external host, on an unknown port and on a client the service is not exported to', () => {
    expect(() => api().addDestinationRule({ trafficPolicy: { tls: { mode: TlsMode.ISTIO_MUTUAL } } }))
      .toThrow(/'addDestinationRule.trafficPolicy.tls.mode' must be SIMPLE, MUTUAL or DISABLE towards an external service.*got "ISTIO_MUTUAL"/);
    expect(() => api().addDestinationRule({ trafficPolicy: { portLevelSettings: [{ port: 8443, outlierDetection: OUTLIER }] } }))
      .toThrow(/'addDestinationRule.trafficPolicy.portLevelSettings\[0\].port' is not a port of the service, got 8443. Fix: use one of 80, 443/);
    const c = chart('shop', 'egress');
    const svc = api(c, { exportTo: [ExportTo.SAME_NAMESPACE] });
    const app = new MeshApp(c, 'customers', { namespace: 'shop', versions: [{ name: 'v1', image }] });
    expect(() => svc.addDestinationRule({ client: app, trafficPolicy: { outlierDetection: OUTLIER } }))
      .toThrow(/'addDestinationRule.client' is in namespace "shop", which the ServiceEntry is not exported to.*Fix: add ExportTo.namespace\("shop"\)/);
  });

  test('fails on DestinationRules whose hosts overlap (Istio would apply only the most specific one)', () => {
    const c = chart('shop', 'egress');
    const svc = new ServiceEntry(c, 'example', { namespace: 'egress', hosts: ['api.example.com', 'www.example.com'], ports: [{ number: 80, protocol: ExternalProtocol.HTTP }] });
    svc.originateTls({ host: '*.example.com', tls: { mode: TlsMode.SIMPLE, caCertificates: CA } });
    expect(() => svc.addDestinationRule({ host: 'api.example.com', trafficPolicy: { outlierDetection: OUTLIER } }))
      .toThrow(/'addDestinationRule.host' overlaps the DestinationRule example-tls for \*.example.com: Istio applies only the most specific DestinationRule host.*Fix: use host "\*.example.com" for both/);
    expect(svc.addDestinationRule({ host: '*.example.com', trafficPolicy: { outlierDetection: OUTLIER } }).name).toBe('example-tls');
  });

  test('fails on locality failover without outlier detection on the external host', () => {
    expect(() => api().addDestinationRule({ trafficPolicy: { loadBalancer: LoadBalancer.localityAware(LocalityLoadBalancing.failover([{ from: 'eu', to: 'us' }])) } }))
      .toThrow(/'addDestinationRule.trafficPolicy.outlierDetection' is required with locality failover/);
  });
});

describe('ServiceEntry.addRoute', () => {
  test('timeouts, retries and a port rewrite (the app calls 80, the sidecar sends to 443 and originates TLS there)', () => {
    const c = chart('shop', 'egress');
    const svc = api(c);
    svc.originateTls({ port: 443, tls: { mode: TlsMode.SIMPLE, caCertificates: CA } });
    const vs = svc.addRoute({
      match: [{ port: 80, method: StringMatch.exact('GET') }],
      destinations: [{ port: 443 }],
      timeout: Duration.seconds(5),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(1), retryOn: [RetryOn.CONNECT_FAILURE, RetryOn.GATEWAY_ERROR] },
    });
    expect(svc.addRoute({ match: [{ port: 80 }], destinations: [{ port: 443 }], timeout: Duration.seconds(10) })).toBe(vs);
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    const out = manifests.find((m) => m.kind === 'VirtualService');
    expect(out.metadata).toEqual({ name: 'api', namespace: 'egress' });
    expect(out.spec.hosts).toEqual(['api.example.com']);
    expect(out.spec.gateways).toBeUndefined();
    expect(out.spec.http).toEqual([
      {
        match: [{ method: { exact: 'GET' }, port: 80 }],
        route: [{ destination: { host: 'api.example.com', port: { number: 443 } } }],
        timeout: '5s',
        retries: { attempts: 3, perTryTimeout: '1s', retryOn: 'connect-failure,gateway-error' },
      },
      { match: [{ port: 80 }], route: [{ destination: { host: 'api.example.com', port: { number: 443 } } }], timeout: '10s' },
    ]);
  });

  test('a route without a port goes to the only HTTP port (explicit, as IST0112 wants); exportTo follows the ServiceEntry', () => {
    const c = chart('shop', 'egress');
    const svc = api(c, { exportTo: [ExportTo.namespace('shop')] });
    svc.addRoute({ timeout: Duration.seconds(3) });
    const out = Testing.synth(c).find((m) => m.kind === 'VirtualService');
    expect(out.spec.exportTo).toEqual(['shop']);
    expect(out.spec.http).toEqual([{ route: [{ destination: { host: 'api.example.com', port: { number: 80 } } }], timeout: '3s' }]);
    const single = new ServiceEntry(c, 'one', { hosts: ['one.example.com'], ports: [{ number: 80, protocol: ExternalProtocol.HTTP }] });
    single.addRoute({ timeout: Duration.seconds(3) });
    expect(Testing.synth(c).find((m) => m.kind === 'VirtualService' && m.metadata.name === 'one').spec.http[0].route).toEqual([{ destination: { host: 'one.example.com' } }]);
  });

  test('fails on a route without a port when the service has several HTTP ports', () => {
    const svc = new ServiceEntry(chart('shop', 'egress'), 'two', {
      hosts: ['two.example.com'], ports: [{ number: 80, protocol: ExternalProtocol.HTTP }, { number: 8080, protocol: ExternalProtocol.HTTP }],
    });
    expect(() => svc.addRoute({ timeout: Duration.seconds(1) }))
      .toThrow(/'addRoute\(two.example.com\)\[0\].destinations' need a port: the ServiceEntry has several HTTP ports \(80, 8080\).*IST0112.*Fix: add match: \[\{ port: 80 \}\]/);
    expect(svc.addRoute({ match: [{ port: 8080 }] })).toBeDefined();
  });

  test('fails on routes that cannot take effect', () => {
    const tlsOnly = new ServiceEntry(chart('shop', 'egress'), 'tls', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    expect(() => tlsOnly.addRoute({ timeout: Duration.seconds(5) }))
      .toThrow(/'addRoute' has no effect: HTTP routes only apply to HTTP, HTTP2 or GRPC ports, and the ports of the ServiceEntry are 443\/TLS.*Fix: declare a plain HTTP port/);
    expect(() => api().addRoute({ match: [{ port: 443 }], timeout: Duration.seconds(5) }))
      .toThrow(/'addRoute\(api.example.com\)\[0\].match\[0\].port' is a port with protocol HTTPS, where HTTP routes do not apply, got 443. Fix: use one of the HTTP ports 80/);
    expect(() => api().addRoute({ destinations: [{ port: 8443 }] }))
      .toThrow(/'addRoute\(api.example.com\)\[0\].destinations\[0\].port' is not a port of the ServiceEntry, got 8443/);
    const wild = new ServiceEntry(chart('shop', 'egress'), 'foo', { hosts: ['*.foo.com'], ports: [{ number: 80, protocol: ExternalProtocol.HTTP }] });
    expect(() => wild.addRoute({ timeout: Duration.seconds(5) }))
      .toThrow(/'addRoute.host' must be one of the hosts of the ServiceEntry, without a wildcard.*got "\*.foo.com"/);
    const svc = api();
    svc.addRoute({ timeout: Duration.seconds(1) });
    expect(() => svc.addRoute({ match: [{ port: 80 }] }))
      .toThrow(/'addRoute\(api.example.com\)\[1\]' is unreachable: 'addRoute\(api.example.com\)\[0\]' before it has no match/);
    expect(() => api().addRoute({ destinations: [{ version: 'v1' }] }))
      .toThrow(/'addRoute\(api.example.com\)\[0\].destinations\[0\].version' is not a version of api.example.com/);
  });
});
