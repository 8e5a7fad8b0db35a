import { Chart, Duration, Testing } from 'cdk8s';
import { Certificate, ClusterIssuer, Issuer, IssuerType, KeyAlgorithm, KeyRotationPolicy, KeyUsage } from '../../lib';
import { expectValidManifests } from '../util/schema';

function setup(namespace = 'istio-ingress') {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const issuer = new Issuer(chart, 'selfsigned', { type: IssuerType.selfSigned() });
  return { chart, issuer };
}

const cert = (o: any[]) => o.find((m) => m.kind === 'Certificate');

describe('Certificate', () => {
  test('default: ECDSA 256 rotated always, issuerRef from the IIssuer, cert-manager defaults for lifetime', () => {
    const { chart, issuer } = setup();
    const c = new Certificate(chart, 'gateway-cert', { issuer, secretName: 'gateway-ca-tls', dnsNames: ['example.com', 'tenanta.example.com'] });
    const manifests = Testing.synth(chart);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    const m = cert(manifests);
    expect(m.metadata).toEqual({ name: 'gateway-cert', namespace: 'istio-ingress' });
    expect(m.spec).toEqual({
      secretName: 'gateway-ca-tls',
      dnsNames: ['example.com', 'tenanta.example.com'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { name: 'selfsigned', kind: 'Issuer', group: 'cert-manager.io' },
    });
    expect(c.isCa).toBe(false);
    expect(m.spec.duration).toBeUndefined();
    expect(m.spec.renewBefore).toBeUndefined();
    expect(m.spec.usages).toBeUndefined();
  });

  test('CA certificate: 10 years as a Go duration, renewBefore, usages, ClusterIssuer ref', () => {
    const chart = new Chart(Testing.app(), 'test');
    const root = new ClusterIssuer(chart, 'root', { type: IssuerType.selfSigned() });
    new Certificate(chart, 'ca', {
      namespace: 'cert-manager', issuer: root, secretName: 'corp-ca', commonName: 'corp', isCa: true,
      duration: Duration.days(3650), renewBefore: Duration.days(30),
      privateKey: { algorithm: KeyAlgorithm.RSA, size: 4096, rotationPolicy: KeyRotationPolicy.NEVER },
      usages: [KeyUsage.CERT_SIGN, KeyUsage.CRL_SIGN],
    });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(cert(manifests).spec).toMatchObject({
      isCA: true, commonName: 'corp', duration: '87600h', renewBefore: '720h',
      privateKey: { algorithm: 'RSA', size: 4096, rotationPolicy: 'Never' },
      usages: ['cert sign', 'crl sign'],
      issuerRef: { name: 'root', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    });
  });

  test('Ed25519 has no size; addDnsName is lazy and idempotent', () => {
    const { chart, issuer } = setup();
    const c = new Certificate(chart, 'c', { issuer, secretName: 's', dnsNames: ['a.example.com'], privateKey: { algorithm: KeyAlgorithm.ED25519 } });
    c.addDnsName('*.example.com');
    c.addDnsName('a.example.com');
    const m = cert(Testing.synth(chart));
    expect(m.spec.privateKey).toEqual({ algorithm: 'Ed25519', rotationPolicy: 'Always' });
    expect(m.spec.dnsNames).toEqual(['a.example.com', '*.example.com']);
    expect(c.dnsNames).toEqual(['a.example.com', '*.example.com']);
  });

  test('RSA defaults to 2048 bits', () => {
    const { chart, issuer } = setup();
    new Certificate(chart, 'c', { issuer, secretName: 's', dnsNames: ['a.example.com'], privateKey: { algorithm: KeyAlgorithm.RSA } });
    expect(cert(Testing.synth(chart)).spec.privateKey).toEqual({ algorithm: 'RSA', size: 2048, rotationPolicy: 'Always' });
  });

  test('fails when a namespaced Issuer is in another namespace', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, namespace: 'shop', secretName: 's', dnsNames: ['a.example.com'] }))
      .toThrow(/\[test\/c\] 'issuer' is a namespaced Issuer in namespace "istio-ingress" and cannot sign in namespace "shop", got "selfsigned". Fix: create the Issuer in namespace "shop" or use a ClusterIssuer/);
  });

  test('fails on an invalid ECDSA size', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, secretName: 's', dnsNames: ['a.example.com'], privateKey: { size: 512 } }))
      .toThrow(/'privateKey.size' must be an ECDSA curve size: 256, 384 or 521, got 512. Fix:/);
  });

  test('fails on an RSA size below 2048', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, secretName: 's', dnsNames: ['a.example.com'], privateKey: { algorithm: KeyAlgorithm.RSA, size: 1024 } }))
      .toThrow(/'privateKey.size' must be an RSA key size from 2048 to 8192 bits, got 1024/);
  });

  test('fails on a size for Ed25519', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, secretName: 's', dnsNames: ['a.example.com'], privateKey: { algorithm: KeyAlgorithm.ED25519, size: 256 } }))
      .toThrow(/'privateKey.size' must not be set for Ed25519.*got 256. Fix: remove size/);
  });

  test('fails without dnsNames or commonName', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, secretName: 's' })).toThrow(/'dnsNames' or commonName must be set, got \[\]. Fix:/);
  });

  test('fails on an invalid DNS name', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, secretName: 's', dnsNames: ['Example.com'] }))
      .toThrow(/'dnsNames' must contain DNS names.*got "Example.com"/);
  });

  test('fails on a duration under one hour', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, secretName: 's', dnsNames: ['a.example.com'], duration: Duration.minutes(30) }))
      .toThrow(/'duration' must be at least 1 hour \(cert-manager's minimum\), got "30 minutes". Fix: pass Duration.hours\(1\) or more/);
  });

  test('fails when renewBefore is not shorter than duration', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, secretName: 's', dnsNames: ['a.example.com'], duration: Duration.days(1), renewBefore: Duration.days(2) }))
      .toThrow(/'renewBefore' must be shorter than the duration \(24h\), got "2 days"/);
  });

  test('fails when renewBefore exceeds the default 90 days', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, secretName: 's', dnsNames: ['a.example.com'], renewBefore: Duration.days(100) }))
      .toThrow(/'renewBefore' must be shorter than the duration \(2160h\)/);
  });

  test('fails on a commonName over 64 characters', () => {
    const { chart, issuer } = setup();
    expect(() => new Certificate(chart, 'c', { issuer, secretName: 's', commonName: 'x'.repeat(65) }))
      .toThrow(/'commonName' must have 1 to 64 characters/);
  });
});
