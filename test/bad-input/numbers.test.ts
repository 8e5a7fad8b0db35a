/**
 * Numbers: NaN and Infinity are refused wherever a number or a duration is given, with the construct path and the
 * field (never written as `.nan` / `.inf`, never a crash inside a renderer).
 */
import { Duration } from 'cdk8s';
import {
  CanaryMetric, CanaryRelease, Certificate, HttpFault, Issuer, IssuerType, MeshApp, MetricTemplate, StringMatch,
} from '../../lib';
import { Build, expectRejected, expectRejectedKeepingOutput, meshErr, shop } from './helpers';

const podinfo = (c: any) => new MeshApp(c, 'podinfo', { versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }] });
const DURATION_FIX = 'pass a duration computed from valid numbers';

const cases: Array<[string, Build, RegExp]> = [
  ['replicas NaN', (c) => shop(c, 'shop', { replicas: NaN }), meshErr('test/shop', 'replicas', 'NaN', 'pass a whole number from 0')],
  ['replicas Infinity', (c) => shop(c, 'shop', { replicas: Infinity }), meshErr('test/shop', 'replicas', 'Infinity', 'pass a whole number from 0')],
  ['a version replicas -Infinity', (c) => shop(c, 'shop', { versions: [{ name: 'v1', image: 'shop:1.0.0', replicas: -Infinity }] }),
    meshErr('test/shop', 'versions[0].replicas', '-Infinity', 'pass a whole number from 0')],
  ['a port NaN', (c) => shop(c, 'shop', { ports: [{ name: 'http', port: NaN }] }), meshErr('test/shop', 'ports[0].port', 'NaN', 'pass a whole number from 1 to 65535')],
  ['autoscaling maxReplicas NaN', (c) => shop(c, 'shop', { autoscaling: { maxReplicas: NaN } }),
    meshErr('test/shop', 'autoscaling.maxReplicas', 'NaN', 'pass a whole number from 1')],
  ['autoscaling cpuUtilization Infinity', (c) => shop(c, 'shop', { autoscaling: { maxReplicas: 4, cpuUtilization: Infinity } }),
    meshErr('test/shop', 'autoscaling.cpuUtilization', 'Infinity', 'pass a whole number from 1 to 1000')],
  ['a destination weight NaN', (c) => shop(c, 'shop', { routes: [{ destinations: [{ version: 'v1', weight: NaN }, { version: 'v2', weight: 100 }] }] }),
    meshErr('test/shop', 'routes[0].destinations[0].weight', 'NaN', 'pass a whole number from 0 to 100')],
  ['a mirror percentage NaN', (c) => shop(c, 'shop', { routes: [{ destinations: [{ version: 'v1' }], mirror: { version: 'v2', percentage: NaN } }] }),
    meshErr('test/shop', 'routes[0].mirror.percentage', 'NaN', 'pass a percentage from 0 to 100')],
  ['a fault percentage Infinity', (c) => shop(c, 'shop', { routes: [{ fault: HttpFault.abort(503, Infinity) }] }),
    meshErr('test/shop', 'routes[0].fault.abort.percentage', 'Infinity', 'pass a percentage from 0 to 100')],
  ['a route timeout of NaN seconds', (c) => shop(c, 'shop', { routes: [{ timeout: Duration.seconds(NaN) }] }),
    meshErr('test/shop', 'routes[0].timeout', 'NaN', DURATION_FIX)],
  ['a per-try timeout of Infinity', (c) => shop(c, 'shop', { routes: [{ retries: { attempts: 2, perTryTimeout: Duration.millis(Infinity) } }] }),
    meshErr('test/shop', 'routes[0].retries.perTryTimeout', 'Infinity', DURATION_FIX)],
  ['a fault delay of NaN', (c) => shop(c, 'shop', { routes: [{ fault: HttpFault.delay(Duration.seconds(NaN)) }] }),
    meshErr('test/shop', 'routes[0].fault.delay.fixedDelay', 'NaN', DURATION_FIX)],
  ['a CORS maxAge of NaN', (c) => shop(c, 'shop', { routes: [{ corsPolicy: { allowOrigins: [StringMatch.exact('https://a.example')], maxAge: Duration.hours(NaN) } }] }),
    meshErr('test/shop', 'routes[0].corsPolicy.maxAge', 'NaN', DURATION_FIX)],
  ['a connection limit NaN', (c) => shop(c, 'shop', { trafficPolicy: { connectionPool: { tcp: { maxConnections: NaN } } } }),
    meshErr('test/shop', 'trafficPolicy.connectionPool.tcp.maxConnections', 'NaN', 'pass a whole number from 1')],
  ['a container user NaN', (c) => shop(c, 'shop', { securityContext: { user: NaN } }),
    meshErr('test/shop', 'securityContext.user', 'NaN', 'pass a whole number from 0')],
  ['a canary interval of NaN seconds', (c) => new CanaryRelease(c, 'canary', { app: podinfo(c), interval: Duration.seconds(NaN) }),
    meshErr('test/canary', 'interval', 'NaN', 'e.g. Duration.seconds(30)')],
  ['a canary threshold Infinity', (c) => new CanaryRelease(c, 'canary', { app: podinfo(c), threshold: Infinity }),
    meshErr('test/canary', 'threshold', 'Infinity', 'pass a whole number')],
  ['a custom metric threshold NaN', (c) => {
    const template = new MetricTemplate(c, 'errors', { query: 'sum(rate(errors_total[1m]))' });
    new CanaryRelease(c, 'canary', { app: podinfo(c), metrics: [CanaryMetric.fromTemplate(template, { max: NaN })] });
  }, meshErr('test/canary', 'metrics[0].max', 'NaN', 'pass the threshold as a number, e.g. 5')],
  ['a certificate duration of NaN hours', (c) => new Certificate(c, 'cert', {
    issuer: new Issuer(c, 'issuer', { type: IssuerType.selfSigned() }), secretName: 'cert-tls', dnsNames: ['shop.example.com'], duration: Duration.hours(NaN),
  }), meshErr('test/cert', 'duration', 'NaN', DURATION_FIX)],
];

describe('numbers', () => {
  test.each(cases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  test.each([cases[9], cases[15]])('synthesize() fails for %s and leaves the previous output byte for byte', (_name, build, error) => {
    expectRejectedKeepingOutput(build, error);
  });
});
