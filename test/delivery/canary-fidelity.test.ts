import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AlertProvider, AlertProviderType, analyze, CanaryMetric, CanaryRelease, CanaryReleaseProps, CanaryStrategy, CanaryWebhook, Gateway, LoadTester,
  LoadTesterAccess, MeshApp, MeshAppProps, MetricTemplate, MtlsMode, PeerAuthentication, StrictMtlsNamespace,
} from '../../lib';
import type { TrafficManagement } from '../../lib/traffic/traffic-managed';
import { expectValidManifests } from '../util/schema';

/*
 * What Flagger does with the Canary (pkg/router/istio.go, pkg/router/kubernetes_default.go,
 * pkg/canary/deployment_controller.go) and what the output must be for it to work.
 */

const PODINFO = 'ghcr.io/stefanprodan/podinfo:6.9.0';

function podinfo(chart: Chart, props: Partial<MeshAppProps> = {}): MeshApp {
  return new MeshApp(chart, 'podinfo', {
    ports: [{ name: 'http', port: 9898 }],
    versions: [{ name: 'v1', image: PODINFO }],
    autoscaling: { minReplicas: 2, maxReplicas: 4 },
    ...props,
  });
}

function release(props: Partial<CanaryReleaseProps> = {}, appProps: Partial<MeshAppProps> = {}) {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'test' });
  const app = podinfo(chart, appProps);
  const canary = new CanaryRelease(chart, 'podinfo-canary', { app, ...props });
  return { chart, app, canary };
}

function find(objects: any[], kind: string, name?: string): any {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

function canaryOf(chart: Chart): any {
  const out = Testing.synth(chart);
  expectValidManifests(out);
  return find(out, 'Canary');
}

describe('MetricTemplate.fromMetricTemplateName in a Canary', () => {
  test('synthesizes and passes the analysis: the Canary names the templates that already exist', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'test' });
    const shared = MetricTemplate.fromMetricTemplateName(chart, 'shared', 'error-rate', 'istio-system');
    const own = new MetricTemplate(chart, 'latency', { query: 'histogram_quantile(0.99, sum(rate(x[{{ interval }}])) by (le))' });
    new CanaryRelease(chart, 'c', {
      app: podinfo(chart),
      metrics: [CanaryMetric.fromTemplate(shared, { max: 1 }), CanaryMetric.fromTemplate(own, { max: 500 })],
    });
    const canary = canaryOf(chart);
    expect(canary.metadata.annotations).toEqual({ 'cdk8s-mesh.io/existing-metric-templates': 'istio-system/error-rate' });
    expect(canary.spec.analysis.metrics[0].templateRef).toEqual({ name: 'error-rate', namespace: 'istio-system' });
    expect(analyze(chart.node.root as App).errors).toEqual([]);
  });

  test('a Canary with only builtin or synthesized templates carries no annotation', () => {
    expect(canaryOf(release().chart).metadata.annotations).toBeUndefined();
  });
});

describe('gateways and hosts', () => {
  test("an app exposed on a '*' gateway fails with the field, the value and the fix (Istio rejects '*' with the mesh gateway)", () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'test' });
    const gw = new Gateway(chart, 'gw', { hosts: ['*'] });
    const app = podinfo(chart);
    app.exposeVia(gw);
    expect(() => new CanaryRelease(chart, 'c', { app }))
      .toThrow(/\[test\/podinfo\] 'exposeVia\(test\/gw\)\.hosts' must not be '\*' for an app released by Flagger.*mesh gateway.*got "\*"\. Fix: list the hosts/);
  });

  test("'*' in hosts fails too; explicit hosts bind with the gateway and the mesh", () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'test' });
    const gw = new Gateway(chart, 'gw', { hosts: ['*'] });
    expect(() => new CanaryRelease(chart, 'c', { app: podinfo(chart), gateways: [gw], hosts: ['*'] })).toThrow(/\[test\/c\] 'hosts' must not be '\*'/);
    const c2 = new Chart(Testing.app(), 'test', { namespace: 'test' });
    const gw2 = new Gateway(c2, 'gw', { hosts: ['*'] });
    const app = podinfo(c2);
    app.exposeVia(gw2, { hosts: ['podinfo.example.com'] });
    new CanaryRelease(c2, 'c', { app });
    const s = canaryOf(c2).spec.service;
    expect(s.hosts).toEqual(['podinfo.example.com']);
    expect(s.gateways).toEqual(['test/gw', 'mesh']);
  });

  test('delegation renders service.delegation and refuses gateways or hosts', () => {
    expect(canaryOf(release({ delegation: true }).chart).spec.service.delegation).toBe(true);
    expect(() => release({ delegation: true, hosts: ['podinfo.example.com'] }))
      .toThrow(/'delegation' cannot be combined with gateways or hosts.*Fix: bind the gateways and hosts in the root VirtualService/);
  });
});

