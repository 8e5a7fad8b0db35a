import { ApiObject, ApiObjectProps, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { Certificate, KeyAlgorithm, PrivateKeyOptions } from './certificate';
import { ClusterIssuer } from './cluster-issuer';
import { IssuerType } from './issuer';
import { clusterScoped } from '../private/cluster-scoped';
import { meshError } from '../private/errors';
import { checkDnsLabel } from '../private/validate';

/** Signer domain of cert-manager ClusterIssuers in the Kubernetes CSR API. */
export const CLUSTER_ISSUER_SIGNER_DOMAIN = 'clusterissuers.cert-manager.io';

/** Properties of a TenantCertificateAuthority. */
export interface TenantCertificateAuthorityProps {
  /**
   * Tenant namespaces; each gets its own CA. Add more with `addTenant()`.
   * @default - none
   */
  readonly tenants?: string[];
  /**
   * cert-manager's cluster resource namespace, where the CA Certificates and their Secrets live (a CA
   * ClusterIssuer reads its secret from there).
   * @default "cert-manager"
   */
  readonly certManagerNamespace?: string;
  /**
   * Lifetime of each tenant CA certificate.
   * @default Duration.days(3650) (10 years)
   */
  readonly caDuration?: Duration;
  /**
   * Private key of each tenant CA.
   * @default - ECDSA 256, rotated on every issuance
   */
  readonly caPrivateKey?: PrivateKeyOptions;
  /**
   * Namespace of istiod (the mesh root namespace). The tenant of that name is the mesh's default signer.
   * @default "istio-system"
   */
  readonly istioNamespace?: string;
  /**
   * ServiceAccount of istiod, granted `approve` on the tenants' signers (additive to the istiod chart's own ClusterRole).
   * @default "istiod"
   */
  readonly istiodServiceAccount?: string;
}

/** What one tenant gets. */
export interface TenantCa {
  /** The tenant's namespace. */
  readonly tenant: string;
  /** selfSigned ClusterIssuer that bootstraps the CA (`selfsigned-<tenant>-issuer`). */
  readonly selfSignedIssuer: ClusterIssuer;
  /** The CA certificate in the cert-manager namespace (`<tenant>-ca`, secret `<tenant>-ca-selfsigned`). */
  readonly caCertificate: Certificate;
  /** The CA ClusterIssuer named after the tenant; it signs the tenant's workload certificates. */
  readonly issuer: ClusterIssuer;
  /** ProxyConfig `cert-signer` in the tenant namespace: ISTIO_META_CERT_SIGNER=<tenant>. */
  readonly proxyConfig: istio.ProxyConfig;
  /** Kubernetes CSR signer name: `clusterissuers.cert-manager.io/<tenant>`. */
  readonly signerName: string;
}

/** Where the PEM of one signer's CA certificate is (it exists only once cert-manager has issued it). */
export interface CaCertificateSource {
  readonly certSigners: string[];
  readonly namespace: string;
  readonly secretName: string;
  /** Always "ca.crt" (for a self-signed CA, identical to tls.crt). */
  readonly key: string;
}

/**
 * What istiod needs to sign workload certificates through these tenants' ClusterIssuers (Istio's
 * "custom CA integration using Kubernetes CSR"). The platform install (istiod Helm values) consumes it.
 *
 * The PEMs of the CA certificates cannot be generated: cert-manager creates the keys in the cluster.
 * `caCertificateSources` says where to read them (`kubectl get secret -n cert-manager <tenant>-ca-selfsigned
 * -o jsonpath='{.data.ca\.crt}' | base64 -d`), and `helmValues()` takes them or leaves a placeholder.
 * cert-manager must run with `--feature-gates=ExperimentalCertificateSigningRequestControllers=true`.
 * @see https://istio.io/latest/docs/tasks/security/cert-management/custom-ca-k8s/
 */
export interface IstiodExternalCaConfiguration {
  /** Signer names (`clusterissuers.cert-manager.io/<tenant>`), in tenant order. */
  readonly certSigners: string[];
  /** Environment of the istiod container (values `pilot.env` of the istiod chart). */
  readonly env: Record<string, string>;
  /** meshConfig.defaultConfig.proxyMetadata: the mesh's default signer, when the root namespace is a tenant. */
  readonly proxyMetadata: Record<string, string>;
  /** meshConfig.caCertificates sources, one per signer. */
  readonly caCertificateSources: CaCertificateSource[];
  /**
   * istiod chart values: `pilot.env`, `meshConfig.defaultConfig.proxyMetadata`, `meshConfig.caCertificates`.
   * @param pems PEM per tenant; a missing one becomes a visible placeholder that istiod rejects.
   */
  helmValues(pems?: Record<string, string>): Record<string, any>;
}

/**
 * One certificate authority per tenant namespace, so that workloads of different tenants cannot talk mTLS
 * (S8): per tenant a selfSigned ClusterIssuer → CA Certificate (in cert-manager's namespace) → CA ClusterIssuer
 * named after the tenant, and a ProxyConfig that makes the tenant's sidecars ask that signer. Also grants
 * istiod `approve` on the signers (ClusterRole + ClusterRoleBinding `istiod-tenant-cert-signers`), and exposes
 * what istiod's install needs through `istiodConfiguration()`.
 */
export class TenantCertificateAuthority extends Construct {
  public readonly certManagerNamespace: string;
  public readonly istioNamespace: string;
  private readonly _tenants: TenantCa[] = [];
  private readonly _caDuration: Duration;
  private readonly _caPrivateKey: PrivateKeyOptions;

  constructor(scope: Construct, id: string, props: TenantCertificateAuthorityProps = {}) {
    super(scope, id);
    this.certManagerNamespace = checkDnsLabel(this, 'certManagerNamespace', props.certManagerNamespace ?? 'cert-manager');
    this.istioNamespace = checkDnsLabel(this, 'istioNamespace', props.istioNamespace ?? 'istio-system');
    const sa = checkDnsLabel(this, 'istiodServiceAccount', props.istiodServiceAccount ?? 'istiod');
    this._caDuration = props.caDuration ?? Duration.days(3650);
    this._caPrivateKey = props.caPrivateKey ?? { algorithm: KeyAlgorithm.ECDSA, size: 256 };

    // Additive to the istiod chart's ClusterRole, which only approves kubernetes.io/legacy-unknown.
    // Rendered lazily so that tenants added later are approved too.
    const role = new ApiObject(this, 'IstiodSignerRole', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'istiod-tenant-cert-signers' },
      rules: Lazy.any({
        produce: () => [{
          apiGroups: ['certificates.k8s.io'],
          resources: ['signers'],
          resourceNames: this._tenants.map((t) => t.signerName),
          verbs: ['approve'],
        }],
      }),
    } as ApiObjectProps);
    clusterScoped(role);
    const binding = new ApiObject(this, 'IstiodSignerRoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'istiod-tenant-cert-signers' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'istiod-tenant-cert-signers' },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: this.istioNamespace }],
    } as ApiObjectProps);
    clusterScoped(binding);
    this.node.addValidation({
      validate: () => (this._tenants.length === 0 ? ['TenantCertificateAuthority has no tenant. Fix: pass tenants: ["tenanta"] or call addTenant().'] : []),
    });

    for (const t of props.tenants ?? []) this.addTenant(t);
  }

  /** The tenants, in the order they were added. */
  public get tenants(): TenantCa[] {
    return [...this._tenants];
  }

  /** Creates the CA chain and ProxyConfig for one tenant namespace and returns them. */
  public addTenant(tenant: string): TenantCa {
    checkDnsLabel(this, 'tenants', tenant);
    if (this._tenants.some((t) => t.tenant === tenant)) {
      throw meshError(this, 'tenants', 'must be unique', tenant, `add tenant "${tenant}" once`);
    }
    const scope = new Construct(this, tenant);
    const selfSignedIssuer = new ClusterIssuer(scope, 'SelfSignedIssuer', {
      name: `selfsigned-${tenant}-issuer`,
      type: IssuerType.selfSigned(),
    });
    const caCertificate = new Certificate(scope, 'CaCertificate', {
      name: `${tenant}-ca`,
      namespace: this.certManagerNamespace,
      secretName: `${tenant}-ca-selfsigned`,
      commonName: tenant,
      isCa: true,
      duration: this._caDuration,
      privateKey: this._caPrivateKey,
      issuer: selfSignedIssuer,
    });
    const issuer = new ClusterIssuer(scope, 'Issuer', {
      name: tenant,
      type: IssuerType.ca({ secretName: caCertificate.secretName }),
    });
    const proxyConfig = new istio.ProxyConfig(scope, 'ProxyConfig', {
      metadata: { name: 'cert-signer', namespace: tenant },
      spec: { environmentVariables: { ISTIO_META_CERT_SIGNER: tenant } },
    });
    const t: TenantCa = { tenant, selfSignedIssuer, caCertificate, issuer, proxyConfig, signerName: `${CLUSTER_ISSUER_SIGNER_DOMAIN}/${tenant}` };
    this._tenants.push(t);
    return t;
  }

  /** The values istiod's install needs (see `IstiodExternalCaConfiguration`). */
  public istiodConfiguration(): IstiodExternalCaConfiguration {
    const tenants = [...this._tenants];
    const root = tenants.find((t) => t.tenant === this.istioNamespace);
    const env: Record<string, string> = {
      EXTERNAL_CA: 'ISTIOD_RA_KUBERNETES_API',
      CERT_SIGNER_DOMAIN: CLUSTER_ISSUER_SIGNER_DOMAIN,
    };
    if (root) env.PILOT_CERT_PROVIDER = `k8s.io/${root.signerName}`;
    const proxyMetadata: Record<string, string> = root ? { ISTIO_META_CERT_SIGNER: root.tenant } : {};
    const caCertificateSources = tenants.map((t) => ({
      certSigners: [t.signerName], namespace: this.certManagerNamespace, secretName: t.caCertificate.secretName, key: 'ca.crt',
    }));
    return {
      certSigners: tenants.map((t) => t.signerName),
      env,
      proxyMetadata,
      caCertificateSources,
      helmValues: (pems: Record<string, string> = {}) => ({
        pilot: { env: { ...env } },
        meshConfig: {
          ...(root ? { defaultConfig: { proxyMetadata: { ...proxyMetadata } } } : {}),
          caCertificates: tenants.map((t, i) => ({
            pem: pems[t.tenant] ?? `<PEM of secret ${caCertificateSources[i].namespace}/${caCertificateSources[i].secretName} key ca.crt>`,
            certSigners: [t.signerName],
          })),
        },
      }),
    };
  }
}
