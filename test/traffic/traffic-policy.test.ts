import { Chart, Duration, Testing } from 'cdk8s';
import * as istio from '../../imports/networking.istio.io';
import { MeshApp } from '../../lib';
import { LoadBalancer, LocalityLoadBalancing } from '../../lib/traffic/load-balancer';
import { renderTrafficPolicy } from '../../lib/traffic/render-traffic-policy';
import { H2UpgradePolicy, TlsMode, TrafficPolicy } from '../../lib/traffic/traffic-policy';
import { istioDuration } from '../../lib/private/istio-duration';
import { synthValid } from '../util/synth';

/** S5: the httpbin circuit breaker. */
const CIRCUIT_BREAKER: TrafficPolicy = {
  connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
  outlierDetection: { consecutive5xxErrors: 1, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(3), maxEjectionPercent: 100 },
};

const OUTLIER = { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30) };

function render(policy: TrafficPolicy, chart: Chart = Testing.chart()): Record<string, any> {
  return renderTrafficPolicy(chart, 'trafficPolicy', policy);
}

/** Puts the rendered policy in a DestinationRule and validates it against the Istio CRD schema. */
function expectSchemaValid(trafficPolicy: Record<string, unknown>, subsets?: istio.DestinationRuleSpecSubsets[]) {
  return synthValid((c) => new istio.DestinationRule(c, 'dr', {
    metadata: { name: 'httpbin' },
    spec: { host: 'httpbin.default.svc.cluster.local', trafficPolicy: trafficPolicy as istio.DestinationRuleSpecTrafficPolicy, subsets },
  }))[0];
}

describe('istioDuration', () => {
  test.each([
    [Duration.seconds(1), '1s'],
    [Duration.minutes(3), '3m'],
    [Duration.seconds(180), '3m'],
    [Duration.seconds(90), '90s'],
    [Duration.millis(1500), '1500ms'],
    [Duration.millis(250), '250ms'],
    [Duration.hours(2), '2h'],
    [Duration.days(1), '24h'],
    [Duration.seconds(1.1), '1100ms'],
  ])('renders %s as the largest exact unit %s', (d, expected) => {
    expect(istioDuration(Testing.chart(), 'timeout', d)).toBe(expected);
  });

  test('fails for durations under 1ms (the CRD CEL rule)', () => {
    expect(() => istioDuration(Testing.chart(), 'timeout', Duration.millis(0))).toThrow(/'timeout' must be at least 1ms, got "0ms"/);
  });

  test('fails for fractional milliseconds', () => {
    expect(() => istioDuration(Testing.chart(), 'timeout', Duration.millis(1.5))).toThrow(/'timeout' must be a whole number of milliseconds/);
  });
});