describe('ports after Flagger\'s port discovery', () => {
  test('extra ports that keep their number are discovered (portDiscovery) and the Services keep them', () => {
    const { chart } = release({}, { ports: [{ name: 'http', port: 9898 }, { name: 'http-metrics', port: 9797 }] });
    const s = canaryOf(chart).spec.service;
    expect(s).toMatchObject({ port: 9898, targetPort: 9898, portName: 'http', portDiscovery: true });
  });

  test('the canary port keeps port -> targetPort', () => {
    const { chart } = release({}, { ports: [{ name: 'http', port: 80, targetPort: 9898 }] });
    expect(canaryOf(chart).spec.service).toMatchObject({ port: 80, targetPort: 9898 });
  });

  test('an extra port 9000 -> 9090 fails (Flagger would expose 9090 -> 9090), naming the app port and the fix', () => {
    expect(() => release({}, { ports: [{ name: 'http', port: 9898 }, { name: 'http-admin', port: 9000, targetPort: 9090 }] }))
      .toThrow(/\[test\/podinfo\] 'ports\[1\]\.port' is lost under Flagger: its port discovery exposes every other container port as itself \(9090 -> 9090\), got 9000\. Fix: set port to 9090/);
  });

  test('an extra port whose name is no container port name fails; two Service ports on one container port fail', () => {
    expect(() => release({}, { ports: [{ name: 'http', port: 9898 }, { name: 'http-administration', port: 9090 }] }))
      .toThrow(/'ports\[1\]\.name' is lost under Flagger.*at most 15 characters.*got "http-administration"/);
    expect(() => release({}, { ports: [{ name: 'http', port: 80, targetPort: 9898 }, { name: 'http-alt', port: 8080, targetPort: 9898 }] }))
      .toThrow(/'ports\[1\]\.port' is lost under Flagger: its Services expose container port 9898 only as the canary port 80, got 8080/);
  });
});

describe('TCP canaries', () => {
  function tcpTemplate(chart: Chart): MetricTemplate {
    return new MetricTemplate(chart, 'tcp-closed', {
      query: 'sum(rate(istio_tcp_connections_closed_total{destination_workload="{{ target }}",destination_workload_namespace="{{ namespace }}"}[{{ interval }}]))',
    });
  }

  test('a tcp port renders service.appProtocol: tcp, which Flagger\'s Istio router reads to shift TCP routes', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'test' });
    const app = podinfo(chart, { ports: [{ name: 'tcp-db', port: 5432 }] });
    new CanaryRelease(chart, 'c', { app, metrics: [CanaryMetric.fromTemplate(tcpTemplate(chart), { min: 0 })] });
    const s = canaryOf(chart).spec.service;
    expect(s).toMatchObject({ port: 5432, targetPort: 5432, portName: 'tcp-db', appProtocol: 'tcp' });
    expect(analyze(chart.node.root as App).errors).toEqual([]);
  });

  test('fails on builtin (HTTP) metrics, HTTP strategies and HTTP routing', () => {
    const setup = () => {
      const chart = new Chart(Testing.app(), 'test', { namespace: 'test' });
      return { chart, app: podinfo(chart, { ports: [{ name: 'tcp', port: 5432 }] }) };
    };
    let t = setup();
    expect(() => new CanaryRelease(t.chart, 'c', { app: t.app })).toThrow(/'metrics' must be given for a TCP canary: Flagger's builtin request-success-rate/);
    t = setup();
    expect(() => new CanaryRelease(t.chart, 'c', { app: t.app, metrics: [CanaryMetric.requestSuccessRate()] }))
      .toThrow(/'metrics\[0\]' is a builtin HTTP metric and the canary port is TCP, got "request-success-rate"/);
    t = setup();
    const m = [CanaryMetric.fromTemplate(tcpTemplate(t.chart), { min: 0 })];
    expect(() => new CanaryRelease(t.chart, 'c', { app: t.app, metrics: m, strategy: CanaryStrategy.progressive({ mirror: true }) }))
      .toThrow(/'strategy\.mirror' is HTTP routing, and the canary port is TCP/);
    t = setup();
    expect(() => new CanaryRelease(t.chart, 'c', { app: t.app, metrics: [CanaryMetric.fromTemplate(tcpTemplate(t.chart), { min: 0 })], timeout: Duration.seconds(5) }))
      .toThrow(/\[test\/c\] 'timeout' is HTTP routing, and the canary port is TCP.*got "5s"/);
  });
});

