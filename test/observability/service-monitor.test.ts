import { Duration, Testing } from 'cdk8s';
import { MonitorNamespaces, RelabelAction, ScrapePort, ServiceMonitor } from '../../lib/observability';
import { expectValidManifests } from '../util/schema';

describe('ServiceMonitor', () => {
  test('default: one endpoint by Service port name, selector labels, own namespace', () => {
    const chart = Testing.chart();
    new ServiceMonitor(chart, 'web', { selector: { app: 'web' }, endpoints: [{ port: ScrapePort.servicePort('http-metrics') }] });
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out[0].apiVersion).toBe('monitoring.coreos.com/v1');
    expect(out[0].kind).toBe('ServiceMonitor');
    expect(out[0].metadata).toEqual({ name: 'web', namespace: 'default' });
    expect(out[0].spec).toEqual({ selector: { matchLabels: { app: 'web' } }, endpoints: [{ port: 'http-metrics' }] });
    expectValidManifests(out);
  });

  test('every endpoint field set survives synthesis (targetPort, path, interval, scrapeTimeout, params, honorLabels, relabelings)', () => {
    const chart = Testing.chart();
    const sm = new ServiceMonitor(chart, 'fed', {
      name: 'istio-federation',
      namespace: 'istio-system',
      labels: { release: 'kube-prometheus-stack' },
      selector: { app: 'prometheus' },
      namespaceSelector: MonitorNamespaces.names('istio-system'),
      jobLabel: 'app',
    });
    sm.addEndpoint({
      port: ScrapePort.targetPort(9090),
      path: '/federate',
      interval: Duration.seconds(30),
      scrapeTimeout: Duration.seconds(30),
      params: { 'match[]': ['{__name__=~"workload:(.*)"}'] },
      honorLabels: true,
      relabelings: [{ action: RelabelAction.LABEL_DROP, regex: '__meta_(.+)' }],
      metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'workload:(.*)', targetLabel: '__name__', replacement: '$1', separator: ';' }],
    });
    const [obj] = Testing.synth(chart);
    expect(obj.metadata).toEqual({ name: 'istio-federation', namespace: 'istio-system', labels: { release: 'kube-prometheus-stack' } });
    expect(obj.spec).toEqual({
      selector: { matchLabels: { app: 'prometheus' } },
      namespaceSelector: { matchNames: ['istio-system'] },
      jobLabel: 'app',
      endpoints: [{
        targetPort: 9090,
        path: '/federate',
        interval: '30s',
        scrapeTimeout: '30s',
        params: { 'match[]': ['{__name__=~"workload:(.*)"}'] },
        honorLabels: true,
        relabelings: [{ action: 'labeldrop', regex: '__meta_(.+)' }],
        metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'workload:(.*)', targetLabel: '__name__', replacement: '$1', separator: ';', action: 'replace' }],
      }],
    });
    expectValidManifests([obj]);
  });

  test('a named target port and every namespace', () => {
    const chart = Testing.chart();
    new ServiceMonitor(chart, 'web', {
      selector: { app: 'web' }, namespaceSelector: MonitorNamespaces.ANY, endpoints: [{ port: ScrapePort.targetPortName('metrics') }],
    });
    const [obj] = Testing.synth(chart);
    expect(obj.spec.namespaceSelector).toEqual({ any: true });
    expect(obj.spec.endpoints).toEqual([{ targetPort: 'metrics' }]);
    expectValidManifests([obj]);
  });

  test('fails when scrapeTimeout exceeds the interval, naming path, field, value and fix', () => {
    const sm = new ServiceMonitor(Testing.chart(), 'web', { selector: { app: 'web' } });
    expect(() => sm.addEndpoint({ port: ScrapePort.targetPort(8080), interval: Duration.seconds(15), scrapeTimeout: Duration.seconds(20) }))
      .toThrow(/^\[test\/web\] 'endpoints\[0\]\.scrapeTimeout' must not exceed the interval \(15s\).*got "20s"\. Fix: pass a scrapeTimeout of 15s or less/);
  });

  test('fails on an empty selector', () => {
    expect(() => new ServiceMonitor(Testing.chart(), 'web', { selector: {}, endpoints: [{ port: ScrapePort.targetPort(80) }] }))
      .toThrow(/^\[test\/web\] 'selector' must name at least one Service label .*got \{\}\. Fix: pass the labels of the Services to scrape/);
  });

  test('fails on a relative path, a bad port and REPLACE without targetLabel', () => {
    const sm = new ServiceMonitor(Testing.chart(), 'web', { selector: { app: 'web' } });
    expect(() => sm.addEndpoint({ port: ScrapePort.targetPort(9090), path: 'federate' }))
      .toThrow(/'endpoints\[0\]\.path' must be an absolute HTTP path, got "federate"\. Fix: use "\/federate"/);
    expect(() => sm.addEndpoint({ port: ScrapePort.targetPort(70000) }))
      .toThrow(/'endpoints\[0\]\.targetPort' must be an integer from 1 to 65535, got 70000/);
    expect(() => sm.addEndpoint({ port: ScrapePort.targetPort(9090), metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'a(.*)' }] }))
      .toThrow(/'endpoints\[0\]\.metricRelabelings\[0\]\.targetLabel' is required by the replace action, got nothing\. Fix: name the label to write/);
  });

  test('fails on empty params and a bad label key', () => {
    const sm = new ServiceMonitor(Testing.chart(), 'web', { selector: { app: 'web' } });
    expect(() => sm.addEndpoint({ port: ScrapePort.targetPort(9090), params: { 'match[]': [] } }))
      .toThrow(/'endpoints\[0\]\.params\["match\[\]"\]' must be a non-empty list of non-empty strings, got \[\]/);
    expect(() => new ServiceMonitor(Testing.chart(), 'web2', { selector: { app: 'web' }, labels: { release: 'bad value!' } }))
      .toThrow(/'labels\.release' must be a Kubernetes label value .*got "bad value!"/);
  });

  test('fails at synthesis without endpoints', () => {
    const chart = Testing.chart();
    new ServiceMonitor(chart, 'web', { selector: { app: 'web' } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\] 'endpoints' must not be empty, got nothing\. Fix: pass endpoints or call addEndpoint\(\)/);
  });
});
