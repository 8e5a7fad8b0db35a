import { ApiObject, App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Node } from 'constructs';
import {
  AlertProvider, AlertProviderType, AlertSeverity, analyze, CanaryMatch, CanaryMetric, CanaryRelease, CanaryReleaseProps, CanaryStrategy,
  CanaryWebhook, HttpFault, LoadBalancer, LoadTester, MeshApp, MeshAppProps, MeshNamespace, MeshPeer, Gateway, PeerAuthentication, MetricTemplate,
  MtlsMode, StrictMtlsNamespace, StringMatch, TlsMode,
} from '../../lib';
import { expectValidManifests, schemaErrors } from '../util/schema';

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
  const chart = Testing.chart();
  const app = podinfo(chart, appProps);
  const canary = new CanaryRelease(chart, 'podinfo-canary', { app, ...props });
  return { chart, app, canary };
}

function find(objects: any[], kind: string, name?: string): any {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

function canarySpec(chart: Chart): any {
  return find(Testing.synth(chart), 'Canary').spec;
}

describe('CanaryRelease', () => {
  test('default configuration', () => {
    const { chart } = release();
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expectValidManifests(out);
  });

  test('targets the app Deployment, names the Services after the app and references its HPA', () => {
    const { chart, canary } = release();
    const spec = canarySpec(chart);
    expect(spec.provider).toBe('istio');
    expect(spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo-v1' });
    expect(spec.autoscalerRef).toEqual({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'podinfo-v1' });
    expect(spec.service).toEqual({ name: 'podinfo', port: 9898, targetPort: 9898, portName: 'http' });
    expect(canary.primaryServiceName).toBe('podinfo-primary');
    expect(canary.canaryServiceName).toBe('podinfo-canary');
    expect(canary.namespace).toBe('default');
    expect(canary.canaryUrl).toBe('http://podinfo-canary.default:9898/');
  });

  test('defaults: progressive 10/50 every 1m, threshold 5, builtin metrics ≥99% and ≤500ms', () => {
    const { chart } = release();
    const a = canarySpec(chart).analysis;
    expect(a).toEqual({
      interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10,
      metrics: [
        { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
        { name: 'request-duration', interval: '1m', thresholdRange: { max: 500 } },
      ],
    });
    const spec = canarySpec(chart);
    expect(spec.progressDeadlineSeconds).toBeUndefined(); // Flagger's default 600s
    expect(spec.skipAnalysis).toBeUndefined();
  });

  test('progressDeadline, skipAnalysis, interval and threshold are rendered', () => {
    const { chart } = release({ progressDeadline: Duration.minutes(5), skipAnalysis: true, interval: Duration.seconds(30), threshold: 3 });
    const spec = canarySpec(chart);
    expect(spec.progressDeadlineSeconds).toBe(300);
    expect(spec.skipAnalysis).toBe(true);
    expect(spec.analysis.interval).toBe('30s');
    expect(spec.analysis.threshold).toBe(3);
  });

  describe('MeshApp cooperation', () => {
    test('the app stops emitting the Service, DestinationRule and VirtualServices Flagger owns', () => {
      const chart = Testing.chart();
      const gw = new Gateway(chart, 'public', { hosts: ['podinfo.example.com'] });
      const app = podinfo(chart, { routes: [{ timeout: Duration.seconds(5) }] });
      app.exposeVia(gw);
      const canary = new CanaryRelease(chart, 'c', { app });
      const out = Testing.synth(chart);
      expect(out.filter((o) => ['Service', 'VirtualService', 'DestinationRule'].includes(o.kind))).toEqual([]);
      expect(app.trafficManager).toBe(canary); // was app.releasedByFlagger (MeshApp no longer knows Flagger)
      expectValidManifests(out);
    });

    test('the target Deployment selects app only and has no replicas; pods keep app and version labels', () => {
      const { chart } = release();
      const d = find(Testing.synth(chart), 'Deployment', 'podinfo-v1');
      expect(d.spec.selector).toEqual({ matchLabels: { app: 'podinfo' } });
      expect(d.spec.replicas).toBeUndefined();
      expect(d.spec.template.metadata.labels).toMatchObject({ app: 'podinfo', version: 'v1' });
    });

    test('routing of the app moves into the Canary service section', () => {
      const chart = Testing.chart();
      const gw = new Gateway(chart, 'public', { hosts: ['podinfo.example.com'] });
      const app = podinfo(chart, {
        routes: [{
          match: [{ uri: StringMatch.prefix('/api') }],
          timeout: Duration.seconds(5),
          retries: { attempts: 3, perTryTimeout: Duration.seconds(1) },
          headers: { request: { set: { 'x-canary': 'podinfo' } } },
          corsPolicy: { allowOrigins: [StringMatch.exact('https://example.com')], allowMethods: ['GET'] },
          rewrite: { uri: '/' },
        }],
        trafficPolicy: { loadBalancer: LoadBalancer.leastRequest(), connectionPool: { http: { http1MaxPendingRequests: 10 } } },
      });
      app.exposeVia(gw);
      new CanaryRelease(chart, 'c', { app });
      const out = Testing.synth(chart);
      const s = find(out, 'Canary').spec.service;
      expect(s.match).toEqual([{ uri: { prefix: '/api' } }]);
      expect(s.timeout).toBe('5s');
      expect(s.retries).toEqual({ attempts: 3, perTryTimeout: '1s' });
      expect(s.headers).toEqual({ request: { set: { 'x-canary': 'podinfo' } } });
      expect(s.corsPolicy).toEqual({ allowOrigins: [{ exact: 'https://example.com' }], allowMethods: ['GET'] });
      expect(s.rewrite).toEqual({ uri: '/' });
      expect(s.gateways).toEqual([gw.ref, 'mesh']);
      expect(s.hosts).toEqual(['podinfo.example.com']);
      expect(s.trafficPolicy).toEqual({ loadBalancer: { simple: 'LEAST_REQUEST' }, connectionPool: { http: { http1MaxPendingRequests: 10 } } });
      expectValidManifests(out);
    });

    test('props of the CanaryRelease override the app routing', () => {
      const { chart } = release({ timeout: Duration.seconds(2), hosts: ['app.example.com'], match: [{ headers: { 'x-user': StringMatch.exact('a') } }] },
        { routes: [{ timeout: Duration.seconds(5) }] });
      const s = canarySpec(chart).service;
      expect(s.timeout).toBe('2s');
      expect(s.hosts).toEqual(['app.example.com']);
      expect(s.match).toEqual([{ headers: { 'x-user': { exact: 'a' } } }]);
    });

    test('extra app ports are discovered by Flagger (portDiscovery)', () => {
      const { chart } = release({}, { ports: [{ name: 'http', port: 9898 }, { name: 'grpc', port: 9999 }] });
      const s = canarySpec(chart).service;
      expect(s.port).toBe(9898);
      expect(s.portDiscovery).toBe(true);
    });

    test('in a STRICT namespace the traffic policy uses ISTIO_MUTUAL', () => {
      const c = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      new PeerAuthentication(c, 'default', { mode: MtlsMode.STRICT });
      const app = podinfo(c);
      new CanaryRelease(c, 'canary', { app });
      const s = find(Testing.synth(c), 'Canary').spec.service;
      expect(s.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
    });

    test('in a deny-all namespace the load tester may call the canary and allowFrom policies select primary and canary pods', () => {
      const c = new Chart(Testing.app(), 'shop', { namespace: 'test' });
      new StrictMtlsNamespace(c, 'test');
      const gw = new Gateway(c, 'gw', { hosts: ['podinfo.example.com'] });
      const app = podinfo(c);
      app.exposeVia(gw);
      app.allowFrom(gw);
      const canary = new CanaryRelease(c, 'canary', { app, webhooks: [CanaryWebhook.loadTest()] });
      const out = Testing.synth(c);
      const policies = out.filter((o) => o.kind === 'AuthorizationPolicy' && o.spec.selector);
      expect(policies.map((p) => p.metadata.name).sort()).toEqual(['podinfo-allow-gw', 'podinfo-allow-loadtester-test']);
      for (const p of policies) expect(p.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'podinfo' } });
      // the load tester's identity only, not every workload of its namespace
      expect(find(out, 'AuthorizationPolicy', 'podinfo-allow-loadtester-test').spec.rules)
        .toEqual([{ from: [{ source: { principals: ['cluster.local/ns/test/sa/default'] } }] }]);
      expect(find(out, 'Deployment', 'podinfo-v1').spec.template.metadata.labels['app.kubernetes.io/name']).toBe('podinfo');
      expect(find(out, 'Canary').spec.service.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
      expect(canary.strictMtls).toBe(true);
      expectValidManifests(out);
      expect(analyze(c.node.root as App).errors).toEqual([]);
    });

    test('fails synth when a deny-all appears after the CanaryRelease and the load tester was not allowed', () => {
      const c = new Chart(Testing.app(), 'shop', { namespace: 'test' });
      new CanaryRelease(c, 'canary', { app: podinfo(c), webhooks: [CanaryWebhook.loadTest()] });
      new StrictMtlsNamespace(c, 'test');
      expect(() => Testing.synth(c)).toThrow(/\[shop\/canary\] 'webhooks' call load testers that authorization policies keep from reaching the canary.*Fix: call canary.allowLoadTesters\(\)/);
    });

    test('without a STRICT policy no TLS mode is forced (Istio auto mTLS)', () => {
      const { chart } = release();
      expect(canarySpec(chart).service.trafficPolicy).toBeUndefined();
    });

    test('throws when the app has more than one version, naming the fix', () => {
      const chart = Testing.chart();
      const app = podinfo(chart, { versions: [{ name: 'v1', image: PODINFO }, { name: 'v2', image: PODINFO }] });
      expect(() => new CanaryRelease(chart, 'c', { app })).toThrow(/\[test\/c\] 'app.versions' must hold exactly one version .*got \["v1","v2"\]\. Fix: keep one version/);
    });

    test('fixed replicas: an HPA pinned to them, referenced by autoscalerRef, so the primary runs them (not 1); the PDB covers the primary', () => {
      const chart = Testing.chart();
      const app = podinfo(chart, { autoscaling: undefined, replicas: 3 });
      const canary = new CanaryRelease(chart, 'c', { app });
      const out = Testing.synth(chart);
      const hpa = find(out, 'HorizontalPodAutoscaler', 'podinfo-v1');
      expect(hpa.spec).toEqual({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo-v1' }, minReplicas: 3, maxReplicas: 3 });
      expect(find(out, 'Canary').spec.autoscalerRef).toEqual({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'podinfo-v1' });
      expect(find(out, 'Deployment', 'podinfo-v1').spec.replicas).toBeUndefined(); // Flagger scales the target
      expect(canary.primaryAutoscalerName).toBe('podinfo-v1-primary');
      expect(canary.fixedReplicasAutoscaler).toBeDefined();
      expect(find(out, 'PodDisruptionBudget').spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'podinfo' });
      expectValidManifests(out);
      expect(analyze(chart.node.root as App).errors).toEqual([]);
      // the app's default (2 replicas) is kept the same way
      const c2 = Testing.chart();
      new CanaryRelease(c2, 'c', { app: podinfo(c2, { autoscaling: undefined }) });
      expect(find(Testing.synth(c2), 'HorizontalPodAutoscaler').spec.minReplicas).toBe(2);
    });

    test('throws when the app runs 0 replicas', () => {
      const chart = Testing.chart();
      const app = podinfo(chart, { autoscaling: undefined, replicas: 0 });
      expect(() => new CanaryRelease(chart, 'c', { app })).toThrow(/\[test\/podinfo\] 'replicas' must be .*got 0/);
    });

    test('throws when the app runs without sidecar', () => {
      expect(() => release({}, { sidecar: false })).toThrow(/'app.sidecar' must be true/);
    });

    test('throws when two CanaryReleases take the same app', () => {
      const { chart, app } = release();
      expect(() => new CanaryRelease(chart, 'again', { app })).toThrow(/'app' is already released by another CanaryRelease/);
    });

    test('throws on routing features Flagger does not support, naming the field', () => {
      expect(() => release({}, { routes: [{ fault: HttpFault.abort(500, 10) }] })).toThrow(/'routes\[0\]\.fault' is not supported on a canaried app/);
      expect(() => release({}, { routes: [{ redirect: { uri: '/v2' } }] })).toThrow(/'routes\[0\]\.redirect' is not supported/);
      expect(() => release({}, { routes: [{ mirror: { version: 'v1', percentage: 50 } }] })).toThrow(/'routes\[0\]\.mirror' is not supported.*blueGreenMirroring/);
      expect(() => release({}, { routes: [{ match: [{ uri: StringMatch.prefix('/api') }], destinations: [{ version: 'v1', weight: 100 }] }, { timeout: Duration.seconds(1) }] }))
        .toThrow(/'routes\[1\]' cannot be moved to the Canary: Flagger renders a single route/);
      expect(() => release({}, { routes: [{ rewrite: { uriRegex: { match: '^/a', rewrite: '/' } } }] })).toThrow(/'routes\[0\]\.rewrite\.uriRegex' is not supported by Flagger/);
    });

    test('throws on traffic policy fields Flagger does not support', () => {
      expect(() => release({ trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } }))
        .toThrow(/'trafficPolicy.connectionPool.tcp' is not supported in a Flagger Canary trafficPolicy/);
      expect(() => release({}, { trafficPolicy: { portLevelSettings: [{ port: 9898, tls: { mode: TlsMode.ISTIO_MUTUAL } }] } }))
        .toThrow(/'trafficPolicy.portLevelSettings' is not supported/);
    });

    test('the app refuses new versions, routes and gateway bindings once released', () => {
      const { chart, app } = release();
      const gw = new Gateway(chart, 'gw', { hosts: ['a.example.com'] });
      expect(() => app.addVersion({ name: 'v2', image: PODINFO })).toThrow(/'versions\[1\]\.name' cannot be added: the app is released by Flagger/);
      expect(() => app.addRoute({ timeout: Duration.seconds(1) })).toThrow(/'routes\[0\]' cannot be added once the app is released by Flagger/);
      expect(() => app.exposeVia(gw)).toThrow(/cannot be called once the app is released by Flagger/);
    });

    test('app.service, app.destinationRule and app.virtualService are undefined after the release, not stale handles', () => {
      const chart = Testing.chart();
      const gw = new Gateway(chart, 'public', { hosts: ['podinfo.example.com'] });
      const app = podinfo(chart, { routes: [{ timeout: Duration.seconds(5) }] });
      app.exposeVia(gw);
      expect(app.service).toBeDefined();
      expect(app.destinationRule).toBeDefined();
      expect(app.virtualService).toBeDefined();
      const canary = new CanaryRelease(chart, 'c', { app });
      // documented: once Flagger owns the traffic, the app no longer has (or emits) these objects
      expect(app.service).toBeUndefined();
      expect(app.destinationRule).toBeUndefined();
      expect(app.virtualService).toBeUndefined();
      expect(app.trafficManager).toBe(canary);
      // the Canary's escape hatch is the handle to patch instead
      ApiObject.of(canary).addJsonPatch(JsonPatch.add('/spec/service/apex', { annotations: { team: 'shop' } }));
      expect(find(Testing.synth(chart), 'Canary').spec.service.apex).toEqual({ annotations: { team: 'shop' } });
    });

    test('CanaryRelease removes no child of the app: it calls the neutral hook, the app only stops emitting its own traffic objects', () => {
      const chart = Testing.chart();
      const gw = new Gateway(chart, 'public', { hosts: ['podinfo.example.com'] });
      const app = podinfo(chart, { routes: [{ timeout: Duration.seconds(5) }] });
      app.exposeVia(gw);
      app.allowFrom(gw);
      const tree = () => chart.node.findAll().map((c) => c.node.path);
      const before = tree();
      const appChildren = app.node.children;
      const removals = jest.spyOn(Node.prototype, 'tryRemoveChild');
      const hook = jest.spyOn(app, 'markTrafficManaged');
      let canary: CanaryRelease;
      try {
        canary = new CanaryRelease(chart, 'c', { app });
        // The only removals are the app's own, made by the app inside its hook, never on another construct's node.
        expect(hook).toHaveBeenCalledTimes(1);
        expect(removals.mock.contexts.every((node) => node === app.node)).toBe(true);
      } finally {
        removals.mockRestore();
        hook.mockRestore();
      }
      // What left the app: exactly the objects Flagger owns (Service, DestinationRule, mesh and gateway VirtualServices).
      const dropped = appChildren.filter((c) => !app.node.children.includes(c));
      expect(dropped.map((c) => c.node.id).sort()).toEqual(['DestinationRule', expect.stringMatching(/^Gateway/), 'Service', 'VirtualService']);
      // Every other child of the app is still there: the same objects, in the same order.
      expect(app.node.children).toEqual(appChildren.filter((c) => !dropped.includes(c)));
      // Elsewhere the tree only grew, by the release's own subtree.
      const gone = new Set(dropped.flatMap((c) => c.node.findAll().map((x) => x.node.path)));
      const after = tree();
      expect(before.filter((p) => !gone.has(p)).every((p) => after.includes(p))).toBe(true);
      expect(after.filter((p) => !before.includes(p)).every((p) => p.startsWith(canary!.node.path))).toBe(true);
    });

    test('addRoute and exposeVia keep failing after the release (routing belongs to the CanaryRelease), with a fix naming it', () => {
      const { chart, app } = release();
      expect(() => app.addRoute({ timeout: Duration.seconds(1) })).toThrow(/Fix: add routes before test\/podinfo-canary is created, or give the routing to it/);
      expect(() => app.exposeVia(new Gateway(chart, 'gw'))).toThrow(/Fix: call exposeVia\(\) before test\/podinfo-canary is created, or give the gateways and hosts to it/);
    });

    test('in a namespace with a namespace-wide ALLOW policy the load tester is allowed too (every ALLOW policy denies other callers)', () => {
      const c = new Chart(Testing.app(), 'shop', { namespace: 'test' });
      new MeshNamespace(c, 'test').allowFrom(MeshPeer.namespace('frontend'));
      const canary = new CanaryRelease(c, 'canary', { app: podinfo(c), webhooks: [CanaryWebhook.loadTest()] });
      expect(find(Testing.synth(c), 'AuthorizationPolicy', 'podinfo-allow-loadtester-test')).toBeDefined();
      expect(canary.strictMtls).toBe(false);
    });
  });

  describe('ports', () => {
    test('throws when portName has no Istio HTTP protocol prefix', () => {
      expect(() => release({ portName: 'web' })).toThrow(/'portName' must start with a protocol Flagger's Istio router shifts: HTTP .* or tcp, got "web"\. Fix: name the port "http"/);
      expect(() => release({}, { ports: [{ name: 'tls-db', port: 9898 }] })).toThrow(/'portName' must start with a protocol Flagger's Istio router shifts/);
    });

    test('accepts http-, grpc and http2 port names', () => {
      expect(canarySpec(release({ portName: 'http-web' }).chart).service.portName).toBe('http-web');
      expect(canarySpec(release({ portName: 'grpc' }).chart).service.portName).toBe('grpc');
    });

    test('throws when targetPort is not a container port', () => {
      expect(() => release({ targetPort: 8080 })).toThrow(/'targetPort' is not a container port of podinfo-v1 \(container ports: 9898\), got 8080\. Fix: use one of 9898/);
    });

    test('accepts a targetPort that is a container port', () => {
      const { chart } = release({ targetPort: 9898 });
      expect(canarySpec(chart).service.targetPort).toBe(9898);
    });
  });

  describe('strategies', () => {
    test('progressive with stepWeights and promotion steps', () => {
      const { chart } = release({ strategy: CanaryStrategy.progressive({ stepWeights: [1, 5, 10, 25, 50], stepWeightPromotion: 50 }) });
      const a = canarySpec(chart).analysis;
      expect(a.stepWeights).toEqual([1, 5, 10, 25, 50]);
      expect(a.stepWeightPromotion).toBe(50);
      expect(a.stepWeight).toBeUndefined();
      expect(a.maxWeight).toBeUndefined();
      expectValidManifests(Testing.synth(chart));
    });

    test('progressive with session affinity', () => {
      const { chart } = release({ strategy: CanaryStrategy.progressive({ sessionAffinity: { cookieName: 'flagger-cookie', maxAge: Duration.hours(1) } }) });
      expect(canarySpec(chart).analysis.sessionAffinity).toEqual({ cookieName: 'flagger-cookie', maxAge: 3600 });
      expectValidManifests(Testing.synth(chart));
    });

    test('A/B testing on a cookie and a header', () => {
      const { chart } = release({
        strategy: CanaryStrategy.abTesting({
          iterations: 10,
          match: [CanaryMatch.cookie('canary', 'always'), CanaryMatch.header('x-canary', StringMatch.exact('insider'))],
        }),
      });
      const a = canarySpec(chart).analysis;
      expect(a.iterations).toBe(10);
      expect(a.match).toEqual([
        { headers: { cookie: { regex: '^(.*?;\\s*)?(canary=always)(;.*)?$' } } },
        { headers: { 'x-canary': { exact: 'insider' } } },
      ]);
      expect(a.stepWeight).toBeUndefined();
      expectValidManifests(Testing.synth(chart));
    });

    test('blue/green', () => {
      const { chart } = release({ strategy: CanaryStrategy.blueGreen({ iterations: 5 }) });
      const a = canarySpec(chart).analysis;
      expect(a).toMatchObject({ iterations: 5 });
      expect(a.mirror).toBeUndefined();
      expectValidManifests(Testing.synth(chart));
    });

    test('blue/green with mirroring', () => {
      const { chart } = release({ strategy: CanaryStrategy.blueGreenMirroring({ iterations: 5, mirrorWeight: 50 }) });
      expect(canarySpec(chart).analysis).toMatchObject({ iterations: 5, mirror: true, mirrorWeight: 50 });
      expectValidManifests(Testing.synth(chart));
    });

    test('throws on out-of-range or contradictory weights', () => {
      const p = (o: object) => () => release({ strategy: CanaryStrategy.progressive(o) });
      expect(p({ maxWeight: 0 })).toThrow(/'strategy.maxWeight' must be an integer from 1 to 100, got 0/);
      expect(p({ stepWeight: 101 })).toThrow(/'strategy.stepWeight' must be an integer from 1 to 100, got 101/);
      expect(p({ stepWeight: 60, maxWeight: 50 })).toThrow(/'strategy.stepWeight' must not exceed maxWeight \(50\), got 60\. Fix: lower stepWeight/);
      expect(p({ stepWeights: [10, 5] })).toThrow(/'strategy.stepWeights' must be strictly increasing/);
      expect(p({ stepWeights: [] })).toThrow(/'strategy.stepWeights' must not be empty/);
      expect(p({ stepWeights: [10, 20], maxWeight: 50 })).toThrow(/'strategy.maxWeight' cannot be combined with stepWeights/);
      expect(p({ stepWeights: [10, 20], stepWeight: 5 })).toThrow(/'strategy.stepWeight' cannot be combined with stepWeights/);
      expect(p({ stepWeightPromotion: 0 })).toThrow(/'strategy.stepWeightPromotion' must be an integer from 1 to 100/);
      expect(p({ sessionAffinity: { cookieName: 'a b' } })).toThrow(/'strategy.sessionAffinity.cookieName' must be a cookie name/);
    });

    test('throws on bad iterations, empty A/B match and unsupported A/B conditions', () => {
      expect(() => release({ strategy: CanaryStrategy.blueGreen({ iterations: 0 }) })).toThrow(/'strategy.iterations' must be an integer from 1 to 1000, got 0/);
      expect(() => release({ strategy: CanaryStrategy.abTesting({ iterations: 5, match: [] }) })).toThrow(/'strategy.match' must list at least one condition/);
      expect(() => release({ strategy: CanaryStrategy.abTesting({ iterations: 5, match: [{ uri: StringMatch.prefix('/beta') }] }) }))
        .toThrow(/'strategy.match\[0\]\.uri' is not supported by Flagger in an A\/B match/);
      expect(() => release({ strategy: CanaryStrategy.blueGreenMirroring({ iterations: 5, mirrorWeight: 0 }) })).toThrow(/'strategy.mirrorWeight' must be an integer from 1 to 100/);
    });

    test('throws on a bad interval or threshold', () => {
      expect(() => release({ interval: Duration.millis(1500) })).toThrow(/'interval' must be a whole number of seconds/);
      expect(() => release({ threshold: 0 })).toThrow(/'threshold' must be an integer from 1 to 1000, got 0/);
    });
  });

  describe('metrics', () => {
    test('builtin metrics with custom thresholds', () => {
      const { chart } = release({
        metrics: [CanaryMetric.requestSuccessRate({ min: 95, interval: Duration.seconds(30) }), CanaryMetric.requestDuration({ max: Duration.seconds(1) })],
      });
      expect(canarySpec(chart).analysis.metrics).toEqual([
        { name: 'request-success-rate', interval: '30s', thresholdRange: { min: 95 } },
        { name: 'request-duration', interval: '1m', thresholdRange: { max: 1000 } },
      ]);
    });

    test('a MetricTemplate is referenced by templateRef (namespace only when it differs)', () => {
      const chart = Testing.chart();
      const app = podinfo(chart);
      const local = new MetricTemplate(chart, 'error-rate', { query: 'sum(rate(x{ns="{{ namespace }}"}[{{ interval }}]))' });
      const shared = new MetricTemplate(chart, 'latency', { namespace: 'istio-system', query: 'histogram_quantile(0.99, x{workload="{{ target }}"})' });
      new CanaryRelease(chart, 'c', {
        app,
        metrics: [CanaryMetric.fromTemplate(local, { max: 1 }), CanaryMetric.fromTemplate(shared, { name: 'p99', max: 300, variables: { a: 'b' } })],
      });
      const out = Testing.synth(chart);
      expect(find(out, 'Canary').spec.analysis.metrics).toEqual([
        { name: 'error-rate', interval: '1m', thresholdRange: { max: 1 }, templateRef: { name: 'error-rate' } },
        { name: 'p99', interval: '1m', thresholdRange: { max: 300 }, templateRef: { name: 'latency', namespace: 'istio-system' }, templateVariables: { a: 'b' } },
      ]);
      expectValidManifests(out);
      expect(analyze(chart.node.root as App).errors).toEqual([]);
    });

    test('throws on a custom metric without threshold, with a builtin name, or min > max', () => {
      const chart = Testing.chart();
      const t = new MetricTemplate(chart, 'm', { query: 'up' });
      const mk = (m: CanaryMetric) => () => new CanaryRelease(chart, `c${Math.random()}`.replace('.', ''), { app: podinfo(new Chart(Testing.app(), 'x')), metrics: [m] });
      expect(mk(CanaryMetric.fromTemplate(t))).toThrow(/'metrics\[0\]' needs a threshold: set min, max or both/);
      expect(mk(CanaryMetric.fromTemplate(t, { name: 'request-duration', max: 1 }))).toThrow(/'metrics\[0\]\.name' is the name of a builtin metric/);
      expect(mk(CanaryMetric.fromTemplate(t, { min: 5, max: 1 }))).toThrow(/'metrics\[0\]\.min' must not exceed max \(1\)/);
      expect(mk(CanaryMetric.requestSuccessRate({ min: 101 }))).toThrow(/'metrics\[0\]\.min' must be between 0 and 100, got 101/);
      expect(mk(CanaryMetric.requestDuration({ max: Duration.millis(0.5) }))).toThrow(/'metrics\[0\]\.max' must be a whole number of milliseconds/);
    });

    test('throws on duplicate metric names', () => {
      expect(() => release({ metrics: [CanaryMetric.requestDuration(), CanaryMetric.requestDuration()] })).toThrow(/'metrics\[\]\.name' must be unique/);
    });
  });

  describe('webhooks', () => {
    test('load test defaults to hey against the canary Service through the Flagger load tester', () => {
      const { chart } = release({ webhooks: [CanaryWebhook.loadTest()] });
      const [w] = canarySpec(chart).analysis.webhooks;
      expect(w).toEqual({
        name: 'load-test', type: 'rollout', url: 'http://flagger-loadtester.test/', timeout: '5s',
        metadata: { type: 'cmd', cmd: 'hey -z 1m -q 10 -c 2 http://podinfo-canary.default:9898/' },
      });
    });

    test('load test options and headers', () => {
      const lt = LoadTester.at('http://loadtester.flagger-system:8080');
      const { chart, canary } = release({ webhooks: [CanaryWebhook.loadTest({ loadTester: lt, duration: Duration.seconds(30), qps: 5, concurrency: 1, headers: { Cookie: 'canary=always' } })] });
      const [w] = canarySpec(chart).analysis.webhooks;
      expect(w.url).toBe('http://loadtester.flagger-system:8080/');
      expect(w.metadata.cmd).toMatch(/^hey -z 30s -q 5 -c 1 -H 'Cookie: canary=always' http:\/\/podinfo-canary\./);
      expect(lt.namespace).toBe('flagger-system');
      expect(canary.loadTesters).toEqual([lt]);
    });

    test('every hook type renders with its Flagger type and default gate URLs', () => {
      const { chart } = release({
        webhooks: [
          CanaryWebhook.acceptanceTest({ cmd: 'curl -sf http://podinfo-canary:9898/healthz' }),
          CanaryWebhook.confirmRollout(),
          CanaryWebhook.confirmPromotion(),
          CanaryWebhook.confirmTrafficIncrease(),
          CanaryWebhook.rollback(),
          CanaryWebhook.postRollout({ url: 'http://deploy-tracker.ops/flagger', retries: 2, metadata: { team: 'web' } }),
          CanaryWebhook.event({ url: 'http://events.ops/' }),
          CanaryWebhook.loadTest(),
        ],
      });
      const hooks = canarySpec(chart).analysis.webhooks;
      expect(hooks.map((h: any) => [h.name, h.type, h.url])).toEqual([
        ['acceptance-test', 'pre-rollout', 'http://flagger-loadtester.test/'],
        ['confirm-rollout', 'confirm-rollout', 'http://flagger-loadtester.test/gate/check'],
        ['confirm-promotion', 'confirm-promotion', 'http://flagger-loadtester.test/gate/check'],
        ['confirm-traffic-increase', 'confirm-traffic-increase', 'http://flagger-loadtester.test/gate/check'],
        ['rollback', 'rollback', 'http://flagger-loadtester.test/rollback/check'],
        ['post-rollout', 'post-rollout', 'http://deploy-tracker.ops/flagger'],
        ['event', 'event', 'http://events.ops/'],
        ['load-test', 'rollout', 'http://flagger-loadtester.test/'],
      ]);
      expect(hooks[0]).toMatchObject({ timeout: '30s', metadata: { type: 'bash', cmd: 'curl -sf http://podinfo-canary:9898/healthz' } });
      expect(hooks[5]).toMatchObject({ retries: 2, metadata: { team: 'web' } });
      expectValidManifests(Testing.synth(chart));
    });

    test('throws when the rollout webhook timeouts reach the analysis interval', () => {
      expect(() => release({ interval: Duration.seconds(30), webhooks: [CanaryWebhook.loadTest({ timeout: Duration.seconds(20) }), CanaryWebhook.loadTest({ name: 'load-test-2', timeout: Duration.seconds(10) })] }))
        .toThrow(/'webhooks\[\]\.timeout' of the rollout webhooks add up to 30s, not less than the analysis interval \(30s\), got "load-test=20s\+load-test-2=10s"\. Fix: lower the webhook timeouts/);
    });

    test('accepts rollout webhooks that fit in the interval (pre-rollout hooks do not count)', () => {
      const { canary } = release({ interval: Duration.seconds(30), webhooks: [CanaryWebhook.loadTest({ timeout: Duration.seconds(20) }), CanaryWebhook.acceptanceTest({ cmd: 'true', timeout: Duration.minutes(1) })] });
      expect(canary.webhooks).toHaveLength(2);
    });

    test('throws on duplicate names, credentials in URLs, empty commands and gRPC without cmd', () => {
      expect(() => release({ webhooks: [CanaryWebhook.loadTest(), CanaryWebhook.loadTest()] })).toThrow(/'webhooks\[1\]\.name' must be unique among the webhooks/);
      expect(() => release({ webhooks: [CanaryWebhook.event({ url: 'https://hooks.example.com/x?token=abc' })] })).toThrow(/'webhooks\[0\]\.url' must not carry credentials.*token=\*\*\*/);
      expect(() => release({ webhooks: [CanaryWebhook.event({ url: 'ftp://x' })] })).toThrow(/'webhooks\[0\]\.url' must be an http\(s\) URL/);
      expect(() => release({ webhooks: [CanaryWebhook.acceptanceTest({ cmd: ' ' })] })).toThrow(/'webhooks\[0\]\.cmd' must not be empty/);
      expect(() => release({ portName: 'grpc', webhooks: [CanaryWebhook.loadTest()] })).toThrow(/'webhooks\[0\]\.cmd' has no default for a canary port that is not HTTP\/1/);
    });
  });

  describe('alerts', () => {
    test('alerts reference AlertProviders with a severity', () => {
      const chart = Testing.chart();
      const app = podinfo(chart);
      const secret = kplus.Secret.fromSecretName(chart, 'slack-url', 'slack-url');
      const slack = new AlertProvider(chart, 'on-call', { type: AlertProviderType.SLACK, secret, channel: 'deploys' });
      const canary = new CanaryRelease(chart, 'c', { app, alerts: [{ provider: slack, severity: AlertSeverity.ERROR }] });
      canary.addAlert({ provider: AlertProvider.fromAlertProviderName(chart, 'shared', 'teams', 'flagger-system'), name: 'teams' });
      const out = Testing.synth(chart);
      expect(find(out, 'Canary').spec.analysis.alerts).toEqual([
        { name: 'on-call', severity: 'error', providerRef: { name: 'on-call' } },
        { name: 'teams', severity: 'info', providerRef: { name: 'teams', namespace: 'flagger-system' } },
      ]);
      expectValidManifests(out);
    });

    test('throws on duplicate alert names', () => {
      const chart = Testing.chart();
      const secret = kplus.Secret.fromSecretName(chart, 's', 's');
      const p = new AlertProvider(chart, 'slack', { type: AlertProviderType.SLACK, secret });
      expect(() => new CanaryRelease(chart, 'c', { app: podinfo(chart), alerts: [{ provider: p }, { provider: p }] })).toThrow(/'alerts\[1\]\.name' must be unique/);
    });
  });

  test('every strategy validates against the Flagger CRD schema (strict oneOf on analysis)', () => {
    for (const strategy of [
      CanaryStrategy.progressive(),
      CanaryStrategy.progressive({ stepWeights: [5, 10, 20] }),
      CanaryStrategy.progressive({ stepWeight: 20, maxWeight: 80, stepWeightPromotion: 100, sessionAffinity: { cookieName: 'c' } }),
      CanaryStrategy.abTesting({ iterations: 3, match: [CanaryMatch.cookie('x', 'y'), { queryParams: { beta: StringMatch.exact('1') }, sourceLabels: { app: 'web' } }] }),
      CanaryStrategy.blueGreen({ iterations: 2 }),
      CanaryStrategy.blueGreenMirroring({ iterations: 2 }),
    ]) {
      const { chart } = release({ strategy, webhooks: [CanaryWebhook.loadTest(), CanaryWebhook.confirmPromotion()] });
      expectValidManifests(Testing.synth(chart));
    }
  });

  test('the schema check itself rejects an analysis with both iterations and stepWeight', () => {
    const { chart } = release();
    const c = find(Testing.synth(chart), 'Canary');
    c.spec.analysis.iterations = 3;
    expect(schemaErrors(c).length).toBeGreaterThan(0);
  });
});

describe('CanaryRelease and the PodDisruptionBudget', () => {
  test('the PDB selects the pods that serve (Flagger\'s primary as well as the canary), by the label Flagger keeps on both', () => {
    const chart = Testing.chart();
    const app = new MeshApp(chart, 'podinfo', {
      namespace: 'test', ports: [{ name: 'http', port: 9898 }], versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }],
      autoscaling: { minReplicas: 2, maxReplicas: 4 },
    });
    new CanaryRelease(chart, 'release', { app, strategy: CanaryStrategy.progressive({ stepWeight: 10, maxWeight: 50 }) });
    const out = Testing.synth(chart);
    const pdb = out.find((o) => o.kind === 'PodDisruptionBudget')!;
    expect(pdb.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'podinfo' });
    // the primary pods Flagger creates carry it: the target's pod template has it, and Flagger copies the template
    expect(out.find((o) => o.kind === 'Deployment')!.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('podinfo');
  });
});
