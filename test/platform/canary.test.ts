import { CanaryChart } from '../../platform/charts/canary';
import { expectValidManifests } from '../util/schema';
import { analyzedPlatform } from './reference-platform';

// Moved from test/delivery/canary-release.test.ts ("reference platform: CanaryChart (main.ts)").
describe('reference platform: canary chart (S6)', () => {
  const { platform, manifestsOf, findingsOf } = analyzedPlatform();
  const chart = platform.production.canary;
  const objects = manifestsOf(chart);

  test('synthesizes without findings, every object valid against its schema', () => {
    expect(chart).toBeInstanceOf(CanaryChart);
    expect(findingsOf(chart)).toEqual([]);
    expectValidManifests(objects);
  });

  test('podinfo: progressive canary with load test, builtin metrics and a MetricTemplate; Flagger-owned objects absent', () => {
    const c = objects.find((o) => o.kind === 'Canary' && o.metadata.name === 'podinfo')!;
    expect(c.spec.analysis).toMatchObject({ interval: '1m', threshold: 5, stepWeight: 10, maxWeight: 50 });
    expect(c.spec.analysis.metrics.map((m: any) => m.name)).toEqual(['request-success-rate', 'request-duration', 'not-found-percentage']);
    expect(c.spec.analysis.webhooks.map((w: any) => w.type)).toEqual(['pre-rollout', 'rollout']);
    expect(objects.filter((o) => ['Service', 'VirtualService', 'DestinationRule'].includes(o.kind) && /^(podinfo|abtest)/.test(o.metadata.name))).toEqual([]);
    expect(chart.podinfoRelease.strictMtls).toBe(true);
  });

  test('abtest (staging only): A/B testing on header and cookie; checkout: static 90/10 split with a cookie override', () => {
    expect(objects.some((o) => o.kind === 'Canary' && o.metadata.name === 'abtest')).toBe(false);
    expect(chart.abtest).toBeUndefined();
    const ab = manifestsOf(platform.staging.canary).find((o) => o.kind === 'Canary' && o.metadata.name === 'abtest')!;
    expect(ab.spec.analysis.iterations).toBe(10);
    expect(ab.spec.analysis.match).toHaveLength(2);
    const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'checkout')!;
    expect(vs.spec.http.map((r: any) => r.route.map((d: any) => [d.destination.subset, d.weight]))).toEqual([[['v2', undefined]], [['v1', 90], ['v2', 10]]]);
  });
});