describe('strategies, metrics and alerts as Flagger has them', () => {
  test('mirroring before a progressive canary (analysis.mirror with stepWeight) renders and passes the analysis', () => {
    const { chart } = release({ strategy: CanaryStrategy.progressive({ stepWeight: 20, maxWeight: 60, mirror: true, mirrorWeight: 50 }) });
    expect(canaryOf(chart).spec.analysis).toMatchObject({ stepWeight: 20, maxWeight: 60, mirror: true, mirrorWeight: 50 });
    expect(analyze(chart.node.root as App).errors).toEqual([]);
    expect(() => release({ strategy: CanaryStrategy.progressive({ mirrorWeight: 50 }) })).toThrow(/'strategy\.mirrorWeight' needs mirror: true, got 50/);
  });

  test('session affinity with a primary cookie (primaryCookieName)', () => {
    const { chart } = release({ strategy: CanaryStrategy.progressive({ sessionAffinity: { cookieName: 'canary', primaryCookieName: 'primary' } }) });
    expect(canaryOf(chart).spec.analysis.sessionAffinity).toEqual({ cookieName: 'canary', primaryCookieName: 'primary' });
    expect(() => release({ strategy: CanaryStrategy.progressive({ sessionAffinity: { cookieName: 'c', primaryCookieName: 'c' } }) }))
      .toThrow(/'strategy\.sessionAffinity\.primaryCookieName' must be a cookie name \(an HTTP token\) other than cookieName, got "c"/);
  });

  test('{{ route }} is a query variable; metric, alert and webhook names are free text', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'test' });
    const t = new MetricTemplate(chart, 'route-errors', { query: 'sum(rate(x{route="{{ route }}"}[{{ interval }}]))' });
    const slack = new AlertProvider(chart, 'slack', { type: AlertProviderType.SLACK, secret: kplus.Secret.fromSecretName(chart, 's', 's') });
    new CanaryRelease(chart, 'c', {
      app: podinfo(chart),
      metrics: [CanaryMetric.fromTemplate(t, { name: '5xx on the route', max: 1 })],
      alerts: [{ provider: slack, name: 'on-call Slack' }],
      webhooks: [CanaryWebhook.acceptanceTest({ cmd: 'true', name: 'Acceptance test' })],
    });
    const a = canaryOf(chart).spec.analysis;
    expect(a.metrics[0].name).toBe('5xx on the route');
    expect(a.alerts[0].name).toBe('on-call Slack');
    expect(a.webhooks[0].name).toBe('Acceptance test');
    expect(() => release({ metrics: [CanaryMetric.fromTemplate(t, { name: ' ', max: 1 })] })).toThrow(/'metrics\[0\]\.name' must not be empty/);
  });
});

