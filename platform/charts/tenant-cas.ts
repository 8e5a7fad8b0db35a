import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { IstiodExternalCaConfiguration, MeshNamespace, TenantCertificateAuthority } from '../../lib';

/** Istio's root namespace: a tenant whose namespace the Istio installation already creates. */
const ISTIO_ROOT_NAMESPACE = 'istio-system';

/** Props of `TenantCasChart`. */
export interface TenantCasChartProps extends ChartProps {
  /**
   * Tenant namespaces, one CA each. Every tenant except istio-system also gets its Namespace (with sidecar injection).
   * @default ['istio-system', 'tenanta', 'tenantb']
   */
  readonly tenants?: string[];
}

/**
 * dist/tenant-cas: S8, one CA per tenant (istio-system, tenanta, tenantb).
 *
 * - cert-manager: selfSigned ClusterIssuer -> CA Certificate in cert-manager (isCA, 10 years, ECDSA 256, secret
 *   <tenant>-ca-selfsigned) -> CA ClusterIssuer <tenant>.
 * - Istio: a ProxyConfig with ISTIO_META_CERT_SIGNER=<tenant> in each tenant namespace; `istiod` holds what istiod's
 *   install needs (certSigners, EXTERNAL_CA, caCertificates; the CA PEMs must be read from the cluster once
 *   cert-manager has issued them).
 * - The tenant namespaces, with sidecar injection.
 */
export class TenantCasChart extends Chart {
  public readonly cas: TenantCertificateAuthority;
  public readonly istiod: IstiodExternalCaConfiguration;

  constructor(scope: Construct, id: string, props: TenantCasChartProps = {}) {
    super(scope, id, props);
    const tenants = props.tenants ?? [ISTIO_ROOT_NAMESPACE, 'tenanta', 'tenantb'];
    for (const tenant of tenants.filter((t) => t !== ISTIO_ROOT_NAMESPACE)) new MeshNamespace(this, tenant);
    this.cas = new TenantCertificateAuthority(this, 'tenant-cas', { tenants });
    this.istiod = this.cas.istiodConfiguration();
  }
}