describe('renderTrafficPolicy', () => {
  test('renders the S5 circuit breaker exactly', () => {
    expect(render(CIRCUIT_BREAKER)).toEqual({
      connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
      outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '3m', maxEjectionPercent: 100 },
    });
  });

  test('the S5 circuit breaker is a schema-valid DestinationRule', () => {
    const dr = expectSchemaValid(render(CIRCUIT_BREAKER));
    expect(dr.spec.trafficPolicy.outlierDetection.baseEjectionTime).toBe('3m');
  });

  test('renders an empty policy as an empty object', () => {
    expect(render({})).toEqual({});
  });

  test('renders every connection pool field', () => {
    const out = render({
      connectionPool: {
        tcp: {
          maxConnections: 100, connectTimeout: Duration.millis(30), idleTimeout: Duration.hours(1), maxConnectionDuration: Duration.minutes(30),
          tcpKeepalive: { probes: 3, time: Duration.hours(2), interval: Duration.seconds(75) },
        },
        http: {
          http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRequestsPerConnection: 0, maxRetries: 3, idleTimeout: Duration.seconds(30),
          maxConcurrentStreams: 100, h2UpgradePolicy: H2UpgradePolicy.UPGRADE, useClientProtocol: false,
        },
      },
    });
    expect(out.connectionPool).toEqual({
      tcp: { maxConnections: 100, connectTimeout: '30ms', idleTimeout: '1h', maxConnectionDuration: '30m', tcpKeepalive: { probes: 3, time: '2h', interval: '75s' } },
      http: {
        http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRequestsPerConnection: 0, maxRetries: 3, idleTimeout: '30s',
        maxConcurrentStreams: 100, h2UpgradePolicy: 'UPGRADE', useClientProtocol: false,
      },
    });
    expectSchemaValid(out);
  });

  test.each([
    [LoadBalancer.ROUND_ROBIN, 'ROUND_ROBIN'],
    [LoadBalancer.RANDOM, 'RANDOM'],
    [LoadBalancer.LEAST_REQUEST, 'LEAST_REQUEST'],
    [LoadBalancer.PASSTHROUGH, 'PASSTHROUGH'],
  ])('renders the simple load balancer %#', (lb, simple) => {
    expect(render({ loadBalancer: lb }).loadBalancer).toEqual({ simple });
  });

  test('renders consistent hashing on a header, a cookie and the source IP', () => {
    expect(render({ loadBalancer: LoadBalancer.consistentHash({ httpHeaderName: 'x-user' }) }).loadBalancer).toEqual({ consistentHash: { httpHeaderName: 'x-user' } });
    expect(render({ loadBalancer: LoadBalancer.consistentHash({ useSourceIp: true }) }).loadBalancer).toEqual({ consistentHash: { useSourceIp: true } });
    const cookie = render({ loadBalancer: LoadBalancer.consistentHash({ httpCookie: { name: 'session', path: '/', ttl: Duration.seconds(0) } }) });
    expect(cookie.loadBalancer).toEqual({ consistentHash: { httpCookie: { name: 'session', path: '/', ttl: '0s' } } });
    expectSchemaValid(cookie);
  });

  test('renders S5 locality failover us-west -> us-east with outlier detection', () => {
    const out = render({
      loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.failover([{ from: 'us-west', to: 'us-east' }]) }),
      outlierDetection: OUTLIER,
    });
    expect(out.loadBalancer).toEqual({ simple: 'ROUND_ROBIN', localityLbSetting: { failover: [{ from: 'us-west', to: 'us-east' }] } });
    expectSchemaValid(out);
  });

  test('renders S5 locality-weighted distribution 50/30/20', () => {
    const out = render({
      loadBalancer: LoadBalancer.leastRequest({
        locality: LocalityLoadBalancing.distribute([{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 50, 'us-west/zone2/*': 30, 'us-east/*': 20 } }]),
      }),
    });
    expect(out.loadBalancer.localityLbSetting).toEqual({
      distribute: [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 50, 'us-west/zone2/*': 30, 'us-east/*': 20 } }],
    });
    expectSchemaValid(out);
  });

  test('renders failoverPriority, disabled locality and warm-up', () => {
    const prio = render({
      loadBalancer: LoadBalancer.random({ locality: LocalityLoadBalancing.failoverPriority(['topology.istio.io/network', 'topology.kubernetes.io/region']) }),
      outlierDetection: OUTLIER,
    });
    expect(prio.loadBalancer.localityLbSetting).toEqual({ failoverPriority: ['topology.istio.io/network', 'topology.kubernetes.io/region'] });
    expect(render({ loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.DISABLED }) }).loadBalancer.localityLbSetting).toEqual({ enabled: false });
    const warm = render({ loadBalancer: LoadBalancer.roundRobin({ warmup: Duration.seconds(60) }) });
    expect(warm.loadBalancer).toEqual({ simple: 'ROUND_ROBIN', warmup: { duration: '1m' } });
    expectSchemaValid(warm);
  });

  test('accepts failover when the outlier detection is inherited from the enclosing policy', () => {
    const chart = Testing.chart();
    const subset = renderTrafficPolicy(chart, 'subsets[0].trafficPolicy', {
      loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.failover([{ from: 'us-west', to: 'us-east' }]) }),
    }, { inherited: { outlierDetection: OUTLIER } });
    expect(subset.outlierDetection).toBeUndefined();
  });

  test('renders client TLS modes', () => {
    expect(render({ tls: { mode: TlsMode.ISTIO_MUTUAL } }).tls).toEqual({ mode: 'ISTIO_MUTUAL' });
    const simple = render({ tls: { mode: TlsMode.SIMPLE, sni: 'api.example.com', subjectAltNames: ['api.example.com'], caCertificates: '/etc/certs/ca.pem' } });
    expect(simple.tls).toEqual({ mode: 'SIMPLE', sni: 'api.example.com', subjectAltNames: ['api.example.com'], caCertificates: '/etc/certs/ca.pem' });
    const mutual = render({ tls: { mode: TlsMode.MUTUAL, credentialName: 'client-credential' } });
    expect(mutual.tls).toEqual({ mode: 'MUTUAL', credentialName: 'client-credential' });
    expect(render({ tls: { mode: TlsMode.DISABLE } }).tls).toEqual({ mode: 'DISABLE' });
    expectSchemaValid(mutual);
  });

  test('renders port-level settings with port numbers', () => {
    const out = render({
      loadBalancer: LoadBalancer.RANDOM,
      portLevelSettings: [
        { port: 80, loadBalancer: LoadBalancer.LEAST_REQUEST },
        { port: 9080, connectionPool: { tcp: { maxConnections: 10 } }, tls: { mode: TlsMode.ISTIO_MUTUAL } },
      ],
    });
    expect(out.portLevelSettings).toEqual([
      { port: { number: 80 }, loadBalancer: { simple: 'LEAST_REQUEST' } },
      // Istio replaces the top level on a port: the top-level loadBalancer is copied in so port 9080 keeps RANDOM.
      { port: { number: 9080 }, connectionPool: { tcp: { maxConnections: 10 } }, loadBalancer: { simple: 'RANDOM' }, tls: { mode: 'ISTIO_MUTUAL' } },
    ]);
    expectSchemaValid(out);
  });

  test('port-level settings keep the top-level fields they do not set (Istio would reset them to its defaults)', () => {
    const tls = { mode: TlsMode.SIMPLE, caCertificates: '/etc/ssl/certs/ca-certificates.crt' };
    const out = render({
      connectionPool: { tcp: { maxConnections: 100 } },
      outlierDetection: OUTLIER,
      tls,
      portLevelSettings: [{ port: 8443, loadBalancer: LoadBalancer.RANDOM }, { port: 9090, connectionPool: { http: { http2MaxRequests: 10 } } }],
    });
    expect(out.portLevelSettings).toEqual([
      {
        port: { number: 8443 }, connectionPool: { tcp: { maxConnections: 100 } }, loadBalancer: { simple: 'RANDOM' },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' }, tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt' },
      },
      {
        // a field the port sets replaces the top-level one whole
        port: { number: 9090 }, connectionPool: { http: { http2MaxRequests: 10 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' }, tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt' },
      },
    ]);
    expectSchemaValid(out);
  });

  test('a port-level locality failover gets the top-level outlier detection rendered on its port', () => {
    const out = render({
      outlierDetection: OUTLIER,
      portLevelSettings: [{ port: 80, loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.failover([{ from: 'us-west', to: 'us-east' }]) }) }],
    });
    expect(out.portLevelSettings[0].outlierDetection).toEqual({ consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' });
    expect(out.portLevelSettings[0].loadBalancer.localityLbSetting).toEqual({ failover: [{ from: 'us-west', to: 'us-east' }] });
  });

  test('a subset renders its port-level settings over the subset and DestinationRule policy of that port', () => {
    const chart = Testing.chart();
    const inherited: TrafficPolicy = {
      tls: { mode: TlsMode.ISTIO_MUTUAL },
      portLevelSettings: [{ port: 80, connectionPool: { tcp: { maxConnections: 5 } } }],
    };
    const subset = renderTrafficPolicy(chart, 'subsets[0].trafficPolicy', {
      loadBalancer: LoadBalancer.RANDOM,
      portLevelSettings: [{ port: 80, outlierDetection: OUTLIER }],
    }, { inherited });
    expect(subset.portLevelSettings).toEqual([{
      port: { number: 80 }, connectionPool: { tcp: { maxConnections: 5 } }, loadBalancer: { simple: 'RANDOM' },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' }, tls: { mode: 'ISTIO_MUTUAL' },
    }]);
    // top-level subset fields merge with the DestinationRule's top level field by field in Istio: nothing copied
    expect(subset.tls).toBeUndefined();
  });

  test('LoadBalancer.localityAware renders localityLbSetting without an algorithm', () => {
    const out = render({ loadBalancer: LoadBalancer.localityAware(LocalityLoadBalancing.failover([{ from: 'us-west', to: 'us-east' }])), outlierDetection: OUTLIER });
    expect(out.loadBalancer).toEqual({ localityLbSetting: { failover: [{ from: 'us-west', to: 'us-east' }] } });
    expect(LoadBalancer.localityAware(LocalityLoadBalancing.DISABLED).simple).toBeUndefined();
    expect(render({ loadBalancer: LoadBalancer.localityAware(LocalityLoadBalancing.distribute([{ from: 'us-west/*', to: { 'us-west/*': 80, 'us-east/*': 20 } }])) }).loadBalancer)
      .toEqual({ localityLbSetting: { distribute: [{ from: 'us-west/*', to: { 'us-west/*': 80, 'us-east/*': 20 } }] } });
    expectSchemaValid(out);
  });

  test('renders subset policies that validate in a DestinationRule', () => {
    const chart = Testing.chart();
    const tp = renderTrafficPolicy(chart, 'subsets[0].trafficPolicy', { loadBalancer: LoadBalancer.RANDOM });
    expectSchemaValid({}, [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: tp as istio.DestinationRuleSpecSubsetsTrafficPolicy }]);
  });
});

