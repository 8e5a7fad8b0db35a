/**
 * The reference platform: the product's scenarios (S1..S14) as charts, one chart per
 * folder of dist/ (one Flux Kustomization each). Not part of the library: it uses only the public API of lib/.
 */
import { Construct } from 'constructs';
import { BookinfoChart } from './charts/bookinfo';
import { CanaryChart } from './charts/canary';
import { EgressChart } from './charts/egress';
import { IngressTlsChart } from './charts/ingress-tls';
import { MeshSecurityChart } from './charts/mesh-security';
import { NamespacesChart } from './charts/namespaces';
import { SampleAppChart } from './charts/sample-app';
import { TenantCasChart } from './charts/tenant-cas';
import { ZeroTrustChart } from './charts/zero-trust';

export * from './charts/bookinfo';
export * from './charts/canary';
export * from './charts/egress';
export * from './charts/ingress-tls';
export * from './charts/mesh-security';
export * from './charts/namespaces';
export * from './charts/sample-app';
export * from './charts/tenant-cas';
export * from './charts/zero-trust';

/** The charts of the reference platform, by role. Each produces the dist/ folder named after its id. */
export interface ReferencePlatform {
  /** dist/sample-app: S1, S4, S5. */
  readonly sampleApp: SampleAppChart;
  /** dist/bookinfo: S14, on the sample app's gateway. */
  readonly bookinfo: BookinfoChart;
  /** dist/tenant-cas: S8. */
  readonly tenantCas: TenantCasChart;
  /** dist/ingress-tls: S7. */
  readonly ingressTls: IngressTlsChart;
  /** dist/egress: S13. */
  readonly egress: EgressChart;
  /** dist/mesh-security: S10 and S1's mTLS half. */
  readonly meshSecurity: MeshSecurityChart;
  /** dist/zero-trust: S2, S3, on the sample app's gateway. */
  readonly zeroTrust: ZeroTrustChart;
  /** dist/namespaces: S10. */
  readonly namespaces: NamespacesChart;
  /** dist/canary: S6. */
  readonly canary: CanaryChart;
}

/**
 * Adds every chart of the reference platform to `scope` (the App) and returns them. Chart ids are the dist/ folder
 * names and feed object names: they are public contract.
 */
export function buildReferencePlatform(scope: Construct): ReferencePlatform {
  const sampleApp = new SampleAppChart(scope, 'sample-app');
  return {
    sampleApp,
    bookinfo: new BookinfoChart(scope, 'bookinfo', { gateway: sampleApp.gateway }),
    tenantCas: new TenantCasChart(scope, 'tenant-cas'),
    ingressTls: new IngressTlsChart(scope, 'ingress-tls'),
    egress: new EgressChart(scope, 'egress'),
    meshSecurity: new MeshSecurityChart(scope, 'mesh-security'),
    zeroTrust: new ZeroTrustChart(scope, 'zero-trust', { gateway: sampleApp.gateway }),
    namespaces: new NamespacesChart(scope, 'namespaces'),
    canary: new CanaryChart(scope, 'canary'),
  };
}
