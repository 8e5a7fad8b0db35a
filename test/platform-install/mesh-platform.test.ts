import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { TenantCertificateAuthority } from '../../lib/certificates/tenant-certificate-authority';
import { TRUST_DOMAIN_CONTEXT } from '../../lib/core/mesh-peer';
import { ValuesFrom } from '../../lib/gitops';
import { MeshObservability, MeshPrometheus, TracingProvider } from '../../lib/observability';
import { ExtAuthzProtocol, ISTIO_VERSION, MeshPlatform, MeshPlatformProps, PLATFORM_CHARTS, PLATFORM_HELM_REPOSITORIES, PROXY_CONFIG_HASH_ANNOTATION } from '../../lib/platform';
import { AuthorizationPolicy } from '../../lib/security/authorization-policy';
import { WARNING_METADATA } from '../../lib/private/warnings';
import { TestWorkload } from '../util/security-fixtures';
import { expectValidManifests } from '../util/schema';

interface Layers {
  app: App;
  controllers: Chart;
  configs: Chart;
  mesh: Chart;
  platform: MeshPlatform;
}

function layers(props: Partial<MeshPlatformProps> = {}, app: App = Testing.app()): Layers {
  const controllers = new Chart(app, 'controllers');
  const configs = new Chart(app, 'configs');
  const mesh = new Chart(app, 'mesh');
  const platform = new MeshPlatform(app, 'Platform', { controllers, mesh, ...props });
  return { app, controllers, configs, mesh, platform };
}

const DEFAULT_JWKS = '127.0.0.0/8,169.254.0.0/16,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,::1/128,fe80::/10,fc00::/7';
const synthAll = (l: Layers): any[] => [...Testing.synth(l.controllers), ...Testing.synth(l.configs), ...Testing.synth(l.mesh)];
const releases = (out: any[]) => out.filter((o) => o.kind === 'HelmRelease');
const release = (out: any[], name: string) => {
  const r = releases(out).find((o) => o.metadata.name === name);
  if (!r) throw new Error(`no HelmRelease ${name}`);
  return r;
};
const validate = (l: Layers) => l.platform.node.validate();
const warnings = (c: Construct) => c.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => m.data);

