import { Duration, Testing } from 'cdk8s';
import { PrometheusRule, PrometheusRuleEntry } from '../../lib/observability';
import { expectValidManifests } from '../util/schema';

describe('PrometheusRule', () => {
  test('default: one recording group, name from the construct id, namespace from the chart', () => {
    const chart = Testing.chart();
    new PrometheusRule(chart, 'my-rules', {
      groups: [{ name: 'g', rules: [PrometheusRuleEntry.record('job:up:sum', 'sum by (job) (up)')] }],
    });
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out).toHaveLength(1);
    expect(out[0].apiVersion).toBe('monitoring.coreos.com/v1');
    expect(out[0].metadata).toEqual({ name: 'my-rules', namespace: 'default' });
    expect(out[0].spec).toEqual({ groups: [{ name: 'g', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }] });
    expectValidManifests(out);
  });

  test('every field set survives synthesis (for, keep_firing_for, labels, annotations, interval)', () => {
    const chart = Testing.chart();
    const rule = new PrometheusRule(chart, 'rules', { name: 'mesh-alerts', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } });
    rule.addGroup({
      name: 'istio.alerts',
      interval: Duration.seconds(90),
      rules: [
        PrometheusRuleEntry.record('workload:x', 'sum(x)', { labels: { team: 'mesh' } }),
        PrometheusRuleEntry.alert('IstioHighErrorRate', 'rate(istio_requests_total{response_code=~"5.."}[5m]) > 0.1', {
          for: Duration.minutes(5),
          keepFiringFor: Duration.minutes(2),
          labels: { severity: 'page' },
          annotations: { summary: 'errors on {{ $labels.destination_workload }}' },
        }),
      ],
    });
    const [obj] = Testing.synth(chart);
    expect(obj.metadata).toEqual({ name: 'mesh-alerts', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } });
    expect(obj.spec.groups[0]).toEqual({
      name: 'istio.alerts',
      interval: '1m30s',
      rules: [
        { record: 'workload:x', expr: 'sum(x)', labels: { team: 'mesh' } },
        {
          alert: 'IstioHighErrorRate',
          expr: 'rate(istio_requests_total{response_code=~"5.."}[5m]) > 0.1',
          for: '5m',
          keep_firing_for: '2m',
          labels: { severity: 'page' },
          annotations: { summary: 'errors on {{ $labels.destination_workload }}' },
        },
      ],
    });
    expect(rule.groups.map((g) => g.name)).toEqual(['istio.alerts']);
    expectValidManifests([obj]);
  });

  test('groups added after construction are rendered (lazy spec)', () => {
    const chart = Testing.chart();
    const rule = new PrometheusRule(chart, 'rules', { groups: [{ name: 'a', rules: [PrometheusRuleEntry.record('a:b', 'up')] }] });
    rule.addGroup({ name: 'b', rules: [PrometheusRuleEntry.record('c:d', 'up')] });
    expect(Testing.synth(chart)[0].spec.groups.map((g: any) => g.name)).toEqual(['a', 'b']);
  });

  test('fails on a record name that is not a metric name, naming path, field, value and fix', () => {
    const chart = Testing.chart();
    expect(() => new PrometheusRule(chart, 'rules', { groups: [{ name: 'g', rules: [PrometheusRuleEntry.record('workload-requests', 'up')] }] }))
      .toThrow(/^\[test\/rules\] 'groups\[0\]\.rules\[0\]\.record' must be a Prometheus metric name .*got "workload-requests"\. Fix: use a name like "workload_requests"/);
    expect(() => new PrometheusRule(Testing.chart(), 'rules', { groups: [{ name: 'g', rules: [PrometheusRuleEntry.record('1x', 'up')] }] }))
      .toThrow(/'groups\[0\]\.rules\[0\]\.record' .*got "1x"\. Fix: use a name like "_1x"/);
  });

  test('fails on an empty expression', () => {
    expect(() => new PrometheusRule(Testing.chart(), 'rules', { groups: [{ name: 'g', rules: [PrometheusRuleEntry.alert('A', '  ')] }] }))
      .toThrow(/^\[test\/rules\] 'groups\[0\]\.rules\[0\]\.expr' must be a non-empty PromQL expression, got "  "\. Fix: pass the query/);
  });

  test('fails on duplicate group names', () => {
    const rule = new PrometheusRule(Testing.chart(), 'rules', { groups: [{ name: 'g', rules: [PrometheusRuleEntry.record('a', 'up')] }] });
    expect(() => rule.addGroup({ name: 'g', rules: [PrometheusRuleEntry.record('b', 'up')] }))
      .toThrow(/^\[test\/rules\] 'groups\[\]\.name' must be unique, got "g"\. Fix: rename or remove the second entry "g"/);
  });

  test('fails on an empty group, a bad rule label and a sub-millisecond interval', () => {
    expect(() => new PrometheusRule(Testing.chart(), 'rules', { groups: [{ name: 'g', rules: [] }] }))
      .toThrow(/'groups\[0\]\.rules' must contain at least one rule, got \[\]\. Fix:/);
    expect(() => new PrometheusRule(Testing.chart(), 'rules', {
      groups: [{ name: 'g', rules: [PrometheusRuleEntry.record('a', 'up', { labels: { 'team-name': 'x' } })] }],
    })).toThrow(/'groups\[0\]\.rules\[0\]\.labels\.team-name' must be a Prometheus label name .*got "team-name"\. Fix: rename the label to "team_name"/);
    expect(() => new PrometheusRule(Testing.chart(), 'rules', {
      groups: [{ name: 'g', interval: Duration.millis(0.5), rules: [PrometheusRuleEntry.record('a', 'up')] }],
    })).toThrow(/'groups\[0\]\.interval' must be a positive whole number of milliseconds/);
  });

  test('fails at synthesis when no group was ever added', () => {
    const chart = Testing.chart();
    new PrometheusRule(chart, 'rules');
    expect(() => Testing.synth(chart)).toThrow(/\[test\/rules\] 'groups' must not be empty, got nothing\. Fix: pass groups or call addGroup\(\)/);
  });

});
