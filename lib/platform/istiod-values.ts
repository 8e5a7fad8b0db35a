/*
 * Internal (not re-exported): the istiod Helm values MeshPlatform derives from its settings. Each function returns
 * one contribution, merged into the istiod HelmRelease with `HelmRelease.addValues()` by the construct it comes from.
 */
import { createHash } from 'node:crypto';
import type { TenantCertificateAuthority } from '../certificates/tenant-certificate-authority';
import type { MeshObservability } from '../observability/mesh-observability';

/** The cluster identity of the platform, set once (MeshPlatformProps). */
export interface IstiodIdentity {
  readonly revision?: string;
  readonly trustDomain: string;
  readonly meshId: string;
  readonly clusterName: string;
  readonly network?: string;
  readonly cniEnabled: boolean;
  /** `BLOCKED_CIDRS_IN_JWKS_URIS`; empty: unset. */
  readonly jwksBlockedCidrs: readonly string[];
  /** Cluster DNS domain, when not `cluster.local` (`global.proxy.clusterDomain`: istiod's and the proxies' `--domain`). */
  readonly clusterDomain?: string;
}

/** What the tenant CAs set in istiod, over every CA (see TenantCas.settings()). */
export interface CaSettings {
  readonly env: Record<string, string>;
  readonly proxyMetadata: Record<string, string>;
  /** Signer names in code-unit order. */
  readonly certSigners: string[];
}

/** Revision, mesh ID, cluster, network, trust domain and CNI. */
export function identityValues(id: IstiodIdentity): Record<string, unknown> {
  return canonical({
    revision: id.revision,
    global: {
      meshID: id.meshId,
      multiCluster: { clusterName: id.clusterName },
      network: id.network,
      proxy: { clusterDomain: id.clusterDomain },
    },
    meshConfig: { trustDomain: id.trustDomain },
    pilot: {
      cni: { enabled: id.cniEnabled },
      env: id.jwksBlockedCidrs.length > 0 ? { BLOCKED_CIDRS_IN_JWKS_URIS: id.jwksBlockedCidrs.join(',') } : undefined,
    },
  }) as Record<string, unknown>;
}

/** One CA's `pilot.env` (EXTERNAL_CA, CERT_SIGNER_DOMAIN, PILOT_CERT_PROVIDER) and mesh-wide signer (proxyMetadata). */
export function tenantCaValues(ca: TenantCertificateAuthority): Record<string, unknown> {
  const c = ca.istiodConfiguration();
  return canonical({
    meshConfig: { defaultConfig: { proxyMetadata: c.proxyMetadata } },
    pilot: { env: c.env },
  }) as Record<string, unknown>;
}

/** `global.certSigners` (a list: set once, over every CA). */
export function certSignerValues(certSigners: string[]): Record<string, unknown> {
  return certSigners.length ? { global: { certSigners: [...certSigners] } } : {};
}

/** `meshConfig.extensionProviders` (a list: set once, over the authorizers and the tracing provider). */
export function extensionProviderValues(providers: Array<Record<string, unknown>>): Record<string, unknown> {
  return providers.length ? { meshConfig: { extensionProviders: canonical(providers) } } : {};
}

/** The scalar meshConfig settings of `obs.istiodValues()` (access log file, enableTracing); its providers go to extensionProviderValues(). */
export function observabilityValues(obs: MeshObservability): Record<string, unknown> {
  const mc = obs.istiodValues().meshConfig as Record<string, unknown>;
  return canonical({ meshConfig: { accessLogFile: mc.accessLogFile, enableTracing: mc.enableTracing } }) as Record<string, unknown>;
}

/** `meshConfig.extensionProviders` of `obs.istiodValues()` (its tracing provider), copies. */
export function observabilityProviders(obs: MeshObservability): Array<Record<string, unknown>> {
  const mc = obs.istiodValues().meshConfig as Record<string, unknown>;
  return structuredClone((mc.extensionProviders as Array<Record<string, unknown>> | undefined) ?? []);
}

/**
 * The WorkloadEntry settings of `enableVmWorkloads()`, explicit (both default to true in 1.30; explicit so that a
 * default change cannot silently break VM onboarding).
 */
export function vmWorkloadValues(): Record<string, unknown> {
  return { pilot: { env: { PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: 'true', PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS: 'true' } } };
}

/** 10 hex digits of a hash of the settings injected pods only pick up when they are created (see podRestartAnnotation()). */
export function proxyConfigHash(id: IstiodIdentity, ca: CaSettings): string {
  const input = canonical({
    revision: id.revision ?? 'default',
    trustDomain: id.trustDomain,
    meshId: id.meshId,
    clusterName: id.clusterName,
    network: id.network ?? '',
    cni: id.cniEnabled,
    clusterDomain: id.clusterDomain,
    certSigners: ca.certSigners,
    caEnv: ca.env,
    proxyMetadata: ca.proxyMetadata,
  });
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 10);
}

/** A deep copy with object keys sorted and undefined values (and objects left empty by them) removed. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[k]);
      if (v === undefined) continue;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
      out[k] = v;
    }
    return out;
  }
  return value;
}
