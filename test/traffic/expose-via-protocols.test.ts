import { Chart } from 'cdk8s';
import { Gateway } from '../../lib/traffic/gateway';
import { ServerProtocol } from '../../lib/traffic/gateway-server';
import { MeshApp } from '../../lib/traffic/mesh-app';
import { MeshAppProps } from '../../lib/traffic/mesh-app-props';
import { StringMatch } from '../../lib/traffic/string-match';
import { WARNING_METADATA } from '../../lib/private/warnings';
import { chart as newChart, find, synth } from '../util/synth';
import { expectValidManifests } from '../util/schema';

const IMAGE = 'docker.io/istio/tcp-echo-server:1.3';
const HOST = (name: string) => `${name}.default.svc.cluster.local`;

function app(chart: Chart, name: string, props: Partial<MeshAppProps> = {}): MeshApp {
  return new MeshApp(chart, name, { versions: [{ name: 'v1', image: IMAGE }, { name: 'v2', image: `${IMAGE}-v2` }], ...props });
}

function vsSpec(chart: Chart, name: string): any {
  const out = synth(chart);
  expectValidManifests(out);
  return find(out, 'VirtualService', name).spec;
}

describe('exposeVia: the route kind follows the gateway server', () => {
  test('a TCP server gets a tcp route matching its port (not an http route)', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    gw.addTcpServer({ port: 31400 });
    const echo = app(chart, 'tcp-echo', { ports: [{ name: 'tcp', port: 9000 }] });
    echo.exposeVia(gw);
    expect(vsSpec(chart, 'tcp-echo-gw')).toEqual({
      hosts: ['*'],
      gateways: ['default/gw'],
      tcp: [{ match: [{ port: 31400 }], route: [{ destination: { host: HOST('tcp-echo') } }] }],
    });
  });

  test('tcpRoutes: a weighted split at the gateway', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    gw.addTcpServer({ port: 31400 });
    const echo = app(chart, 'tcp-echo', { ports: [{ name: 'tcp', port: 9000 }] });
    echo.exposeVia(gw, { tcpRoutes: [{ match: [{ port: 31400 }], destinations: [{ version: 'v1', weight: 80 }, { version: 'v2', weight: 20 }] }] });
    expect(vsSpec(chart, 'tcp-echo-gw').tcp).toEqual([{
      match: [{ port: 31400 }],
      route: [{ destination: { host: HOST('tcp-echo'), subset: 'v1' }, weight: 80 }, { destination: { host: HOST('tcp-echo'), subset: 'v2' }, weight: 20 }],
    }]);
  });

  test('a passthrough server gets a tls route with the SNI hosts of the server and its port', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw', { defaultHttpServer: false });
    gw.addTlsPassthroughServer({ hosts: ['nginx.example.com'] });
    const nginx = app(chart, 'nginx', { ports: [{ name: 'https', port: 443, targetPort: 8443 }] });
    nginx.exposeVia(gw);
    expect(vsSpec(chart, 'nginx-gw')).toEqual({
      hosts: ['nginx.example.com'],
      gateways: ['default/gw'],
      tls: [{ match: [{ sniHosts: ['nginx.example.com'], port: 443 }], route: [{ destination: { host: HOST('nginx') } }] }],
    });
  });

  test('a gateway with servers of several protocols: every matching server by default, or the one on `port`', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw', { hosts: ['shop.example.com'], defaultHttpServer: true });
    gw.addTlsPassthroughServer({ hosts: ['shop.example.com'] });
    gw.addTcpServer({ port: 31400 });
    const shop = app(chart, 'shop', { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }, { name: 'tcp', port: 9000 }] });
    shop.exposeVia(gw);
    const all = vsSpec(chart, 'shop-gw');
    expect(all.http).toEqual([{ route: [{ destination: { host: HOST('shop'), port: { number: 80 } } }] }]);
    expect(all.tls).toEqual([{ match: [{ sniHosts: ['shop.example.com'], port: 443 }], route: [{ destination: { host: HOST('shop'), port: { number: 443 } } }] }]);
    expect(all.tcp).toEqual([{ match: [{ port: 31400 }], route: [{ destination: { host: HOST('shop'), port: { number: 9000 } } }] }]);

    const chart2 = newChart();
    const gw2 = new Gateway(chart2, 'gw', { hosts: ['shop.example.com'], defaultHttpServer: true });
    gw2.addTcpServer({ port: 31400 });
    app(chart2, 'shop', { ports: [{ name: 'http', port: 80 }, { name: 'tcp', port: 9000 }] }).exposeVia(gw2, { port: 31400 });
    const tcpOnly = vsSpec(chart2, 'shop-gw');
    expect(tcpOnly.http).toBeUndefined();
    expect(tcpOnly.tcp).toHaveLength(1);
  });

  test('an imported gateway declares its servers', () => {
    const chart = newChart();
    const gw = Gateway.fromName(chart, 'gw', 'istio-system/edge', {
      servers: [{ port: 443, protocol: ServerProtocol.TLS, passthrough: true, hosts: ['db.example.com'] }, { port: 5432, protocol: ServerProtocol.TCP }],
    });
    expect(gw.hosts).toEqual(['db.example.com', '*']);
    expect(gw.servers).toEqual([
      { name: 'tls-443', port: 443, protocol: ServerProtocol.TLS, hosts: ['db.example.com'], passthrough: true },
      { name: 'tcp-5432', port: 5432, protocol: ServerProtocol.TCP, hosts: ['*'] },
    ]);
    app(chart, 'db', { ports: [{ name: 'tcp-postgres', port: 5432 }] }).exposeVia(gw, { port: 5432 });
    expect(vsSpec(chart, 'db-edge')).toEqual({ hosts: ['*'], gateways: ['istio-system/edge'], tcp: [{ match: [{ port: 5432 }], route: [{ destination: { host: HOST('db') } }] }] });
    expect(() => Gateway.fromName(chart, 'bad', 'edge2', { servers: [{ port: 80, protocol: ServerProtocol.HTTP, passthrough: true }] }))
      .toThrow(/\[test\/bad\] 'servers\[0\]\.passthrough' only applies to TLS or HTTPS servers .*not HTTP, got true\. Fix: set protocol: ServerProtocol.TLS/);
  });

  test('an imported gateway without servers keeps http routes, and refuses L4 options', () => {
    const chart = newChart();
    const gw = Gateway.fromName(chart, 'gw', 'istio-system/edge');
    const web = app(chart, 'web', { ports: [{ name: 'http', port: 80 }] });
    web.exposeVia(gw);
    expect(vsSpec(chart, 'web-edge').http).toHaveLength(1);
    const chart2 = newChart();
    const gw2 = Gateway.fromName(chart2, 'gw', 'istio-system/edge');
    app(chart2, 'echo', { ports: [{ name: 'tcp', port: 9000 }] }).exposeVia(gw2, { tcpRoutes: [{}] });
    expect(() => synth(chart2)).toThrow(/'exposeVia\(istio-system\/edge\)' the servers of the imported gateway are not known.*Fix: declare them: Gateway.fromName/);
  });

  test('fails when the gateway serves HTTP but every port of the app is TCP', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    app(chart, 'tcp-echo', { ports: [{ name: 'tcp', port: 9000 }] }).exposeVia(gw);
    expect(() => synth(chart)).toThrow(/\[test\/tcp-echo\/Gatewayc8.*\] 'exposeVia\(default\/gw\)' binds gateway server\(s\) \["http-80:80"\] that need http routes, which never applies: Istio applies http routes only to HTTP ports .*Fix: expose the app through a TCP server/);
  });

  test('fails for explicit http routes on a TCP-only app, options that never apply, and a port with no server', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    const echo = app(chart, 'tcp-echo', { ports: [{ name: 'tcp', port: 9000 }] });
    expect(() => echo.exposeVia(gw, { routes: [{}] })).toThrow(/'exposeVia\(default\/gw\)\.routes' never applies: Istio applies http routes only/);
    expect(() => echo.exposeVia(gw, { tcpRoutes: [{ match: [{ sourceLabels: { app: 'x' } }] }] }))
      .toThrow(/'exposeVia\(default\/gw\)\.tcpRoutes\[0\]\.match\[0\]\.sourceLabels' never matches on a gateway route/);

    const c2 = newChart();
    const gw2 = new Gateway(c2, 'gw');
    gw2.addTcpServer({ port: 31400 });
    const e2 = app(c2, 'tcp-echo', { ports: [{ name: 'tcp', port: 9000 }] });
    e2.exposeVia(gw2, { port: 8080 });
    expect(() => synth(c2)).toThrow(/'exposeVia\(default\/gw\)\.port' is not a port of a gateway server for these hosts, got 8080\. Fix: use one of \[31400\]/);

    const c3 = newChart();
    const gw3 = new Gateway(c3, 'gw');
    gw3.addTcpServer({ port: 31400 });
    app(c3, 'tcp-echo', { ports: [{ name: 'tcp', port: 9000 }] }).exposeVia(gw3, { tlsRoutes: [{}] });
    expect(() => synth(c3)).toThrow(/'exposeVia\(default\/gw\)\.tlsRoutes' never apply: the gateway servers bound \(\["tcp-31400:31400"\]\) take no tls routes/);

    const c4 = newChart();
    const gw4 = new Gateway(c4, 'gw');
    gw4.addTcpServer({ port: 31400 });
    app(c4, 'tcp-echo', { ports: [{ name: 'tcp', port: 9000 }] }).exposeVia(gw4, { tcpRoutes: [{ match: [{ port: 31401 }] }] });
    expect(() => synth(c4)).toThrow(/'exposeVia\(default\/gw\)\.tcpRoutes\[0\]\.match\[0\]\.port' is not one of the TCP server ports of the gateway \[31400\]/);
  });

  test('fails when a passthrough server binds an app with HTTP ports only', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    gw.addTlsPassthroughServer({ hosts: ['web.example.com'] });
    app(chart, 'web', { ports: [{ name: 'http', port: 80 }] }).exposeVia(gw, { hosts: ['web.example.com'] });
    expect(() => synth(chart)).toThrow(/binds gateway server\(s\) \["tls-443:443"\] that need tls routes, which never applies: Istio applies tcp routes only to non-HTTP ports/);
  });
});

