import { Chart, Testing } from 'cdk8s';
import {
  analyze, Certificate, ClusterIssuer, GatewayCredential, GatewayTlsMode, Issuer, IssuerType, Gateway, TlsProtocolVersion,
} from '../../lib';
import { WARNING_METADATA } from '../../lib/private/warnings';
import { expectValidManifests } from '../util/schema';

function setup() {
  const app = Testing.app();
  const chart = new Chart(app, 'ingress', { namespace: 'istio-ingress' });
  const issuer = new Issuer(chart, 'selfsigned', { type: IssuerType.selfSigned() });
  const gateway = new Gateway(chart, 'mygateway', {
    hosts: ['tenanta.example.com', 'tenantb.example.com'], defaultHttpServer: false, workloadNamespace: 'istio-ingress',
  });
  return { app, chart, issuer, gateway };
}

const gatewayOf = (manifests: any[]) => manifests.find((m) => m.kind === 'Gateway');

describe('Gateway HTTPS servers', () => {
  test('default: SIMPLE on 443 with a Certificate issued in the gateway workload namespace for the server hosts', () => {
    const { app, chart, issuer, gateway } = setup();
    const server = gateway.addHttpsServer({ credential: GatewayCredential.issue({ issuer }) });
    const manifests = Testing.synth(chart);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(gatewayOf(manifests).spec.servers).toEqual([{
      name: 'https-443',
      port: { number: 443, name: 'https-443', protocol: 'HTTPS' },
      hosts: ['tenanta.example.com', 'tenantb.example.com'],
      tls: { mode: 'SIMPLE', credentialName: 'mygateway-https-443-tls' },
    }]);
    const cert = manifests.find((m) => m.kind === 'Certificate');
    expect(cert.metadata).toEqual({ name: 'mygateway-https-443-tls', namespace: 'istio-ingress' });
    expect(cert.spec.dnsNames).toEqual(['tenanta.example.com', 'tenantb.example.com']);
    expect(server.credentialName).toBe('mygateway-https-443-tls');
    expect(server.certificate!.namespace).toBe('istio-ingress');
    expect(server.redirect).toBeUndefined();
    expect(analyze(app).errors).toEqual([]);
  });

  test('the Certificate follows the workload namespace, not the Gateway object namespace', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const root = new ClusterIssuer(chart, 'corp', { type: IssuerType.ca({ secretName: 'corp-ca' }) });
    const gateway = new Gateway(chart, 'gw', { hosts: ['shop.example.com'], defaultHttpServer: false });
    gateway.addHttpsServer({ credential: GatewayCredential.issue({ issuer: root, secretName: 'shop-tls' }) });
    const manifests = Testing.synth(chart);
    expect(gatewayOf(manifests).metadata.namespace).toBe('shop');
    expect(manifests.find((m) => m.kind === 'Certificate').metadata.namespace).toBe('istio-system');
    expect(analyze(app).errors).toEqual([]);
  });

  test('S7: SIMPLE with gateway-ca-tls (ECDSA 256, three names) plus HTTP->HTTPS redirect', () => {
    const { app, chart, issuer, gateway } = setup();
    const server = gateway.addHttpsServer({
      credential: GatewayCredential.issue({ issuer, name: 'gateway-cert', secretName: 'gateway-ca-tls', dnsNames: ['example.com', 'tenanta.example.com', 'tenantb.example.com'] }),
      redirectHttp: true,
    });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(gatewayOf(manifests).spec.servers).toEqual([
      { name: 'https-443', port: { number: 443, name: 'https-443', protocol: 'HTTPS' }, hosts: ['tenanta.example.com', 'tenantb.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'gateway-ca-tls' } },
      { name: 'http-redirect-80', port: { number: 80, name: 'http-redirect-80', protocol: 'HTTP' }, hosts: ['tenanta.example.com', 'tenantb.example.com'],
        tls: { httpsRedirect: true } },
    ]);
    expect(manifests.find((m) => m.kind === 'Certificate').spec).toMatchObject({
      secretName: 'gateway-ca-tls', dnsNames: ['example.com', 'tenanta.example.com', 'tenantb.example.com'],
      privateKey: { algorithm: 'ECDSA', size: 256 }, issuerRef: { name: 'selfsigned', kind: 'Issuer' },
    });
    expect(server.redirect!.name).toBe('http-redirect-80');
    expect(analyze(app).errors).toEqual([]);
  });

  test('MUTUAL with a separate client CA, client SANs and TLS 1.3', () => {
    const { app, chart, issuer, gateway } = setup();
    const clientCa = new Certificate(chart, 'client-ca', { issuer, secretName: 'client-ca', commonName: 'clients', isCa: true });
    gateway.addHttpsServer({
      credential: GatewayCredential.issue({ issuer, secretName: 'mtls' }),
      mode: GatewayTlsMode.MUTUAL,
      clientCa: GatewayCredential.fromCertificate(clientCa),
      clientSubjectAltNames: ['spiffe://partner/ns/a/sa/b'],
      minProtocolVersion: TlsProtocolVersion.TLS_V1_3,
    });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(gatewayOf(manifests).spec.servers[0].tls).toEqual({
      mode: 'MUTUAL', credentialName: 'mtls', caCertCredentialName: 'client-ca', subjectAltNames: ['spiffe://partner/ns/a/sa/b'], minProtocolVersion: 'TLSV1_3',
    });
    expect(analyze(app).errors).toEqual([]);
  });

  test('MUTUAL with the CA of the credential secret (ca.crt)', () => {
    const { chart, issuer, gateway } = setup();
    gateway.addHttpsServer({ credential: GatewayCredential.issue({ issuer, secretName: 'mtls' }), mode: GatewayTlsMode.MUTUAL });
    expect(gatewayOf(Testing.synth(chart)).spec.servers[0].tls).toEqual({ mode: 'MUTUAL', credentialName: 'mtls' });
  });

  test('PASSTHROUGH routes by SNI on a TLS port', () => {
    const { chart, gateway } = setup();
    gateway.addTlsPassthroughServer({ hosts: ['nginx.example.com'] });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(gatewayOf(manifests).spec.servers).toEqual([{
      name: 'tls-443', port: { number: 443, name: 'tls-443', protocol: 'TLS' }, hosts: ['nginx.example.com'], tls: { mode: 'PASSTHROUGH' },
    }]);
  });

  test('fromExternalSecret is exempt from the credential check; fromSecretName is checked', () => {
    const { app, gateway } = setup();
    gateway.addHttpsServer({ credential: GatewayCredential.fromExternalSecret('vault-tls'), hosts: ['tenanta.example.com'] });
    gateway.addHttpsServer({ credential: GatewayCredential.fromSecretName('nowhere-tls'), hosts: ['tenantb.example.com'], port: 8443 });
    const errors = analyze(app).errors;
    expect(errors.map((e) => e.rule)).toEqual(['gateway-credential']);
    expect(errors[0].message).toMatch(/'credentialName' "nowhere-tls" is not produced/);
  });

  test('warns when a given Certificate does not cover the server hosts', () => {
    const { chart, issuer, gateway } = setup();
    const cert = new Certificate(chart, 'only-a', { issuer, secretName: 'only-a', dnsNames: ['tenanta.example.com'] });
    gateway.addHttpsServer({ credential: GatewayCredential.fromCertificate(cert) });
    const warnings = gateway.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => m.data);
    expect(warnings).toEqual([expect.stringMatching(/hosts tenantb.example.com are not in the DNS names of Certificate "only-a".*\[gateway-tls:host-not-in-certificate\]/)]);
  });

  test('fails when a given Certificate is not in the gateway workload namespace', () => {
    const { chart, gateway } = setup();
    const other = new ClusterIssuer(chart, 'root', { type: IssuerType.selfSigned() });
    const cert = new Certificate(chart, 'elsewhere', { issuer: other, namespace: 'shop', secretName: 'x', dnsNames: ['tenanta.example.com'] });
    expect(() => gateway.addHttpsServer({ credential: GatewayCredential.fromCertificate(cert) }))
      .toThrow(/\[ingress\/mygateway\] 'addHttpsServer\(https-443\).credential' is a Certificate in namespace "shop", but the gateway pods run in "istio-ingress".*Fix: create the Certificate with namespace: "istio-ingress"/);
  });

  test('fails when issuing for host * without dnsNames', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'istio-system' });
    const gateway = new Gateway(chart, 'gw', { defaultHttpServer: false });
    const issuer = ClusterIssuer.fromClusterIssuerName('letsencrypt');
    expect(() => gateway.addHttpsServer({ credential: GatewayCredential.issue({ issuer }) }))
      .toThrow(/'addHttpsServer\(https-443\).credential.dnsNames' cannot be derived from server host '\*'.*Fix: pass dnsNames/);
  });

  test('fails on clientCa with SIMPLE', () => {
    const { issuer, gateway } = setup();
    expect(() => gateway.addHttpsServer({ credential: GatewayCredential.issue({ issuer }), clientCa: GatewayCredential.fromSecretName('ca') }))
      .toThrow(/'addHttpsServer\(https-443\).clientCa' only applies to MUTUAL or OPTIONAL_MUTUAL, got "SIMPLE". Fix: set mode: GatewayTlsMode.MUTUAL/);
  });

  test('fails on a PASSTHROUGH server for every host', () => {
    const { gateway } = setup();
    expect(() => gateway.addTlsPassthroughServer({ hosts: ['*'] })).toThrow(/'addTlsPassthroughServer\(tls-443\).hosts' must name the SNI hosts/);
  });

  test('fails on an HTTPS server on a port already used for HTTP', () => {
    const { issuer, gateway } = setup();
    gateway.addHttpServer({ port: 8080 });
    expect(() => gateway.addHttpsServer({ credential: GatewayCredential.issue({ issuer }), port: 8080 })).toThrow(/'servers\[1\].port' is already used by server 'http-8080'/);
  });
});

