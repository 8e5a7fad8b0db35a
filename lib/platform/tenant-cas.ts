/*
 * Internal (not re-exported): the tenant CAs istiod signs workload certificates through
 * (`MeshPlatform.addTenantCertificateAuthority()`): their checks, the ConfigMap and valuesFrom that deliver the CA
 * PEMs at reconcile time, and the istiod and cert-manager values they imply.
 */
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { CaSettings, canonical, certSignerValues, tenantCaValues } from './istiod-values';
import type { TenantCertificateAuthority } from '../certificates/tenant-certificate-authority';
import { HelmRelease, ValuesFrom } from '../gitops/helm-release';
import { meshError, show } from '../private/errors';

/** Name of the ConfigMap holding the `meshConfig.caCertificates` entries without their PEMs. */
export const CA_VALUES_CONFIG_MAP = 'istiod-ca-certificates';

/** Where the tenant CAs go: the platform's mesh layer and releases. */
export interface TenantCaTargets {
  /** The MeshPlatform: errors name it, and it owns the values it derives. */
  readonly platform: IConstruct;
  /** Scope of the ConfigMap (the mesh layer). */
  readonly mesh: Construct;
  readonly certManagerNamespace: string;
  readonly istioNamespace: string;
  readonly istiod: HelmRelease;
  readonly certManager: HelmRelease;
}

/** The tenant CAs of the platform, in the order they were added. */
export class TenantCas {
  private readonly _cas: TenantCertificateAuthority[] = [];
  /** The signers of each CA when it was added, to detect tenants added afterwards. */
  private readonly _signersWhenAdded = new Map<TenantCertificateAuthority, string>();

  constructor(private readonly _t: TenantCaTargets) {}

  /**
   * Checks `ca` and wires it: on the first CA, the ConfigMap `istiod-ca-certificates`, cert-manager's CSR feature
   * gate, istiod's `global.certSigners` and valuesFrom; per CA, its istiod env and mesh-wide signer (owned by the
   * CA). Everything that spans CAs is rendered at synthesis. Returns the CA's signer names.
   */
  public add(ca: TenantCertificateAuthority): string[] {
    const { platform, certManagerNamespace, istioNamespace } = this._t;
    if (this._cas.includes(ca)) {
      throw meshError(platform, 'addTenantCertificateAuthority', 'was already called with this TenantCertificateAuthority', ca.node.path,
        'add it once (add more tenants to it with addTenant() before passing it)');
    }
    if (ca.certManagerNamespace !== certManagerNamespace) {
      throw meshError(platform, 'addTenantCertificateAuthority', `needs the CA Secrets in cert-manager's namespace "${certManagerNamespace}" `
        + '(a CA ClusterIssuer reads its Secret from the cluster resource namespace, and the istiod HelmRelease reads them from there)',
      ca.certManagerNamespace, `create the TenantCertificateAuthority with certManagerNamespace: ${JSON.stringify(certManagerNamespace)}`);
    }
    if (ca.istioNamespace !== istioNamespace) {
      throw meshError(platform, 'addTenantCertificateAuthority', `needs the CA's istioNamespace to be the mesh root namespace "${istioNamespace}"`,
        ca.istioNamespace, `create the TenantCertificateAuthority with istioNamespace: ${JSON.stringify(istioNamespace)}`);
    }
    const existing = new Map(this._cas.flatMap((c) => c.tenants.map((t) => [t.tenant, c.node.path] as const)));
    for (const t of ca.tenants) {
      if (existing.has(t.tenant)) {
        throw meshError(platform, 'addTenantCertificateAuthority', `adds tenant "${t.tenant}" that ${existing.get(t.tenant)} already signs for`, t.tenant,
          'give each tenant one CA: remove it from one of the TenantCertificateAuthorities');
      }
    }
    if (!ca.tenants.length) {
      throw meshError(platform, 'addTenantCertificateAuthority', 'needs a CA with at least one tenant', ca.node.path,
        'call ca.addTenant("tenanta") before passing it');
    }
    this._cas.push(ca);
    this._signersWhenAdded.set(ca, JSON.stringify(signersOf(ca)));
    if (this._cas.length === 1) this._wireFirst();
    this._t.istiod.addValues(Lazy.any({ produce: () => tenantCaValues(ca) }), ca);
    return ca.tenants.map((t) => t.signerName);
  }

