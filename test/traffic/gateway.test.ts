import { ApiObject, Chart, Testing } from 'cdk8s';
import { Gateway, ServerProtocol } from '../../lib';
import { expectValidManifests } from '../util/schema';

function gatewayOf(chart: Chart): any {
  const manifests = Testing.synth(chart);
  expectValidManifests(manifests);
  return manifests.find((o) => o.kind === 'Gateway');
}

describe('Gateway', () => {
  test('default configuration (S1 gateway)', () => {
    const chart = Testing.chart();
    new Gateway(chart, 'gateway');
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests).toMatchSnapshot();
  });

  test('S1: name gateway, selector istio=ingressgateway, port 80 HTTP, hosts *', () => {
    const chart = Testing.chart();
    const gw = new Gateway(chart, 'gateway');
    const obj = gatewayOf(chart);
    expect(obj.apiVersion).toBe('networking.istio.io/v1');
    expect(obj.metadata).toEqual({ name: 'gateway', namespace: 'default' });
    expect(obj.spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(obj.spec.servers).toEqual([{ name: 'http-80', port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: ['*'] }]);
    expect(gw.ref).toBe('default/gateway');
    expect(gw.hosts).toEqual(['*']);
  });

  test('documented defaults: workload identity of the Istio ingress gateway', () => {
    const gw = new Gateway(Testing.chart(), 'gateway');
    expect(gw.workloadNamespace).toBe('istio-system');
    expect(gw.serviceAccount).toBe('istio-ingressgateway-service-account');
    expect(gw.principal).toBe('cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account');
    expect(gw.selector).toEqual({ istio: 'ingressgateway' });
  });

  test('takes the chart namespace, or an explicit name and namespace', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'istio-ingress' });
    const gw = new Gateway(chart, 'gw', { name: 'mygateway' });
    expect(gw.ref).toBe('istio-ingress/mygateway');
    const other = new Gateway(chart, 'other', { namespace: 'edge', selector: { app: 'edge-gateway' }, hosts: ['shop.example.com'] });
    expect(other.ref).toBe('edge/other');
    const objs = Testing.synth(chart);
    expectValidManifests(objs);
    const o = objs.find((m) => m.metadata?.name === 'other') as any;
    expect(o.metadata.namespace).toBe('edge');
    expect(o.spec.selector).toEqual({ app: 'edge-gateway' });
    expect(o.spec.servers[0].hosts).toEqual(['shop.example.com']);
  });

  test('exposes the Gateway object as the default child', () => {
    const gw = new Gateway(Testing.chart(), 'gateway');
    expect(ApiObject.of(gw)).toBe(gw.resource);
  });

  test('servers added later are rendered (lazy spec)', () => {
    const chart = Testing.chart();
    const gw = new Gateway(chart, 'gateway', { hosts: ['tenanta.example.com'] });
    const server = gw.addHttpServer({ port: 8080, hosts: ['*.example.com', 'default/api.example.com'], name: 'http-alt' });
    expect(server).toEqual({ name: 'http-alt', port: 8080, protocol: ServerProtocol.HTTP, hosts: ['*.example.com', 'default/api.example.com'] });
    const obj = gatewayOf(chart);
    expect(obj.spec.servers).toHaveLength(2);
    expect(obj.spec.servers[1]).toEqual({ name: 'http-alt', port: { number: 8080, name: 'http-alt', protocol: 'HTTP' }, hosts: ['*.example.com', 'default/api.example.com'] });
    expect(gw.hosts).toEqual(['tenanta.example.com', '*.example.com', 'default/api.example.com']);
    expect(gw.servers.map((s) => s.name)).toEqual(['http-80', 'http-alt']);
  });

  test('a second HTTP server on port 80 gets a unique default name', () => {
    const chart = Testing.chart();
    const gw = new Gateway(chart, 'gateway', { hosts: ['a.example.com'] });
    expect(gw.addHttpServer({ hosts: ['b.example.com'] }).name).toBe('http-80-2');
  });

  test('renders an HTTP to HTTPS redirect server', () => {
    const chart = Testing.chart();
    const gw = new Gateway(chart, 'gateway', { defaultHttpServer: false });
    gw.addHttpServer({ hosts: ['example.com'], httpsRedirect: true });
    expect(gatewayOf(chart).spec.servers).toEqual([
      { name: 'http-80', port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: ['example.com'], tls: { httpsRedirect: true } },
    ]);
  });

  test('addTcpServer: a TCP server on its port for the gateway hosts, replacing the implicit HTTP server', () => {
    const chart = Testing.chart();
    const gw = new Gateway(chart, 'gateway');
    const server = gw.addTcpServer({ port: 31400 });
    expect(server).toEqual({ name: 'tcp-31400', port: 31400, protocol: ServerProtocol.TCP, hosts: ['*'] });
    expect(gatewayOf(chart).spec.servers).toEqual([{ name: 'tcp-31400', port: { number: 31400, name: 'tcp-31400', protocol: 'TCP' }, hosts: ['*'] }]);
    expect(() => gw.addTcpServer({ port: 0 })).toThrow(/'servers\[1\].port' must be an integer from 1 to 65535, got 0/);
  });

  test('the implicit HTTP server stays beside other HTTP servers', () => {
    const gw = new Gateway(Testing.chart(), 'gateway');
    gw.addHttpServer({ port: 8080 });
    expect(gw.servers.map((s) => s.name)).toEqual(['http-80', 'http-8080']);
  });

  test('fails synth when a gateway ends up with no servers', () => {
    const chart = Testing.chart();
    new Gateway(chart, 'gateway', { defaultHttpServer: false });
    expect(() => Testing.synth(chart)).toThrow(/Gateway 'default\/gateway' has no servers. Fix: call addHttpServer\(\)/);
  });

  test('fromName references an existing gateway', () => {
    const chart = Testing.chart();
    const gw = Gateway.fromName(chart, 'public', 'istio-system/public-gateway', { hosts: ['*.example.com'] });
    expect(gw.ref).toBe('istio-system/public-gateway');
    expect(gw.name).toBe('public-gateway');
    expect(gw.namespace).toBe('istio-system');
    expect(gw.hosts).toEqual(['*.example.com']);
    expect(gw.principal).toBe('cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account');
    expect(Gateway.fromName(chart, 'local', 'gw').ref).toBe('default/gw');
    expect(Gateway.fromName(chart, 'any', 'gw2').hosts).toEqual(['*']);
    expect(Testing.synth(chart)).toEqual([]);
  });

  describe('validation', () => {
    test('fails for an invalid host', () => {
      expect(() => new Gateway(Testing.chart(), 'gateway', { hosts: ['Example.com'] }))
        .toThrow(/\[test\/gateway\] 'hosts\[0\]' must be '\[namespace\/\]host' .* got "Example.com"/);
      expect(() => new Gateway(Testing.chart(), 'gateway', { hosts: ['a.*.example.com'] }))
        .toThrow(/'hosts\[0\]' must be .* got "a.\*.example.com"/);
      expect(() => new Gateway(Testing.chart(), 'gateway', { hosts: ['bad_ns/example.com'] }))
        .toThrow(/'hosts\[0\]' must be .* got "bad_ns\/example.com"/);
    });

    test('accepts namespaced and wildcard hosts', () => {
      const gw = new Gateway(Testing.chart(), 'gateway', { hosts: ['*', '*.example.com', './a.example.com', '*/b.example.com', 'prod/c.example.com'] });
      expect(gw.hosts).toHaveLength(5);
    });

    test('fails for empty or duplicate hosts', () => {
      expect(() => new Gateway(Testing.chart(), 'gateway', { hosts: [] })).toThrow(/'hosts' must list at least one host, got \[\]/);
      expect(() => new Gateway(Testing.chart(), 'gateway', { hosts: ['a.com', 'a.com'] })).toThrow(/'hosts' lists a host twice, got "a.com"/);
    });

    test('fails for a port out of range', () => {
      const gw = new Gateway(Testing.chart(), 'gateway');
      expect(() => gw.addHttpServer({ port: 70000, hosts: ['x.example.com'] })).toThrow(/'servers\[1\].port' must be an integer from 1 to 65535, got 70000/);
    });

    test('fails for a duplicate server name', () => {
      const gw = new Gateway(Testing.chart(), 'gateway');
      expect(() => gw.addHttpServer({ port: 8080, name: 'http-80' })).toThrow(/'servers\[1\].name' must be unique within the gateway, got "http-80"/);
    });

    test('fails for overlapping hosts on the same port', () => {
      const gw = new Gateway(Testing.chart(), 'gateway');
      expect(() => gw.addHttpServer({ hosts: ['*'] })).toThrow(/'servers\[1\].hosts' overlaps server 'http-80' on port 80, got \["\*"\]/);
    });

    test('fails for two protocols on one port', () => {
      const gw = new Gateway(Testing.chart(), 'gateway', { defaultHttpServer: true });
      expect(() => gw._addServer({ name: 'tcp', port: 80, protocol: ServerProtocol.TCP, hosts: ['*'] }))
        .toThrow(/'servers\[1\].port' is already used by server 'http-80' with protocol HTTP .* got 80/);
    });

    test('fails for an empty selector', () => {
      expect(() => new Gateway(Testing.chart(), 'gateway', { selector: {} })).toThrow(/'selector' must not be empty .* got \{\}/);
    });

    test('fails for an invalid name', () => {
      expect(() => new Gateway(Testing.chart(), 'My_Gateway')).toThrow(/'name' must be a DNS-1123 subdomain .* got "My_Gateway"/);
    });

    test('fails for a malformed fromName reference', () => {
      expect(() => Gateway.fromName(Testing.chart(), 'x', 'a/b/c')).toThrow(/'ref' must be '<namespace>\/<name>' or '<name>', got "a\/b\/c"/);
    });
  });
});

