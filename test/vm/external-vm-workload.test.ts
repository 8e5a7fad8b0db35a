import { App, Chart, Duration, Testing } from 'cdk8s';
import { EAST_WEST, ratingsVm, vmChart } from './fixtures';
import { analyze } from '../../lib/analysis/analyze';
import { TRUST_DOMAIN_CONTEXT } from '../../lib/core/mesh-peer';
import { AuthorizationPolicy } from '../../lib/security/authorization-policy';
import { StrictMtlsNamespace } from '../../lib/security/strict-mtls-namespace';
import { MeshApp } from '../../lib/traffic/mesh-app';
import { WARNING_METADATA } from '../../lib/private/warnings';
import { ExternalVmWorkload, IExternalVersion, VmReadinessProbe } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { find, ofKind } from '../util/synth';

function ratingsApp(chart: Chart): MeshApp {
  return new MeshApp(chart, 'ratings', {
    ports: [{ name: 'http', port: 9080, targetPort: 9080 }],
    versions: [{ name: 'v1', image: 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.3', replicas: 0 }],
  });
}

function productpage(chart: Chart): MeshApp {
  return new MeshApp(chart, 'productpage', {
    ports: [{ name: 'http', port: 9080, targetPort: 9080 }],
    versions: [{ name: 'v1', image: 'docker.io/istio/examples-bookinfo-productpage-v1:1.20.3' }],
  });
}

describe('ExternalVmWorkload', () => {
  test('default (S9): ServiceAccount, WorkloadGroup and Service, valid against the schemas', () => {
    const chart = vmChart();
    ratingsVm(chart);
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ServiceAccount/bookinfo-ratings', 'WorkloadGroup/ratings', 'Service/ratings']);
    expectValidManifests(out);
  });

  test('documented defaults: name = id, app = name, version "vm", ServiceAccount = name (created), network of the gateway, proxy on', () => {
    const chart = vmChart();
    const vm = new ExternalVmWorkload(chart, 'inventory', { eastWestGateway: EAST_WEST, ports: [{ name: 'tcp-db', port: 5432 }] });
    expect([vm.name, vm.app, vm.versionName, vm.serviceAccountName, vm.network, vm.sidecar]).toEqual(['inventory', 'inventory', 'vm', 'inventory', 'network1', true]);
    expect(vm.namespace).toBe('bookinfo');
    expect(vm.host).toBe('inventory.bookinfo.svc.cluster.local');
    expect(vm.ports).toEqual([{ name: 'tcp-db', port: 5432, targetPort: 5432, appProtocol: 'tcp' }]);
    const out = Testing.synth(chart);
    expect(find(out, 'ServiceAccount', 'inventory', 'bookinfo')).toBeDefined();
    expect(find(out, 'WorkloadGroup', 'inventory').spec).toEqual({
      metadata: { labels: { app: 'inventory', version: 'vm' } },
      template: { serviceAccount: 'inventory', network: 'network1', ports: { 'tcp-db': 5432 } },
    });
    expect(ofKind(out, 'WorkloadEntry')).toEqual([]);
  });

  test('WorkloadGroup: labels in spec.metadata, ServiceAccount, network, ports and an httpGet probe, every field kept', () => {
    const chart = vmChart();
    ratingsVm(chart, {
      version: 'v-vm',
      labels: { tier: 'backend' },
      ports: [{ name: 'http', port: 9080, targetPort: 8080 }, { name: 'metrics', port: 9090, appProtocol: 'http' }],
      probe: VmReadinessProbe.httpGet(8080, {
        path: '/ready', https: true, host: '127.0.0.1', headers: { 'X-Probe': 'istio' },
        initialDelay: Duration.seconds(1), period: Duration.seconds(5), timeout: Duration.seconds(3), successThreshold: 2, failureThreshold: 4,
      }),
    });
    const out = Testing.synth(chart);
    expect(find(out, 'WorkloadGroup', 'ratings', 'bookinfo').spec).toEqual({
      metadata: { labels: { app: 'ratings', version: 'v-vm', tier: 'backend' } },
      template: { serviceAccount: 'bookinfo-ratings', network: 'network1', ports: { http: 8080, metrics: 9090 } },
      probe: {
        initialDelaySeconds: 1, periodSeconds: 5, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 4,
        httpGet: { port: 8080, path: '/ready', scheme: 'HTTPS', host: '127.0.0.1', httpHeaders: [{ name: 'X-Probe', value: 'istio' }] },
      },
    });
    expectValidManifests(out);
  });

  test.each([
    ['tcpSocket', VmReadinessProbe.tcpSocket(9080, { period: Duration.seconds(10) }), { periodSeconds: 10, tcpSocket: { port: 9080 } }],
    ['exec', VmReadinessProbe.exec(['/usr/local/bin/ready']), { exec: { command: ['/usr/local/bin/ready'] } }],
    ['grpc', VmReadinessProbe.grpc(9080, { service: 'ratings' }), { grpc: { port: 9080, service: 'ratings' } }],
    ['httpGet defaults', VmReadinessProbe.httpGet(9080), { httpGet: { port: 9080, path: '/' } }],
  ])('renders a %s readiness probe', (_kind, probe, expected) => {
    const chart = vmChart();
    ratingsVm(chart, { probe });
    const out = Testing.synth(chart);
    expect(find(out, 'WorkloadGroup').spec.probe).toEqual(expected);
    expectValidManifests(out);
  });

  test('Service: named ports with appProtocol, selecting app only, which every VM label set contains', () => {
    const chart = vmChart();
    const vm = ratingsVm(chart, { ports: [{ name: 'http-api', port: 80, targetPort: 9080 }, { name: 'grpc', port: 7070 }] });
    const svc = find(Testing.synth(chart), 'Service', 'ratings', 'bookinfo');
    expect(svc.spec.selector).toEqual({ app: 'ratings' });
    expect(Object.entries(svc.spec.selector).every(([k, v]) => vm.labels[k] === v)).toBe(true);
    expect(svc.spec.ports).toEqual([
      { name: 'http-api', port: 80, targetPort: 9080, protocol: 'TCP', appProtocol: 'http' },
      { name: 'grpc', port: 7070, targetPort: 7070, protocol: 'TCP', appProtocol: 'grpc' },
    ]);
    expect(vm.service).toBeDefined();
  });

  test('static WorkloadEntries: IPv4, IPv6 and DNS addresses with labels, weight, locality, network and ServiceAccount', () => {
    const chart = vmChart();
    const vm = ratingsVm(chart, {
      entries: [{ address: '10.0.0.12', weight: 3, locality: 'us-east1/us-east1-b', labels: { 'instance-id': 'vm1' } }],
    });
    vm.addStaticEntry({ address: 'FD00::12', name: 'ratings-v6' });
    vm.addStaticEntry({ address: 'vm-3.example.internal', serviceAccount: 'legacy-ratings', network: 'network1' });
    const out = Testing.synth(chart);
    expect(find(out, 'WorkloadEntry', 'ratings-10-0-0-12', 'bookinfo').spec).toEqual({
      address: '10.0.0.12',
      labels: { app: 'ratings', version: 'vm', 'instance-id': 'vm1' },
      serviceAccount: 'bookinfo-ratings',
      network: 'network1',
      ports: { http: 9080 },
      weight: 3,
      locality: 'us-east1/us-east1-b',
    });
    // defaults of an entry: the workload's labels, ServiceAccount and network; no weight or locality
    expect(find(out, 'WorkloadEntry', 'ratings-v6').spec).toEqual({
      address: 'fd00::12', labels: { app: 'ratings', version: 'vm' }, serviceAccount: 'bookinfo-ratings', network: 'network1', ports: { http: 9080 },
    });
    expect(find(out, 'WorkloadEntry', 'ratings-vm-3-example-internal').spec).toMatchObject({ address: 'vm-3.example.internal', serviceAccount: 'legacy-ratings' });
    expect(vm.workloadEntries).toHaveLength(3);
    // the other ServiceAccount is part of the identity
    expect(vm.serviceAccountNames).toEqual(['bookinfo-ratings', 'legacy-ratings']);
    expectValidManifests(out);
  });

  test('adopts an existing ServiceAccount (createServiceAccount: false): no ServiceAccount object, same identity', () => {
    const chart = vmChart();
    const vm = ratingsVm(chart, { createServiceAccount: false });
    const out = Testing.synth(chart);
    expect(ofKind(out, 'ServiceAccount')).toEqual([]);
    expect(vm.serviceAccount).toBeUndefined();
    expect(find(out, 'WorkloadGroup').spec.template.serviceAccount).toBe('bookinfo-ratings');
  });

  test('is a mesh peer: app.allowFrom(vm) names its ServiceAccount principal, vm.allowFrom(app) selects its labels', () => {
    const chart = vmChart();
    const vm = ratingsVm(chart);
    const pp = productpage(chart);
    const intoApp = pp.allowFrom(vm, { methods: ['GET'] });
    const intoVm = vm.allowFrom(pp);
    expect(vm.allowFrom(pp)).toBe(intoVm); // idempotent per peer
    const out = Testing.synth(chart);
    expect(find(out, 'AuthorizationPolicy', 'productpage-allow-ratings', 'bookinfo').spec).toEqual({
      selector: { matchLabels: { app: 'productpage' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/bookinfo/sa/bookinfo-ratings'] } }], to: [{ operation: { methods: ['GET'] } }] }],
    });
    expect(find(out, 'AuthorizationPolicy', 'ratings-allow-productpage', 'bookinfo').spec).toEqual({
      selector: { matchLabels: { app: 'ratings', version: 'vm' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/bookinfo/sa/productpage'] } }] }],
    });
    expect(intoApp).toBeInstanceOf(AuthorizationPolicy);
    expect(vm.meshIdentity()).toEqual({
      name: 'ratings', namespace: 'bookinfo', serviceAccounts: ['bookinfo-ratings'], sidecar: true, podSelector: { app: 'ratings', version: 'vm' },
    });
    expectValidManifests(out);
  });

  test('principals use the trust domain of the app context', () => {
    const app = new App();
    app.node.setContext(TRUST_DOMAIN_CONTEXT, 'prod.example.com');
    const vm = ratingsVm(new Chart(app, 'test', { namespace: 'bookinfo' }));
    expect(vm.principals).toEqual(['prod.example.com/ns/bookinfo/sa/bookinfo-ratings']);
  });

  test('works inside a StrictMtlsNamespace: mTLS to the VMs (every entry names a ServiceAccount), allowFrom both ways, no mTLS finding', () => {
    const chart = vmChart();
    new StrictMtlsNamespace(chart, 'bookinfo');
    const vm = ratingsVm(chart, { entries: [{ address: '10.0.0.12' }] });
    const pp = productpage(chart);
    vm.allowFrom(pp);
    pp.allowFrom(vm);
    const out = Testing.synth(chart);
    expect(find(out, 'WorkloadEntry').spec.serviceAccount).toBe('bookinfo-ratings');
    expect(find(out, 'PeerAuthentication', 'default', 'bookinfo').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(ofKind(out, 'AuthorizationPolicy').map((o) => o.metadata.name).sort()).toEqual(['deny-all', 'productpage-allow-ratings', 'ratings-allow-productpage']);
    expectValidManifests(out);
    expect(analyze(chart.node.root as App).errors).toEqual([]);
  });

  test('as a version of a MeshApp (S9: ratings-v1 at zero, ratings served from the VM): app labels + version, the app\'s Service, no own Service', () => {
    const chart = vmChart();
    const ratings = ratingsApp(chart);
    const vm: IExternalVersion & ExternalVmWorkload = new ExternalVmWorkload(chart, 'ratings-vm', {
      eastWestGateway: EAST_WEST, versionOf: ratings, serviceAccountName: 'bookinfo-ratings',
    });
    vm.bindVersionHost(ratings); // what ratings.addExternalVersion(vm) does
    expect(vm.name).toBe('ratings-vm');
    expect(vm.labels).toEqual({ app: 'ratings', version: 'vm' });
    expect(vm.subsetLabels).toEqual({ version: 'vm' });
    expect(vm.host).toBe(ratings.host);
    expect(vm.service).toBeUndefined();
    const out = Testing.synth(chart);
    expect(ofKind(out, 'Service').map((s) => s.metadata.name)).toEqual(['ratings']);
    expect(find(out, 'WorkloadGroup', 'ratings-vm').spec).toEqual({
      metadata: { labels: { app: 'ratings', version: 'vm' } },
      template: { serviceAccount: 'bookinfo-ratings', network: 'network1' },
    });
    // the app's Service selects the VMs; its v1 subset does not
    const svc = find(out, 'Service', 'ratings');
    expect(Object.entries(svc.spec.selector).every(([k, v]) => vm.labels[k] === v)).toBe(true);
    expect(find(out, 'Deployment', 'ratings-v1').spec.replicas).toBe(0);
    expectValidManifests(out);
  });

  test('without the Istio proxy (sidecar: false): static entries without ServiceAccount, no WorkloadGroup, no identity', () => {
    const chart = vmChart();
    const vm = ratingsVm(chart, { sidecar: false, serviceAccountName: undefined, entries: [{ address: '10.0.0.12' }] });
    const out = Testing.synth(chart);
    expect(out.map((o) => o.kind)).toEqual(['Service', 'WorkloadEntry']);
    expect(find(out, 'WorkloadEntry').spec.serviceAccount).toBeUndefined();
    expect(vm.meshIdentity()).toMatchObject({ serviceAccounts: [], sidecar: false });
    expectValidManifests(out);
  });

  test('warns when no IstiodExposure of its east-west gateway is in the app, and not when there is one', () => {
    const without = vmChart({ exposure: false });
    const vm = ratingsVm(without);
    Testing.synth(without);
    expect(vm.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => m.data)).toEqual([
      expect.stringMatching(/^no IstiodExposure for the east-west gateway istio-system\/istio-eastwestgateway in this app: .*\[vm:istiod-not-exposed\]$/),
    ]);
    const withIt = vmChart();
    const vm2 = ratingsVm(withIt);
    Testing.synth(withIt);
    expect(vm2.node.metadata.filter((m) => m.type === WARNING_METADATA)).toEqual([]);
  });
});

describe('ExternalVmWorkload checks', () => {
  const fix = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  /** `[path] 'field' ..., got <value>. Fix: ...` */
  const err = (path: string, field: string, value: string) => new RegExp(`^\\[${fix(path)}\\] '${fix(field)}' .*, got ${fix(value)}\\. Fix: .+`);

  test.each([
    ['a port name without Istio protocol prefix', { ports: [{ name: 'web', port: 9080 }] }, 'ports[0].name', '"web"', /rename it to "http-web" or "tcp-web", or set appProtocol/],
    ['an unknown appProtocol', { ports: [{ name: 'web', port: 9080, appProtocol: 'HTTP' }] }, 'ports[0].appProtocol', '"HTTP"', /use e\.g\. "http" or "tcp"/],
    ['an appProtocol contradicting the prefix', { ports: [{ name: 'http', port: 9080, appProtocol: 'tcp' }] }, 'ports[0].appProtocol', '"tcp"', /drop appProtocol or rename the port/],
    ['an app name that is no DNS-1035 label', { app: '9ratings' }, 'app', '"9ratings"', /use a name like "vm-9ratings"/],
    ['a standalone workload without ports', { ports: [] }, 'ports', '[]', /pass ports: \[\{ name: 'http', port: 9080 \}\]/],
    ['a network without east-west gateway', { network: 'vm-network' }, 'network', '"vm-network"', /omit it \(the VMs join "network1"\), or pass the east-west gateway of that network/],
    ['the version label among the extra labels', { labels: { version: 'v9' } }, 'labels.version', '"v9"', /use the 'version' prop/],
    ['the app label among the extra labels', { labels: { app: 'x' } }, 'labels.app', '"x"', /use the 'app' prop/],
    ['a probe without the proxy', { sidecar: false, serviceAccountName: undefined, probe: VmReadinessProbe.tcpSocket(9080) }, 'probe', '"tcpSocket"', /install the proxy/],
    ['a probe period that is not whole seconds', { probe: VmReadinessProbe.tcpSocket(9080, { period: Duration.millis(1500) }) }, 'probe.period', '"1500ms"', /Duration\.seconds\(n\)/],
    ['a probe path without slash', { probe: VmReadinessProbe.httpGet(9080, { path: 'ready' }) }, 'probe.httpGet.path', '"ready"', /use "\/ready"/],
  ])('fails on %s', (_name, props, field, value, fixText) => {
    const chart = vmChart();
    expect(() => ratingsVm(chart, props as any)).toThrow(err('test/ratings', field, value));
    expect(() => ratingsVm(vmChart(), props as any)).toThrow(fixText);
  });

  test.each([
    ['a CIDR block', '10.0.0.0/24', /not a CIDR block/],
    ['a port in the address', '10.0.0.12:9080', /must not contain a port/],
    ['a port after a DNS name', 'vm-1.example.internal:9080', /must not contain a port/],
    ['a bracketed IPv6 address with port', '[fd00::12]:9080', /bare IPv6 address: no brackets and no port/],
    ['a URL', 'http://10.0.0.12', /not a URL/],
    ['an invalid IPv4 address', '10.0.0.256', /not a valid IPv4 address/],
    ['a wildcard', '*.example.internal', /must not be a wildcard/],
    ['an upper-case or underscore name', 'VM_1.example', /neither an IP address nor a DNS name/],
    ['an empty address', '', /must not be empty/],
  ])('fails on a static entry address with %s', (_name, address, problem) => {
    const vm = ratingsVm(vmChart());
    const call = () => vm.addStaticEntry({ address });
    expect(call).toThrow(err('test/ratings', 'entries[0].address', JSON.stringify(address)));
    expect(call).toThrow(problem);
    expect(call).toThrow(/Fix: pass the address of one VM without port, prefix or scheme/);
  });

  test('fails on static entries inconsistent with the workload: label, network, duplicate address, weight, locality', () => {
    const vm = ratingsVm(vmChart());
    expect(() => vm.addStaticEntry({ address: '10.0.0.12', labels: { version: 'v1' } }))
      .toThrow(err('test/ratings', 'entries[0].labels.version', '"v1"'));
    expect(() => vm.addStaticEntry({ address: '10.0.0.12', labels: { version: 'v1' } })).toThrow(/the Service and subsets would no longer select this VM.*Fix: omit 'version'/);
    expect(() => vm.addStaticEntry({ address: '10.0.0.12', network: 'network2' })).toThrow(err('test/ratings', 'entries[0].network', '"network2"'));
    expect(() => vm.addStaticEntry({ address: '10.0.0.12', weight: 0 })).toThrow(err('test/ratings', 'entries[0].weight', '0'));
    expect(() => vm.addStaticEntry({ address: '10.0.0.12', locality: 'us-east1//b' })).toThrow(err('test/ratings', 'entries[0].locality', '"us-east1//b"'));
    vm.addStaticEntry({ address: '10.0.0.12' });
    expect(() => vm.addStaticEntry({ address: '10.0.0.12' })).toThrow(err('test/ratings', 'entries[1].address', '"10.0.0.12"'));
    expect(() => vm.addStaticEntry({ address: '10.0.0.12' })).toThrow(/is already the address of the entry "ratings-10-0-0-12", got "10\.0\.0\.12"\. Fix: list each VM once/);
  });

  test('fails when a VM identity without ServiceAccount (no proxy) is used in allowFrom, and passes with one', () => {
    const chart = vmChart();
    const legacy = ratingsVm(chart, { sidecar: false, serviceAccountName: undefined, entries: [{ address: '10.0.0.12' }] });
    const pp = productpage(chart);
    expect(() => pp.allowFrom(legacy)).toThrow(/^\[test\/productpage\] 'allowFrom' peer "ratings" has no sidecar, so it presents no mTLS identity.*, got "ratings"\. Fix: enable sidecar injection/);
    expect(() => legacy.allowFrom(pp)).toThrow(/^\[test\/ratings\/AllowFrom.*\] 'workload' has no sidecar, so nothing would enforce an AuthorizationPolicy on it, got "ratings"\. Fix: /);
    const withProxy = ratingsVm(vmChart());
    expect(() => productpage(withProxy.node.scope as Chart).allowFrom(withProxy)).not.toThrow();
  });

  test('fails at synth when a standalone Service would also select the pods of a MeshApp with the same app label', () => {
    const chart = vmChart();
    ratingsApp(chart);
    new ExternalVmWorkload(chart, 'ratings-vm', { eastWestGateway: EAST_WEST, app: 'ratings', ports: [{ name: 'http', port: 9080 }] });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/ratings-vm\] 'app' "ratings": the Service bookinfo\/ratings of these VMs would also select the pods of test\/ratings \(labels \{"app":"ratings"\}\)\. Fix: serve the VMs as a version of that app \(versionOf/);
  });

  test('fails at synth when the app never added the VM as a version; passes once bound', () => {
    const chart = vmChart();
    const ratings = ratingsApp(chart);
    const vm = new ExternalVmWorkload(chart, 'ratings-vm', { eastWestGateway: EAST_WEST, versionOf: ratings });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/ratings-vm\] 'versionOf' test\/ratings never added this workload as a version, so no subset or route reaches the VMs\. Fix: call addExternalVersion\(ratings-vm\) on test\/ratings\./);
    vm.bindVersionHost(ratings);
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(() => vm.bindVersionHost(ratings)).toThrow(/^\[test\/ratings\] 'addExternalVersion' was already called for this workload, got "ratings-vm"\. Fix: add each external version once/);
  });

  test('fails when another app adds it, when it reuses a Kubernetes version name, and when its namespace differs from the app\'s', () => {
    const chart = vmChart();
    const ratings = ratingsApp(chart);
    const vm = new ExternalVmWorkload(chart, 'ratings-vm', { eastWestGateway: EAST_WEST, versionOf: ratings, version: 'v1' });
    expect(() => vm.bindVersionHost(productpage(chart))).toThrow(/^\[test\/productpage\] 'addExternalVersion' cannot add test\/ratings-vm: it was built as a version of test\/ratings, got "ratings-v1"\. Fix: construct it with versionOf/);
    vm.bindVersionHost(ratings);
    expect(() => Testing.synth(chart)).toThrow(/\[test\/ratings-vm\] 'version' "v1" is also a Kubernetes version of test\/ratings: the subset would select both\. Fix: give the VMs another version name\./);
    expect(() => new ExternalVmWorkload(chart, 'x', { eastWestGateway: EAST_WEST, versionOf: ratings, namespace: 'other' }))
      .toThrow(err('test/x', 'namespace', '"other"'));
  });

  test('fails at synth when a VM without proxy has no static entry (it cannot auto-register)', () => {
    const chart = vmChart();
    ratingsVm(chart, { sidecar: false, serviceAccountName: undefined });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/ratings\] 'entries' is empty: VMs without the Istio proxy cannot auto-register.*Fix: list the VMs with addStaticEntry/);
  });
});
