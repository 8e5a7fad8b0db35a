import { ApiObject, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { analyze, Certificate, ExternalProtocol, ServiceEntry, Issuer, IssuerType, TlsMode } from '../../lib';

function gateway(chart: Chart, credentialName: string, extra: Record<string, unknown> = {}) {
  new ApiObject(chart, `gw-${credentialName}`, {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: `gw-${credentialName}` },
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'SIMPLE', credentialName, ...extra } }] },
  } as any);
}

describe('gateway-credential rule', () => {
  test('passes when a Certificate in the gateway namespace writes the credential', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'istio-system' });
    const issuer = new Issuer(chart, 'i', { type: IssuerType.selfSigned() });
    new Certificate(chart, 'cert', { issuer, secretName: 'a-tls', dnsNames: ['a.example.com'] });
    gateway(chart, 'a-tls');
    expect(analyze(app).errors).toEqual([]);
  });

  test('fails when no Certificate produces the credential, naming where it is written instead', () => {
    const app = Testing.app();
    const gw = new Chart(app, 'gw', { namespace: 'istio-system' });
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const issuer = new Issuer(shop, 'i', { type: IssuerType.selfSigned() });
    new Certificate(shop, 'cert', { issuer, secretName: 'a-tls', dnsNames: ['a.example.com'] });
    gateway(gw, 'a-tls');
    const errors = analyze(app).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ rule: 'gateway-credential', path: 'gw/gw-a-tls' });
    expect(errors[0].message).toMatch(/'credentialName' "a-tls" is not produced by any cert-manager Certificate in namespace "istio-system".*\(a Certificate writes it in "shop", which the gateway cannot read\). Fix: /);
  });

  test('checks caCertCredentialName too', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'istio-system' });
    const issuer = new Issuer(chart, 'i', { type: IssuerType.selfSigned() });
    new Certificate(chart, 'cert', { issuer, secretName: 'a-tls', dnsNames: ['a.example.com'] });
    gateway(chart, 'a-tls', { mode: 'MUTUAL', caCertCredentialName: 'client-ca' });
    expect(analyze(app).errors.map((e) => e.message)).toEqual([expect.stringMatching(/'caCertCredentialName' "client-ca" is not produced/)]);
  });
});

describe('destination-rule-ca-certificates rule (IST0128)', () => {
  function setup(tls: any) {
    const app = Testing.app();
    const chart = new Chart(app, 'egress', { namespace: 'shop' });
    const svc = new ServiceEntry(chart, 'api', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
    // A sidecar reads a credentialName only through a DestinationRule with a workloadSelector: give it a client.
    const client = tls.credentialName ? Object.assign(new Construct(chart, 'sleep'), { namespace: 'shop', labels: { app: 'sleep' } }) : undefined;
    svc.originateTls({ tls, client });
    return app;
  }

  test('warns on SIMPLE without caCertificates, in Istio wording', () => {
    const warnings = analyze(setup({ mode: TlsMode.SIMPLE })).warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ rule: 'destination-rule-ca-certificates', path: 'egress/api/Tlsapi.example.com:*' });
    expect(warnings[0].message).toMatch(
      /^DestinationRule api-tls in namespace shop has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: api.example.com \(Istio IST0128\). Fix: /);
  });

  test('does not warn with caCertificates or a credentialName', () => {
    expect(analyze(setup({ mode: TlsMode.SIMPLE, caCertificates: '/etc/ssl/certs/ca-certificates.crt' })).warnings).toEqual([]);
    expect(analyze(setup({ mode: TlsMode.MUTUAL, credentialName: 'client-tls' })).warnings).toEqual([]);
  });

  test('warns per port (IST0129) and ignores in-cluster hosts', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    new ApiObject(chart, 'ext', {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'ext' },
      spec: { host: 'api.example.com', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'MUTUAL', clientCertificate: '/c', privateKey: '/k' } }] } },
    } as any);
    new ApiObject(chart, 'int', {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'int' },
      spec: { host: 'db.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'SIMPLE' } } },
    } as any);
    const warnings = analyze(app).warnings.filter((w) => w.rule === 'destination-rule-ca-certificates');
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/DestinationRule ext in namespace shop has TLS mode set to MUTUAL .* host: api.example.com at port 80 \(Istio IST0129\)/)]);
  });
});

describe('certificate-secret-unique rule', () => {
  test('fails when two Certificates write one Secret in one namespace', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'istio-system' });
    const issuer = new Issuer(chart, 'i', { type: IssuerType.selfSigned() });
    new Certificate(chart, 'one', { issuer, secretName: 'shared', dnsNames: ['a.example.com'] });
    new Certificate(chart, 'two', { issuer, secretName: 'shared', dnsNames: ['b.example.com'] });
    const errors = analyze(app).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ rule: 'certificate-secret-unique', path: 'c/two/Resource' });
    expect(errors[0].message).toMatch(/Certificate writes Secret "shared" in namespace "istio-system", which Certificate \[c\/one\/Resource\] also writes.*Fix: give one of them another secretName/);
  });

  test('passes for the same secret name in different namespaces', () => {
    const app = Testing.app();
    for (const ns of ['a', 'b']) {
      const chart = new Chart(app, ns, { namespace: ns });
      const issuer = new Issuer(chart, 'i', { type: IssuerType.selfSigned() });
      new Certificate(chart, 'tls', { issuer, secretName: 'tls', dnsNames: [`${ns}.example.com`] });
    }
    expect(analyze(app).errors).toEqual([]);
  });
});
