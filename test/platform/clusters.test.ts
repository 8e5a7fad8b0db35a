import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzedPlatform } from './reference-platform';

const distDir = path.join(__dirname, '..', '..', 'dist');

/** Every object of one cluster (the apps, platform and Flux charts under it), as synthesized. */
describe('reference platform: two clusters from one program (S11)', () => {
  const { platform, report } = analyzedPlatform();
  const ofCluster = (name: string) => report.objects.filter((o) => o.path.startsWith(`${name}/`)).map((o) => o.manifest);
  const staging = ofCluster('staging');
  const production = ofCluster('production');
  const one = (objects: any[], kind: string, name: string, namespace?: string) => {
    const found = objects.filter((m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace));
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('both clusters have the same apps; their objects differ only where the environment says', () => {
    const ids = (objects: any[]) => new Set(objects.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`));
    const s = ids(staging);
    const p = ids(production);
    const onlyStaging = [...s].filter((x) => !p.has(x));
    const onlyProduction = [...p].filter((x) => !s.has(x));
    // staging runs the A/B canary; production runs two replicas, so its workloads get PodDisruptionBudgets
    expect(onlyStaging.filter((x) => !x.includes('abtest'))).toEqual([]);
    expect(onlyStaging.length).toBeGreaterThan(0);
    expect(onlyProduction.every((x) => x.startsWith('PodDisruptionBudget/'))).toBe(true);
  });

  test('replicas and HPA bounds follow the environment', () => {
    expect(one(staging, 'Deployment', 'customers-v1', 'default').spec.replicas).toBe(1);
    expect(one(production, 'Deployment', 'customers-v1', 'default').spec.replicas).toBe(2);
    expect(one(staging, 'HorizontalPodAutoscaler', 'podinfo-v1', 'test').spec).toMatchObject({ minReplicas: 1, maxReplicas: 2 });
    expect(one(production, 'HorizontalPodAutoscaler', 'podinfo-v1', 'test').spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
  });

  test('hosts, ACME issuers and image policies follow the environment', () => {
    expect(one(staging, 'Gateway', 'mygateway').spec.servers[0].hosts).toEqual(['tenanta.staging.example.com', 'tenantb.staging.example.com']);
    expect(one(production, 'Gateway', 'mygateway').spec.servers[0].hosts).toEqual(['tenanta.example.com', 'tenantb.example.com']);
    expect(one(staging, 'ClusterIssuer', 'letsencrypt').spec.acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(one(production, 'ClusterIssuer', 'letsencrypt').spec.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
    expect(one(staging, 'ImagePolicy', 'podinfo').spec.policy.semver.range).toBe('>=6.0.0-0');
    expect(one(production, 'ImagePolicy', 'podinfo').spec.policy.semver.range).toBe('>=6.0.0 <7.0.0');
    expect(one(production, 'ImageUpdateAutomation', 'apps').spec.update).toEqual({ path: './dist/apps/production', strategy: 'Setters' });
  });

  test('the platform install: pinned HelmReleases that name existing HelmRepositories, ordered by dependsOn', () => {
    for (const objects of [staging, production]) {
      const repos = new Set(objects.filter((m) => m.kind === 'HelmRepository').map((m) => `${m.metadata.namespace}/${m.metadata.name}`));
      const releases = objects.filter((m) => m.kind === 'HelmRelease');
      const names = new Set(releases.map((m) => `${m.metadata.namespace}/${m.metadata.name}`));
      expect(releases.map((m) => m.spec.chart.spec.chart).sort()).toEqual(
        ['base', 'cert-manager', 'cni', 'flagger', 'gateway', 'gateway', 'istiod', 'kube-prometheus-stack', 'kube-prometheus-stack', 'loadtester'].sort());
      for (const r of releases) {
        expect(r.spec.chart.spec.version).toMatch(/^v?\d+\.\d+\.\d+$/);
        const ref = r.spec.chart.spec.sourceRef;
        expect(repos.has(`${ref.namespace ?? r.metadata.namespace}/${ref.name}`)).toBe(true);
        for (const d of r.spec.dependsOn ?? []) expect(names.has(`${d.namespace ?? r.metadata.namespace}/${d.name}`)).toBe(true);
      }
    }
  });

  test('istiod values are derived from the program: tenant CA signers, cluster identity, observability; CA PEMs at reconcile time', () => {
    const istiod = one(production, 'HelmRelease', 'istiod');
    expect(istiod.spec.values.global).toMatchObject({
      certSigners: ['clusterissuers.cert-manager.io/istio-system', 'clusterissuers.cert-manager.io/tenanta', 'clusterissuers.cert-manager.io/tenantb'],
      meshID: 'reference-mesh', network: 'production-network', multiCluster: { clusterName: 'production' },
    });
    expect(istiod.spec.values.meshConfig.accessLogFile).toBe('/dev/stdout');
    expect(istiod.spec.values.meshConfig.extensionProviders).toEqual([expect.objectContaining({ name: 'zipkin' })]);
    // S12: the recording rules run in the Istio Prometheus, which the central stack federates
    expect(one(production, 'PrometheusRule', 'istio-metrics-aggregation', 'istio-system').metadata.labels).toEqual({ release: 'istio' });
    expect(one(production, 'ServiceMonitor', 'istio-federation').spec.endpoints[0]).toMatchObject({ path: '/federate', honorLabels: true });
    expect(one(production, 'Telemetry', 'mesh-default', 'istio-system').spec.tracing[0].randomSamplingPercentage).toBe(10);
    expect(istiod.spec.valuesFrom.filter((v: any) => v.kind === 'Secret').map((v: any) => [v.name, v.targetPath])).toEqual([
      ['istio-system-ca-selfsigned', 'meshConfig.caCertificates[0].pem'],
      ['tenanta-ca-selfsigned', 'meshConfig.caCertificates[1].pem'],
      ['tenantb-ca-selfsigned', 'meshConfig.caCertificates[2].pem'],
    ]);
    // the CA Secrets are in cert-manager's namespace, and valuesFrom reads the HelmRelease's own namespace
    expect(istiod.metadata.namespace).toBe('cert-manager');
    expect(one(production, 'Certificate', 'tenanta-ca', 'cert-manager').spec.secretName).toBe('tenanta-ca-selfsigned');
    expect(one(production, 'HelmRelease', 'cert-manager').spec.values.featureGates).toMatch(/ExperimentalCertificateSigningRequestControllers=true/);
  });

  test('the ingress gateway identity comes from its install: selectors and principals name it', () => {
    const gw = one(production, 'HelmRelease', 'istio-ingressgateway');
    expect(gw.spec.targetNamespace).toBe('istio-ingress');
    expect(one(production, 'Gateway', 'gateway', 'default').spec.selector).toEqual({ istio: 'ingressgateway' });
    const allow = one(production, 'AuthorizationPolicy', 'web-frontend-allow-gateway', 'zero-trust');
    expect(allow.spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/istio-ingress/sa/istio-ingressgateway']);
  });

  test('no Secret carries data anywhere', () => {
    expect(report.objects.filter((o) => o.manifest.kind === 'Secret' && (o.manifest.data || o.manifest.stringData))).toEqual([]);
  });

  test('dist/ holds both clusters\' Flux trees, and the image marker on the canary target survives in the committed files', () => {
    for (const c of ['staging', 'production']) {
      expect(fs.readdirSync(path.join(distDir, 'clusters', c)).sort()).toEqual(expect.arrayContaining([
        'MESH-GRAPH.md', 'kustomization-apps.yaml', 'kustomization-infra-configs.yaml', 'kustomization-infra-controllers.yaml', 'kustomization-infra-mesh.yaml']));
      const target = fs.readFileSync(path.join(distDir, 'apps', c, 'canary', 'test', 'deployment-podinfo-v1.yaml'), 'utf8');
      expect(target).toMatch(/image: ghcr\.io\/stefanprodan\/podinfo:[^ ]+ # \{"\$imagepolicy": "flux-system:podinfo"\}\n/);
    }
    expect(platform.staging.cluster.repositoryPath).toBe('./dist');
  });
});
