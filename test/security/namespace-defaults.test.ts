import { App, Chart, Testing } from 'cdk8s';
import {
  CanaryRelease, MeshApp, MeshNamespace, MeshPlatform, MeshWideMtls, MtlsMode, PeerAuthentication, PodSecurityLevel,
  SidecarInjection, StrictMtlsNamespace,
} from '../../lib';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';

const PODINFO = 'ghcr.io/stefanprodan/podinfo:6.9.0';
const nsSelector = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

function platform(app: App, props: { cni?: boolean } = {}): MeshPlatform {
  return new MeshPlatform(app, 'platform', { controllers: new Chart(app, 'controllers'), mesh: new Chart(app, 'mesh'), ...props });
}

describe('MeshNamespace secure defaults', () => {
  describe('deny-all once the namespace is STRICT, by its own mode or the mesh-wide one', () => {
    test('mesh-wide STRICT (MeshWideMtls) defined after the namespace: deny-all added at synthesis', () => {
      const app = Testing.app();
      const apps = new Chart(app, 'apps');
      const foo = new MeshNamespace(apps, 'foo');
      const legacy = new MeshNamespace(apps, 'legacy', { injection: SidecarInjection.DISABLED });
      const optOut = new MeshNamespace(apps, 'open', { denyAll: false });
      expect(foo.denyAllPolicy).toBeUndefined();
      new MeshWideMtls(new Chart(app, 'configs'), 'mtls');
      expect(foo.deniesByDefault).toBe(true);
      const out = Testing.synth(apps);
      expect(find(out, 'AuthorizationPolicy', 'deny-all', 'foo').spec).toEqual({});
      expect(foo.denyAllPolicy?.name).toBe('deny-all');
      // outside the mesh nothing enforces it; an explicit opt-out stays out
      expect(legacy.deniesByDefault).toBe(false);
      expect(optOut.deniesByDefault).toBe(false);
      expect(out.filter((o) => o.kind === 'AuthorizationPolicy').map((o) => o.metadata.namespace)).toEqual(['foo']);
      // synthesizing again does not add a second policy
      expect(Testing.synth(apps).filter((o) => o.kind === 'AuthorizationPolicy')).toHaveLength(1);
      expectValidManifests(out);
    });

    test('a root-namespace PeerAuthentication STRICT counts; a namespace policy PERMISSIVE overrides it', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c');
      new PeerAuthentication(chart, 'mesh', { namespace: 'istio-system', mode: MtlsMode.STRICT });
      const strict = new MeshNamespace(chart, 'strict');
      const migrating = new MeshNamespace(chart, 'migrating');
      new PeerAuthentication(chart, 'migrating-default', { namespace: 'migrating', mode: MtlsMode.PERMISSIVE });
      const own = new MeshNamespace(chart, 'own', { mtls: MtlsMode.PERMISSIVE });
      const out = Testing.synth(chart);
      expect(find(out, 'AuthorizationPolicy', 'deny-all', 'strict')).toBeDefined();
      expect(out.filter((o) => o.kind === 'AuthorizationPolicy').map((o) => o.metadata.namespace)).toEqual(['strict']);
      expect([strict.deniesByDefault, migrating.deniesByDefault, own.deniesByDefault]).toEqual([true, false, false]);
      expectValidManifests(out);
    });

    test('own mode STRICT without a mesh-wide policy: deny-all', () => {
      const chart = Testing.chart();
      new MeshNamespace(chart, 'shop', { mtls: MtlsMode.STRICT });
      expect(find(Testing.synth(chart), 'AuthorizationPolicy', 'deny-all', 'shop').spec).toEqual({});
    });
  });

  describe('NetworkPolicy allow-mesh with a MeshPlatform', () => {
    test('admits the ingress gateway and load tester namespaces, and Prometheus on 15020/15090 only', () => {
      const app = Testing.app();
      const apps = new Chart(app, 'apps');
      new MeshNamespace(apps, 'shop');
      platform(app);
      const allow = find(Testing.synth(apps), 'NetworkPolicy', 'allow-mesh', 'shop');
      expect(allow.spec.ingress).toEqual([
        { from: [{ podSelector: {} }, nsSelector('istio-system'), nsSelector('istio-ingress'), nsSelector('test')] },
        { from: [nsSelector('monitoring')], ports: [{ protocol: 'TCP', port: 15020 }, { protocol: 'TCP', port: 15090 }] },
      ]);
      // egress: the namespace, istio-system (istiod 15012, egress gateway) and DNS
      expect(allow.spec.egress[0].to).toEqual([{ podSelector: {} }, nsSelector('istio-system')]);
      expect(allow.spec.egress[1].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
      expectValidManifests(Testing.synth(apps));
    });

    test('allowNetworkFrom before a CanaryRelease selects the primary pods Flagger creates', () => {
      const chart = Testing.chart();
      const ns = new MeshNamespace(chart, 'shop');
      const clients = new MeshNamespace(chart, 'clients');
      const app = new MeshApp(chart, 'podinfo', {
        namespace: 'shop', ports: [{ name: 'http', port: 9898 }], versions: [{ name: 'v1', image: PODINFO }],
        autoscaling: { minReplicas: 2, maxReplicas: 4 },
      });
      clients.allowNetworkTo(app);
      ns.allowNetworkFrom(app);
      const before = app.meshIdentity().podSelector;
      expect(before).toEqual({ app: 'podinfo' });
      new CanaryRelease(chart, 'podinfo-canary', { app });
      // Flagger's primary pods are not labelled app=podinfo: the peer's selector once it is traffic-managed covers them
      const after = app.meshIdentity().podSelector!;
      expect(after).not.toEqual(before);
      const out = Testing.synth(chart);
      const peer = { ...nsSelector('shop'), podSelector: { matchLabels: after } };
      expect(find(out, 'NetworkPolicy', 'allow-mesh', 'clients').spec.egress[0].to).toContainEqual(peer);
      expect(find(out, 'NetworkPolicy', 'allow-mesh', 'shop').spec.ingress[0].from).toContainEqual(peer);
      expect(JSON.stringify(out.filter((o) => o.kind === 'NetworkPolicy'))).not.toContain('{"app":"podinfo"}');
      expectValidManifests(out);
    });

    test('calls the mesh declares across namespaces (allowFrom, connectTo) open both NetworkPolicies, read at synthesis', () => {
      const chart = Testing.chart();
      const shop = new MeshNamespace(chart, 'shop');
      const clients = new MeshNamespace(chart, 'clients');
      const app = (id: string, namespace: string) => new MeshApp(chart, id, {
        namespace, ports: [{ name: 'http', port: 9898 }], versions: [{ name: 'v1', image: PODINFO }],
      });
      const api = app('api', 'shop');
      const web = app('web', 'clients');
      const worker = app('worker', 'clients');
      const local = app('local', 'shop');
      api.allowFrom(web); // declared after both namespaces
      worker.connectTo(api);
      local.allowFrom(api); // same namespace: covered by the namespace's own pods
      const out = Testing.synth(chart);
      const peer = (ns: string, name: string) => ({ ...nsSelector(ns), podSelector: { matchLabels: { app: name } } });
      expect(find(out, 'NetworkPolicy', 'allow-mesh', 'shop').spec.ingress[0].from).toEqual([
        { podSelector: {} }, nsSelector('istio-system'), peer('clients', 'web'), peer('clients', 'worker'),
      ]);
      expect(find(out, 'NetworkPolicy', 'allow-mesh', 'clients').spec.egress[0].to).toEqual([
        { podSelector: {} }, nsSelector('istio-system'), peer('shop', 'api'),
      ]);
      expect([shop.name, clients.name]).toEqual(['shop', 'clients']);
      expectValidManifests(out);
    });

    test('opt-out networkPolicy: false renders none', () => {
      const chart = Testing.chart();
      const ns = new MeshNamespace(chart, 'open', { networkPolicy: false });
      expect(ns.networkPolicies).toBeUndefined();
      expect(Testing.synth(chart).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    });
  });

  describe('Pod Security admission', () => {
    test('opt-outs set enforce, warn and audit stay restricted', () => {
      const chart = Testing.chart();
      new MeshNamespace(chart, 'base', { podSecurity: PodSecurityLevel.BASELINE });
      new MeshNamespace(chart, 'priv', { podSecurity: PodSecurityLevel.PRIVILEGED });
      const out = Testing.synth(chart);
      expect(find(out, 'Namespace', 'base').metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted',
      });
      expect(find(out, 'Namespace', 'priv').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
      expectValidManifests(out);
    });

    test('the platform labels its CNI namespace privileged (the node agent mounts host paths)', () => {
      const app = Testing.app();
      const p = platform(app);
      expect(p.cniEnabled).toBe(true);
      const out = Testing.synth(Chart.of(p.istioBase));
      expect(find(out, 'Namespace', 'istio-system').metadata.labels).toEqual({ 'pod-security.kubernetes.io/enforce': 'privileged' });
      const noCni = Testing.app();
      platform(noCni, { cni: false });
      expect(find(Testing.synth(noCni.node.findChild('controllers') as Chart), 'Namespace', 'istio-system').metadata.labels).toBeUndefined();
    });

    test('fails: restricted or baseline with injection on a platform without istio-cni (every pod refused)', () => {
      for (const level of [undefined, PodSecurityLevel.BASELINE]) {
        const app = Testing.app();
        platform(app, { cni: false });
        const apps = new Chart(app, 'apps');
        new MeshNamespace(apps, 'shop', { podSecurity: level });
        expect(() => app.synthYaml()).toThrow(new RegExp(
          `\\[apps/shop\\] 'podSecurity' refuses every pod of the namespace: without istio-cni \\(MeshPlatform platform has cni: false\\).*NET_ADMIN and NET_RAW.*`
          + `got "${level?.value ?? 'restricted'}"\\. Fix: install istio-cni \\(drop cni: false from the MeshPlatform\\), or pass podSecurity: PodSecurityLevel.PRIVILEGED`));
      }
    });

    test('without istio-cni: PRIVILEGED, or a namespace without injection, synthesize', () => {
      const app = Testing.app();
      platform(app, { cni: false });
      const apps = new Chart(app, 'apps');
      new MeshNamespace(apps, 'shop', { podSecurity: PodSecurityLevel.PRIVILEGED });
      new MeshNamespace(apps, 'legacy', { injection: SidecarInjection.DISABLED });
      new StrictMtlsNamespace(apps, 'strict', { podSecurity: PodSecurityLevel.PRIVILEGED });
      const out = Testing.synth(apps);
      expect(find(out, 'Namespace', 'legacy').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(find(out, 'Namespace', 'strict').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    });

    test('fails on Pod Security labels in labels, and on a level that is not a PodSecurityLevel', () => {
      const chart = Testing.chart();
      expect(() => new MeshNamespace(chart, 'a', { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } }))
        .toThrow(/\[test\/a\] 'labels.pod-security.kubernetes.io\/enforce' is managed by 'podSecurity', got "privileged"\. Fix: set 'podSecurity' instead/);
      expect(() => new MeshNamespace(chart, 'b', { podSecurity: 'privileged' as any }))
        .toThrow(/\[test\/b\] 'podSecurity' must be a PodSecurityLevel, got "privileged"\. Fix: pass PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED/);
    });
  });

  describe('port exceptions name the container port', () => {
    function shop() {
      const chart = Testing.chart();
      const ns = new MeshNamespace(chart, 'shop');
      const app = new MeshApp(chart, 'customers', {
        namespace: 'shop', ports: [{ name: 'http', port: 80, targetPort: 3000 }, { name: 'http-metrics', port: 9090 }],
        versions: [{ name: 'v1', image: PODINFO }],
      });
      return { chart, ns, app };
    }

    test('a container port is accepted', () => {
      const { chart, ns, app } = shop();
      ns.addPortException(app, 3000, MtlsMode.PERMISSIVE);
      ns.addPortException(app, 9090, MtlsMode.DISABLE);
      expect(find(Testing.synth(chart), 'PeerAuthentication', 'customers-mtls', 'shop').spec.portLevelMtls)
        .toEqual({ 3000: { mode: 'PERMISSIVE' }, 9090: { mode: 'DISABLE' } });
    });

    test('fails on the Service port (naming the container port) and on a port the pods do not listen on', () => {
      const { ns, app } = shop();
      expect(() => ns.addPortException(app, 80, MtlsMode.PERMISSIVE)).toThrow(
        /\[test\/shop\] 'addPortException.port' is a Service port of "customers"; portLevelMtls matches the container port.*got 80\. Fix: pass the container port 3000/);
      expect(() => ns.addPortException(app, 8443, MtlsMode.PERMISSIVE)).toThrow(
        /'addPortException.port' is not a port the pods of "customers" listen on.*got 8443\. Fix: pass one of the container ports 3000, 9090/);
    });
  });
});

describe('MeshNamespace.allowNetworkToAddresses', () => {
  test('egress to addresses on the given TCP ports; a single address becomes /32 or /128; idempotent', () => {
    const chart = Testing.chart();
    const ns = new MeshNamespace(chart, 'egress');
    const p = ns.allowNetworkToAddresses(['0.0.0.0/0'], [443]);
    expect(ns.allowNetworkToAddresses(['0.0.0.0/0'], [443])).toBe(p);
    ns.allowNetworkToAddresses(['192.0.2.7', '2001:db8::7'], [5432]);
    const out = Testing.synth(chart);
    expect(find(out, 'NetworkPolicy', 'allow-mesh', 'egress').spec.egress.slice(2)).toEqual([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '192.0.2.7/32' } }, { ipBlock: { cidr: '2001:db8::7/128' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
    expectValidManifests(out);
  });

  test('fails on a bad address, no addresses, no ports, a bad port, and with networkPolicy: false', () => {
    const chart = Testing.chart();
    const ns = new MeshNamespace(chart, 'egress');
    expect(() => ns.allowNetworkToAddresses(['10.0.0.0/33'], [443]))
      .toThrow(/\[test\/egress\] 'allowNetworkToAddresses.addresses\[0\]' has a prefix length that is not a number from 0 to 32, got "10.0.0.0\/33"\. Fix: use an address like/);
    expect(() => ns.allowNetworkToAddresses(['api.example.com'], [443])).toThrow(/'allowNetworkToAddresses.addresses\[0\]' is not an IP address, got "api.example.com"/);
    expect(() => ns.allowNetworkToAddresses([], [443])).toThrow(/'allowNetworkToAddresses.addresses' must list at least one address, got \[\]\. Fix: pass e.g./);
    expect(() => ns.allowNetworkToAddresses(['0.0.0.0/0'], [])).toThrow(/'allowNetworkToAddresses.ports' must list at least one port.*got \[\]\. Fix: pass the ports/);
    expect(() => ns.allowNetworkToAddresses(['0.0.0.0/0'], [70000])).toThrow(/'allowNetworkToAddresses.ports\[0\]'.*70000/);
    const open = new MeshNamespace(chart, 'open', { networkPolicy: false });
    expect(() => open.allowNetworkToAddresses(['0.0.0.0/0'], [443])).toThrow(/'allowNetworkToAddresses' needs the namespace NetworkPolicies/);
  });
});

describe('MeshNamespace.allowNetworkFromAddresses', () => {
  test('ingress from addresses on the given TCP ports (e.g. VMs of the same network)', () => {
    const chart = Testing.chart();
    const ns = new MeshNamespace(chart, 'shop');
    expect(ns.allowNetworkFromAddresses(['10.128.0.0/20'], [9080])).toBe(ns.networkPolicies![1]);
    ns.allowNetworkFromAddresses(['10.128.0.0/20'], [9080]);
    const out = Testing.synth(chart);
    expect(find(out, 'NetworkPolicy', 'allow-mesh', 'shop').spec.ingress.slice(1)).toEqual([
      { from: [{ ipBlock: { cidr: '10.128.0.0/20' } }], ports: [{ protocol: 'TCP', port: 9080 }] },
    ]);
    expectValidManifests(out);
  });

  test('fails on a bad address and on no ports, naming the verb', () => {
    const ns = new MeshNamespace(Testing.chart(), 'shop');
    expect(() => ns.allowNetworkFromAddresses(['10.0.0.256'], [9080]))
      .toThrow(/\[test\/shop\] 'allowNetworkFromAddresses.addresses\[0\]' is not an IPv4 address.*got "10.0.0.256"/);
    expect(() => ns.allowNetworkFromAddresses(['10.0.0.0/8'], [])).toThrow(/'allowNetworkFromAddresses.ports' must list at least one port/);
  });
});
