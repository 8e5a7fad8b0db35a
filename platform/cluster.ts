import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { BookinfoChart } from './charts/bookinfo';
import { CanaryChart } from './charts/canary';
import { EgressChart } from './charts/egress';
import { ImageAutomationChart } from './charts/image-automation';
import { IngressTlsChart } from './charts/ingress-tls';
import { IssuersChart } from './charts/issuers';
import { MeshSecurityChart } from './charts/mesh-security';
import { NamespacesChart } from './charts/namespaces';
import { SampleAppChart } from './charts/sample-app';
import { TcpTlsRoutingChart } from './charts/tcp-tls-routing';
import { TenantCasChart } from './charts/tenant-cas';
import { ZeroTrustChart } from './charts/zero-trust';
import { EnvironmentSettings } from './environments';
import { PODINFO_REPOSITORY } from './shared/sample-workload';
import { GitOpsCluster, IstiodExposure, MeshApp, MeshObservability, MeshPlatform, TracingProvider } from '../lib';

/** One cluster of the reference platform: its Flux layout, its platform install and its charts. */
export interface ClusterPlatform {
  readonly cluster: GitOpsCluster;
  /** Istio, cert-manager, Flagger and Prometheus as HelmReleases (controllers and mesh layers). */
  readonly platform: MeshPlatform;
  /** configs: S8 tenant CAs (their CA PEMs reach istiod at reconcile time). */
  readonly tenantCas: TenantCasChart;
  /** configs: S1/S10 mesh-wide mTLS. */
  readonly meshSecurity: MeshSecurityChart;
  /** configs: S12 recording rules, federation and Telemetry. */
  readonly observability: MeshObservability;
  /** configs: the ACME ClusterIssuer of the environment. */
  readonly issuers: IssuersChart;
  /** apps: S1, S4, S5. */
  readonly sampleApp: SampleAppChart;
  /** apps: S14, on the sample app's gateway. */
  readonly bookinfo: BookinfoChart;
  /** apps: S2, S3, on the sample app's gateway. */
  readonly zeroTrust: ZeroTrustChart;
  /** apps: S10. */
  readonly namespaces: NamespacesChart;
  /** apps: S7. */
  readonly ingressTls: IngressTlsChart;
  /** apps: S13. */
  readonly egress: EgressChart;
  /** apps: S6. */
  readonly canary: CanaryChart;
  /** apps: S11 image automation of the canaried podinfo. */
  readonly imageAutomation: ImageAutomationChart;
  /** apps: TCP traffic shifting and TLS passthrough through the ingress gateway. */
  readonly l4Routing: TcpTlsRoutingChart;
}

/**
 * Builds one cluster from the shared program and the environment's settings, in Flux's order: controllers (CRDs and
 * operators) -> configs (what the control plane reads: CA issuers, mesh-wide policy, monitoring rules) -> mesh
 * (istiod, gateways, Flagger) -> apps.
 */
export function buildClusterPlatform(scope: Construct, env: EnvironmentSettings): ClusterPlatform {
  const cluster = new GitOpsCluster(scope, env.name);

  const meshChart = new Chart(cluster.mesh, 'control-plane');
  const platform = new MeshPlatform(cluster, 'platform', {
    controllers: new Chart(cluster.controllers, 'platform'),
    mesh: meshChart,
    meshId: 'reference-mesh',
    clusterName: env.name,
    network: env.network,
    loadTesterNamespace: 'loadtester',
  });
  const ingressGateway = platform.ingressGateway;
  // S9: VMs join through the east-west gateway, which also exposes istiod to them.
  const eastWestGateway = platform.enableVmWorkloads();
  new IstiodExposure(meshChart, 'istiod-exposure', { eastWestGateway });

  const tenantCas = new TenantCasChart(cluster.configs, 'tenant-cas');
  platform.addTenantCertificateAuthority(tenantCas.cas);
  const meshSecurity = new MeshSecurityChart(cluster.configs, 'mesh-security');
  // S12: access logs and 10% trace sampling to a Zipkin-compatible collector at zipkin.istio-system (the collector itself,
  // e.g. Istio's Jaeger or Zipkin addon, is installed by the team running tracing; the platform does not install one).
  const observability = platform.useObservability(new MeshObservability(new Chart(cluster.configs, 'observability'), 'observability', {
    tracingProvider: TracingProvider.zipkin(),
    tracingSamplingPercentage: 10,
  }));
  const issuers = new IssuersChart(cluster.configs, 'issuers', { acmeServer: env.acmeServer });

  const sampleApp = new SampleAppChart(cluster.apps, 'sample-app', { ingressGateway, replicas: env.replicas });
  const canary = new CanaryChart(cluster.apps, 'canary', {
    ingressGateway,
    podinfoHost: `podinfo.${env.domain}`,
    abtestHost: `abtest.${env.domain}`,
    abTesting: env.abTesting,
    loadTester: platform.loadTester,
    minReplicas: env.autoscaling.minReplicas,
    maxReplicas: env.autoscaling.maxReplicas,
  });
  const result: ClusterPlatform = {
    cluster,
    platform,
    tenantCas,
    meshSecurity,
    observability,
    issuers,
    sampleApp,
    bookinfo: new BookinfoChart(cluster.apps, 'bookinfo', {
      gateway: sampleApp.gateway,
      // Its own host: web-frontend (S1) has a catch-all route for every host of the shared gateway.
      hosts: [`bookinfo.${env.domain}`],
      replicas: env.replicas,
      ratingsVm: eastWestGateway,
    }),
    zeroTrust: new ZeroTrustChart(cluster.apps, 'zero-trust', { gateway: sampleApp.gateway }),
    namespaces: new NamespacesChart(cluster.apps, 'namespaces', { replicas: env.replicas }),
    ingressTls: new IngressTlsChart(cluster.apps, 'ingress-tls', {
      ingressGateway,
      hosts: [`tenanta.${env.domain}`, `tenantb.${env.domain}`],
      httpbinHost: `tenanta.${env.domain}`,
      secondTenant: { namespace: 'tenantb', host: `tenantb.${env.domain}` },
      issuer: issuers.letsEncrypt,
    }),
    egress: new EgressChart(cluster.apps, 'egress', { replicas: env.replicas }),
    canary,
    imageAutomation: new ImageAutomationChart(cluster.apps, 'image-automation', {
      image: PODINFO_REPOSITORY,
      semver: env.imageSemver,
      workloads: [canary.podinfo.deploymentFor('v1')],
      updatePath: `${cluster.repositoryPath}/${cluster.apps.folder}`,
    }),
    l4Routing: new TcpTlsRoutingChart(cluster.apps, 'l4-routing', { ingressGateway, ingressGatewayRelease: platform.ingressGatewayRelease, nginxHost: `nginx.${env.domain}`, replicas: env.replicas }),
  };
  rollOnProxySettings(cluster.apps, platform);
  return result;
}

/**
 * Settings injected proxies only read at pod start (CA signers, proxy metadata, mesh identity, revision) reach running
 * workloads by a rollout: every Deployment of the apps carries the platform's hash of them as a pod-template
 * annotation, so a change of those settings changes the Deployments in Git and Flux rolls them.
 */
function rollOnProxySettings(apps: Construct, platform: MeshPlatform): void {
  const [key, value] = Object.entries(platform.podRestartAnnotation())[0];
  for (const app of apps.node.findAll().filter((c): c is MeshApp => c instanceof MeshApp)) {
    for (const deployment of Object.values(app.deployments)) deployment.podMetadata.addAnnotation(key, value);
  }
}