describe('Gateway workload (the gateway as its install defines it)', () => {
  const installed = { meshIdentity: () => ({ name: 'ingress', namespace: 'istio-ingress', serviceAccounts: ['istio-ingressgateway'], sidecar: true, podSelector: { istio: 'ingressgateway', app: 'istio-ingressgateway' } }) };

  test('selector, workload namespace and ServiceAccount come from the workload', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const gw = new Gateway(chart, 'gw', { workload: installed });
    expect(gw.selector).toEqual({ istio: 'ingressgateway', app: 'istio-ingressgateway' });
    expect(gw.workloadNamespace).toBe('istio-ingress');
    expect(gw.principal).toBe('cluster.local/ns/istio-ingress/sa/istio-ingressgateway');
    expect(Testing.synth(chart)[0].spec.selector).toEqual({ istio: 'ingressgateway', app: 'istio-ingressgateway' });
  });

  test.each([['selector', { selector: { istio: 'x' } }], ['workloadNamespace', { workloadNamespace: 'x' }], ['serviceAccount', { serviceAccount: 'x' }]])(
    'fails when %s is given beside workload', (field, extra) => {
      expect(() => new Gateway(new Chart(Testing.app(), 'test'), 'gw', { workload: installed, ...extra }))
        .toThrow(new RegExp(`\\[test/gw\\] '${field}' cannot be combined with 'workload'.*Fix: remove '${field}'`));
    });

  test('fails for a workload without pod labels or with several ServiceAccounts', () => {
    const bad = { meshIdentity: () => ({ name: 'ns', namespace: 'x', sidecar: true }) };
    expect(() => new Gateway(new Chart(Testing.app(), 'test'), 'gw', { workload: bad }))
      .toThrow(/\[test\/gw\] 'workload' must be a gateway workload with pod labels and exactly one ServiceAccount, got "ns"\. Fix:/);
  });
});