describe('renderTrafficPolicy validation', () => {
  const failover = LocalityLoadBalancing.failover([{ from: 'us-west', to: 'us-east' }]);

  test('fails when locality failover has no outlier detection, and explains why', () => {
    expect(() => render({ loadBalancer: LoadBalancer.roundRobin({ locality: failover }) }))
      .toThrow(/\[test\] 'trafficPolicy.outlierDetection' is required with locality failover: Istio only fails over once outlier detection ejects .* got nothing\. Fix: add outlierDetection/);
  });

  test('fails when locality failover has outlier detection that can eject nothing', () => {
    expect(() => render({ loadBalancer: LoadBalancer.roundRobin({ locality: failover }), outlierDetection: { consecutive5xxErrors: 0 } }))
      .toThrow(/'trafficPolicy.outlierDetection' is required with locality failover.*got \{"consecutive5xxErrors":0\}/);
  });

  test('fails when LoadBalancer.localityAware has no locality setting', () => {
    expect(() => render({ loadBalancer: LoadBalancer.localityAware(undefined as unknown as LocalityLoadBalancing) }))
      .toThrow(/\[test\] 'trafficPolicy.loadBalancer.locality' is required by LoadBalancer.localityAware\(\), got nothing\. Fix: pass a LocalityLoadBalancing/);
  });

  test('fails when LoadBalancer.localityAware fails over without outlier detection', () => {
    expect(() => render({ loadBalancer: LoadBalancer.localityAware(failover) }))
      .toThrow(/'trafficPolicy.outlierDetection' is required with locality failover/);
  });

  test('fails when a port turns off the outlier detection a top-level failover needs on that port', () => {
    expect(() => render({
      loadBalancer: LoadBalancer.roundRobin({ locality: failover }), outlierDetection: OUTLIER,
      portLevelSettings: [{ port: 80, outlierDetection: { consecutive5xxErrors: 0 } }],
    })).toThrow(/'trafficPolicy.portLevelSettings\[0\].outlierDetection' is required with locality failover.*got \{"consecutive5xxErrors":0\}/);
  });

  test('fails when a subset fails over on a port whose DestinationRule setting has no outlier detection', () => {
    const chart = Testing.chart();
    expect(() => renderTrafficPolicy(chart, 'subsets[0].trafficPolicy', { loadBalancer: LoadBalancer.roundRobin({ locality: failover }) }, {
      inherited: { outlierDetection: OUTLIER, portLevelSettings: [{ port: 80, outlierDetection: { consecutive5xxErrors: 0 } }] },
    })).toThrow(/'subsets\[0\].trafficPolicy.outlierDetection' is required with locality failover \(on port 80, where it applies over the DestinationRule's portLevelSettings\)/);
  });

  test('fails when a port-level failover has no outlier detection anywhere', () => {
    expect(() => render({ portLevelSettings: [{ port: 80, loadBalancer: LoadBalancer.roundRobin({ locality: failover }) }] }))
      .toThrow(/'trafficPolicy.portLevelSettings\[0\].outlierDetection' is required with locality failover/);
  });

  test('fails when distribute weights do not sum to 100', () => {
    expect(() => render({ loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.distribute([{ from: 'us-west/*', to: { 'us-west/*': 50, 'us-east/*': 30 } }]) }) }))
      .toThrow(/'trafficPolicy.loadBalancer.locality.distribute\[0\].to' weights must sum to 100, got "50\+30=80"/);
  });

  test('fails for a non-integer distribute weight', () => {
    expect(() => render({ loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.distribute([{ from: 'us-west/*', to: { 'us-west/*': 99.5, 'us-east/*': 0.5 } }]) }) }))
      .toThrow(/'trafficPolicy.loadBalancer.locality.distribute\[0\].to\["us-west\/\*"\]' must be an integer from 0 to 100, got 99.5/);
  });

  test('fails for a malformed distribute locality', () => {
    expect(() => render({ loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.distribute([{ from: '*/zone1', to: { 'us-west/*': 100 } }]) }) }))
      .toThrow(/'trafficPolicy.loadBalancer.locality.distribute\[0\].from' must be a locality .* got "\*\/zone1"/);
  });

  test('fails for a failover between zones instead of regions', () => {
    expect(() => render({ outlierDetection: OUTLIER, loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.failover([{ from: 'us-west/zone1', to: 'us-east' }]) }) }))
      .toThrow(/'trafficPolicy.loadBalancer.locality.failover\[0\].from' must be a region name .* got "us-west\/zone1"/);
  });

  test('fails for a failover to the same region', () => {
    expect(() => render({ outlierDetection: OUTLIER, loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.failover([{ from: 'us-west', to: 'us-west' }]) }) }))
      .toThrow(/'trafficPolicy.loadBalancer.locality.failover\[0\].to' must differ from 'from', got "us-west"/);
  });

  test('fails for an empty failover list', () => {
    expect(() => render({ outlierDetection: OUTLIER, loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.failover([]) }) }))
      .toThrow(/'trafficPolicy.loadBalancer.locality.failover' must list at least one rule, got \[\]/);
  });

  test('fails for maxEjectionPercent over 100', () => {
    expect(() => render({ outlierDetection: { maxEjectionPercent: 150 } }))
      .toThrow(/'trafficPolicy.outlierDetection.maxEjectionPercent' must be an integer from 0 to 100, got 150/);
  });

  test('fails for minHealthPercent below 0', () => {
    expect(() => render({ outlierDetection: { minHealthPercent: -1 } }))
      .toThrow(/'trafficPolicy.outlierDetection.minHealthPercent' must be an integer from 0 to 100, got -1/);
  });

  test('fails for maxConnections 0', () => {
    expect(() => render({ connectionPool: { tcp: { maxConnections: 0 } } }))
      .toThrow(/'trafficPolicy.connectionPool.tcp.maxConnections' must be an integer from 1 to 2147483647, got 0/);
  });

  test('fails for a fractional http1MaxPendingRequests', () => {
    expect(() => render({ connectionPool: { http: { http1MaxPendingRequests: 1.5 } } }))
      .toThrow(/'trafficPolicy.connectionPool.http.http1MaxPendingRequests' must be an integer from 1 to 2147483647, got 1.5/);
  });

  test('fails for a zero outlier interval', () => {
    expect(() => render({ outlierDetection: { interval: Duration.seconds(0) } }))
      .toThrow(/'trafficPolicy.outlierDetection.interval' must be at least 1ms, got "0ms"/);
  });

  test('fails for a keepalive time that is not whole seconds', () => {
    expect(() => render({ connectionPool: { tcp: { tcpKeepalive: { time: Duration.millis(1500) } } } }))
      .toThrow(/'trafficPolicy.connectionPool.tcp.tcpKeepalive.time' must be a whole number of seconds.*got "1500ms"/);
  });

  test('fails for consecutiveLocalOriginFailures without splitExternalLocalOriginErrors', () => {
    expect(() => render({ outlierDetection: { consecutiveLocalOriginFailures: 3 } }))
      .toThrow(/'trafficPolicy.outlierDetection.consecutiveLocalOriginFailures' only takes effect with splitExternalLocalOriginErrors: true, got 3/);
  });

  test('fails for consistent hashing with two keys or none', () => {
    expect(() => render({ loadBalancer: LoadBalancer.consistentHash({ httpHeaderName: 'x-user', useSourceIp: true }) }))
      .toThrow(/'trafficPolicy.loadBalancer.consistentHash' must set exactly one hash key .* got \["httpHeaderName","useSourceIp"\]/);
    expect(() => render({ loadBalancer: LoadBalancer.consistentHash({}) }))
      .toThrow(/'trafficPolicy.loadBalancer.consistentHash' must set exactly one hash key .* got \[\]/);
  });

  test('fails for an upper-case hash header name', () => {
    expect(() => render({ loadBalancer: LoadBalancer.consistentHash({ httpHeaderName: 'X-User' }) }))
      .toThrow(/'trafficPolicy.loadBalancer.consistentHash.httpHeaderName' must be a lower-case HTTP header name, got "X-User". Fix: use "x-user"/);
  });

  test('fails for warm-up with RANDOM', () => {
    expect(() => render({ loadBalancer: LoadBalancer.random({ warmup: Duration.seconds(30) }) }))
      .toThrow(/'trafficPolicy.loadBalancer.warmup' is only supported with ROUND_ROBIN and LEAST_REQUEST, not RANDOM, got "30 seconds"/);
  });

  test('fails for MUTUAL TLS without a client certificate', () => {
    expect(() => render({ tls: { mode: TlsMode.MUTUAL } }))
      .toThrow(/'trafficPolicy.tls.credentialName' is required with mode MUTUAL .* got nothing/);
  });

  test('fails for ISTIO_MUTUAL with a credentialName', () => {
    expect(() => render({ tls: { mode: TlsMode.ISTIO_MUTUAL, credentialName: 'my-cert' } }))
      .toThrow(/'trafficPolicy.tls.credentialName' must not be set with ISTIO_MUTUAL .* got "my-cert"/);
  });

  test('fails for DISABLE with TLS settings', () => {
    expect(() => render({ tls: { mode: TlsMode.DISABLE, sni: 'a.example.com' } }))
      .toThrow(/'trafficPolicy.tls.sni' has no effect with mode DISABLE, got "a.example.com"/);
  });

  test('fails for a client certificate without its key', () => {
    expect(() => render({ tls: { mode: TlsMode.MUTUAL, clientCertificate: '/etc/certs/cert.pem' } }))
      .toThrow(/'trafficPolicy.tls.privateKey' is required together with clientCertificate, got nothing/);
  });

  test('fails for credentialName combined with file paths', () => {
    expect(() => render({ tls: { mode: TlsMode.SIMPLE, credentialName: 'cred', caCertificates: '/ca.pem' } }))
      .toThrow(/'trafficPolicy.tls.caCertificates' cannot be combined with credentialName .*got "\/ca.pem"/);
  });

  test('fails for duplicate port-level ports', () => {
    expect(() => render({ portLevelSettings: [{ port: 80, loadBalancer: LoadBalancer.RANDOM }, { port: 80, loadBalancer: LoadBalancer.LEAST_REQUEST }] }))
      .toThrow(/'trafficPolicy.portLevelSettings\[\].port' must be unique, got 80/);
  });

  test('fails for an out-of-range port-level port', () => {
    expect(() => render({ portLevelSettings: [{ port: 70000, loadBalancer: LoadBalancer.RANDOM }] }))
      .toThrow(/'trafficPolicy.portLevelSettings\[0\].port' must be an integer from 1 to 65535, got 70000/);
  });

  test('fails for a port-level entry that sets nothing', () => {
    expect(() => render({ portLevelSettings: [{ port: 80 }] }))
      .toThrow(/'trafficPolicy.portLevelSettings\[0\]' sets nothing for its port, got \{"port":80\}/);
  });
});

