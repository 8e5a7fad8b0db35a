import { ApiObject, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MeshApp } from '../../lib/traffic/mesh-app';
import { MeshAppProps, WorkloadIdentity } from '../../lib/traffic/mesh-app-props';
import { Gateway } from '../../lib/traffic/gateway';
import { LoadBalancer } from '../../lib/traffic/load-balancer';
import { StringMatch } from '../../lib/traffic/string-match';
import { TrafficManagement } from '../../lib/traffic/traffic-managed';
import { expectValidManifests } from '../util/schema';

const CUSTOMERS_V1 = 'gcr.io/tetratelabs/customers:1.0.0';
const CUSTOMERS_V2 = 'gcr.io/tetratelabs/customers:2.0.0';

function synth(chart: Chart): any[] {
  return Testing.synth(chart);
}
function find(objects: any[], kind: string, name?: string): any {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}
function all(objects: any[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}
function container(objects: any[], deployment: string): any {
  return find(objects, 'Deployment', deployment).spec.template.spec.containers[0];
}
function app(props: Partial<MeshAppProps> = {}, id = 'customers', chart = Testing.chart()): { chart: Chart; app: MeshApp } {
  return { chart, app: new MeshApp(chart, id, { versions: [{ name: 'v1', image: CUSTOMERS_V1 }], ...props }) };
}
function twoVersions(props: Partial<MeshAppProps> = {}): { chart: Chart; app: MeshApp } {
  return app({
    ports: [{ name: 'http', port: 80, targetPort: 3000 }],
    versions: [{ name: 'v1', image: CUSTOMERS_V1 }, { name: 'v2', image: CUSTOMERS_V2 }],
    ...props,
  });
}

describe('MeshApp', () => {
  test('default configuration', () => {
    const { chart } = app();
    const out = synth(chart);
    expect(out).toMatchSnapshot();
    expectValidManifests(out);
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/customers-v1',
      'DestinationRule/customers',
      'PodDisruptionBudget/customers-v1',
      'Service/customers',
      'ServiceAccount/customers',
    ]);
  });

  test('multi-version app with routes, traffic policy and a gateway', () => {
    const chart = Testing.chart();
    const gateway = new Gateway(chart, 'gateway');
    const customers = new MeshApp(chart, 'customers', {
      ports: [{ name: 'http', port: 80, targetPort: 3000 }],
      versions: [
        { name: 'v1', image: CUSTOMERS_V1 },
        { name: 'v2', image: CUSTOMERS_V2, replicas: 1, trafficPolicy: { loadBalancer: LoadBalancer.RANDOM } },
      ],
      trafficPolicy: { loadBalancer: LoadBalancer.ROUND_ROBIN },
      routes: [
        { name: 'firefox', match: [{ headers: { 'user-agent': StringMatch.regex('.*Firefox.*') } }], destinations: [{ version: 'v1' }] },
        { destinations: [{ version: 'v1', weight: 70 }, { version: 'v2', weight: 30 }], mirror: { version: 'v2', percentage: 10 } },
      ],
    });
    customers.exposeVia(gateway);
    const out = synth(chart);
    expect(out).toMatchSnapshot();
    expectValidManifests(out);
  });

  describe('defaults', () => {
    test('name is the construct id, namespace is "default" without a chart namespace', () => {
      const { chart, app: a } = app();
      expect(a.name).toBe('customers');
      expect(a.namespace).toBe('default');
      const out = synth(chart);
      for (const o of out) expect(o.metadata.namespace).toBe('default');
      expect(find(out, 'Service').metadata.name).toBe('customers');
    });

    test('namespace comes from the chart, or the explicit prop', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const a = new MeshApp(chart, 'customers', { versions: [{ name: 'v1', image: CUSTOMERS_V1 }] });
      expect(a.namespace).toBe('shop');
      expect(a.host).toBe('customers.shop.svc.cluster.local');
      const b = new MeshApp(chart, 'b', { name: 'orders', namespace: 'sales', versions: [{ name: 'v1', image: CUSTOMERS_V1 }] });
      expect(b.host).toBe('orders.sales.svc.cluster.local');
      const out = synth(chart);
      expect(find(out, 'Deployment', 'customers-v1').metadata.namespace).toBe('shop');
      expect(find(out, 'Deployment', 'orders-v1').metadata.namespace).toBe('sales');
      expect(find(out, 'DestinationRule', 'orders').spec.host).toBe('orders.sales.svc.cluster.local');
    });

    test('ports default to http 80 -> 8080, with appProtocol', () => {
      const out = synth(app().chart);
      expect(find(out, 'Service').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' }]);
      expect(container(out, 'customers-v1').ports).toEqual([{ containerPort: 8080, name: 'http' }]);
    });

    test('replicas default to 2 with a PodDisruptionBudget of maxUnavailable 1', () => {
      const out = synth(app().chart);
      expect(find(out, 'Deployment').spec.replicas).toBe(2);
      const pdb = find(out, 'PodDisruptionBudget');
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.metadata.name).toBe('customers-v1');
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'customers', version: 'v1' } } });
    });

    test('a single replica gets no PodDisruptionBudget; disruptionBudget: false removes it', () => {
      expect(all(synth(app({ replicas: 1 }).chart), 'PodDisruptionBudget')).toHaveLength(0);
      expect(all(synth(app({ disruptionBudget: false }).chart), 'PodDisruptionBudget')).toHaveLength(0);
      const { chart, app: a } = twoVersions({ versions: [{ name: 'v1', image: CUSTOMERS_V1, replicas: 1 }, { name: 'v2', image: CUSTOMERS_V2, replicas: 3 }] });
      expect(all(synth(chart), 'PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['customers-v2']);
      expect(Object.keys(a.disruptionBudgets)).toEqual(['v2']);
    });

    test('sidecar injection is on by default', () => {
      const { chart, app: a } = app();
      expect(a.sidecarInjected).toBe(true);
      expect(find(synth(chart), 'Deployment').spec.template.metadata.labels).toMatchObject({
        'app': 'customers', 'version': 'v1', 'sidecar.istio.io/inject': 'true',
      });
    });

    test('one ServiceAccount per app, used by every version', () => {
      const { chart, app: a } = twoVersions();
      expect(a.identity).toBe(WorkloadIdentity.PER_APP);
      expect(a.serviceAccountNames).toEqual(['customers']);
      expect(a.serviceAccountName('v2')).toBe('customers');
      expect(a.principals).toEqual(['cluster.local/ns/default/sa/customers']);
      const out = synth(chart);
      expect(all(out, 'ServiceAccount').map((s) => s.metadata.name)).toEqual(['customers']);
      expect(find(out, 'ServiceAccount').automountServiceAccountToken).toBe(false);
      for (const d of all(out, 'Deployment')) expect(d.spec.template.spec.serviceAccountName).toBe('customers');
    });

    test('probes: TCP readiness and startup on the first targetPort, no liveness', () => {
      const c = container(synth(app({ ports: [{ name: 'http', port: 80, targetPort: 3000 }, { name: 'grpc', port: 9090 }] }).chart), 'customers-v1');
      expect(c.readinessProbe.tcpSocket).toEqual({ port: 3000 });
      expect(c.startupProbe.tcpSocket).toEqual({ port: 3000 });
      expect(c.livenessProbe).toBeUndefined();
    });

    test('resources and image pull policy are the cdk8s-plus defaults', () => {
      const c = container(synth(app().chart), 'customers-v1');
      expect(c.resources).toEqual({ limits: { cpu: '1500m', memory: '2048Mi' }, requests: { cpu: '1000m', memory: '512Mi' } });
      expect(c.imagePullPolicy).toBe('Always');
      expect(c.name).toBe('customers');
    });

    test('secure defaults, plus drop ALL and seccomp RuntimeDefault (container and pod)', () => {
      const d = find(synth(app().chart), 'Deployment');
      expect(d.spec.template.spec.containers[0].securityContext).toEqual({
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(d.spec.template.spec.securityContext).toEqual({
        fsGroupChangePolicy: 'Always', runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(d.spec.template.spec.automountServiceAccountToken).toBe(false);
    });

    test('no routes means no VirtualService', () => {
      const { chart, app: a } = twoVersions();
      expect(a.virtualService).toBeUndefined();
      expect(all(synth(chart), 'VirtualService')).toHaveLength(0);
    });

    test('autoscaling defaults: minReplicas 2, CPU 80%', () => {
      const out = synth(app({ autoscaling: { maxReplicas: 5 } }).chart);
      const hpa = find(out, 'HorizontalPodAutoscaler');
      expect(hpa.spec.minReplicas).toBe(2);
      expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    });

    test('labels select every pod of the app', () => {
      const { app: a } = twoVersions();
      expect(a.labels).toEqual({ app: 'customers' });
      a.labels.app = 'changed';
      expect(a.labels).toEqual({ app: 'customers' });
    });
  });

  describe('workloads', () => {
    test('one Deployment per version, each selecting {app, version}, never the cdk8s address label', () => {
      const { chart, app: a } = twoVersions();
      const out = synth(chart);
      const deployments = all(out, 'Deployment');
      expect(deployments.map((d) => d.metadata.name)).toEqual(['customers-v1', 'customers-v2']);
      expect(deployments.map((d) => d.spec.selector)).toEqual([
        { matchLabels: { app: 'customers', version: 'v1' } },
        { matchLabels: { app: 'customers', version: 'v2' } },
      ]);
      expect(deployments[1].spec.template.spec.containers[0].image).toBe(CUSTOMERS_V2);
      // cdk8s-plus keeps its address label on the pods (its NetworkPolicy/affinity helpers select by it), never in a selector.
      const selectors = [...deployments.map((d) => d.spec.selector), find(out, 'Service').spec.selector, ...all(out, 'PodDisruptionBudget').map((p) => p.spec.selector)];
      expect(JSON.stringify(selectors)).not.toContain('cdk8s.io/metadata.addr');
      expect(Object.keys(a.deployments)).toEqual(['v1', 'v2']);
      expect(a.deployments.v1).toBeInstanceOf(kplus.Deployment);
      expect(a.deploymentFor('v2')).toBe(a.deployments.v2);
      expect(a.podLabels('v2')).toEqual({ 'app': 'customers', 'version': 'v2', 'sidecar.istio.io/inject': 'true' });
    });

    test('the Service selects only app and names ports with their Istio protocol', () => {
      const { chart, app: a } = twoVersions({
        ports: [{ name: 'http', port: 80, targetPort: 3000 }, { name: 'grpc-web', port: 8081 }, { name: 'tcp-metrics-exporter', port: 9100 }],
      });
      const svc = find(synth(chart), 'Service');
      expect(svc.spec.selector).toEqual({ app: 'customers' });
      expect(svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort, p.appProtocol])).toEqual([
        ['http', 80, 3000, 'http'], ['grpc-web', 8081, 8081, 'grpc-web'], ['tcp-metrics-exporter', 9100, 9100, 'tcp'],
      ]);
      // container port names are IANA_SVC_NAMEs (max 15 characters): longer Service port names stay unnamed.
      expect(container(synth(chart), 'customers-v1').ports).toEqual([
        { containerPort: 3000, name: 'http' }, { containerPort: 8081, name: 'grpc-web' }, { containerPort: 9100 },
      ]);
      expect(a.service!.name).toBe('customers');
    });

    test('two Service ports on one targetPort give one container port', () => {
      const c = container(synth(app({ ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'http-alt', port: 8080 }] }).chart), 'customers-v1');
      expect(c.ports).toEqual([{ containerPort: 8080, name: 'http' }]);
    });

    test('sidecar: false labels the pods out of injection (S1 web-frontend)', () => {
      const { chart, app: a } = app({ name: 'web-frontend', sidecar: false, versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/web-frontend:1.0.0' }] });
      expect(a.sidecarInjected).toBe(false);
      const out = synth(chart);
      expect(find(out, 'Deployment').spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
      expectValidManifests(out);
    });

    test('WorkloadIdentity.PER_VERSION gives one ServiceAccount per version', () => {
      const { chart, app: a } = twoVersions({ identity: WorkloadIdentity.PER_VERSION });
      expect(a.serviceAccountNames).toEqual(['customers-v1', 'customers-v2']);
      expect(a.serviceAccountFor('v1').name).toBe('customers-v1');
      expect(a.serviceAccounts).toHaveLength(2);
      expect(a.principals).toEqual(['cluster.local/ns/default/sa/customers-v1', 'cluster.local/ns/default/sa/customers-v2']);
      const out = synth(chart);
      expect(all(out, 'ServiceAccount').map((s) => s.metadata.name)).toEqual(['customers-v1', 'customers-v2']);
      expect(find(out, 'Deployment', 'customers-v2').spec.template.spec.serviceAccountName).toBe('customers-v2');
    });

    test('explicit replicas, per-version override', () => {
      const out = synth(twoVersions({ replicas: 3, versions: [{ name: 'v1', image: CUSTOMERS_V1 }, { name: 'v2', image: CUSTOMERS_V2, replicas: 1 }] }).chart);
      expect(find(out, 'Deployment', 'customers-v1').spec.replicas).toBe(3);
      expect(find(out, 'Deployment', 'customers-v2').spec.replicas).toBe(1);
    });

    test('autoscaling: one autoscaling/v2 HPA per version, no spec.replicas, PDB when minReplicas > 1', () => {
      const { chart, app: a } = twoVersions({ autoscaling: { minReplicas: 3, maxReplicas: 10, cpuUtilization: 60 } });
      const out = synth(chart);
      const hpas = all(out, 'HorizontalPodAutoscaler');
      expect(hpas.map((h) => [h.apiVersion, h.metadata.name, h.spec.minReplicas, h.spec.maxReplicas, h.spec.scaleTargetRef.name])).toEqual([
        ['autoscaling/v2', 'customers-v1', 3, 10, 'customers-v1'],
        ['autoscaling/v2', 'customers-v2', 3, 10, 'customers-v2'],
      ]);
      expect(hpas[0].spec.metrics[0].resource.target.averageUtilization).toBe(60);
      for (const d of all(out, 'Deployment')) expect(d.spec.replicas).toBeUndefined();
      expect(all(out, 'PodDisruptionBudget')).toHaveLength(2);
      expect(Object.keys(a.autoscalers)).toEqual(['v1', 'v2']);
      expectValidManifests(out);
    });

    test('autoscaling with minReplicas 1 gets no PDB', () => {
      expect(all(synth(app({ autoscaling: { minReplicas: 1, maxReplicas: 3 } }).chart), 'PodDisruptionBudget')).toHaveLength(0);
    });

    test('env from values, ConfigMap and Secret references; per-version env overrides', () => {
      const chart = Testing.chart();
      const cm = new kplus.ConfigMap(chart, 'cm', { metadata: { name: 'settings' }, data: { url: 'x' } });
      const secret = kplus.Secret.fromSecretName(chart, 'secret', 'db');
      const a = new MeshApp(chart, 'web-frontend', {
        versions: [{ name: 'v1', image: 'web:1' }, { name: 'v2', image: 'web:2', env: { MODE: kplus.EnvValue.fromValue('beta') } }],
        env: {
          CUSTOMER_SERVICE_URL: kplus.EnvValue.fromValue('http://customers.default.svc.cluster.local'),
          MODE: kplus.EnvValue.fromValue('stable'),
          SETTINGS_URL: kplus.EnvValue.fromConfigMap(cm, 'url'),
          DB_PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: 'password' }),
        },
        envFrom: [kplus.Env.fromConfigMap(cm)],
      });
      const out = synth(chart);
      const env1 = container(out, 'web-frontend-v1').env;
      expect(env1).toEqual(expect.arrayContaining([
        { name: 'CUSTOMER_SERVICE_URL', value: 'http://customers.default.svc.cluster.local' },
        { name: 'MODE', value: 'stable' },
        { name: 'SETTINGS_URL', valueFrom: { configMapKeyRef: { key: 'url', name: 'settings' } } },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { key: 'password', name: 'db' } } },
      ]));
      expect(container(out, 'web-frontend-v1').envFrom).toEqual([{ configMapRef: { name: 'settings' } }]);
      expect(container(out, 'web-frontend-v2').env).toContainEqual({ name: 'MODE', value: 'beta' });
      expect(a.versionNames).toEqual(['v1', 'v2']);
      expectValidManifests(out);
    });

    test('command, args, resources, probes and volumes are passed to the container', () => {
      const chart = Testing.chart();
      const tmp = kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp');
      new MeshApp(chart, 'httpbin', {
        ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
        versions: [{ name: 'v1', image: 'kennethreitz/httpbin:0.9.2', resources: { cpu: { request: kplus.Cpu.millis(50) } } }],
        command: ['gunicorn'],
        args: ['-b', '0.0.0.0:8080', 'httpbin:app'],
        resources: { cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(200) } },
        readiness: kplus.Probe.fromHttpGet('/status/200', { port: 8080 }),
        liveness: kplus.Probe.fromHttpGet('/status/200', { port: 8080 }),
        startup: kplus.Probe.fromTcpSocket({ port: 8080, failureThreshold: 30 }),
        volumeMounts: [{ path: '/tmp', volume: tmp }],
      });
      const out = synth(chart);
      const c = container(out, 'httpbin-v1');
      expect(c.command).toEqual(['gunicorn']);
      expect(c.args).toEqual(['-b', '0.0.0.0:8080', 'httpbin:app']);
      expect(c.resources).toEqual({ requests: { cpu: '50m' } }); // the version's resources win
      expect(c.readinessProbe.httpGet).toEqual({ path: '/status/200', port: 8080, scheme: 'HTTP' });
      expect(c.livenessProbe.httpGet.path).toBe('/status/200');
      expect(c.startupProbe.failureThreshold).toBe(30);
      expect(c.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
      expect(find(out, 'Deployment').spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
      expectValidManifests(out);
    });

    test('security opt-outs are explicit and keep the other defaults', () => {
      const d = find(synth(app({ securityContext: { readOnlyRootFilesystem: false, ensureNonRoot: false, user: 0 } }).chart), 'Deployment');
      const sc = d.spec.template.spec.containers[0].securityContext;
      expect(sc.readOnlyRootFilesystem).toBe(false);
      expect(sc.runAsNonRoot).toBe(false);
      expect(sc.runAsUser).toBe(0);
      expect(sc.allowPrivilegeEscalation).toBe(false);
      expect(sc.capabilities).toEqual({ drop: ['ALL'] });
      expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(false);
    });

    test('addVersion() after construction adds a Deployment and a subset', () => {
      const { chart, app: a } = app();
      const d = a.addVersion({ name: 'v2', image: CUSTOMERS_V2 });
      expect(d).toBe(a.deploymentFor('v2'));
      const out = synth(chart);
      expect(find(out, 'Deployment', 'customers-v2')).toBeDefined();
      expect(find(out, 'DestinationRule').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
    });
  });

  describe('traffic', () => {
    test('DestinationRule: FQDN host, one subset per version, app and per-subset traffic policy', () => {
      const { chart } = twoVersions({
        trafficPolicy: { loadBalancer: LoadBalancer.LEAST_REQUEST },
        versions: [{ name: 'v1', image: CUSTOMERS_V1 }, { name: 'v2', image: CUSTOMERS_V2, trafficPolicy: { loadBalancer: LoadBalancer.RANDOM } }],
      });
      const out = synth(chart);
      const dr = find(out, 'DestinationRule');
      expect(dr.apiVersion).toBe('networking.istio.io/v1');
      expect(dr.metadata).toEqual({ name: 'customers', namespace: 'default' });
      expect(dr.spec).toEqual({
        host: 'customers.default.svc.cluster.local',
        trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } },
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } },
        ],
      });
      expectValidManifests(out);
    });

    test('routes give a mesh VirtualService on the FQDN with subset destinations', () => {
      const { chart, app: a } = twoVersions({ routes: [{ destinations: [{ version: 'v1', weight: 70 }, { version: 'v2', weight: 30 }] }] });
      const out = synth(chart);
      const vs = find(out, 'VirtualService');
      expect(vs.metadata).toEqual({ name: 'customers', namespace: 'default' });
      expect(vs.spec.hosts).toEqual(['customers.default.svc.cluster.local']);
      expect(vs.spec.gateways).toBeUndefined();
      expect(vs.spec.http[0].route).toEqual([
        { destination: { host: 'customers.default.svc.cluster.local', subset: 'v1' }, weight: 70 },
        { destination: { host: 'customers.default.svc.cluster.local', subset: 'v2' }, weight: 30 },
      ]);
      expect(a.virtualService).toBe(ApiObject.of(a.virtualService!));
      expectValidManifests(out);
    });

    test('addRoute() after construction creates the VirtualService, later routes and versions show up', () => {
      const { chart, app: a } = app();
      const vs = a.addRoute({ match: [{ headers: { 'end-user': StringMatch.exact('jason') } }], destinations: [{ version: 'v1' }] });
      a.addVersion({ name: 'v2', image: CUSTOMERS_V2 });
      expect(a.addRoute({ destinations: [{ version: 'v2' }] })).toBe(vs);
      const out = synth(chart);
      expect(all(out, 'VirtualService')).toHaveLength(1);
      expect(find(out, 'VirtualService').spec.http.map((h: any) => h.route[0].destination.subset)).toEqual(['v1', 'v2']);
      expect(a.routes).toHaveLength(2);
    });

    test('several Service ports: destinations carry the first port', () => {
      const { chart } = app({
        ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'grpc', port: 9090 }],
        routes: [{ destinations: [{ version: 'v1' }] }],
      });
      expect(find(synth(chart), 'VirtualService').spec.http[0].route[0].destination.port).toEqual({ number: 80 });
    });
  });

  describe('exposeVia', () => {
    test('binds a VirtualService <name>-<gateway> to the gateway with its hosts and a route to the whole Service', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway');
      const { app: a } = app({ name: 'web-frontend', sidecar: false }, 'web', chart);
      const vs = a.exposeVia(gateway);
      const out = synth(chart);
      const rendered = find(out, 'VirtualService', 'web-frontend-gateway');
      expect(ApiObject.of(vs).name).toBe('web-frontend-gateway');
      expect(rendered.metadata.namespace).toBe('default');
      expect(rendered.spec.hosts).toEqual(['*']);
      expect(rendered.spec.gateways).toEqual([gateway.ref]);
      expect(rendered.spec.http).toEqual([{ route: [{ destination: { host: 'web-frontend.default.svc.cluster.local' } }] }]);
      expectValidManifests(out);
    });

    test('is idempotent per gateway and follows the app routes, including later ones', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway');
      const { app: a } = app({ versions: [{ name: 'v1', image: CUSTOMERS_V1 }, { name: 'v2', image: CUSTOMERS_V2 }] }, 'customers', chart);
      const vs = a.exposeVia(gateway);
      expect(a.exposeVia(gateway)).toBe(vs);
      a.addRoute({ destinations: [{ version: 'v2' }] });
      const out = synth(chart);
      expect(all(out, 'VirtualService').map((v) => v.metadata.name).sort()).toEqual(['customers', 'customers-gateway']);
      expect(find(out, 'VirtualService', 'customers-gateway').spec.http[0].route[0].destination.subset).toBe('v2');
    });

    test('explicit hosts and routes', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway');
      const { app: a } = app({}, 'customers', chart);
      a.exposeVia(gateway, { hosts: ['customers.example.com'], routes: [{ destinations: [{ version: 'v1' }] }] });
      const vs = find(synth(chart), 'VirtualService', 'customers-gateway');
      expect(vs.spec.hosts).toEqual(['customers.example.com']);
      expect(vs.spec.http[0].route[0].destination).toEqual({ host: 'customers.default.svc.cluster.local', subset: 'v1' });
    });

    test('takes the gateway hosts visible to the app namespace, at synth time', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway', { namespace: 'istio-ingress', hosts: ['default/shop.example.com', 'other/x.example.com', '*/api.example.com'] });
      const { app: a } = app({}, 'customers', chart);
      a.exposeVia(gateway);
      gateway.addHttpServer({ name: 'http-8080', port: 8080, hosts: ['late.example.com'] });
      const out = synth(chart);
      const vs = find(out, 'VirtualService', 'customers-gateway');
      expect(vs.spec.gateways).toEqual(['istio-ingress/gateway']);
      expect(vs.spec.hosts).toEqual(['shop.example.com', 'api.example.com', 'late.example.com']);
      expectValidManifests(out);
    });

    test('works with a gateway referenced by name', () => {
      const chart = Testing.chart();
      const gateway = Gateway.fromName(chart, 'gw', 'istio-system/public');
      const { app: a } = app({}, 'customers', chart);
      a.exposeVia(gateway, { hosts: ['customers.example.com'] });
      const vs = find(synth(chart), 'VirtualService', 'customers-public');
      expect(vs.spec.gateways).toEqual(['istio-system/public']);
      expect(vs.spec.hosts).toEqual(['customers.example.com']);
    });

    test('fails synth when explicit hosts are not served by the gateway', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway', { hosts: ['*.example.com'] });
      const { app: a } = app({}, 'customers', chart);
      a.exposeVia(gateway, { hosts: ['shop.example.com', 'shop.example.org'] });
      expect(() => synth(chart)).toThrow(/'exposeVia\(default\/gateway\).hosts' are not served by the gateway.*\["shop.example.org"\]/);
    });

    test('fails synth when the gateway offers no host to the app namespace', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway', { hosts: ['other/shop.example.com'] });
      const { app: a } = app({}, 'customers', chart);
      a.exposeVia(gateway);
      expect(() => synth(chart)).toThrow(/the gateway offers no host to namespace "default"/);
    });

    test('throws for invalid explicit hosts and routes', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway');
      const { app: a } = app({}, 'customers', chart);
      expect(() => a.exposeVia(gateway, { hosts: [] })).toThrow(/'exposeVia\(default\/gateway\).hosts' must not be empty/);
      expect(() => a.exposeVia(gateway, { hosts: ['default/shop.example.com'] })).toThrow(/'exposeVia\(default\/gateway\).hosts\[0\]' must be '\*', a DNS name/);
      expect(() => a.exposeVia(gateway, { hosts: ['a.example.com', 'a.example.com'] })).toThrow(/hosts' must be unique/);
      expect(() => a.exposeVia(gateway, { routes: [{ destinations: [{ version: 'v7' }] }] })).toThrow(/'exposeVia\(default\/gateway\).routes\[0\]/);
    });

    test('throws when options are passed for a gateway already bound', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway');
      const { app: a } = app({}, 'customers', chart);
      a.exposeVia(gateway);
      expect(() => a.exposeVia(gateway, { hosts: ['x.example.com'] })).toThrow(/'exposeVia\(.*\)' was already called for this gateway/);
    });
  });

  describe('validation', () => {
    test('throws for a name that is not a DNS label', () => {
      expect(() => app({ name: 'Customers_Svc' })).toThrow(/'name' must be a DNS-1123 label.*got "Customers_Svc"/);
    });
    test('throws for a name starting with a digit', () => {
      expect(() => app({ name: '1customers' })).toThrow(/'name' must start with a letter/);
    });
    test('throws for an invalid namespace', () => {
      expect(() => app({ namespace: 'Bad NS' })).toThrow(/'namespace' must be a DNS-1123 label/);
    });
    test('throws without versions', () => {
      expect(() => app({ versions: [] })).toThrow(/'versions' must list at least one version/);
    });
    test('throws for a bad version name', () => {
      expect(() => app({ versions: [{ name: 'V1.0', image: CUSTOMERS_V1 }] })).toThrow(/'versions\[0\].name' must be a DNS-1123 label/);
    });
    test('throws for duplicate versions', () => {
      expect(() => app({ versions: [{ name: 'v1', image: CUSTOMERS_V1 }, { name: 'v1', image: CUSTOMERS_V2 }] }))
        .toThrow(/'versions\[1\].name' must be unique among versions, got "v1"/);
      const { app: a } = app();
      expect(() => a.addVersion({ name: 'v1', image: CUSTOMERS_V2 })).toThrow(/must be unique among versions/);
    });
    test('throws for an empty image', () => {
      expect(() => app({ versions: [{ name: 'v1', image: '' }] })).toThrow(/'versions\[0\].image' is not a container image reference: it must not be empty/);
    });
    test('throws for a port name without an Istio protocol prefix', () => {
      expect(() => app({ ports: [{ name: 'web', port: 80 }] })).toThrow(/'ports\[0\].name' must start with an Istio protocol prefix.*got "web".*Fix: name it like "http-web"/);
      expect(() => app({ ports: [{ name: 'http-', port: 80 }] })).toThrow(/'ports\[0\].name'/);
      expect(() => app({ ports: [{ name: 'httpx', port: 80 }] })).toThrow(/'ports\[0\].name' must start with an Istio protocol prefix/);
    });
    test('throws for duplicate port names and numbers', () => {
      expect(() => app({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] })).toThrow(/'ports\[\].name' must be unique, got "http"/);
      expect(() => app({ ports: [{ name: 'http', port: 80 }, { name: 'http-alt', port: 80 }] })).toThrow(/'ports\[\].port' must be unique, got 80/);
    });
    test('throws for out-of-range ports, no ports, and Istio-reserved target ports', () => {
      expect(() => app({ ports: [{ name: 'http', port: 70000 }] })).toThrow(/'ports\[0\].port' must be an integer from 1 to 65535/);
      expect(() => app({ ports: [] })).toThrow(/'ports' must list at least one port/);
      expect(() => app({ ports: [{ name: 'http', port: 80, targetPort: 15006 }] })).toThrow(/'ports\[0\].targetPort' is a port reserved by the Istio sidecar/);
    });
    test('throws for replicas together with autoscaling', () => {
      expect(() => app({ replicas: 3, autoscaling: { maxReplicas: 5 } })).toThrow(/'replicas' cannot be set together with autoscaling/);
      expect(() => app({ autoscaling: { maxReplicas: 5 }, versions: [{ name: 'v1', image: CUSTOMERS_V1, replicas: 2 }] }))
        .toThrow(/'versions\[0\].replicas' cannot be set when the app has autoscaling/);
    });
    test('throws when autoscaling minReplicas exceeds maxReplicas', () => {
      expect(() => app({ autoscaling: { minReplicas: 6, maxReplicas: 5 } })).toThrow(/'autoscaling.minReplicas' must not exceed maxReplicas \(5\), got 6/);
      expect(() => app({ autoscaling: { maxReplicas: 1 } })).toThrow(/'autoscaling.minReplicas' must not exceed maxReplicas \(1\), got 2/);
    });
    test('throws for negative or fractional replicas', () => {
      expect(() => app({ replicas: -1 })).toThrow(/'replicas' must be an integer from 0/);
      expect(() => app({ replicas: 1.5 })).toThrow(/'replicas' must be an integer/);
    });
    test('throws for the sidecar UID 1337', () => {
      expect(() => app({ securityContext: { user: 1337 } })).toThrow(/'securityContext.user' is reserved for the Istio sidecar/);
    });
    test('throws for an invalid env name', () => {
      expect(() => app({ env: { '1BAD': kplus.EnvValue.fromValue('x') } })).toThrow(/'env' has an invalid variable name, got "1BAD"/);
    });
    test('throws for a port-level policy on a port the Service does not have', () => {
      expect(() => app({ trafficPolicy: { portLevelSettings: [{ port: 9999, loadBalancer: LoadBalancer.RANDOM }] } }))
        .toThrow(/'trafficPolicy.portLevelSettings\[0\].port' is not a port of the Service, got 9999/);
      expect(() => app({ versions: [{ name: 'v1', image: CUSTOMERS_V1, trafficPolicy: { portLevelSettings: [{ port: 81, loadBalancer: LoadBalancer.RANDOM }] } }] }))
        .toThrow(/'versions\[0\].trafficPolicy.portLevelSettings\[0\].port' is not a port of the Service/);
    });
    test('throws for a route to an unknown version, at addRoute time', () => {
      expect(() => twoVersions({ routes: [{ destinations: [{ version: 'v3' }] }] })).toThrow(/'routes\[0\].destinations\[0\].version'/);
      const { app: a } = app();
      expect(() => a.addRoute({ destinations: [{ version: 'v2' }] })).toThrow(/'routes\[0\].destinations\[0\].version'/);
      a.addVersion({ name: 'v2', image: CUSTOMERS_V2 });
      expect(() => a.addRoute({ destinations: [{ version: 'v2' }] })).not.toThrow();
    });
    test('throws for a per-version policy that breaks the inherited one', () => {
      expect(() => app({ versions: [{ name: 'v1', image: CUSTOMERS_V1, trafficPolicy: { portLevelSettings: [] } }] }))
        .toThrow(/'versions\[0\].trafficPolicy.portLevelSettings' must not be empty/);
    });
    test('throws for lookups of unknown versions', () => {
      const { app: a } = app();
      expect(() => a.deploymentFor('v9')).toThrow(/'version' is not a version of this app, got "v9"/);
      expect(() => a.serviceAccountName('v9')).toThrow(/is not a version of this app/);
    });
    test('errors name the construct path', () => {
      expect(() => app({ name: 'BAD' }, 'svc')).toThrow(/^\[test\/svc\] 'name'/);
    });
  });

  describe('escape hatches on lazily rendered specs', () => {
    test('a JSON patch on the DestinationRule applies to the spec rendered at synthesis (versions added later included)', () => {
      const { chart, app: a } = twoVersions();
      // The spec is a Lazy rendered at synthesis; cdk8s applies JSON patches after it resolved (RFC 6902, in order).
      ApiObject.of(a.destinationRule!).addJsonPatch(
        JsonPatch.add('/spec/exportTo', ['.']),
        JsonPatch.add('/spec/subsets/2/labels/track', 'canary'),
      );
      a.addVersion({ name: 'v3', image: CUSTOMERS_V2 });
      const dr = find(synth(chart), 'DestinationRule');
      expect(dr.spec.exportTo).toEqual(['.']);
      expect(dr.spec.subsets.map((s: any) => [s.name, s.labels])).toEqual([
        ['v1', { version: 'v1' }], ['v2', { version: 'v2' }], ['v3', { version: 'v3', track: 'canary' }],
      ]);
    });
  });

  describe('markTrafficManaged (another construct takes the traffic over)', () => {
    function manage(a: MeshApp, manager: Construct, overrides: Partial<TrafficManagement> = {}) {
      return a.markTrafficManaged({
        manager,
        description: 'managed by a test',
        podSelector: { 'team.example.com/app': a.name },
        podLabels: { 'team.example.com/app': a.name },
        deploymentSelector: { app: a.name },
        managesReplicas: true,
        ...overrides,
      });
    }

    test('the app stops emitting its Service, DestinationRule and VirtualServices; the handles are undefined, not stale', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway', { hosts: ['shop.example.com'] });
      const { app: a } = app({ routes: [{ timeout: Duration.seconds(5) }] }, 'customers', chart);
      a.exposeVia(gateway);
      expect([a.service, a.destinationRule, a.virtualService].every((h) => h !== undefined && a.node.findAll().includes(h))).toBe(true);
      const manager = new Construct(chart, 'manager');
      manage(a, manager);
      expect(a.service).toBeUndefined();
      expect(a.destinationRule).toBeUndefined();
      expect(a.virtualService).toBeUndefined();
      expect(a.trafficManager).toBe(manager);
      const out = synth(chart);
      expect(out.filter((o) => ['Service', 'DestinationRule', 'VirtualService'].includes(o.kind))).toEqual([]);
      // every handle the app still gives out is in the tree, so it is synthesized
      for (const h of [...Object.values(a.deployments), ...a.serviceAccounts, ...Object.values(a.disruptionBudgets)]) {
        expect(a.node.findAll()).toContain(h);
      }
    });

    test('pods render as the manager asks: selector, extra labels, no replicas; policies selecting the app follow', () => {
      const { chart, app: a } = app({ replicas: 3 });
      const pa = a.allowFrom(new Gateway(chart, 'gw'));
      manage(a, new Construct(chart, 'manager'));
      expect(a.labels).toEqual({ 'team.example.com/app': 'customers' });
      const out = synth(chart);
      const d = find(out, 'Deployment', 'customers-v1');
      expect(d.spec.selector).toEqual({ matchLabels: { app: 'customers' } });
      expect(d.spec.replicas).toBeUndefined();
      expect(d.spec.template.metadata.labels).toEqual({
        'app': 'customers', 'version': 'v1', 'sidecar.istio.io/inject': 'true', 'team.example.com/app': 'customers',
      });
      // the PDB follows the manager's pod selector (it covers every pod the manager runs, e.g. Flagger's primary)
      expect(find(out, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: { 'team.example.com/app': 'customers' } });
      expect(find(out, 'AuthorizationPolicy', ApiObject.of(pa).name).spec.selector).toEqual({ matchLabels: { 'team.example.com/app': 'customers' } });
    });

    test('the manager gets what the app would have routed itself', () => {
      const chart = Testing.chart();
      const gateway = new Gateway(chart, 'gateway', { hosts: ['shop.example.com'] });
      const { app: a } = app({
        routes: [{ timeout: Duration.seconds(5) }],
        trafficPolicy: { loadBalancer: LoadBalancer.RANDOM },
        autoscaling: { maxReplicas: 3 },
      }, 'customers', chart);
      a.exposeVia(gateway);
      const target = manage(a, new Construct(chart, 'manager'));
      expect(target.versions).toEqual([{
        name: 'v1', deploymentName: 'customers-v1', autoscalerName: 'customers-v1', replicas: undefined, hasTrafficPolicy: false,
        podLabels: { 'app': 'customers', 'version': 'v1', 'sidecar.istio.io/inject': 'true', 'team.example.com/app': 'customers' },
      }]);
      expect(target.routes()).toEqual([{ field: 'routes[0]', route: { route: [{ destination: { host: a.host } }], timeout: '5s' } }]);
      expect(target.gatewayBindings()).toEqual([{ ref: gateway.ref, hosts: ['shop.example.com'], routesField: undefined }]);
      expect(target.trafficPolicy()).toEqual({ field: 'trafficPolicy', rendered: { loadBalancer: { simple: 'RANDOM' } } });
    });

    test('throws on a second manager, and on new versions, routes and gateway bindings, naming the manager', () => {
      const chart = Testing.chart();
      const { app: a } = app({}, 'customers', chart);
      manage(a, new Construct(chart, 'manager'));
      expect(() => manage(a, new Construct(chart, 'other')))
        .toThrow(/^\[test\/other\] 'app' is already managed by a test \(test\/manager\); an app has one traffic manager/);
      expect(() => a.addVersion({ name: 'v2', image: CUSTOMERS_V2 }))
        .toThrow(/'versions\[1\]\.name' cannot be added: the app is managed by a test \(test\/manager\), which manages its versions/);
      expect(() => a.addRoute({})).toThrow(/'routes\[0\]' cannot be added once the app is managed by a test \(test\/manager\).*Fix: add routes before test\/manager is created/);
      expect(() => a.exposeVia(new Gateway(chart, 'gw'))).toThrow(/cannot be called once the app is managed by a test \(test\/manager\)/);
    });
  });
});