describe('MeshPlatform', () => {
  test('default platform: namespaces, HelmRepositories, pinned HelmReleases in two layers', () => {
    const l = layers();
    const controllers = Testing.synth(l.controllers);
    const mesh = Testing.synth(l.mesh);
    expect({ controllers, mesh }).toMatchSnapshot();
    expect(controllers.map((o) => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`)).toEqual([
      'Namespace/-/cert-manager',
      'Namespace/-/istio-ingress',
      'Namespace/-/istio-system',
      'Namespace/-/monitoring',
      'Namespace/-/test',
      'HelmRepository/flux-system/istio',
      'HelmRepository/flux-system/jetstack',
      'HelmRepository/flux-system/flagger',
      'HelmRepository/flux-system/prometheus-community',
      'HelmRelease/flux-system/istio-base',
      'HelmRelease/flux-system/istio-cni',
      'HelmRelease/flux-system/cert-manager',
      'HelmRelease/flux-system/kube-prometheus-stack',
    ]);
    expect(mesh.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'HelmRelease/cert-manager/istiod',
      'HelmRelease/flux-system/istio-ingressgateway',
      'HelmRelease/flux-system/flagger',
      'HelmRelease/flux-system/flagger-loadtester',
    ]);
    expect(validate(l)).toEqual([]);
    expectValidManifests([...controllers, ...mesh]);
  });

  test('pins the chart versions of the reference (REFERENCE-GITOPS.md section 2)', () => {
    expect(ISTIO_VERSION).toBe('1.30.3');
    expect(PLATFORM_CHARTS.certManager.version).toBe('v1.21.1');
    expect(PLATFORM_CHARTS.flagger.version).toBe('1.44.0');
    expect(PLATFORM_CHARTS.loadTester.version).toBe('0.38.0');
    expect(PLATFORM_CHARTS.kubePrometheusStack.version).toBe('88.0.0');
    expect(PLATFORM_HELM_REPOSITORIES.istio.url).toBe('https://istio-release.storage.googleapis.com/charts');
    expect(PLATFORM_HELM_REPOSITORIES.jetstack.url).toBe('https://charts.jetstack.io');
    expect(PLATFORM_HELM_REPOSITORIES.flagger.url).toBe('https://flagger.app');
    expect(PLATFORM_HELM_REPOSITORIES.prometheusCommunity.url).toBe('https://prometheus-community.github.io/helm-charts');
  });

  test('every HelmRelease pins an exact version and names an existing HelmRepository', () => {
    const l = layers({ network: 'network1' });
    l.platform.enableVmWorkloads();
    const out = synthAll(l);
    const repos = out.filter((o) => o.kind === 'HelmRepository');
    const rels = releases(out);
    expect(rels).toHaveLength(9);
    for (const r of rels) {
      const spec = r.spec.chart.spec;
      expect(spec.version).toMatch(/^v?\d+\.\d+\.\d+$/);
      const ns = spec.sourceRef.namespace ?? r.metadata.namespace;
      const repo = repos.find((x) => x.metadata.name === spec.sourceRef.name && x.metadata.namespace === ns);
      expect(repo).toBeDefined();
      const pinned = Object.values(PLATFORM_CHARTS).find((c) => c.chart === spec.chart)!;
      expect(spec.version).toBe(pinned.version);
      expect(repo.spec.url).toBe(pinned.repository.url);
      // explicit release name and Helm storage next to the objects (as `helm install -n <ns>` would do)
      expect(r.spec.releaseName).toBe(r.metadata.name);
      expect(r.spec.storageNamespace).toBe(r.spec.targetNamespace);
      expect(r.spec.install.remediation.retries).toBe(3);
      expect(r.spec.upgrade.remediation.retries).toBe(3);
    }
  });

  test('CRD policies: cert-manager through crds.enabled, Flagger and kube-prometheus-stack from crds/ with CreateReplace', () => {
    const out = synthAll(layers());
    expect(release(out, 'cert-manager').spec.values).toEqual({ crds: { enabled: true, keep: true } });
    expect(release(out, 'cert-manager').spec.install.crds).toBeUndefined();
    for (const name of ['flagger', 'kube-prometheus-stack']) {
      expect(release(out, name).spec.install.crds).toBe('CreateReplace');
      expect(release(out, name).spec.upgrade.crds).toBe('CreateReplace');
    }
    expect(release(out, 'istio-base').spec.values).toEqual({ defaultRevision: 'default' });
  });

  test('Flux ordering: istiod after istio-base and istio-cni; gateways, Flagger and the load tester after istiod', () => {
    const out = synthAll(layers());
    expect(release(out, 'istiod').spec.dependsOn).toEqual([{ name: 'istio-base', namespace: 'flux-system' }, { name: 'istio-cni', namespace: 'flux-system' }]);
    expect(release(out, 'istio-cni').spec.dependsOn).toEqual([{ name: 'istio-base' }]);
    expect(release(out, 'istio-ingressgateway').spec.dependsOn).toEqual([{ name: 'istiod', namespace: 'cert-manager' }]);
    expect(release(out, 'flagger').spec.dependsOn).toEqual([{ name: 'istiod', namespace: 'cert-manager' }, { name: 'kube-prometheus-stack' }]);
    expect(release(out, 'flagger-loadtester').spec.dependsOn).toEqual([{ name: 'istiod', namespace: 'cert-manager' }]);
    for (const name of ['istio-base', 'cert-manager', 'kube-prometheus-stack']) expect(release(out, name).spec.dependsOn).toBeUndefined();
  });

  test('cluster identity from one place: trust domain from the App context, mesh ID, cluster, network, revision', () => {
    const app = Testing.app();
    app.node.setContext(TRUST_DOMAIN_CONTEXT, 'prod.example.com');
    const l = layers({ meshId: 'mesh1', clusterName: 'cluster1', network: 'network1', revision: '1-30' }, app);
    const out = synthAll(l);
    expect(l.platform.trustDomain).toBe('prod.example.com');
    const istiod = release(out, 'istiod').spec.values;
    expect(istiod.meshConfig.trustDomain).toBe('prod.example.com');
    expect(istiod.global).toEqual({ meshID: 'mesh1', multiCluster: { clusterName: 'cluster1' }, network: 'network1' });
    expect(istiod.revision).toBe('1-30');
    expect(release(out, 'istio-base').spec.values).toEqual({ defaultRevision: '1-30' });
    expect(release(out, 'istio-cni').spec.values).toEqual({ revision: '1-30' });
    expect(release(out, 'istio-ingressgateway').spec.values.revision).toBe('1-30');
    expect(out.find((o) => o.kind === 'Namespace' && o.metadata.name === 'test').metadata.labels).toEqual({ 'istio.io/rev': '1-30' });
  });

  test('defaults of the identity: mesh ID = trust domain, cluster "Kubernetes", one network, default revision', () => {
    const l = layers();
    const istiod = release(synthAll(l), 'istiod').spec.values;
    expect(istiod.global).toEqual({ meshID: 'cluster.local', multiCluster: { clusterName: 'Kubernetes' } });
    expect(istiod.revision).toBeUndefined();
    expect(l.platform.network).toBeUndefined();
    expect(l.platform.clusterName).toBe('Kubernetes');
  });

  test('istio-cni on by default (pilot.cni.enabled), explicit opt-out removes the release', () => {
    const on = layers();
    expect(on.platform.cniEnabled).toBe(true);
    expect(release(synthAll(on), 'istiod').spec.values.pilot.cni).toEqual({ enabled: true });
    const off = layers({ cni: false });
    const out = synthAll(off);
    expect(off.platform.cniEnabled).toBe(false);
    expect(off.platform.istioCni).toBeUndefined();
    expect(releases(out).map((r) => r.metadata.name)).not.toContain('istio-cni');
    expect(release(out, 'istiod').spec.values.pilot.cni).toEqual({ enabled: false });
    expect(release(out, 'istiod').spec.dependsOn).toEqual([{ name: 'istio-base', namespace: 'flux-system' }]);
  });

  test('the ingress gateway is defined once: release values, peer identity and Gateway fields agree', () => {
    const l = layers();
    const gw = release(synthAll(l), 'istio-ingressgateway');
    expect(gw.spec.targetNamespace).toBe('istio-ingress');
    expect(gw.spec.values).toEqual({
      name: 'istio-ingressgateway',
      labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      serviceAccount: { name: 'istio-ingressgateway' },
    });
    expect(l.platform.ingressGatewaySelector).toEqual({ istio: 'ingressgateway' });
    expect(l.platform.ingressGatewayNamespace).toBe('istio-ingress');
    expect(l.platform.ingressGatewayServiceAccount).toBe('istio-ingressgateway');
    expect(l.platform.ingressGateway.meshIdentity()).toEqual({
      name: 'ingressgateway', namespace: 'istio-ingress', serviceAccounts: ['istio-ingressgateway'], sidecar: true, podSelector: { istio: 'ingressgateway' },
    });
  });

  test('allowFrom(platform.ingressGateway) authorizes exactly the installed gateway identity', () => {
    const l = layers();
    const app = new TestWorkload(l.configs, 'productpage', { namespace: 'bookinfo' });
    AuthorizationPolicy.allowFrom(app, l.platform.ingressGateway);
    const policy = Testing.synth(l.configs).find((o) => o.kind === 'AuthorizationPolicy');
    expect(policy.spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/istio-ingress/sa/istio-ingressgateway']);
  });

  test('Flagger: meshProvider istio, metricsServer = the installed Prometheus; the load tester as LoadTester', () => {
    const l = layers();
    const out = synthAll(l);
    const flagger = release(out, 'flagger');
    expect(flagger.spec.targetNamespace).toBe('istio-system');
    expect(flagger.spec.values).toEqual({ meshProvider: 'istio', metricsServer: 'http://kube-prometheus-stack-prometheus.monitoring:9090' });
    expect(l.platform.prometheusUrl).toBe('http://kube-prometheus-stack-prometheus.monitoring:9090');
    expect(release(out, 'flagger-loadtester').spec.values).toEqual({ cmd: { timeout: '1h' } });
    expect(l.platform.loadTester.url).toBe('http://flagger-loadtester.test/');
    expect(l.platform.loadTester.namespace).toBe('test');
    expect(out.find((o) => o.kind === 'Namespace' && o.metadata.name === 'test').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    // a release name without the chart name gets the chart name appended, truncated to 26 characters
    expect(layers({ prometheusRelease: 'prom' }).platform.prometheusUrl).toBe('http://prom-kube-prometheus-stack-prometheus.monitoring:9090');
  });
});

describe('MeshPlatform.addTenantCertificateAuthority', () => {
  const withCa = (tenants = ['istio-system', 'tenanta']) => {
    const l = layers();
    const ca = new TenantCertificateAuthority(l.configs, 'TenantCa', { tenants });
    const signers = l.platform.addTenantCertificateAuthority(ca);
    return { ...l, ca, signers };
  };

  test('istiod gets certSigners, env, the mesh-wide signer; cert-manager gets the CSR feature gate', () => {
    const l = withCa();
    expect(l.signers).toEqual(['clusterissuers.cert-manager.io/istio-system', 'clusterissuers.cert-manager.io/tenanta']);
    const out = synthAll(l);
    const istiod = release(out, 'istiod');
    expect(istiod.spec.values.global.certSigners).toEqual(['clusterissuers.cert-manager.io/istio-system', 'clusterissuers.cert-manager.io/tenanta']);
    expect(istiod.spec.values.pilot.env).toEqual({
      BLOCKED_CIDRS_IN_JWKS_URIS: DEFAULT_JWKS,
      CERT_SIGNER_DOMAIN: 'clusterissuers.cert-manager.io',
      EXTERNAL_CA: 'ISTIOD_RA_KUBERNETES_API',
      PILOT_CERT_PROVIDER: 'k8s.io/clusterissuers.cert-manager.io/istio-system',
    });
    expect(istiod.spec.values.meshConfig.defaultConfig).toEqual({ proxyMetadata: { ISTIO_META_CERT_SIGNER: 'istio-system' } });
    // caCertificates must not come from spec.values: Flux merges it last and would replace the list built from valuesFrom
    expect(istiod.spec.values.meshConfig.caCertificates).toBeUndefined();
    expect(release(out, 'cert-manager').spec.values).toEqual({
      crds: { enabled: true, keep: true }, featureGates: 'ExperimentalCertificateSigningRequestControllers=true',
    });
    expect(validate(l)).toEqual([]);
    expectValidManifests(out);
  });

  test('the CA PEMs are delivered at reconcile time: valuesFrom with targetPath, read in the HelmRelease namespace', () => {
    const l = withCa();
    const out = synthAll(l);
    const istiod = release(out, 'istiod');
    expect(istiod.metadata.namespace).toBe('cert-manager');
    expect(istiod.spec.targetNamespace).toBe('istio-system');
    expect(istiod.spec.storageNamespace).toBe('istio-system');
    expect(istiod.spec.valuesFrom).toEqual([
      { kind: 'ConfigMap', name: 'istiod-ca-certificates', valuesKey: 'values.yaml' },
      { kind: 'Secret', name: 'istio-system-ca-selfsigned', valuesKey: 'ca.crt', targetPath: 'meshConfig.caCertificates[0].pem' },
      { kind: 'Secret', name: 'tenanta-ca-selfsigned', valuesKey: 'ca.crt', targetPath: 'meshConfig.caCertificates[1].pem' },
    ]);
    // the CA Secrets are the ones the TenantCertificateAuthority's Certificates write, in the same namespace
    const certs = Testing.synth(l.configs).filter((o) => o.kind === 'Certificate');
    for (const s of istiod.spec.valuesFrom.filter((v: any) => v.kind === 'Secret')) {
      expect(certs.find((c) => c.spec.secretName === s.name && c.metadata.namespace === istiod.metadata.namespace)).toBeDefined();
    }
    const cm = out.find((o) => o.kind === 'ConfigMap');
    expect(cm.metadata).toEqual({ name: 'istiod-ca-certificates', namespace: 'cert-manager', labels: { 'reconcile.fluxcd.io/watch': 'Enabled' } });
    expect(JSON.parse(cm.data['values.yaml'])).toEqual({
      meshConfig: { caCertificates: [
        { certSigners: ['clusterissuers.cert-manager.io/istio-system'] },
        { certSigners: ['clusterissuers.cert-manager.io/tenanta'] },
      ] },
    });
  });

  test('without the root namespace as a tenant: no PILOT_CERT_PROVIDER and no mesh-wide signer', () => {
    const istiod = release(synthAll(withCa(['tenanta', 'tenantb'])), 'istiod').spec.values;
    expect(istiod.pilot.env).toEqual({ BLOCKED_CIDRS_IN_JWKS_URIS: DEFAULT_JWKS, CERT_SIGNER_DOMAIN: 'clusterissuers.cert-manager.io', EXTERNAL_CA: 'ISTIOD_RA_KUBERNETES_API' });
    expect(istiod.meshConfig.defaultConfig).toBeUndefined();
  });

  test('two CAs: signers sorted, one valuesFrom entry per signer in the same order', () => {
    const l = layers();
    l.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(l.configs, 'B', { tenants: ['zeta'] }));
    l.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(l.configs, 'A', { tenants: ['alpha'] }));
    const istiod = release(synthAll(l), 'istiod');
    expect(istiod.spec.values.global.certSigners).toEqual(['clusterissuers.cert-manager.io/alpha', 'clusterissuers.cert-manager.io/zeta']);
    expect(istiod.spec.valuesFrom.slice(1).map((v: any) => [v.name, v.targetPath])).toEqual([
      ['alpha-ca-selfsigned', 'meshConfig.caCertificates[0].pem'], ['zeta-ca-selfsigned', 'meshConfig.caCertificates[1].pem'],
    ]);
  });

  test('fails when the same CA is added twice, naming path, field, value and fix', () => {
    const l = withCa();
    expect(() => l.platform.addTenantCertificateAuthority(l.ca))
      .toThrow(/^\[Platform\] 'addTenantCertificateAuthority' was already called with this TenantCertificateAuthority, got "configs\/TenantCa"\. Fix: add it once/);
  });

  test('fails on a tenant another CA already signs for, and on a CA outside cert-manager\'s namespace', () => {
    const l = withCa(['tenanta']);
    expect(() => l.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(l.configs, 'Other', { tenants: ['tenanta'] })))
      .toThrow(/'addTenantCertificateAuthority' adds tenant "tenanta" that configs\/TenantCa already signs for, got "tenanta"\. Fix: give each tenant one CA/);
    expect(() => l.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(l.configs, 'Elsewhere', { tenants: ['b'], certManagerNamespace: 'pki' })))
      .toThrow(/'addTenantCertificateAuthority' needs the CA Secrets in cert-manager's namespace "cert-manager".*got "pki"\. Fix: create the TenantCertificateAuthority with certManagerNamespace: "cert-manager"/);
  });

  test('fails at synthesis when a tenant is added to the CA after it was passed', () => {
    const l = withCa(['tenanta']);
    l.ca.addTenant('tenantb');
    expect(validate(l).join('\n')).toMatch(/\[Platform\] 'addTenantCertificateAuthority' settings changed after the CA was added .*got signers \[.*tenantb"\]\. Fix: add every tenant before/);
  });
});

describe('MeshPlatform.addAuthorizationProvider', () => {
  test('becomes a meshConfig.extensionProviders entry and returns the CUSTOM action naming it', () => {
    const l = layers();
    const action = l.platform.addAuthorizationProvider({
      name: 'ext-authz', service: 'ext-authz.auth.svc.cluster.local', port: 8000,
      includeRequestHeadersInCheck: ['x-ext-authz', 'authorization'], headersToUpstreamOnAllow: ['x-user-id'], headersToDownstreamOnDeny: ['set-cookie'],
      timeout: Duration.millis(500), failOpen: true,
    });
    expect(action.value).toBe('CUSTOM');
    expect(action.provider).toBe('ext-authz');
    const istiod = release(synthAll(l), 'istiod').spec.values;
    expect(istiod.meshConfig.extensionProviders).toEqual([{
      name: 'ext-authz',
      envoyExtAuthzHttp: {
        service: 'ext-authz.auth.svc.cluster.local', port: 8000, timeout: '0.5s', failOpen: true,
        includeRequestHeadersInCheck: ['authorization', 'x-ext-authz'], headersToUpstreamOnAllow: ['x-user-id'], headersToDownstreamOnDeny: ['set-cookie'],
      },
    }]);
  });

  test('a gRPC authorizer; providers sorted by name', () => {
    const l = layers();
    l.platform.addAuthorizationProvider({ name: 'opa', service: 'opa.opa.svc.cluster.local', port: 9191, protocol: ExtAuthzProtocol.GRPC });
    l.platform.addAuthorizationProvider({ name: 'ext-authz', service: 'ext-authz.auth.svc.cluster.local', port: 8000 });
    const providers = release(synthAll(l), 'istiod').spec.values.meshConfig.extensionProviders;
    expect(providers.map((p: any) => p.name)).toEqual(['ext-authz', 'opa']);
    expect(providers[1]).toEqual({ name: 'opa', envoyExtAuthzGrpc: { service: 'opa.opa.svc.cluster.local', port: 9191 } });
  });

  test('fails on two providers with one name, naming path, field, value and fix', () => {
    const l = layers();
    l.platform.addAuthorizationProvider({ name: 'ext-authz', service: 'a.auth.svc.cluster.local', port: 8000 });
    expect(() => l.platform.addAuthorizationProvider({ name: 'ext-authz', service: 'b.auth.svc.cluster.local', port: 8000 }))
      .toThrow(/^\[Platform\] 'extensionProviders\["ext-authz"\]\.name' must be unique among meshConfig\.extensionProviders, got "ext-authz"\. Fix: give the second provider another name/);
  });

  test('fails on a built-in provider name, a short service host and headers on a gRPC authorizer', () => {
    const l = layers();
    expect(() => l.platform.addAuthorizationProvider({ name: 'envoy', service: 'a.auth.svc.cluster.local', port: 1 }))
      .toThrow(/'extensionProviders\["envoy"\]\.name' would replace Istio's built-in provider of that name .*got "envoy"\. Fix: name it after the authorizer/);
    expect(() => l.platform.addAuthorizationProvider({ name: 'x', service: 'ext-authz', port: 8000 }))
      .toThrow(/'extensionProviders\["x"\]\.service' must be the fully qualified host .*got "ext-authz"\. Fix: use "ext-authz\.<namespace>\.svc\.cluster\.local"/);
    expect(() => l.platform.addAuthorizationProvider({ name: 'x', service: 'a.b.svc.cluster.local', port: 8000, protocol: ExtAuthzProtocol.GRPC, headersToUpstreamOnAllow: ['x'] }))
      .toThrow(/'extensionProviders\["x"\]\.headersToUpstreamOnAllow' only applies to HTTP authorizers/);
  });
});

describe('MeshPlatform.useObservability', () => {
  test('merges obs.istiodValues(): accessLogFile, enableTracing and the tracing provider', () => {
    const l = layers();
    const obs = new MeshObservability(l.configs, 'Observability', { tracingProvider: TracingProvider.zipkin() });
    l.platform.useObservability(obs);
    l.platform.addAuthorizationProvider({ name: 'ext-authz', service: 'ext-authz.auth.svc.cluster.local', port: 8000 });
    const mc = release(synthAll(l), 'istiod').spec.values.meshConfig;
    expect(mc.accessLogFile).toBe('/dev/stdout');
    expect(mc.enableTracing).toBe(true);
    expect(mc.extensionProviders.map((p: any) => p.name)).toEqual(['ext-authz', 'zipkin']);
    expect(mc.extensionProviders[1]).toEqual((obs.istiodValues().meshConfig as any).extensionProviders[0]);
    expectValidManifests(synthAll(l));
  });

  test('no warning: the mesh Prometheus is installed by default, and not needed with MeshPrometheus.kubePrometheusStack()', () => {
    const federated = layers();
    federated.platform.useObservability(new MeshObservability(federated.configs, 'Observability'));
    expect(warnings(federated.platform)).toEqual([]);
    expect(federated.platform.meshPrometheusRelease).toBeDefined();
    const central = layers();
    central.platform.useObservability(new MeshObservability(central.configs, 'Observability', { meshPrometheus: MeshPrometheus.kubePrometheusStack() }));
    expect(warnings(central.platform)).toEqual([]);
    expect(central.platform.meshPrometheusRelease).toBeUndefined();
    expect(releases(synthAll(central)).map((r) => r.metadata.name)).not.toContain('istio-prometheus');
    expect(release(synthAll(central), 'flagger').spec.values.metricsServer).toBe('http://kube-prometheus-stack-prometheus.monitoring:9090');
  });

  test('fails on another release label, a second call, and a provider name clash', () => {
    const l = layers();
    expect(() => l.platform.useObservability(new MeshObservability(l.configs, 'Obs1', { release: 'prom' })))
      .toThrow(/^\[Platform\] 'useObservability' needs the MeshObservability labelled for this platform's kube-prometheus-stack release "kube-prometheus-stack", got "prom"\. Fix: create it with release: "kube-prometheus-stack"/);
    l.platform.addAuthorizationProvider({ name: 'zipkin', service: 'a.b.svc.cluster.local', port: 1 });
    expect(() => l.platform.useObservability(new MeshObservability(l.configs, 'Obs2', { tracingProvider: TracingProvider.zipkin() })))
      .toThrow(/'extensionProviders\["zipkin"\]\.name' must be unique among meshConfig\.extensionProviders, got "zipkin"/);
    const ok = layers();
    ok.platform.useObservability(new MeshObservability(ok.configs, 'Obs3', { tracingProvider: TracingProvider.zipkin({ name: 'traces' }) }));
    expect(() => ok.platform.useObservability(new MeshObservability(ok.configs, 'Obs4')))
      .toThrow(/'useObservability' was already called, got "configs\/Obs4"\. Fix: use one MeshObservability \(already configs\/Obs3\)/);
  });
});

describe('MeshPlatform.enableVmWorkloads', () => {
  test('installs the east-west gateway and makes the WorkloadEntry settings explicit', () => {
    const l = layers({ network: 'network1' });
    const ew = l.platform.enableVmWorkloads();
    expect(ew.selector).toEqual({ istio: 'eastwestgateway' });
    expect(ew.namespace).toBe('istio-system');
    expect(ew.serviceName).toBe('istio-eastwestgateway');
    expect(ew.network).toBe('network1');
    expect(l.platform.enableVmWorkloads()).toBe(ew);
    const out = synthAll(l);
    const gw = release(out, 'istio-eastwestgateway');
    expect(gw.spec.chart.spec.chart).toBe('gateway');
    expect(gw.spec.targetNamespace).toBe('istio-system');
    expect(gw.spec.values).toEqual({
      name: 'istio-eastwestgateway', networkGateway: 'network1',
      labels: { app: 'istio-eastwestgateway', istio: 'eastwestgateway' }, serviceAccount: { name: 'istio-eastwestgateway' },
    });
    expect(gw.spec.dependsOn).toEqual([{ name: 'istiod', namespace: 'cert-manager' }]);
    expect(release(out, 'istiod').spec.values.pilot.env).toEqual({
      BLOCKED_CIDRS_IN_JWKS_URIS: DEFAULT_JWKS,
      PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: 'true', PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS: 'true',
    });
    expectValidManifests(out);
  });

  test('fails without a network, and on a bad network name', () => {
    expect(() => layers().platform.enableVmWorkloads())
      .toThrow(/^\[Platform\] 'network' must be set to enable VM workloads .*got nothing\. Fix: pass network: "network1"/);
    expect(() => layers({ network: 'network 1!' }))
      .toThrow(/^\[Platform\] 'network' must be a Kubernetes label value .*got "network 1!"\. Fix: use a name like "network-1"/);
  });
});

describe('MeshPlatform.podRestartAnnotation', () => {
  test('a short stable hash of what injected pods depend on', () => {
    const a = layers().platform.podRestartAnnotation();
    const b = layers().platform.podRestartAnnotation();
    expect(Object.keys(a)).toEqual([PROXY_CONFIG_HASH_ANNOTATION]);
    expect(a[PROXY_CONFIG_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{10}$/);
    expect(a).toEqual(b);
    expect(layers({ revision: 'canary' }).platform.podRestartAnnotation()).not.toEqual(a);
    expect(layers({ cni: false }).platform.podRestartAnnotation()).not.toEqual(a);
    const withCa = layers();
    withCa.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(withCa.configs, 'Ca', { tenants: ['istio-system'] }));
    expect(withCa.platform.podRestartAnnotation()).not.toEqual(a);
    // settings that reach running proxies through xDS do not roll pods
    const withProvider = layers();
    withProvider.platform.addAuthorizationProvider({ name: 'ext-authz', service: 'a.b.svc.cluster.local', port: 1 });
    expect(withProvider.platform.podRestartAnnotation()).toEqual(a);
  });

  test('fails at synthesis when the annotation was handed out before the CA setup', () => {
    const l = layers();
    const early = l.platform.podRestartAnnotation()[PROXY_CONFIG_HASH_ANNOTATION];
    l.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(l.configs, 'Ca', { tenants: ['istio-system'] }));
    expect(validate(l).join('\n')).toMatch(new RegExp(`\\[Platform\\] 'podRestartAnnotation' was handed out before the platform was fully configured, got \\["${early}"\\].*Fix: call podRestartAnnotation\\(\\) after`));
  });
});

describe('MeshPlatform failures', () => {
  test('fails on a trust domain that differs from the App context', () => {
    expect(() => layers({ trustDomain: 'prod.example.com' }))
      .toThrow(/^\[Platform\] 'trustDomain' differs from the trust domain the library renders principals in .*got "prod\.example\.com"\. Fix: set it once: app\.node\.setContext/);
  });

  test('fails on a bad cluster name, revision and retries', () => {
    expect(() => layers({ clusterName: '-cluster' })).toThrow(/'clusterName' must be a Kubernetes label value .*got "-cluster"/);
    expect(() => layers({ revision: '1.30' })).toThrow(/'revision' must be a DNS-1123 label .*got "1\.30"\. Fix: use a name like/);
    expect(() => layers({ remediationRetries: 1.5 })).toThrow(/'remediationRetries' must be an integer from -1 to 100, got 1\.5/);
  });

  test('fails when the load tester shares a platform namespace', () => {
    expect(() => layers({ loadTesterNamespace: 'istio-system' }))
      .toThrow(/'loadTesterNamespace' must be a namespace of its own .*got "istio-system"/);
  });
});

describe('MeshPlatform values (HelmRelease.addValues)', () => {
  test('the platform merges what it derives into the releases: callers can add values, a conflict names both constructs', () => {
    const l = layers();
    l.platform.useObservability(new MeshObservability(l.configs, 'Observability'));
    l.platform.istiod.addValues({ pilot: { resources: { requests: { cpu: '500m' } } } }, l.configs);
    const istiod = release(synthAll(l), 'istiod').spec.values;
    expect(istiod.pilot).toEqual({ cni: { enabled: true }, env: { BLOCKED_CIDRS_IN_JWKS_URIS: DEFAULT_JWKS }, resources: { requests: { cpu: '500m' } } });
    expect(l.platform.istiodValues()).toEqual(istiod);
    expect(() => l.platform.istiod.addValues({ meshConfig: { trustDomain: 'example.com' } }, l.configs))
      .toThrow(/^\[mesh\/Platform\/Istiod\] 'values\.meshConfig\.trustDomain' is set by Platform and by configs, to different values, got \{"Platform":"cluster\.local","configs":"example\.com"\}/);
    expect(() => l.platform.istiod.addValues({ meshConfig: { accessLogFile: '' } }, l.configs))
      .toThrow(/'values\.meshConfig\.accessLogFile' is set by configs\/Observability and by configs, to different values/);
  });

  test('values that depend on later calls are rendered at synthesis, and their conflicts reported then', () => {
    const l = layers();
    const ca = new TenantCertificateAuthority(l.configs, 'TenantCa', { tenants: ['tenanta'] });
    l.platform.addTenantCertificateAuthority(ca);
    l.platform.istiod.addValues({ pilot: { env: { EXTERNAL_CA: 'ISTIOD_RA_KUBERNETES_API' } } }, l.configs); // the same value: fine
    expect(release(synthAll(l), 'istiod').spec.values.pilot.env.EXTERNAL_CA).toBe('ISTIOD_RA_KUBERNETES_API');
    l.platform.istiod.addValues({ global: { certSigners: ['clusterissuers.cert-manager.io/other'] } }, l.configs);
    expect(() => synthAll(l)).toThrow(/'values\.global\.certSigners' is set by Platform and by configs, to different values/);
  });

  test('the CA references are added with addValuesFrom (a second reference for one CA pem fails)', () => {
    const l = layers();
    l.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(l.configs, 'TenantCa', { tenants: ['tenanta'] }));
    l.platform.istiod.addValuesFrom([ValuesFrom.configMap('istiod-extra')], l.configs);
    expect(release(synthAll(l), 'istiod').spec.valuesFrom.map((v: any) => v.name))
      .toEqual(['istiod-ca-certificates', 'tenanta-ca-selfsigned', 'istiod-extra']);
    l.platform.istiod.addValuesFrom([ValuesFrom.secret('mine', { valuesKey: 'ca.crt', targetPath: 'meshConfig.caCertificates[0].pem' })], l.configs);
    expect(() => synthAll(l)).toThrow(/'valuesFrom\[3\]\.targetPath' is set by configs and is also the targetPath of Secret\/tenanta-ca-selfsigned set by Platform/);
  });

  test('no JSON patches on the HelmReleases', () => {
    const addJsonPatch = jest.spyOn(ApiObject.prototype, 'addJsonPatch');
    const l = layers({ network: 'network1' });
    l.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(l.configs, 'Ca', { tenants: ['istio-system'] }));
    l.platform.addAuthorizationProvider({ name: 'ext-authz', service: 'ext-authz.auth.svc.cluster.local', port: 8000 });
    l.platform.useObservability(new MeshObservability(l.configs, 'Observability'));
    l.platform.enableVmWorkloads();
    synthAll(l);
    // (cluster-scoped objects may get one, in charts with a namespace)
    expect(addJsonPatch.mock.contexts.filter((o) => o.kind === 'HelmRelease').map((o) => o.name)).toEqual([]);
    addJsonPatch.mockRestore();
  });
});

describe('MeshPlatform output', () => {
  test('deterministic: the order of add* calls does not change the output', () => {
    const build = (reverse: boolean) => {
      const l = layers({ network: 'network1' });
      const calls = [
        () => l.platform.addAuthorizationProvider({ name: 'b-authz', service: 'b.auth.svc.cluster.local', port: 1 }),
        () => l.platform.addAuthorizationProvider({ name: 'a-authz', service: 'a.auth.svc.cluster.local', port: 1 }),
        () => l.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(l.configs, 'Ca', { tenants: ['tenantb', 'tenanta'] })),
      ];
      for (const c of reverse ? calls.reverse() : calls) c();
      return Testing.synth(l.mesh);
    };
    expect(build(true)).toEqual(build(false));
  });

  test('everything validates against the schemas with every feature on', () => {
    const l = layers({ network: 'network1', meshId: 'mesh1', clusterName: 'cluster1', revision: 'stable' });
    l.platform.addTenantCertificateAuthority(new TenantCertificateAuthority(l.configs, 'Ca', { tenants: ['istio-system', 'tenanta'] }));
    l.platform.addAuthorizationProvider({ name: 'ext-authz', service: 'ext-authz.auth.svc.cluster.local', port: 8000 });
    l.platform.useObservability(new MeshObservability(l.configs, 'Observability'));
    l.platform.enableVmWorkloads();
    expect(validate(l)).toEqual([]);
    expectValidManifests(synthAll(l));
  });

  test('one scope for everything (controllers only)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    const p = new MeshPlatform(chart, 'Platform', { controllers: chart });
    expect(p.releases).toHaveLength(8);
    expect(releases(Testing.synth(chart))).toHaveLength(8);
  });
});

describe('MeshPlatform jwksBlockedCidrs (istiod BLOCKED_CIDRS_IN_JWKS_URIS, IST0175)', () => {
  test('by default istiod never fetches a jwksUri from loopback, link-local, private or unique-local addresses', () => {
    const l = layers();
    expect(l.platform.jwksBlockedCidrs).toEqual(MeshPlatform.DEFAULT_JWKS_BLOCKED_CIDRS);
    expect(release(synthAll(l), 'istiod').spec.values.pilot.env).toEqual({ BLOCKED_CIDRS_IN_JWKS_URIS: DEFAULT_JWKS });
    expect(DEFAULT_JWKS.split(',')).toContain('169.254.0.0/16'); // cloud metadata
  });

  test('a list of its own replaces the default; [] turns the protection off explicitly (no env)', () => {
    expect(release(synthAll(layers({ jwksBlockedCidrs: ['169.254.169.254/32', '10.0.0.0/8'] })), 'istiod').spec.values.pilot.env)
      .toEqual({ BLOCKED_CIDRS_IN_JWKS_URIS: '169.254.169.254/32,10.0.0.0/8' });
    expect(release(synthAll(layers({ jwksBlockedCidrs: [] })), 'istiod').spec.values.pilot.env).toBeUndefined();
  });

  test('fails on a value that is not an address or CIDR, naming the index', () => {
    expect(() => layers({ jwksBlockedCidrs: ['10.0.0.0/8', '10.0.0.0/33'] })).toThrow(/^\[Platform\] 'jwksBlockedCidrs\[1\]' .*got "10\.0\.0\.0\/33"/);
    expect(() => layers({ jwksBlockedCidrs: ['metadata.internal'] })).toThrow(/'jwksBlockedCidrs\[0\]'.*Fix:/);
  });
});
