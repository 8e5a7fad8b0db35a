/**
 * Certificates and JWT: DNS names a CA refuses (labels over 63 characters, IP addresses), JWT rules Istio cannot get
 * keys for (no key source and an issuer that is not an https URL), keys fetched over plain http, and `requireJwt`
 * hosts that a port in the Host header would get around.
 */
import { Certificate, Issuer, IssuerType, MeshPeer, RequestAuthentication } from '../../lib';
import { Build, expectAccepted, expectRejected, expectWarning, meshErr } from './helpers';

const cert = (c: any, dnsNames: string[]) =>
  new Certificate(c, 'cert', { issuer: new Issuer(c, 'issuer', { type: IssuerType.selfSigned() }), secretName: 'cert-tls', dnsNames });
const jwt = (c: any, rule: { issuer: string; jwksUri?: string; jwks?: string }) =>
  new RequestAuthentication(c, 'jwt', { workload: MeshPeer.ingressGateway(), jwtRules: [rule] });
const LABEL64 = 'a'.repeat(64);

const cases: Array<[string, Build, RegExp]> = [
  ['a DNS name with a 64-character label', (c) => cert(c, [`${LABEL64}.example.com`]),
    meshErr('test/cert', 'dnsNames', `"${LABEL64}.example.com"`, 'shorten the label')],
  ['a wildcard DNS name with a 64-character label', (c) => cert(c, [`*.${LABEL64}.com`]),
    meshErr('test/cert', 'dnsNames', `"*.${LABEL64}.com"`, 'shorten the label')],
  ['an IPv4 address in dnsNames', (c) => cert(c, ['shop.example.com', '10.0.0.1']),
    meshErr('test/cert', 'dnsNames', '"10.0.0.1"', 'move it to ipAddresses: ["10.0.0.1"]')],
  ['an IPv6 address in dnsNames', (c) => cert(c, ['2001:db8::1']),
    meshErr('test/cert', 'dnsNames', '"2001:db8::1"', 'move it to ipAddresses: ["2001:db8::1"]')],
  ['an IP address added with addDnsName()', (c) => cert(c, ['shop.example.com']).addDnsName('192.168.1.7'),
    meshErr('test/cert', 'dnsNames', '"192.168.1.7"', 'move it to ipAddresses')],
  ['an upper-case DNS name', (c) => cert(c, ['Shop.example.com']),
    meshErr('test/cert', 'dnsNames', '"Shop.example.com"', 'use a name like "app.example.com"')],
  ['a JWT rule without keys whose issuer is not a URL', (c) => jwt(c, { issuer: 'testing@secure.istio.io' }),
    meshErr('test/jwt', 'jwtRules[0].jwksUri', '"testing@secure.istio.io"', 'pass jwksUri (the URL of the issuer\'s key set) or jwks')],
  ['a JWT rule without keys whose issuer is an http URL', (c) => jwt(c, { issuer: 'http://issuer.example.com' }),
    meshErr('test/jwt', 'jwtRules[0].jwksUri', '"http://issuer.example.com"', 'pass jwksUri')],
  ['a jwksUri over plain http', (c) => jwt(c, { issuer: 'https://issuer.example.com', jwksUri: 'http://issuer.example.com/jwks.json' }),
    meshErr('test/jwt', 'jwtRules[0].jwksUri', '"http://issuer.example.com/jwks.json"', 'use "https://issuer.example.com/jwks.json"')],
  ['a jwksUri over plain http to an IP address', (c) => jwt(c, { issuer: 'https://issuer.example.com', jwksUri: 'HTTP://203.0.113.9:8080/keys' }),
    meshErr('test/jwt', 'jwtRules[0].jwksUri', '"HTTP://203.0.113.9:8080/keys"', 'use "https://203.0.113.9:8080/keys"')],
];

describe('certificates and JWT', () => {
  test.each(cases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  test('a jwksUri over plain http inside the cluster is a warning with its rule id', () => {
    expectWarning((c) => jwt(c, { issuer: 'https://keycloak.example.com/realms/shop', jwksUri: 'http://keycloak.auth.svc.cluster.local/realms/shop/certs' }),
      'request-authentication:jwks-plain-http',
      /\[test\/jwt\] 'jwtRules\[0\]\.jwksUri' fetches the token signing keys over plain http \(http:\/\/keycloak\.auth\.svc\.cluster\.local\/realms\/shop\/certs\).*Prefer an https:\/\/ URL/);
  });

  test('an https issuer without jwksUri (OpenID discovery), IP SANs in ipAddresses, and inline keys are accepted', () => {
    expectAccepted((c) => {
      jwt(c, { issuer: 'https://accounts.google.com' });
      new Certificate(c, 'cert', {
        issuer: new Issuer(c, 'issuer', { type: IssuerType.selfSigned() }), secretName: 'cert-tls', dnsNames: ['shop.example.com'], ipAddresses: ['10.0.0.1'],
      });
    });
    expectAccepted((c) => new RequestAuthentication(c, 'inline', { jwtRules: [{ issuer: 'testing@secure.istio.io', jwks: JSON.stringify({ keys: [{ kty: 'RSA' }] }) }] }));
  });

  test('requireJwt({ hosts }) also covers the host:port forms of each host', () => {
    const objects = expectAccepted((c) => jwt(c, { issuer: 'https://accounts.google.com' }).requireJwt({ hosts: ['shop.example.com', 'api.example.com:8443'] }));
    const policy = objects.find((o) => o.kind === 'AuthorizationPolicy');
    expect(policy.spec.rules[0].to[0].operation.hosts).toEqual(['shop.example.com', 'shop.example.com:*', 'api.example.com:8443']);
  });
});