describe('Gateway plain HTTP beside TLS (explicit only)', () => {
  const http80 = (hosts: string[], redirect = false) => ({
    name: redirect ? 'http-redirect-80' : 'http-80', port: { number: 80, name: redirect ? 'http-redirect-80' : 'http-80', protocol: 'HTTP' }, hosts,
    ...(redirect ? { tls: { httpsRedirect: true } } : {}),
  });
  const build = (props: { defaultHttpServer?: boolean; hosts?: string[] }) => {
    const chart = new Chart(Testing.app(), 'ingress', { namespace: 'istio-system' });
    const gateway = new Gateway(chart, 'gw', { hosts: props.hosts ?? ['shop.example.com'], defaultHttpServer: props.defaultHttpServer });
    return { chart, gateway, credential: GatewayCredential.fromExternalSecret('shop-tls') };
  };
  const serversOf = (chart: Chart) => {
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    return gatewayOf(manifests).spec.servers;
  };

  test('an HTTPS server replaces the implicit plaintext server', () => {
    const { chart, gateway, credential } = build({});
    gateway.addHttpsServer({ credential });
    expect(serversOf(chart).map((s: any) => s.name)).toEqual(['https-443']);
    expect(gateway.hosts).toEqual(['shop.example.com']);
  });

  test('a TLS passthrough or TCP server replaces the implicit plaintext server too', () => {
    const { chart, gateway } = build({});
    gateway.addTlsPassthroughServer({ hosts: ['db.example.com'] });
    expect(serversOf(chart).map((s: any) => s.name)).toEqual(['tls-443']);
  });

  test('redirectHttp: the plaintext server is a redirect for the HTTPS hosts', () => {
    const { chart, gateway, credential } = build({});
    gateway.addHttpsServer({ credential, redirectHttp: true });
    expect(serversOf(chart)[1]).toEqual(http80(['shop.example.com'], true));
  });

  test('defaultHttpServer: true keeps plaintext beside HTTPS (explicit), and redirectHttp takes its hosts over', () => {
    const kept = build({ defaultHttpServer: true });
    kept.gateway.addHttpsServer({ credential: kept.credential });
    expect(serversOf(kept.chart).map((s: any) => s.name)).toEqual(['http-80', 'https-443']);

    const redirected = build({ defaultHttpServer: true, hosts: ['shop.example.com', 'blog.example.com'] });
    redirected.gateway.addHttpsServer({ credential: redirected.credential, hosts: ['shop.example.com'], redirectHttp: true });
    expect(serversOf(redirected.chart)).toEqual([
      http80(['blog.example.com']),
      expect.objectContaining({ name: 'https-443', hosts: ['shop.example.com'] }),
      http80(['shop.example.com'], true),
    ]);
  });

  test('an explicit HTTP server stays beside HTTPS', () => {
    const { chart, gateway, credential } = build({ defaultHttpServer: false });
    gateway.addHttpServer({ hosts: ['status.example.com'] });
    gateway.addHttpsServer({ credential });
    expect(serversOf(chart).map((s: any) => s.name)).toEqual(['http-80', 'https-443']);
  });

  test('an HTTPS server and a PASSTHROUGH server share port 443 with different hosts (told apart by SNI)', () => {
    const { chart, gateway, credential } = build({});
    gateway.addHttpsServer({ credential });
    gateway.addTlsPassthroughServer({ hosts: ['db.example.com'] });
    expect(serversOf(chart).map((s: any) => [s.name, s.port.number, s.port.protocol])).toEqual([['https-443', 443, 'HTTPS'], ['tls-443', 443, 'TLS']]);
    expect(() => gateway.addTlsPassthroughServer({ hosts: ['shop.example.com'], name: 'tls-shop' })).toThrow(/'servers\[2\].hosts' overlaps server 'https-443' on port 443/);
  });
});