  /** The settings over every CA, for the istiod values and the proxy config hash. */
  public settings(): CaSettings {
    const env: Record<string, string> = {};
    const proxyMetadata: Record<string, string> = {};
    for (const ca of this._cas) {
      const c = ca.istiodConfiguration();
      Object.assign(env, c.env);
      Object.assign(proxyMetadata, c.proxyMetadata);
    }
    return { env, proxyMetadata, certSigners: this._entries().map((e) => e.signer) };
  }

  /** Errors for CAs whose tenants changed after they were added (the checks of add() did not see them). */
  public validate(): string[] {
    if (this._cas.every((ca) => this._signersWhenAdded.get(ca) === JSON.stringify(signersOf(ca)))) return [];
    const signers = show(this._entries().map((e) => e.signer));
    return [`[${this._t.platform.node.path}] 'addTenantCertificateAuthority' settings changed after the CA was added (a tenant was added to a CA `
      + `after the CA was passed to the platform, so its checks never saw it), got signers ${signers}. `
      + 'Fix: add every tenant before calling addTenantCertificateAuthority().'];
  }

  private _wireFirst(): void {
    const { mesh, certManagerNamespace, istiod, certManager, platform } = this._t;
    new k8s.KubeConfigMap(mesh, 'IstiodCaCertificates', {
      metadata: {
        name: CA_VALUES_CONFIG_MAP,
        namespace: certManagerNamespace,
        // helm-controller upgrades the release as soon as a watched valuesFrom object changes (Flux >= 2.8).
        labels: { 'reconcile.fluxcd.io/watch': 'Enabled' },
      },
      data: Lazy.any({ produce: () => ({ 'values.yaml': this._valuesDocument() }) }),
    });
    certManager.addValues({ featureGates: 'ExperimentalCertificateSigningRequestControllers=true' }, platform);
    istiod.addValues(Lazy.any({ produce: () => certSignerValues(this._entries().map((e) => e.signer)) }), platform);
    // meshConfig.caCertificates comes entirely from valuesFrom: Flux merges spec.values last and replaces lists.
    istiod.addValuesFrom(Lazy.any({ produce: () => this._valuesFrom() }), platform);
  }

  /** The ConfigMap first (the list of signers), then per signer the CA Secret's ca.crt at its entry's pem. */
  private _valuesFrom(): ValuesFrom[] {
    return [
      ValuesFrom.configMap(CA_VALUES_CONFIG_MAP, { valuesKey: 'values.yaml' }),
      ...this._entries().map((e, i) => ValuesFrom.secret(e.secretName, { valuesKey: 'ca.crt', targetPath: `meshConfig.caCertificates[${i}].pem` })),
    ];
  }

  /** The values document of ConfigMap istiod-ca-certificates: the caCertificates entries without their PEMs (JSON is YAML). */
  private _valuesDocument(): string {
    const caCertificates = this._entries().map((e) => ({ certSigners: [e.signer] }));
    return `${JSON.stringify(canonical({ meshConfig: { caCertificates } }), null, 2)}\n`;
  }

  /** CA entries in signer order (the order of `meshConfig.caCertificates` and of the valuesFrom targetPaths). */
  private _entries(): Array<{ signer: string; secretName: string }> {
    return this._cas.flatMap((ca) => ca.istiodConfiguration().caCertificateSources.map((s) => ({ signer: s.certSigners[0], secretName: s.secretName })))
      .sort((a, b) => (a.signer < b.signer ? -1 : a.signer > b.signer ? 1 : 0));
  }
}

function signersOf(ca: TenantCertificateAuthority): string[] {
  return ca.tenants.map((t) => t.signerName);
}
