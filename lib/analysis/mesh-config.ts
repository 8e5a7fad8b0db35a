import { parse } from 'yaml';
import { definedOnly, MeshSettings } from './context';

/**
 * The mesh settings of an Istio MeshConfig, in any of the shapes it is kept in: a MeshConfig document
 * (`rootNamespace: ...`), the `istio` ConfigMap (`data.mesh`), Helm values or an IstioOperator (`meshConfig:` /
 * `spec.meshConfig`), or an istiod HelmRelease (`spec.values.meshConfig`). Reads rootNamespace, trustDomain, defaultProviders.accessLogging,
 * the DNS address allocation of `defaultConfig.proxyMetadata` (and `global.proxy.clusterDomain` of Helm values); unknown fields are ignored. Throws when the document is none of these.
 */
export function meshSettingsFromConfig(doc: unknown): Partial<MeshSettings> {
  if (!isRecord(doc)) throw new Error('a MeshConfig must be a YAML mapping');
  if (doc.kind === 'ConfigMap') {
    const mesh = isRecord(doc.data) ? doc.data.mesh : undefined;
    if (typeof mesh !== 'string') throw new Error('the ConfigMap has no data.mesh (the istio ConfigMap keeps the MeshConfig there)');
    return meshSettingsFromConfig(parse(mesh) ?? {});
  }
  const values = isRecord(doc.spec) ? (isRecord(doc.spec.values) ? doc.spec.values : doc.spec) : doc;
  const mesh = isRecord(values.meshConfig) ? values.meshConfig : values;
  const text = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);
  const global = isRecord(values.global) ? values.global : {};
  const proxy = isRecord(global.proxy) ? global.proxy : {};
  const metadata = isRecord(mesh.defaultConfig) && isRecord(mesh.defaultConfig.proxyMetadata) ? mesh.defaultConfig.proxyMetadata : {};
  const on = (k: string) => String(metadata[k]).toLowerCase() === 'true';
  const allocation = on('ISTIO_META_DNS_CAPTURE') && (on('ISTIO_META_DNS_AUTO_ALLOCATE') || on('PILOT_ENABLE_IP_AUTOALLOCATE'));
  return definedOnly({
    rootNamespace: text(mesh.rootNamespace), trustDomain: text(mesh.trustDomain), clusterDomain: text(proxy.clusterDomain),
    serviceEntryAddressAllocation: allocation ? true : undefined,
    defaultAccessLogProviders: isRecord(mesh.defaultProviders) && Array.isArray(mesh.defaultProviders.accessLogging) && mesh.defaultProviders.accessLogging.length > 0 ? true : undefined,
  });
}

function isRecord(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
