import { Testing } from 'cdk8s';
import { AccessLogMode, Telemetry } from '../../lib/observability';
import { MeshPeer } from '../../lib/core/mesh-peer';
import { TestWorkload } from '../util/security-fixtures';
import { expectValidManifests } from '../util/schema';

describe('Telemetry', () => {
  test('default: mesh-wide Envoy access logs in the root namespace, no selector', () => {
    const chart = Testing.chart();
    const t = new Telemetry(chart, 'mesh-default', { namespace: 'istio-system', accessLogging: {} });
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(t.meshWide).toBe(true);
    expect(out[0].apiVersion).toBe('telemetry.istio.io/v1');
    expect(out[0].metadata).toEqual({ name: 'mesh-default', namespace: 'istio-system' });
    expect(out[0].spec).toEqual({ accessLogging: [{ providers: [{ name: 'envoy' }] }] });
    expectValidManifests(out);
  });

  test('workload scope: selector from the peer, every access-log and tracing field survives synthesis', () => {
    const chart = Testing.chart();
    const app = new TestWorkload(chart, 'reviews', { namespace: 'bookinfo' });
    const t = new Telemetry(chart, 'reviews-telemetry', {
      workload: app,
      accessLogging: { providers: ['envoy', 'otel'], filter: 'response.code >= 400', mode: AccessLogMode.SERVER, disabled: true },
      tracing: { providers: ['zipkin'], randomSamplingPercentage: 12.5, disableSpanReporting: true },
    });
    const obj = Testing.synth(chart).find((o) => o.kind === 'Telemetry');
    expect(t.meshWide).toBe(false);
    expect(obj.metadata.namespace).toBe('bookinfo');
    expect(obj.spec).toEqual({
      selector: { matchLabels: { app: 'reviews' } },
      accessLogging: [{ providers: [{ name: 'envoy' }, { name: 'otel' }], filter: { expression: 'response.code >= 400' }, match: { mode: 'SERVER' }, disabled: true }],
      tracing: [{ providers: [{ name: 'zipkin' }], randomSamplingPercentage: 12.5, disableSpanReporting: true }],
    });
    expectValidManifests([obj]);
  });

  test('namespace scope: tracing sampling only', () => {
    const chart = Testing.chart();
    const t = new Telemetry(chart, 'sampling', { namespace: 'bookinfo', tracing: { randomSamplingPercentage: 0 } });
    const [obj] = Testing.synth(chart);
    expect(t.meshWide).toBe(false);
    expect(obj.spec).toEqual({ tracing: [{ randomSamplingPercentage: 0 }] });
    expectValidManifests([obj]);
  });

  test('fails on a sampling percentage above 100, naming path, field, value and fix', () => {
    expect(() => new Telemetry(Testing.chart(), 'tracing', { namespace: 'istio-system', tracing: { randomSamplingPercentage: 150 } }))
      .toThrow(/^\[test\/tracing\] 'tracing\.randomSamplingPercentage' must be between 0 and 100, got 150\. Fix: pass a percentage from 0 to 100/);
    expect(() => new Telemetry(Testing.chart(), 'tracing', { namespace: 'istio-system', tracing: { randomSamplingPercentage: 1.005 } }))
      .toThrow(/'tracing\.randomSamplingPercentage' must have at most two decimals .*got 1\.005\. Fix: pass 1/);
  });

  test('fails on a workload in the root namespace', () => {
    const chart = Testing.chart();
    const gw = MeshPeer.ingressGateway();
    expect(() => new Telemetry(chart, 'gw', { workload: gw, accessLogging: {} }))
      .toThrow(/^\[test\/gw\] 'workload' is not allowed in the root namespace "istio-system" .*got "ingressgateway"\. Fix: omit 'workload'/);
  });

  test('fails without settings, and on an empty provider list', () => {
    expect(() => new Telemetry(Testing.chart(), 'empty', { namespace: 'bookinfo' }))
      .toThrow(/^\[test\/empty\] 'accessLogging' or 'tracing' must be set .*got nothing\. Fix: pass accessLogging: \{\}/);
    expect(() => new Telemetry(Testing.chart(), 'logs', { namespace: 'bookinfo', accessLogging: { providers: [] } }))
      .toThrow(/'accessLogging\.providers' must name at least one provider, got \[\]\. Fix:/);
  });

  test('fails at synthesis on two mesh-wide Telemetries in the root namespace', () => {
    const chart = Testing.chart();
    new Telemetry(chart, 'a', { namespace: 'istio-system', accessLogging: {} });
    new Telemetry(chart, 'b', { namespace: 'istio-system', tracing: { randomSamplingPercentage: 5 } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/a\] 'namespace' holds more than one mesh-wide Telemetry .*"test\/a", "test\/b".*Fix: merge them/);
  });
});
