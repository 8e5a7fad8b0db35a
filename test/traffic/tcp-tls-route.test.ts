import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshApp } from '../../lib/traffic/mesh-app';
import { MeshAppProps } from '../../lib/traffic/mesh-app-props';
import { TrafficSplit } from '../../lib/traffic/traffic-split';
import { chart as newChart, find, synth } from '../util/synth';
import { expectValidManifests } from '../util/schema';

const ECHO_V1 = 'docker.io/istio/tcp-echo-server:1.3';
const ECHO_V2 = 'docker.io/istio/tcp-echo-server:1.3-v2';

function echo(props: Partial<MeshAppProps> = {}, chart: Chart = newChart()): { chart: Chart; app: MeshApp } {
  return {
    chart,
    app: new MeshApp(chart, 'tcp-echo', {
      ports: [{ name: 'tcp', port: 9000 }],
      versions: [{ name: 'v1', image: ECHO_V1 }, { name: 'v2', image: ECHO_V2 }],
      ...props,
    }),
  };
}

function meshVs(chart: Chart): any {
  const out = synth(chart);
  expectValidManifests(out);
  return find(out, 'VirtualService', 'tcp-echo').spec;
}

describe('MeshApp TCP routes', () => {
  test('addTcpRoute: a weighted split across versions in tcp:, no http:', () => {
    const { chart, app } = echo();
    const vs = app.addTcpRoute({ destinations: [{ version: 'v1', weight: 80 }, { version: 'v2', weight: 20 }] });
    expect(app.virtualService).toBe(vs);
    expect(meshVs(chart)).toEqual({
      hosts: ['tcp-echo.default.svc.cluster.local'],
      tcp: [{
        route: [
          { destination: { host: 'tcp-echo.default.svc.cluster.local', subset: 'v1' }, weight: 80 },
          { destination: { host: 'tcp-echo.default.svc.cluster.local', subset: 'v2' }, weight: 20 },
        ],
      }],
    });
  });

  test('tcpRoutes prop: port and caller matches, and the TCP port as destination port on a multi-port app', () => {
    const { chart } = echo({
      ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'tcp-echo', port: 9000 }, { name: 'mysql', port: 3306 }],
      tcpRoutes: [
        { match: [{ port: 9000, sourceLabels: { app: 'sleep' }, sourceNamespace: 'test', destinationSubnets: ['10.1.0.0/16'] }], destinations: [{ version: 'v2' }] },
        { destinations: [{ version: 'v1', port: 3306 }] },
      ],
    });
    const spec = meshVs(chart);
    expect(spec.http).toBeUndefined();
    expect(spec.tcp[0].match).toEqual([{ port: 9000, sourceLabels: { app: 'sleep' }, sourceNamespace: 'test', destinationSubnets: ['10.1.0.0/16'] }]);
    expect(spec.tcp[0].route).toEqual([{ destination: { host: 'tcp-echo.default.svc.cluster.local', subset: 'v2', port: { number: 9000 } } }]);
    expect(spec.tcp[1].route[0].destination.port).toEqual({ number: 3306 });
  });

  test('on several TCP ports, a route matching one port goes to that port; a route over several must name the destination ports', () => {
    const { chart, app } = echo({ ports: [{ name: 'tcp', port: 9000 }, { name: 'tcp-other', port: 9001 }, { name: 'tls', port: 9443 }] });
    app.addTcpRoute({ match: [{ port: 9001 }], destinations: [{ version: 'v2' }] });
    app.addTcpRoute({ match: [{ port: 9000 }, { port: 9443 }], destinations: [{ version: 'v1', port: 9000 }] });
    expect(() => app.addTcpRoute({ destinations: [{ version: 'v1' }] }))
      .toThrow(/'tcpRoutes\[2\]' applies to the Service non-HTTP ports .*\[9000,9001,9443\], and a destination without port would send the connections of every one of them to port 9000, got \["\(any port\)"\]\. Fix: match one port per route/);
    const spec = meshVs(chart);
    expect(spec.tcp[0].route[0].destination.port).toEqual({ number: 9001 });
    expect(spec.tcp[1].route[0].destination.port).toEqual({ number: 9000 });
  });

  test('an http route on a mixed app goes to the HTTP port, not the first port', () => {
    const { chart, app } = echo({ ports: [{ name: 'tcp', port: 9000 }, { name: 'http', port: 80 }] });
    app.addRoute({ destinations: [{ version: 'v1' }] });
    app.addTcpRoute({ destinations: [{ version: 'v2' }] });
    const spec = meshVs(chart);
    expect(spec.http[0].route[0].destination.port).toEqual({ number: 80 });
    expect(spec.tcp[0].route[0].destination.port).toEqual({ number: 9000 });
  });

  test('fails for HTTP routes on an app whose ports are all TCP (Istio never applies them)', () => {
    const { app } = echo();
    expect(() => app.addRoute({ destinations: [{ version: 'v1' }] }))
      .toThrow(/\[test\/tcp-echo\] 'routes\[0\]' never applies: Istio applies http routes only to HTTP ports .*\(tcp:9000\), got .*Fix: name a port http/);
    expect(() => app.splitTraffic(TrafficSplit.weighted({ v1: 90, v2: 10 }))).toThrow(/'routes\[0\]' never applies/);
    expect(() => echo({ routes: [{}] })).toThrow(/'routes\[0\]' never applies: Istio applies http routes only/);
  });

  test('fails for an HTTP route matching a TCP port of a mixed app', () => {
    const { app } = echo({ ports: [{ name: 'http', port: 80 }, { name: 'tcp', port: 9000 }] });
    expect(() => app.addRoute({ match: [{ port: 9000 }] }))
      .toThrow(/'routes\[0\]\.match\[0\]\.port' is not one of the Service HTTP ports .*\[80\], so the match never applies, got 9000\. Fix: use one of \[80\], or a TCP route/);
  });

  test('fails for TCP routes on an app with HTTP ports only', () => {
    const { app } = echo({ ports: [{ name: 'http', port: 80 }, { name: 'grpc', port: 9090 }] });
    expect(() => app.addTcpRoute({ destinations: [{ version: 'v1' }] }))
      .toThrow(/'tcpRoutes\[0\]' never applies: Istio applies tcp routes only to non-HTTP ports .*\(http:80, grpc:9090\).*Fix:/);
  });

  test('fails for a match or destination port the TCP route does not apply to', () => {
    const { app } = echo({ ports: [{ name: 'http', port: 80 }, { name: 'tcp', port: 9000 }] });
    expect(() => app.addTcpRoute({ match: [{ port: 80 }] }))
      .toThrow(/'tcpRoutes\[0\]\.match\[0\]\.port' is not one of the Service non-HTTP ports .* \[9000\], so the route never applies, got 80\. Fix: use one of \[9000\]/);
    expect(() => app.addTcpRoute({ destinations: [{ port: 80 }] }))
      .toThrow(/'tcpRoutes\[0\]\.destinations\[0\]\.port' is not one of the Service's non-HTTP ports .*\[9000\], got 80/);
  });

  test('fails for bad weights, versions, empty matches and subnets', () => {
    const { app } = echo();
    expect(() => app.addTcpRoute({ destinations: [{ version: 'v1', weight: 80 }, { version: 'v2', weight: 30 }] })).toThrow(/'tcpRoutes\[0\]\.destinations' weights must sum to 100/);
    expect(() => app.addTcpRoute({ destinations: [{ version: 'v9' }] })).toThrow(/'tcpRoutes\[0\]\.destinations\[0\]\.version' is not a version/);
    expect(() => app.addTcpRoute({ match: [] })).toThrow(/'tcpRoutes\[0\]\.match' must not be empty/);
    expect(() => app.addTcpRoute({ match: [{}] })).toThrow(/'tcpRoutes\[0\]\.match\[0\]' has no condition and would match every connection/);
    expect(() => app.addTcpRoute({ match: [{ destinationSubnets: ['10.1.0.0/33'] }] })).toThrow(/'tcpRoutes\[0\]\.match\[0\]\.destinationSubnets\[0\]'/);
  });

  test('fails for a TCP route after a catch-all (unreachable)', () => {
    const { app } = echo();
    app.addTcpRoute({ destinations: [{ version: 'v1' }] });
    expect(() => app.addTcpRoute({ match: [{ port: 9000 }] })).toThrow(/'tcpRoutes\[1\]' is unreachable: 'tcpRoutes\[0\]' before it has no match/);
  });
});