describe('webhooks', () => {
  test('asynchronous pre-rollout load test (type cmd), logCmdOutput, muteAlert and gate retries', () => {
    const { chart } = release({
      webhooks: [
        CanaryWebhook.preRolloutLoadTest({ logCmdOutput: true, muteAlert: true }),
        CanaryWebhook.acceptanceTest({ cmd: 'curl -sf http://podinfo-canary.test:9898/healthz', logCmdOutput: true }),
        CanaryWebhook.confirmPromotion({ retries: 3, muteAlert: true }),
      ],
    });
    expect(canaryOf(chart).spec.analysis.webhooks).toEqual([
      {
        name: 'pre-rollout-load-test', type: 'pre-rollout', url: 'http://flagger-loadtester.test/', timeout: '5s', muteAlert: true,
        metadata: { type: 'cmd', cmd: 'hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/', logCmdOutput: 'true' },
      },
      {
        name: 'acceptance-test', type: 'pre-rollout', url: 'http://flagger-loadtester.test/', timeout: '30s',
        metadata: { type: 'bash', cmd: 'curl -sf http://podinfo-canary.test:9898/healthz', logCmdOutput: 'true' },
      },
      { name: 'confirm-promotion', type: 'confirm-promotion', url: 'http://flagger-loadtester.test/gate/check', retries: 3, muteAlert: true },
    ]);
  });
});

describe('Services Flagger generates', () => {
  test('apex, primary and canary metadata (service.apex/primary/canary)', () => {
    const { chart } = release({
      serviceMetadata: { apex: { annotations: { 'external-dns.alpha.kubernetes.io/hostname': 'podinfo.example.com' } }, primary: { labels: { tier: 'primary' } } },
    });
    const s = canaryOf(chart).spec.service;
    expect(s.apex).toEqual({ annotations: { 'external-dns.alpha.kubernetes.io/hostname': 'podinfo.example.com' } });
    expect(s.primary).toEqual({ labels: { tier: 'primary' } });
    expect(s.canary).toBeUndefined();
    expect(() => release({ serviceMetadata: { canary: { labels: { app: 'x' } } } }))
      .toThrow(/'serviceMetadata\.canary\.labels\[app\]' is set by Flagger to the Service name.*got "x"/);
    expect(() => release({ serviceMetadata: { apex: { labels: { tier: 'a b' } } } })).toThrow(/'serviceMetadata\.apex\.labels\["tier"\]' is not a Kubernetes label value/);
  });
});

describe('primary replicas', () => {
  test('primaryReplicas renders autoscalerRef.primaryScalerReplicas and checks its bounds', () => {
    const { chart } = release({ primaryReplicas: { minReplicas: 3, maxReplicas: 10 } });
    expect(canaryOf(chart).spec.autoscalerRef).toEqual({
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'podinfo-v1', primaryScalerReplicas: { minReplicas: 3, maxReplicas: 10 },
    });
    expect(() => release({ primaryReplicas: { minReplicas: 5, maxReplicas: 2 } })).toThrow(/'primaryReplicas\.minReplicas' must not exceed maxReplicas \(2\), got 5/);
    expect(() => release({ primaryReplicas: { minReplicas: 0 } })).toThrow(/'primaryReplicas\.minReplicas' must be/);
  });
});

describe('names Flagger gives the primary', () => {
  test('primary Deployment and HPA are <target>-primary, primary Service <service>-primary, primary pods app: <app>-primary', () => {
    const { canary } = release();
    expect(canary.targetDeploymentName).toBe('podinfo-v1');
    expect(canary.primaryDeploymentName).toBe('podinfo-v1-primary');
    expect(canary.primaryAutoscalerName).toBe('podinfo-v1-primary');
    expect(canary.primaryServiceName).toBe('podinfo-primary');
    expect(canary.primaryPodSelector).toEqual({ app: 'podinfo-primary' });
  });

  test('a target Deployment named like the app (deploymentName) is used for targetRef and the primary names', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'test' });
    const app = podinfo(chart);
    const mark = app.markTrafficManaged.bind(app);
    app.markTrafficManaged = (m: TrafficManagement) => {
      const target = mark(m);
      return { ...target, versions: target.versions.map((v) => ({ ...v, deploymentName: 'podinfo', autoscalerName: 'podinfo' })) };
    };
    const canary = new CanaryRelease(chart, 'c', { app });
    expect(canary.primaryDeploymentName).toBe('podinfo-primary');
    expect(canary.primaryAutoscalerName).toBe('podinfo-primary');
    const spec = canaryOf(chart).spec;
    expect(spec.targetRef.name).toBe('podinfo');
    expect(spec.autoscalerRef.name).toBe('podinfo');
  });
});

