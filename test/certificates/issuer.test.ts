import { Testing } from 'cdk8s';
import { AcmeServer, AcmeSolver, Issuer, IssuerKind, IssuerType } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';

describe('Issuer', () => {
  test('default: selfSigned in the chart namespace, named after the id', () => {
    const c = chart('istio-ingress');
    const issuer = new Issuer(c, 'selfsigned', { type: IssuerType.selfSigned() });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests[0]).toMatchObject({
      apiVersion: 'cert-manager.io/v1', kind: 'Issuer',
      metadata: { name: 'selfsigned', namespace: 'istio-ingress' },
      spec: { selfSigned: {} },
    });
    expect(issuer.kind).toBe(IssuerKind.ISSUER);
    expect(issuer.namespace).toBe('istio-ingress');
  });

  test('namespace defaults to "default" without a chart namespace', () => {
    const c = chart();
    expect(new Issuer(c, 'x', { type: IssuerType.selfSigned() }).namespace).toBe('default');
  });

  test('CA issuer references its secret by name only', () => {
    const c = chart('shop');
    new Issuer(c, 'ca', { name: 'shop-ca', type: IssuerType.ca({ secretName: 'shop-ca-keypair' }) });
    const [m] = Testing.synth(c);
    expect(m.spec).toEqual({ ca: { secretName: 'shop-ca-keypair' } });
    expect(m.metadata.name).toBe('shop-ca');
  });

  test('ACME with Istio HTTP-01, Gateway API HTTP-01 and DNS-01 solvers', () => {
    const c = chart('istio-ingress');
    new Issuer(c, 'letsencrypt', {
      type: IssuerType.acme({
        server: AcmeServer.LETS_ENCRYPT_STAGING,
        email: 'platform@example.com',
        privateKeySecretName: 'letsencrypt-account',
        solvers: [
          AcmeSolver.http01Istio({ dnsZones: ['example.com'] }),
          AcmeSolver.http01GatewayHttpRoute({ parentRefs: [{ name: 'public', namespace: 'istio-ingress', sectionName: 'http' }] }),
          AcmeSolver.dns01Cloudflare({ apiToken: { secretName: 'cloudflare' }, dnsNames: ['*.example.com'] }),
          AcmeSolver.dns01Route53({ region: 'eu-west-1' }),
          AcmeSolver.http01Ingress({ ingressClassName: 'nginx' }),
        ],
      }),
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    const acme = manifests[0].spec.acme;
    expect(acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(acme.privateKeySecretRef).toEqual({ name: 'letsencrypt-account' });
    expect(acme.solvers[0]).toEqual({ http01: { ingress: { class: 'istio' } }, selector: { dnsZones: ['example.com'] } });
    expect(acme.solvers[1].http01.gatewayHTTPRoute.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'istio-ingress', sectionName: 'http' },
    ]);
    expect(acme.solvers[2]).toEqual({
      dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare', key: 'api-token' } } },
      selector: { dnsNames: ['*.example.com'] },
    });
    expect(acme.solvers[3]).toEqual({ dns01: { route53: { region: 'eu-west-1' } } });
    expect(acme.solvers[4]).toEqual({ http01: { ingress: { ingressClassName: 'nginx' } } });
  });

  test('fromIssuerName refers to an existing Issuer', () => {
    expect(Issuer.fromIssuerName('corp', 'shop')).toEqual({ name: 'corp', namespace: 'shop', kind: IssuerKind.ISSUER });
  });

  test('fails on an http ACME server', () => {
    const c = chart('x');
    expect(() => new Issuer(c, 'acme', {
      type: IssuerType.acme({ server: AcmeServer.of('http://acme.local/dir'), email: 'a@example.com', privateKeySecretName: 'k', solvers: [AcmeSolver.http01Istio()] }),
    })).toThrow(/\[test\/acme\] 'type.acme.server' must be an https:\/\/ ACME directory URL, got "http:\/\/acme.local\/dir". Fix: /);
  });

  test('fails on a bad e-mail', () => {
    const c = chart('x');
    expect(() => new Issuer(c, 'acme', {
      type: IssuerType.acme({ server: AcmeServer.LETS_ENCRYPT, email: 'nobody', privateKeySecretName: 'k', solvers: [AcmeSolver.http01Istio()] }),
    })).toThrow(/'type.acme.email' must be an e-mail address, got "nobody". Fix:/);
  });

  test('fails on ACME without solvers', () => {
    const c = chart('x');
    expect(() => new Issuer(c, 'acme', {
      type: IssuerType.acme({ server: AcmeServer.LETS_ENCRYPT, email: 'a@example.com', privateKeySecretName: 'k', solvers: [] }),
    })).toThrow(/'type.acme.solvers' must contain at least one solver, got \[\]. Fix: add a solver/);
  });

  test('fails on an ingress solver with both or neither class fields', () => {
    const c = chart('x');
    expect(() => new Issuer(c, 'acme', {
      type: IssuerType.acme({ server: AcmeServer.LETS_ENCRYPT, email: 'a@example.com', privateKeySecretName: 'k', solvers: [AcmeSolver.http01Ingress({})] }),
    })).toThrow(/'type.acme.solvers\[0\].ingressClassName' needs exactly one of ingressClassName and ingressClass/);
  });

  test('fails on a Gateway API solver without parents', () => {
    const c = chart('x');
    expect(() => new Issuer(c, 'acme', {
      type: IssuerType.acme({ server: AcmeServer.LETS_ENCRYPT, email: 'a@example.com', privateKeySecretName: 'k', solvers: [AcmeSolver.http01GatewayHttpRoute({ parentRefs: [] })] }),
    })).toThrow(/'type.acme.solvers\[0\].parentRefs' must name at least one Gateway/);
  });

  test('fails on an invalid CA secret name', () => {
    const c = chart('x');
    expect(() => new Issuer(c, 'ca', { type: IssuerType.ca({ secretName: 'Bad_Name' }) }))
      .toThrow(/'type.ca.secretName' must be a DNS-1123 subdomain.*got "Bad_Name". Fix: use a name like "bad-name"/);
  });
});