describe('exposeVia: apps sharing a gateway', () => {
  const web = (chart: Chart, name: string) => app(chart, name, { ports: [{ name: 'http', port: 80 }] });

  test('fails for two apps with catch-all routes on the same host, naming both', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    web(chart, 'frontend').exposeVia(gw, { hosts: ['shop.example.com'] });
    web(chart, 'api').exposeVia(gw, { hosts: ['shop.example.com'] });
    expect(() => synth(chart)).toThrow(/\[test\/api\/Gateway.*\] 'exposeVia\(default\/gw\)' shares host\(s\) \["shop.example.com"\] on gateway default\/gw with app "frontend" \(test\/frontend\), got a catch-all route in both apps.*Fix: give each app its own host/);
  });

  test('warns when a catch-all shares a host with another app\'s matched routes (reachable only while older)', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    web(chart, 'frontend').exposeVia(gw, { hosts: ['shop.example.com'] });
    const api = web(chart, 'api');
    const vs = api.exposeVia(gw, { hosts: ['shop.example.com'], routes: [{ match: [{ uri: StringMatch.prefix('/api') }] }] });
    synth(chart);
    expect(vs.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => m.data)).toEqual([
      expect.stringMatching(/'exposeVia\(default\/gw\)' shares host\(s\) \["shop.example.com"\] .* with app "frontend" .*app "frontend" has a catch-all route.*\[expose-via:catch-all-order\]$/),
    ]);
  });

  test('fails for default bindings of two apps on the gateway hosts', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    web(chart, 'a').exposeVia(gw);
    web(chart, 'b').exposeVia(gw);
    expect(() => synth(chart)).toThrow(/shares host\(s\) \["\*"\] on gateway default\/gw with app "a"/);
  });

  test('non-overlapping matches, or different hosts, stay allowed', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    web(chart, 'frontend').exposeVia(gw, { hosts: ['shop.example.com'], routes: [{ match: [{ uri: StringMatch.prefix('/web') }] }] });
    web(chart, 'api').exposeVia(gw, { hosts: ['shop.example.com'], routes: [{ match: [{ uri: StringMatch.prefix('/api') }] }] });
    web(chart, 'admin').exposeVia(gw, { hosts: ['admin.example.com'] });
    expect(() => synth(chart)).not.toThrow();
  });

  test('fails for two apps on one TCP server port, and for two apps on one SNI host', () => {
    const chart = newChart();
    const gw = new Gateway(chart, 'gw');
    gw.addTcpServer({ port: 31400 });
    gw.addTcpServer({ port: 31401 });
    app(chart, 'one', { ports: [{ name: 'tcp', port: 9000 }] }).exposeVia(gw, { port: 31400 });
    app(chart, 'two', { ports: [{ name: 'tcp', port: 9000 }] }).exposeVia(gw, { tcpRoutes: [{ match: [{ port: 31400 }] }] });
    app(chart, 'three', { ports: [{ name: 'tcp', port: 9000 }] }).exposeVia(gw, { port: 31401 });
    expect(() => synth(chart)).toThrow(/\[test\/two\/.*\] 'exposeVia\(default\/gw\)' routes TCP port\(s\) \["31400"\] of gateway default\/gw like app "one".*Fix: give each app its own gateway TCP server/);

    const c2 = newChart();
    const gw2 = new Gateway(c2, 'gw');
    gw2.addTlsPassthroughServer({ hosts: ['a.example.com', 'b.example.com'] });
    app(c2, 'a', { ports: [{ name: 'tls', port: 443 }] }).exposeVia(gw2, { hosts: ['a.example.com'] });
    app(c2, 'b', { ports: [{ name: 'tls', port: 443 }] }).exposeVia(gw2, { hosts: ['b.example.com'] });
    expect(() => synth(c2)).not.toThrow();
    app(c2, 'c', { ports: [{ name: 'tls', port: 443 }] }).exposeVia(gw2, { hosts: ['b.example.com'] });
    expect(() => synth(c2)).toThrow(/\[test\/c\/.*\] 'exposeVia\(default\/gw\)' routes SNI host\(s\) \["443:b.example.com"\] .* like app "b"/);
  });
});
