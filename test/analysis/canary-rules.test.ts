import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as flagger from '../../imports/flagger.app';
import * as istio from '../../imports/networking.istio.io';
import { analyze, CanaryRelease, FindingSeverity, MeshApp, MetricTemplate } from '../../lib';

/** A hand-written Canary (what a user could write with the L1, or patch), to exercise the whole-output rules. */
function rawCanary(chart: Chart, analysis: Record<string, unknown>, spec: Record<string, unknown> = {}): flagger.Canary {
  return new flagger.Canary(chart, 'raw', {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment' as any, name: 'podinfo' },
      service: { port: 9898 },
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, maxWeight: 50, ...analysis } as any,
      ...spec,
    } as any,
  });
}

function setup(): { app: App; chart: Chart } {
  const app = Testing.app();
  return { app, chart: new Chart(app, 'test', { namespace: 'test' }) };
}

function released(chart: Chart): CanaryRelease {
  const podinfo = new MeshApp(chart, 'podinfo', {
    ports: [{ name: 'http', port: 9898 }],
    versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }],
    autoscaling: { maxReplicas: 4 },
  });
  return new CanaryRelease(chart, 'canary', { app: podinfo });
}

function findings(app: App, rule: string) {
  return analyze(app).findings.filter((f) => f.rule === rule);
}

describe('flagger-reserved-names', () => {
  test('a CanaryRelease and its app emit none of the objects Flagger owns', () => {
    const { app, chart } = setup();
    released(chart);
    expect(findings(app, 'flagger-reserved-names')).toEqual([]);
    expect(analyze(app).errors).toEqual([]);
  });

  test('fails when something else emits <svc>-primary, <svc>-canary, the apex VirtualService or <deploy>-primary', () => {
    const { app, chart } = setup();
    released(chart);
    new kplus.Service(chart, 'primary', { metadata: { name: 'podinfo-primary' }, ports: [{ port: 80 }] });
    new istio.DestinationRule(chart, 'dr', { metadata: { name: 'podinfo-canary' }, spec: { host: 'podinfo-canary' } });
    new istio.VirtualService(chart, 'vs', { metadata: { name: 'podinfo' }, spec: { hosts: ['podinfo'] } });
    new kplus.k8s.KubeDeployment(chart, 'd', {
      metadata: { name: 'podinfo-v1-primary' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x' }] } } },
    });
    new kplus.k8s.KubeHorizontalPodAutoscalerV2(chart, 'h', {
      metadata: { name: 'podinfo-v1-primary' },
      spec: { maxReplicas: 2, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo-v1-primary' } },
    });
    const f = findings(app, 'flagger-reserved-names');
    expect(f.map((x) => x.message.split(' is created')[0])).toEqual([
      'Service "podinfo-primary" in namespace "test"',
      'VirtualService "podinfo" in namespace "test"',
      'DestinationRule "podinfo-canary" in namespace "test"',
      'Deployment "podinfo-v1-primary" in namespace "test"',
      'HorizontalPodAutoscaler "podinfo-v1-primary" in namespace "test"',
    ]);
    expect(f[0].severity).toBe(FindingSeverity.ERROR);
    expect(f[0].message).toMatch(/owned by Flagger for the Canary "podinfo" in namespace "test" \[test\/canary\/Resource\]\. Fix: do not emit it/);
  });
});

describe('flagger-target', () => {
  test('fails when the target Deployment sets replicas or selects by more than app', () => {
    const { app, chart } = setup();
    new kplus.k8s.KubeDeployment(chart, 'd', {
      metadata: { name: 'podinfo' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'podinfo', version: 'v1' } }, template: { metadata: { labels: { app: 'podinfo', version: 'v1' } }, spec: { containers: [{ name: 'x', image: 'x' }] } } },
    });
    rawCanary(chart, {});
    const f = findings(app, 'flagger-target');
    expect(f).toHaveLength(2);
    expect(f[0].message).toMatch(/sets spec.replicas=2/);
    expect(f[1].message).toMatch(/Flagger needs a selector of one label, app/);
  });

  test('passes for a MeshApp released by a CanaryRelease', () => {
    const { app, chart } = setup();
    released(chart);
    expect(findings(app, 'flagger-target')).toEqual([]);
  });
});