describe('port-level settings in a MeshApp DestinationRule', () => {
  test('the app policy is copied into its port setting, and a subset port setting gets the app and subset policy of that port', () => {
    const c = Testing.chart();
    new MeshApp(c, 'httpbin', {
      ports: [{ name: 'http', port: 8000, targetPort: 8080 }, { name: 'grpc', port: 9000, targetPort: 9090 }],
      trafficPolicy: { ...CIRCUIT_BREAKER, portLevelSettings: [{ port: 9000, loadBalancer: LoadBalancer.RANDOM }] },
      versions: [{ name: 'v1', image: 'docker.io/kennethreitz/httpbin:0.9.2', trafficPolicy: { tls: { mode: TlsMode.ISTIO_MUTUAL }, portLevelSettings: [{ port: 8000, loadBalancer: LoadBalancer.ROUND_ROBIN }] } }],
    });
    const manifests = Testing.synth(c);
    const dr = manifests.find((m) => m.kind === 'DestinationRule');
    expect(dr.spec.trafficPolicy.portLevelSettings).toEqual([{
      port: { number: 9000 }, loadBalancer: { simple: 'RANDOM' },
      connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
      outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '3m', maxEjectionPercent: 100 },
    }]);
    expect(dr.spec.subsets[0].trafficPolicy.portLevelSettings).toEqual([{
      port: { number: 8000 }, loadBalancer: { simple: 'ROUND_ROBIN' }, tls: { mode: 'ISTIO_MUTUAL' },
      connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
      outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '3m', maxEjectionPercent: 100 },
    }]);
    expectSchemaValid(dr.spec.trafficPolicy, dr.spec.subsets);
  });
});
