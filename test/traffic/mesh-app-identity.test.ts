import { Chart, Testing } from 'cdk8s';
import {
  AuthorizationPolicy, CanaryRelease, Gateway, MeshApp, MeshAppProps, MeshTesting, TrafficSplit, WorkloadIdentity,
} from '../../lib';
import { collectWarnings } from '../../lib/private/warnings';
import { expectValidManifests } from '../util/schema';
import { chart as newChart, find, ofKind } from '../util/synth';

const V1 = 'gcr.io/tetratelabs/customers:1.0.0';
const V2 = 'gcr.io/tetratelabs/customers:2.0.0';

function customers(chart: Chart, props: Partial<MeshAppProps> = {}, id = 'customers'): MeshApp {
  return new MeshApp(chart, id, { versions: [{ name: 'v1', image: V1 }, { name: 'v2', image: V2 }], ...props });
}

describe('MeshApp: existing ServiceAccounts', () => {
  test('WorkloadIdentity.existing(): every version runs as it, nothing emitted, principals name it', () => {
    const chart = newChart();
    const app = customers(chart, { identity: WorkloadIdentity.existing('customers-irsa') });
    const web = new MeshApp(chart, 'web-frontend', { versions: [{ name: 'v1', image: 'gcr.io/tetratelabs/web-frontend:1.0.0' }] });
    app.allowFrom(web);
    web.allowFrom(app);
    const out = MeshTesting.synth(chart);
    expectValidManifests(out);
    expect(ofKind(out, 'ServiceAccount').map((s) => s.metadata.name)).toEqual(['web-frontend']);
    for (const v of ['v1', 'v2']) expect(find(out, 'Deployment', `customers-${v}`).spec.template.spec.serviceAccountName).toBe('customers-irsa');
    expect(app.serviceAccountNames).toEqual(['customers-irsa']);
    expect(app.serviceAccounts).toEqual([]);
    expect(app.serviceAccountFor('v2').name).toBe('customers-irsa');
    expect(app.principals).toEqual(['cluster.local/ns/default/sa/customers-irsa']);
    expect(app.meshIdentity().serviceAccounts).toEqual(['customers-irsa']);
    const allowCustomers = find(out, 'AuthorizationPolicy', 'web-frontend-allow-customers');
    expect(allowCustomers.spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/default/sa/customers-irsa']);
  });

  test('a version can run as an existing ServiceAccount while the others get their own', () => {
    const chart = newChart();
    const app = customers(chart, {
      identity: WorkloadIdentity.PER_VERSION,
      versions: [{ name: 'v1', image: V1 }, { name: 'v2', image: V2, existingServiceAccount: 'legacy-customers' }],
    });
    const out = MeshTesting.synth(chart);
    expect(ofKind(out, 'ServiceAccount').map((s) => s.metadata.name)).toEqual(['customers-v1']);
    expect(find(out, 'Deployment', 'customers-v2').spec.template.spec.serviceAccountName).toBe('legacy-customers');
    expect(app.serviceAccountNames).toEqual(['customers-v1', 'legacy-customers']);
    expect(AuthorizationPolicy.allowFrom(new MeshApp(chart, 'other', { versions: [{ name: 'v1', image: V1 }] }), app).node.id).toBeDefined();
  });

  test('PER_APP with every version on an existing ServiceAccount emits no unused one', () => {
    const chart = newChart();
    customers(chart, { versions: [{ name: 'v1', image: V1, existingServiceAccount: 'shared' }] });
    expect(ofKind(Testing.synth(chart), 'ServiceAccount')).toEqual([]);
  });

  test('bad names are refused; the namespace\'s "default" ServiceAccount is warned about', () => {
    expect(() => customers(newChart(), { identity: WorkloadIdentity.existing('Customers_SA') }))
      .toThrow(/\[test\/customers\] 'identity' must be a DNS-1123 subdomain .*got "Customers_SA"\. Fix: use a name like/);
    expect(() => customers(newChart(), { versions: [{ name: 'v1', image: V1, existingServiceAccount: 'a b' }] }))
      .toThrow(/\[test\/customers\] 'versions\[0\]\.existingServiceAccount' must be a DNS-1123 subdomain .*got "a b"/);
    const chart = newChart();
    customers(chart, { identity: WorkloadIdentity.existing('default') });
    expect(collectWarnings(chart).join('\n')).toMatch(/\[test\/customers\] 'identity' runs the pods as the namespace's "default" ServiceAccount.*\[mesh-app:default-service-account\]/);
  });
});

describe('MeshApp: version label independent of the subset name', () => {
  test('subset `stable` selects pods labelled version: 1.4.2; routes and splits use the subset name', () => {
    const chart = newChart();
    const app = customers(chart, {
      versions: [{ name: 'stable', image: V1, versionLabel: '1.4.2' }, { name: 'next', image: V2, versionLabel: '2.0.0-rc.1' }],
    });
    app.splitTraffic(TrafficSplit.weighted({ stable: 50, next: 50 }));
    const out = MeshTesting.synth(chart);
    expectValidManifests(out);
    expect(find(out, 'DestinationRule').spec.subsets).toEqual([
      { name: 'stable', labels: { version: '1.4.2' } },
      { name: 'next', labels: { version: '2.0.0-rc.1' } },
    ]);
    const d = find(out, 'Deployment', 'customers-stable');
    expect(d.spec.selector.matchLabels).toEqual({ app: 'customers', version: '1.4.2' });
    expect(d.spec.template.metadata.labels).toMatchObject({ app: 'customers', version: '1.4.2' });
    expect(find(out, 'PodDisruptionBudget', 'customers-stable').spec.selector.matchLabels).toEqual({ app: 'customers', version: '1.4.2' });
    expect(find(out, 'VirtualService').spec.http[0].route.map((r: any) => r.destination.subset)).toEqual(['stable', 'next']);
    expect(app.podLabels('stable')).toMatchObject({ version: '1.4.2' });
  });

  test('the reverse: subset v1 for pods labelled version: stable', () => {
    const out = MeshTesting.synth(customers(newChart(), { versions: [{ name: 'v1', image: V1, versionLabel: 'stable' }] }).node.scope as Chart);
    expect(find(out, 'DestinationRule').spec.subsets).toEqual([{ name: 'v1', labels: { version: 'stable' } }]);
  });

  test('a label two versions share, or that is not a label value, is refused', () => {
    expect(() => customers(newChart(), { versions: [{ name: 'v1', image: V1 }, { name: 'v2', image: V2, versionLabel: 'v1' }] }))
      .toThrow(/\[test\/customers\] 'versions\[1\]\.versionLabel' is the `version` label of version "v1" too, so their subsets would select the same pods, got "v1"\. Fix: give each version its own versionLabel/);
    expect(() => customers(newChart(), { versions: [{ name: 'v1', image: V1, versionLabel: '1.4.2+build5' }] }))
      .toThrow(/\[test\/customers\] 'versions\[0\]\.versionLabel' is not a Kubernetes label value.*got "1\.4\.2\+build5"/);
  });
});

describe('MeshApp: Deployment names', () => {
  test('deploymentName names the Deployment, its autoscaler (and scale target) and its disruption budget', () => {
    const chart = newChart();
    const app = customers(chart, {
      versions: [{ name: 'v1', image: V1, deploymentName: 'customers' }],
      autoscaling: { minReplicas: 2, maxReplicas: 5 },
    });
    const out = MeshTesting.synth(chart);
    expectValidManifests(out);
    expect(app.deploymentName('v1')).toBe('customers');
    expect(app.deploymentFor('v1').name).toBe('customers');
    expect(find(out, 'Deployment').metadata.name).toBe('customers');
    const hpa = find(out, 'HorizontalPodAutoscaler');
    expect(hpa.metadata.name).toBe('customers');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'customers' });
    expect(find(out, 'PodDisruptionBudget').metadata.name).toBe('customers');
  });

  test('a CanaryRelease targets the Deployment by that name (Flagger then names its copy <app>-primary)', () => {
    const chart = newChart();
    const app = customers(chart, {
      versions: [{ name: 'v1', image: V1, deploymentName: 'customers' }],
      autoscaling: { minReplicas: 2, maxReplicas: 5 },
    });
    new CanaryRelease(chart, 'canary', { app });
    const out = Testing.synth(chart);
    const canary = find(out, 'Canary');
    expect(canary.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'customers' });
    expect(canary.spec.autoscalerRef).toEqual({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'customers' });
  });

  test('the default stays <app>-<version>', () => {
    const app = customers(newChart());
    expect(app.deploymentName('v2')).toBe('customers-v2');
    expect(() => app.deploymentName('v3')).toThrow(/\[test\/customers\] 'version' is not a version of this app, got "v3"/);
  });

  test('a name another version or app of the namespace has is refused; another namespace or cluster may reuse it', () => {
    expect(() => customers(newChart(), { versions: [{ name: 'v1', image: V1, deploymentName: 'c' }, { name: 'v2', image: V2, deploymentName: 'c' }] }))
      .toThrow(/\[test\/customers\] 'versions\[1\]\.deploymentName' is already the Deployment name of test\/customers \(version v1\) in namespace "default", got "c"\. Fix: give each version its own deploymentName/);
    const chart = newChart();
    customers(chart, { name: 'orders', versions: [{ name: 'v1', image: V1, deploymentName: 'customers-v1' }] }, 'orders');
    expect(() => customers(chart)).toThrow(/\[test\/customers\] 'versions\[0\]\.deploymentName' is already the Deployment name of test\/orders \(version v1\)/);
    expect(() => customers(chart, { namespace: 'shop' }, 'customers-shop')).not.toThrow();
    expect(() => customers(newChart(), { versions: [{ name: 'v1', image: V1, deploymentName: 'Customers' }] }))
      .toThrow(/'versions\[0\]\.deploymentName' must be a DNS-1123 subdomain/);
  });
});