describe('flagger-metrics', () => {
  test('fails on a metric that is neither builtin nor backed by a MetricTemplate', () => {
    const { app, chart } = setup();
    rawCanary(chart, { metrics: [{ name: 'error-budget', thresholdRange: { max: 1 } }, { name: 'x', templateRef: { name: 'missing' }, thresholdRange: { max: 1 } }] });
    const f = findings(app, 'flagger-metrics');
    expect(f.map((x) => x.severity)).toEqual(['error', 'error']);
    expect(f[0].message).toMatch(/metric\[0\] "error-budget" is neither builtin \(request-success-rate, request-duration\) nor backed by a MetricTemplate/);
    expect(f[1].message).toMatch(/references the MetricTemplate "missing" in namespace "test", which is not synthesized/);
  });

  test('passes for builtin metrics and synthesized templates; warns on inline queries', () => {
    const { app, chart } = setup();
    new MetricTemplate(chart, 'errors', { query: 'up' });
    rawCanary(chart, {
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 } },
        { name: 'errors', templateRef: { name: 'errors' }, thresholdRange: { max: 1 } },
        { name: 'inline', query: 'up', threshold: 1 },
      ],
    });
    const f = findings(app, 'flagger-metrics');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe(FindingSeverity.WARNING);
    expect(f[0].message).toMatch(/inline query, deprecated/);
  });
});

describe('flagger-analysis', () => {
  test('fails when rollout webhook timeouts reach the interval (unset timeouts count 10s)', () => {
    const { app, chart } = setup();
    rawCanary(chart, {
      interval: '30s',
      webhooks: [{ name: 'a', type: 'rollout', url: 'http://x/', timeout: '20s' }, { name: 'b', type: 'rollout', url: 'http://x/' }],
    });
    expect(findings(app, 'flagger-analysis').map((f) => f.message)).toEqual([expect.stringMatching(/timeouts add up to 30s, not less than the analysis interval 30s/)]);
  });

  test('passes when rollout webhooks fit in the interval', () => {
    const { app, chart } = setup();
    rawCanary(chart, { interval: '1m', webhooks: [{ name: 'a', type: 'rollout', url: 'http://x/', timeout: '20s' }, { name: 'b', type: 'pre-rollout', url: 'http://x/', timeout: '5m' }] });
    expect(findings(app, 'flagger-analysis')).toEqual([]);
  });

  test('fails on mirroring with a non-Istio provider (mirroring before a weighted canary is Flagger\'s own)', () => {
    const { app, chart } = setup();
    rawCanary(chart, { mirror: true }, { provider: 'linkerd' });
    const msgs = findings(app, 'flagger-analysis').map((f) => f.message);
    expect(msgs).toEqual([
      expect.stringMatching(/mirrors traffic with provider "linkerd": Flagger mirrors only with Istio/),
    ]);
  });

  test('passes for Istio blue/green mirroring', () => {
    const { app, chart } = setup();
    new flagger.Canary(chart, 'bg', {
      metadata: { name: 'bg', namespace: 'test' },
      spec: { provider: 'istio' as any, targetRef: { apiVersion: 'apps/v1', kind: 'Deployment' as any, name: 'bg' }, service: { port: 80 },
        analysis: { interval: '1m', threshold: 5, iterations: 5, mirror: true, mirrorWeight: 50 } },
    });
    expect(findings(app, 'flagger-analysis')).toEqual([]);
  });

  test('fails on stepWeight above maxWeight, out-of-range weights, mirrorWeight without mirror and A/B match without iterations', () => {
    const { app, chart } = setup();
    rawCanary(chart, { stepWeight: 60, maxWeight: 50, mirrorWeight: 150, match: [{ headers: { a: { exact: 'b' } } }] });
    const msgs = findings(app, 'flagger-analysis').map((f) => f.message);
    expect(msgs).toEqual([
      expect.stringMatching(/sets mirrorWeight without mirror: true/),
      expect.stringMatching(/stepWeight 60 exceeds maxWeight 50/),
      expect.stringMatching(/mirrorWeight must be an integer from 1 to 100, got 150/),
      expect.stringMatching(/A\/B match conditions without iterations/),
    ]);
  });
});
