import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ISTIO_PROMETHEUS_ADDRESS, MetricProvider, MetricTemplate } from '../../lib';
import { expectValidManifests } from '../util/schema';

const QUERY = `100 - sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",
  destination_workload="{{ target }}",response_code!~"5.*"}[{{ interval }}])) / sum(rate(istio_requests_total{reporter="destination",
  destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"}[{{ interval }}])) * 100`;

describe('MetricTemplate', () => {
  test('default configuration', () => {
    const chart = Testing.chart();
    new MetricTemplate(chart, 'error-rate', { query: QUERY });
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expectValidManifests(out);
  });

  test('defaults to Istio\'s Prometheus, the construct id as name and the chart namespace', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'test' });
    const t = new MetricTemplate(chart, 'error-rate', { query: QUERY });
    const [m] = Testing.synth(chart);
    expect(m.metadata).toEqual({ name: 'error-rate', namespace: 'test' });
    expect(m.spec.provider).toEqual({ type: 'prometheus', address: 'http://prometheus.istio-system:9090' });
    expect(ISTIO_PROMETHEUS_ADDRESS).toBe('http://prometheus.istio-system:9090');
    expect(t.namespace).toBe('test');
  });

  test('a Prometheus with authentication from a Secret', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 'prom-auth', 'prom-auth');
    new MetricTemplate(chart, 'm', { name: 'latency', namespace: 'istio-system', query: 'up', provider: MetricProvider.prometheus({ address: 'https://prom.example.com', secret, insecureSkipVerify: true }) });
    const [m] = Testing.synth(chart);
    expect(m.metadata).toEqual({ name: 'latency', namespace: 'istio-system' });
    expect(m.spec.provider).toEqual({ type: 'prometheus', address: 'https://prom.example.com', secretRef: { name: 'prom-auth' }, insecureSkipVerify: true });
    expectValidManifests(Testing.synth(chart));
  });

  test('fromMetricTemplateName references an existing template', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'test' });
    const t = MetricTemplate.fromMetricTemplateName(chart, 'shared', 'error-rate', 'flagger-system');
    expect([t.name, t.namespace]).toEqual(['error-rate', 'flagger-system']);
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('fails on an empty query, unknown template variables, bad addresses and names', () => {
    const chart = Testing.chart();
    expect(() => new MetricTemplate(chart, 'a', { query: ' ' })).toThrow(/\[test\/a\] 'query' must not be empty, got " "\. Fix:/);
    expect(() => new MetricTemplate(chart, 'b', { query: 'x{w="{{ workload }}"}' })).toThrow(/'query' uses a template variable Flagger does not know, got "\{\{ workload \}\}"\. Fix: use one of/);
    expect(() => new MetricTemplate(chart, 'c', { query: 'up', provider: MetricProvider.prometheus({ address: 'prometheus:9090' }) })).toThrow(/'provider.address' must be an http\(s\) URL/);
    expect(() => new MetricTemplate(chart, 'd', { query: 'up', provider: MetricProvider.prometheus({ address: 'http://user:pw@prom:9090' }) }))
      .toThrow(/'provider.address' must not carry credentials.*\*\*\*@prom.*Fix: .*the keys username\/password \(basic auth\) or token \(bearer\)/);
    expect(() => new MetricTemplate(chart, 'Bad_Name', { query: 'up' })).toThrow(/'name' must be a DNS-1123 subdomain/);
  });

  test('accepts {{ variables.x }} in the query', () => {
    const chart = Testing.chart();
    expect(() => new MetricTemplate(chart, 'v', { query: 'x{a="{{ variables.a }}"}' })).not.toThrow();
  });
});