describe('LoadTesterAccess', () => {
  test('lets Flagger (plaintext, no sidecar) call the load tester in a STRICT mesh and only Flagger', () => {
    const chart = new Chart(Testing.app(), 'platform', { namespace: 'loadtester' });
    new StrictMtlsNamespace(chart, 'ns', { name: 'loadtester' });
    const lt = LoadTester.at('http://flagger-loadtester.loadtester/');
    new LoadTesterAccess(chart, 'access', { loadTester: lt });
    const out = Testing.synth(chart);
    expectValidManifests(out);
    const pa = find(out, 'PeerAuthentication', 'flagger-loadtester');
    expect(pa.metadata.namespace).toBe('loadtester');
    expect(pa.spec).toEqual({ selector: { matchLabels: { app: 'loadtester' } }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } });
    const ap = find(out, 'AuthorizationPolicy', 'flagger-loadtester');
    expect(ap.spec.selector).toEqual({ matchLabels: { app: 'loadtester' } });
    expect(ap.spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/flagger'] } }], to: [{ operation: { ports: ['8080'] } }] },
      { from: [{ source: { notPrincipals: ['*'] } }], to: [{ operation: { ports: ['8080'], methods: ['POST'] } }] },
    ]);
    // the pods come from Flagger's loadtester Helm chart, which the analysis does not model
    expect(pa.metadata.annotations).toEqual({ 'cdk8s-mesh.io/suppress': 'istio-policy-workloads' });
    const report = analyze(chart.node.root as App);
    expect(report.findings.filter((f) => f.path.includes('/access/'))).toEqual([]);
    expect(report.suppressed.map((f) => f.rule)).toEqual(['istio-policy-workloads', 'istio-policy-workloads']);
  });

  test('a CanaryRelease warns when Flagger cannot reach its load tester (STRICT) and no LoadTesterAccess opens it', () => {
    const build = (access: boolean) => {
      const app = Testing.app();
      const mesh = new Chart(app, 'mesh', { namespace: 'istio-system' });
      new PeerAuthentication(mesh, 'default', { mode: MtlsMode.STRICT }); // mesh-wide STRICT
      const lt = LoadTester.at('http://flagger-loadtester.loadtester/');
      if (access) new LoadTesterAccess(new Chart(app, 'platform'), 'access', { loadTester: lt });
      const chart = new Chart(app, 'test', { namespace: 'test' });
      const canary = new CanaryRelease(chart, 'c', { app: podinfo(chart), webhooks: [CanaryWebhook.loadTest({ loadTester: lt })] });
      Testing.synth(chart);
      app.synth();
      return canary.node.metadata.filter((m) => m.type === 'mesh:warning').map((m) => String(m.data));
    };
    expect(build(false)).toEqual([expect.stringMatching(
      /^'webhooks' call the load tester http:\/\/flagger-loadtester\.loadtester\/, whose pods accept only mTLS \(STRICT in namespace "loadtester"\).*Fix: new LoadTesterAccess/)]);
    expect(build(true)).toEqual([]);
  });

  test('fails without a known namespace', () => {
    expect(() => new LoadTesterAccess(Testing.chart(), 'a', { loadTester: LoadTester.at('http://loadtester:8080/') }))
      .toThrow(/'loadTester' has no known namespace, got "http:\/\/loadtester:8080\/"\. Fix: pass LoadTester.at/);
  });
});

describe('AlertProvider proxy', () => {
  test('renders proxy and refuses credentials in it', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 's', 'slack');
    new AlertProvider(chart, 'a', { type: AlertProviderType.SLACK, secret, proxy: 'http://proxy.internal:3128' });
    expect(find(Testing.synth(chart), 'AlertProvider').spec.proxy).toBe('http://proxy.internal:3128');
    expect(() => new AlertProvider(chart, 'b', { type: AlertProviderType.SLACK, secret, proxy: 'http://u:p@proxy:3128' }))
      .toThrow(/'proxy' must not carry credentials.*\*\*\*@proxy/);
  });
});
