import { Chart, Duration, Testing } from 'cdk8s';
import { analyze, Gateway, HttpFault, MeshService, RetryOn, StringMatch } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';

function legacy(c = chart('shop', 'shop')): MeshService {
  return MeshService.fromName(c, 'legacy', {
    name: 'legacy', namespace: 'billing', ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'grpc-admin' }, { number: 5432, name: 'tcp-db' }],
  });
}

describe('MeshService.fromName', () => {
  test('emits nothing by itself; host is the Service FQDN', () => {
    const c = chart('shop', 'shop');
    const svc = legacy(c);
    expect(Testing.synth(c)).toEqual([]);
    expect(svc.host).toBe('legacy.billing.svc.cluster.local');
    expect(svc.ports.map((p) => p.number)).toEqual([8080, 9090, 5432]);
    expect(MeshService.fromName(c, 'other', { name: 'other', ports: [{ number: 80, name: 'http' }] }).namespace).toBe('shop');
  });

  test('addRoute: a VirtualService for an existing Service, with timeouts, retries and faults', () => {
    const c = chart('shop', 'shop');
    const svc = legacy(c);
    const vs = svc.addRoute({ match: [{ uri: StringMatch.prefix('/slow'), port: 8080 }], timeout: Duration.seconds(2), fault: HttpFault.delay(Duration.millis(500), 10) });
    expect(svc.addRoute({ retries: { attempts: 2, retryOn: [RetryOn.CONNECT_FAILURE] }, destinations: [{ port: 8080 }] })).toBe(vs);
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests).toHaveLength(1);
    expect(manifests[0].metadata).toEqual({ name: 'legacy', namespace: 'billing', annotations: { 'cdk8s-mesh.io/suppress': 'istio-referenced-host' } });
    expect(manifests[0].spec).toEqual({
      hosts: ['legacy.billing.svc.cluster.local'],
      http: [
        {
          match: [{ uri: { prefix: '/slow' }, port: 8080 }], route: [{ destination: { host: 'legacy.billing.svc.cluster.local', port: { number: 8080 } } }], timeout: '2s',
          fault: { delay: { fixedDelay: '500ms', percentage: { value: 10 } } },
        },
        { route: [{ destination: { host: 'legacy.billing.svc.cluster.local', port: { number: 8080 } } }], retries: { attempts: 2, retryOn: 'connect-failure' } },
      ],
    });
  });

  test('exposeVia: the gateway routes its hosts to the existing Service, on its HTTP port', () => {
    const c = chart('shop', 'shop');
    const gw = new Gateway(c, 'gateway');
    const svc = legacy(c);
    svc.exposeVia(gw, { hosts: ['billing.example.com'] });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    const vs = manifests.find((m) => m.kind === 'VirtualService');
    expect(vs.metadata).toEqual({ name: 'legacy-gateway', namespace: 'billing', annotations: { 'cdk8s-mesh.io/suppress': 'istio-referenced-host' } });
    expect(vs.spec).toEqual({
      hosts: ['billing.example.com'],
      gateways: ['shop/gateway'],
      http: [{ route: [{ destination: { host: 'legacy.billing.svc.cluster.local', port: { number: 8080 } } }] }],
    });
  });

  test('the analysis accepts routes to the Service that is not in the output, and still checks the rest', () => {
    const app = Testing.app();
    const c = new Chart(app, 'c', { namespace: 'shop' });
    const gw = new Gateway(c, 'gateway');
    const svc = legacy(c);
    svc.addRoute({ match: [{ port: 8080 }], timeout: Duration.seconds(2) });
    svc.exposeVia(gw, { hosts: ['billing.example.com'] });
    expect(analyze(app).errors).toEqual([]);
    svc.exposeVia(Gateway.fromName(c, 'missing', 'shop/missing'), { hosts: ['billing.example.com'] });
    expect(analyze(app).errors.map((e) => e.rule)).toEqual(['istio-referenced-gateway']);
  });

  test('fails on bad input: no ports, routes to unknown ports or TCP ports, exposeVia twice', () => {
    const c = chart('shop', 'shop');
    expect(() => MeshService.fromName(c, 'x', { name: 'x', ports: [] })).toThrow(/\[shop\/x\] 'ports' must list at least one port, got \[\]/);
    expect(() => MeshService.fromName(c, 'y', { name: 'Bad_Name', ports: [{ number: 80, name: 'http' }] })).toThrow(/\[shop\/y\] 'name'/);
    const svc = legacy(c);
    expect(() => svc.addRoute({ destinations: [{ port: 1234 }] }))
      .toThrow(/\[shop\/legacy\] 'addRoute\(legacy.billing.svc.cluster.local\)\[0\].destinations\[0\].port' is not a port of the Service, got 1234/);
    expect(() => svc.addRoute({ match: [{ port: 5432 }] }))
      .toThrow(/'addRoute\(legacy.billing.svc.cluster.local\)\[0\].match\[0\].port' is a port with protocol TCP, where HTTP routes do not apply, got 5432. Fix: use one of the HTTP ports 8080, 9090/);
    const tcpOnly = MeshService.fromName(c, 'db', { name: 'db', ports: [{ number: 5432, name: 'tcp-postgres' }] });
    expect(() => tcpOnly.addRoute({ timeout: Duration.seconds(1) })).toThrow(/'addRoute' has no effect: HTTP routes only apply to HTTP, HTTP2 or GRPC ports, and the ports of the Service are 5432\/TCP/);
    const gw = new Gateway(c, 'gateway');
    svc.exposeVia(gw, { hosts: ['billing.example.com'] });
    expect(() => svc.exposeVia(gw, { hosts: ['other.example.com'] })).toThrow(/'exposeVia\(shop\/gateway\)' was already called for this gateway/);
    expect(() => legacy(chart('a', 'a')).exposeVia(gw, { hosts: ['Bad Host'] })).toThrow(/'exposeVia\(shop\/gateway\).hosts\[0\]' must be '\*', a DNS name/);
  });
});
