import { Duration, Testing } from 'cdk8s';
import { KeyAlgorithm, TenantCertificateAuthority } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { chart, find, ofKind } from '../util/synth';

describe('TenantCertificateAuthority', () => {
  test('S8: per tenant selfSigned ClusterIssuer -> CA Certificate in cert-manager -> CA ClusterIssuer, plus ProxyConfig', () => {
    const c = chart(undefined, 'tenant-cas');
    const cas = new TenantCertificateAuthority(c, 'cas', { tenants: ['istio-system', 'tenanta', 'tenantb'] });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);

    expect(find(manifests, 'ClusterIssuer', 'selfsigned-tenanta-issuer')).toEqual({
      apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'selfsigned-tenanta-issuer' }, spec: { selfSigned: {} },
    });
    expect(find(manifests, 'Certificate', 'tenanta-ca')).toEqual({
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate',
      metadata: { name: 'tenanta-ca', namespace: 'cert-manager' },
      spec: {
        isCA: true, commonName: 'tenanta', secretName: 'tenanta-ca-selfsigned', duration: '87600h',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        issuerRef: { name: 'selfsigned-tenanta-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      },
    });
    expect(find(manifests, 'ClusterIssuer', 'tenanta').spec).toEqual({ ca: { secretName: 'tenanta-ca-selfsigned' } });
    expect(ofKind(manifests, 'ProxyConfig').map((m) => [m.metadata.namespace, m.spec])).toEqual([
      ['istio-system', { environmentVariables: { ISTIO_META_CERT_SIGNER: 'istio-system' } }],
      ['tenanta', { environmentVariables: { ISTIO_META_CERT_SIGNER: 'tenanta' } }],
      ['tenantb', { environmentVariables: { ISTIO_META_CERT_SIGNER: 'tenantb' } }],
    ]);
    expect(find(manifests, 'ProxyConfig', 'cert-signer', 'istio-system').apiVersion).toBe('networking.istio.io/v1beta1');
    expect(find(manifests, 'ClusterRole', 'istiod-tenant-cert-signers').rules).toEqual([{
      apiGroups: ['certificates.k8s.io'], resources: ['signers'], verbs: ['approve'],
      resourceNames: ['clusterissuers.cert-manager.io/istio-system', 'clusterissuers.cert-manager.io/tenanta', 'clusterissuers.cert-manager.io/tenantb'],
    }]);
    expect(find(manifests, 'ClusterRoleBinding', 'istiod-tenant-cert-signers').subjects).toEqual([{ kind: 'ServiceAccount', name: 'istiod', namespace: 'istio-system' }]);
    expect(cas.tenants.map((t) => t.signerName)).toEqual([
      'clusterissuers.cert-manager.io/istio-system', 'clusterissuers.cert-manager.io/tenanta', 'clusterissuers.cert-manager.io/tenantb',
    ]);
  });

  test('istiodConfiguration exposes certSigners, EXTERNAL_CA, caCertificates sources and Helm values', () => {
    const cas = new TenantCertificateAuthority(chart(undefined, 'tenant-cas'), 'cas', { tenants: ['istio-system', 'tenanta'] });
    const cfg = cas.istiodConfiguration();
    expect(cfg.certSigners).toEqual(['clusterissuers.cert-manager.io/istio-system', 'clusterissuers.cert-manager.io/tenanta']);
    expect(cfg.env).toEqual({
      EXTERNAL_CA: 'ISTIOD_RA_KUBERNETES_API',
      CERT_SIGNER_DOMAIN: 'clusterissuers.cert-manager.io',
      PILOT_CERT_PROVIDER: 'k8s.io/clusterissuers.cert-manager.io/istio-system',
    });
    expect(cfg.proxyMetadata).toEqual({ ISTIO_META_CERT_SIGNER: 'istio-system' });
    expect(cfg.caCertificateSources[1]).toEqual({
      certSigners: ['clusterissuers.cert-manager.io/tenanta'], namespace: 'cert-manager', secretName: 'tenanta-ca-selfsigned', key: 'ca.crt',
    });
    const values = cfg.helmValues({ tenanta: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n' });
    expect(values.pilot.env.EXTERNAL_CA).toBe('ISTIOD_RA_KUBERNETES_API');
    expect(values.meshConfig.defaultConfig).toEqual({ proxyMetadata: { ISTIO_META_CERT_SIGNER: 'istio-system' } });
    expect(values.meshConfig.caCertificates).toEqual([
      { pem: '<PEM of secret cert-manager/istio-system-ca-selfsigned key ca.crt>', certSigners: ['clusterissuers.cert-manager.io/istio-system'] },
      { pem: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n', certSigners: ['clusterissuers.cert-manager.io/tenanta'] },
    ]);
  });

  test('without the root namespace as tenant there is no default signer', () => {
    const cas = new TenantCertificateAuthority(chart(undefined, 'tenant-cas'), 'cas', { tenants: ['tenanta'] });
    const cfg = cas.istiodConfiguration();
    expect(cfg.env.PILOT_CERT_PROVIDER).toBeUndefined();
    expect(cfg.proxyMetadata).toEqual({});
    expect(cfg.helmValues().meshConfig.defaultConfig).toBeUndefined();
  });

  test('addTenant later is included in the lazily rendered ClusterRole; custom namespace, duration and key', () => {
    const c = chart(undefined, 'tenant-cas');
    const cas = new TenantCertificateAuthority(c, 'cas', {
      certManagerNamespace: 'pki', caDuration: Duration.days(365), caPrivateKey: { algorithm: KeyAlgorithm.ECDSA, size: 384 }, istiodServiceAccount: 'istiod-canary',
    });
    const t = cas.addTenant('tenantc');
    expect(t.issuer.name).toBe('tenantc');
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(find(manifests, 'ClusterRole').rules[0].resourceNames).toEqual(['clusterissuers.cert-manager.io/tenantc']);
    expect(find(manifests, 'Certificate')).toMatchObject({
      metadata: { namespace: 'pki' }, spec: { duration: '8760h', privateKey: { size: 384 } },
    });
    expect(find(manifests, 'ClusterRoleBinding').subjects[0].name).toBe('istiod-canary');
  });

  test('defaults: cert-manager namespace, istio-system root, istiod service account', () => {
    const cas = new TenantCertificateAuthority(chart(undefined, 'tenant-cas'), 'cas', { tenants: ['a'] });
    expect(cas.certManagerNamespace).toBe('cert-manager');
    expect(cas.istioNamespace).toBe('istio-system');
  });

  test('fails on a duplicate tenant', () => {
    const cas = new TenantCertificateAuthority(chart(undefined, 'tenant-cas'), 'cas', { tenants: ['tenanta'] });
    expect(() => cas.addTenant('tenanta')).toThrow(/\[tenant-cas\/cas\] 'tenants' must be unique, got "tenanta". Fix: add tenant "tenanta" once/);
  });

  test('fails on an invalid tenant namespace', () => {
    expect(() => new TenantCertificateAuthority(chart(undefined, 'tenant-cas'), 'cas', { tenants: ['Tenant_A'] })).toThrow(/'tenants' must be a DNS-1123 label.*got "Tenant_A"/);
  });

  test('fails synthesis without tenants', () => {
    const c = chart(undefined, 'tenant-cas');
    new TenantCertificateAuthority(c, 'cas');
    expect(() => Testing.synth(c)).toThrow(/TenantCertificateAuthority has no tenant. Fix: pass tenants/);
  });
});