describe('MeshApp.alsoServeVia (S1: the customers VirtualService bound to the mesh and, later, the gateway)', () => {
  test('one VirtualService with gateways [mesh, <gateway>] on the Service FQDN, keeping the routes', () => {
    const chart = newChart();
    const gateway = new Gateway(chart, 'gateway');
    const app = customers(chart, { routes: [{ destinations: [{ version: 'v1', weight: 70 }, { version: 'v2', weight: 30 }] }] });
    const vs = app.alsoServeVia(gateway);
    expect(app.alsoServeVia(gateway)).toBe(vs);
    expect(vs).toBe(app.virtualService);
    const out = MeshTesting.synth(chart);
    expectValidManifests(out);
    expect(ofKind(out, 'VirtualService')).toHaveLength(1);
    const spec = find(out, 'VirtualService', 'customers').spec;
    expect(spec.hosts).toEqual(['customers.default.svc.cluster.local']);
    expect(spec.gateways).toEqual(['mesh', 'default/gateway']);
    expect(spec.http[0].route.map((r: any) => r.weight)).toEqual([70, 30]);
  });

  test('without routes yet: one route to the whole Service, replaced by the routes added later', () => {
    const chart = newChart();
    const gateway = new Gateway(chart, 'gateway');
    const app = customers(chart);
    app.alsoServeVia(gateway);
    expect(find(Testing.synth(chart), 'VirtualService').spec.http).toEqual([{ route: [{ destination: { host: 'customers.default.svc.cluster.local' } }] }]);
    app.addRoute({ destinations: [{ version: 'v2' }] });
    expect(find(Testing.synth(chart), 'VirtualService').spec.http).toEqual([{ route: [{ destination: { host: 'customers.default.svc.cluster.local', subset: 'v2' } }] }]);
  });

  test('under a CanaryRelease the gateway moves to the Canary with the FQDN host', () => {
    const chart = newChart();
    const gateway = new Gateway(chart, 'gateway');
    const app = customers(chart, { versions: [{ name: 'v1', image: V1 }] });
    app.alsoServeVia(gateway);
    new CanaryRelease(chart, 'canary', { app });
    const service = find(Testing.synth(chart), 'Canary').spec.service;
    expect(service.gateways).toEqual(['default/gateway', 'mesh']);
    expect(service.hosts).toEqual(['customers.default.svc.cluster.local']);
  });

  test('a gateway that does not serve the FQDN, or that exposeVia() also binds, fails synthesis', () => {
    const chart = newChart();
    const gateway = new Gateway(chart, 'gateway', { hosts: ['shop.example.com'] });
    customers(chart).alsoServeVia(gateway);
    expect(() => Testing.synth(chart)).toThrow(/\[test\/customers\] 'alsoServeVia\(default\/gateway\)' the gateway does not serve the host "customers\.default\.svc\.cluster\.local" to namespace "default" \(its hosts: \["shop\.example\.com"\]\).*Fix: add a server/);
    const chart2 = newChart();
    const gw2 = new Gateway(chart2, 'gateway');
    const app2 = customers(chart2);
    app2.alsoServeVia(gw2);
    app2.exposeVia(gw2);
    expect(() => Testing.synth(chart2)).toThrow(/'alsoServeVia\(default\/gateway\)' the gateway also routes to the app through exposeVia\(\)/);
  });

  test('refused once a traffic manager took the app over', () => {
    const chart = newChart();
    const gateway = new Gateway(chart, 'gateway');
    const app = customers(chart, { versions: [{ name: 'v1', image: V1 }] });
    new CanaryRelease(chart, 'canary', { app });
    expect(() => app.alsoServeVia(gateway)).toThrow(/\[test\/customers\] 'alsoServeVia\(default\/gateway\)' cannot be called once the app is .*Fix: call alsoServeVia\(\) before/);
  });

});