describe('MeshApp TLS routes', () => {
  const tlsApp = (props: Partial<MeshAppProps> = {}) => echo({ name: 'nginx', ports: [{ name: 'https', port: 443, targetPort: 8443 }], ...props });

  test('addTlsRoute: sniHosts default to the Service host, weights across versions', () => {
    const { chart, app } = tlsApp();
    app.addTlsRoute({ destinations: [{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }] });
    const out = synth(chart);
    expectValidManifests(out);
    const spec = find(out, 'VirtualService', 'nginx').spec;
    expect(spec.tls).toEqual([{
      match: [{ sniHosts: ['nginx.default.svc.cluster.local'] }],
      route: [
        { destination: { host: 'nginx.default.svc.cluster.local', subset: 'v1' }, weight: 90 },
        { destination: { host: 'nginx.default.svc.cluster.local', subset: 'v2' }, weight: 10 },
      ],
    }]);
    expect(spec.http).toBeUndefined();
  });

  test('tlsRoutes prop with port and caller', () => {
    const { chart } = tlsApp({ tlsRoutes: [{ match: [{ port: 443, sourceLabels: { app: 'curl' } }], destinations: [{ version: 'v2' }] }] });
    const spec = find(synth(chart), 'VirtualService', 'nginx').spec;
    expect(spec.tls[0].match).toEqual([{ sniHosts: ['nginx.default.svc.cluster.local'], port: 443, sourceLabels: { app: 'curl' } }]);
  });

  test('a TLS port also takes TCP routes (Istio falls back to them)', () => {
    const { chart, app } = tlsApp();
    app.addTcpRoute({ destinations: [{ version: 'v1' }] });
    expect(find(synth(chart), 'VirtualService', 'nginx').spec.tcp).toHaveLength(1);
  });

  test('fails for TLS routes on an app without https/tls port, and for SNI hosts outside the VirtualService hosts', () => {
    const { app } = echo();
    expect(() => app.addTlsRoute({})).toThrow(/'tlsRoutes\[0\]' never applies: Istio applies tls routes only to TLS ports \(https, tls\).*Fix: name the port https or tls/);
    const { app: nginx } = tlsApp();
    expect(() => nginx.addTlsRoute({ match: [{ sniHosts: ['nginx.example.com'] }] }))
      .toThrow(/'tlsRoutes\[0\]\.match\[0\]\.sniHosts\[0\]' is not one of the VirtualService hosts \["nginx.default.svc.cluster.local"\].*got "nginx.example.com"/);
    expect(() => nginx.addTlsRoute({ match: [{ sniHosts: [] }] })).toThrow(/'tlsRoutes\[0\]\.match\[0\]\.sniHosts' must not be empty/);
  });
});

describe('MeshApp L4 routes and a traffic manager', () => {
  const management = (manager: Construct) => ({ manager, description: 'managed by a test', podSelector: { app: 'tcp-echo' }, deploymentSelector: { app: 'tcp-echo' } });

  test('a manager cannot take over an app with TCP routes (it routes HTTP only)', () => {
    const { chart, app } = echo();
    app.addTcpRoute({ destinations: [{ version: 'v1' }] });
    expect(() => app.markTrafficManaged(management(new Construct(chart, 'manager'))))
      .toThrow(/\[test\/manager\] 'app' has TCP\/TLS routes or gateway bindings .*which cannot be carried over once it is managed by a test, got "tcp-echo"/);
  });

  test('TCP and TLS routes are refused once a manager owns the routing', () => {
    const { chart, app } = echo({ ports: [{ name: 'tls', port: 443 }] });
    app.markTrafficManaged(management(new Construct(chart, 'manager')));
    expect(() => app.addTcpRoute({})).toThrow(/'tcpRoutes\[0\]' cannot be added once the app is managed by a test \(test\/manager\)/);
    expect(() => app.addTlsRoute({})).toThrow(/'tlsRoutes\[0\]' cannot be added once the app is managed by a test/);
  });
});
