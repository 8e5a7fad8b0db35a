/**
 * Durations: every Duration prop checks what it is given before reading it, with the construct path and the field.
 * From JavaScript or data a number (`30`) or a string (`'30s'`) arrives where a Duration is expected (formerly a crash,
 * "toMilliseconds is not a function"); a negative amount cannot come from cdk8s, whose factories throw where the
 * Duration is written, before any construct exists (the last test shows what that error says).
 */
import { Duration } from 'cdk8s';
import {
  CanaryRelease, Certificate, ExternalVmWorkload, GitRepository, Issuer, IssuerType, MeshApp, MeshPlatform, ScrapePort, ServiceMonitor, VmReadinessProbe,
} from '../../lib';
import { Build, expectRejected, expectRejectedKeepingOutput, meshErr, shop } from './helpers';

const podinfo = (c: any) => new MeshApp(c, 'podinfo', { versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }] });
/** What a Duration from another copy of cdk8s (or a hand-written object) with a negative amount looks like. */
const negative = (ms: number): Duration => ({ toMilliseconds: () => ms, toSeconds: () => ms / 1000, toHumanString: () => `${ms}ms` }) as unknown as Duration;
const git = (c: any, props: any) => new GitRepository(c, 'repo', { url: 'https://github.com/example/fleet', branch: 'main', ...props });

const cases: Array<[string, Build, RegExp]> = [
  ['a route timeout given as a number', (c) => shop(c, 'shop', { routes: [{ timeout: 5 as any }] }),
    meshErr('test/shop', 'routes[0].timeout', '5', 'pass Duration.seconds(5) (or Duration.millis(5) if milliseconds were meant)')],
  ['a route timeout given as a string', (c) => shop(c, 'shop', { routes: [{ timeout: '5s' as any }] }),
    meshErr('test/shop', 'routes[0].timeout', '"5s"', 'pass Duration.seconds(5) instead of the string "5s"')],
  ['a per-try timeout given as "250ms"', (c) => shop(c, 'shop', { routes: [{ retries: { attempts: 2, perTryTimeout: '250ms' as any } }] }),
    meshErr('test/shop', 'routes[0].retries.perTryTimeout', '"250ms"', 'pass Duration.millis(250)')],
  ['a negative route timeout (a Duration-like object)', (c) => shop(c, 'shop', { routes: [{ timeout: negative(-5000) }] }),
    meshErr('test/shop', 'routes[0].timeout', '"-5000ms"', 'pass a positive duration')],
  ['a canary interval given as a number', (c) => new CanaryRelease(c, 'canary', { app: podinfo(c), interval: 30 as any }),
    meshErr('test/canary', 'interval', '30', 'pass Duration.seconds(30)')],
  ['a negative canary interval (a Duration-like object)', (c) => new CanaryRelease(c, 'canary', { app: podinfo(c), interval: negative(-30000) }),
    meshErr('test/canary', 'interval', '"-30000ms"', 'pass a positive duration')],
  ['a GitRepository interval given as "1m"', (c) => git(c, { interval: '1m' }),
    meshErr('test/repo', 'interval', '"1m"', 'pass Duration.minutes(1)')],
  ['a negative GitRepository timeout (a Duration-like object)', (c) => git(c, { timeout: negative(-60000) }),
    meshErr('test/repo', 'timeout', '"-60000ms"', 'pass a positive duration')],
  ['a GitRepository interval given as an object', (c) => git(c, { interval: { seconds: 30 } }),
    meshErr('test/repo', 'interval', '{"seconds":30}', 'pass a Duration from \'cdk8s\', e.g. Duration.seconds(30)')],
  ['a ServiceMonitor interval given as "30s"', (c) => new ServiceMonitor(c, 'sm', { selector: { app: 'shop' }, endpoints: [{ port: ScrapePort.servicePort('http-monitoring'), interval: '30s' as any }] }),
    meshErr('test/sm', 'endpoints[0].interval', '"30s"', 'pass Duration.seconds(30)')],
  ['a certificate duration given as a number', (c) => new Certificate(c, 'cert', {
    issuer: new Issuer(c, 'issuer', { type: IssuerType.selfSigned() }), secretName: 'cert-tls', dnsNames: ['shop.example.com'], duration: 2160 as any,
  }), meshErr('test/cert', 'duration', '2160', 'pass Duration.seconds(2160)')],
  ['an ext-authz timeout given as "1s"', (c) => new MeshPlatform(c, 'platform', { controllers: c })
    .addAuthorizationProvider({ name: 'ext-authz', service: 'ext-authz.auth.svc.cluster.local', port: 8000, timeout: '1s' as any }),
  meshErr('test/platform', 'extensionProviders["ext-authz"].timeout', '"1s"', 'pass Duration.seconds(1)')],
  ['a VM probe period given as a number', (c) => new ExternalVmWorkload(c, 'ratings', {
    eastWestGateway: { selector: { istio: 'eastwestgateway' }, namespace: 'istio-system', serviceName: 'istio-eastwestgateway', network: 'network1' },
    serviceAccountName: 'bookinfo-ratings', ports: [{ name: 'http', port: 9080 }], probe: VmReadinessProbe.tcpSocket(9080, { period: 10 as any }),
  }), meshErr('test/ratings', 'probe.period', '10', 'pass Duration.seconds(10)')],
];

describe('durations', () => {
  test.each(cases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  test.each([cases[0], cases[5]])('synthesize() fails for %s and leaves the previous output byte for byte', (_name, build, error) => {
    expectRejectedKeepingOutput(build, error);
  });

  test('a negative cdk8s Duration is refused by cdk8s where it is written, before a construct exists', () => {
    expect(() => Duration.seconds(-5)).toThrow(/Duration amounts cannot be negative\. Received: -5/);
  });
});
