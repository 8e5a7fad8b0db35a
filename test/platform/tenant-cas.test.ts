import { FindingSeverity } from '../../lib';
import { TenantCasChart } from '../../platform/charts/tenant-cas';
import { expectValidManifests } from '../util/schema';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: tenant-cas chart (S8)', () => {
  const { platform, manifestsOf, findingsOf } = analyzedPlatform();
  const chart = platform.production.tenantCas;
  const objs = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(TenantCasChart);
    expect(findingsOf(chart).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expectValidManifests(objs);
  });

  test('S8: three tenants with CA chain and ProxyConfig', () => {
    expect(objs.filter((m) => m.kind === 'ClusterIssuer').map((m) => m.metadata.name)).toEqual([
      'selfsigned-istio-system-issuer', 'istio-system', 'selfsigned-tenanta-issuer', 'tenanta', 'selfsigned-tenantb-issuer', 'tenantb',
    ]);
    expect(objs.filter((m) => m.kind === 'Certificate').map((m) => [m.metadata.namespace, m.spec.secretName, m.spec.isCA, m.spec.duration])).toEqual([
      ['cert-manager', 'istio-system-ca-selfsigned', true, '87600h'],
      ['cert-manager', 'tenanta-ca-selfsigned', true, '87600h'],
      ['cert-manager', 'tenantb-ca-selfsigned', true, '87600h'],
    ]);
    expect(objs.filter((m) => m.kind === 'ProxyConfig').map((m) => m.metadata.namespace)).toEqual(['istio-system', 'tenanta', 'tenantb']);
  });

  test('S8: the tenant namespaces exist, istio-system is left to the Istio installation', () => {
    expect(objs.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name)).toEqual(['tenanta', 'tenantb']);
  });
});
