import { Duration, Testing } from 'cdk8s';
import { MeshPeer, RequestAuthentication } from '../../lib';
import { TestWorkload } from '../util/fixtures';
import { find } from '../util/synth';
import { expectValidManifests } from '../util/schema';

const ISSUER = 'testing@secure.istio.io';
const JWKS_URI = 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json';

describe('RequestAuthentication', () => {
  test('default: namespace-wide jwtRules with issuer and jwksUri, nothing else', () => {
    const chart = Testing.chart();
    new RequestAuthentication(chart, 'jwt', { jwtRules: [{ issuer: ISSUER, jwksUri: JWKS_URI }] });
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    const ra = find(out, 'RequestAuthentication', 'jwt', 'default');
    expect(ra.apiVersion).toBe('security.istio.io/v1');
    expect(ra.spec).toEqual({ jwtRules: [{ issuer: ISSUER, jwksUri: JWKS_URI }] });
    expect(ra.spec.jwtRules[0].forwardOriginalToken).toBeUndefined();
    expectValidManifests(out);
  });

  test('at the ingress gateway with requireJwt: DENY notRequestPrincipals ["*"] in istio-system (S3)', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'jwt-example', {
      workload: MeshPeer.ingressGateway(),
      jwtRules: [{
        issuer: ISSUER, jwksUri: JWKS_URI, audiences: ['app'], forwardOriginalToken: true, outputPayloadToHeader: 'x-jwt-payload',
        fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }], outputClaimToHeaders: [{ claim: 'sub', header: 'x-sub' }],
        timeout: Duration.seconds(3),
      }],
    });
    const deny = ra.requireJwt({ notPaths: ['/healthz'], hosts: ['secure.example.com'] });
    expect(ra.requireJwt()).toBe(deny);
    const out = Testing.synth(chart);
    const m = find(out, 'RequestAuthentication', 'jwt-example', 'istio-system');
    expect(m.spec.selector).toEqual({ matchLabels: { istio: 'ingressgateway' } });
    expect(m.spec.jwtRules[0]).toEqual({
      issuer: ISSUER, jwksUri: JWKS_URI, audiences: ['app'], forwardOriginalToken: true, outputPayloadToHeader: 'x-jwt-payload',
      fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }], outputClaimToHeaders: [{ claim: 'sub', header: 'x-sub' }], timeout: '3s',
    });
    const ap = find(out, 'AuthorizationPolicy', 'jwt-example-require-jwt', 'istio-system');
    expect(ap.spec).toEqual({
      action: 'DENY',
      selector: { matchLabels: { istio: 'ingressgateway' } },
      rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { notPaths: ['/healthz'], hosts: ['secure.example.com', 'secure.example.com:*'] } }] }],
    });
    expectValidManifests(out);
  });

  test('on a workload with inline jwks and ALLOW requestPrincipals', () => {
    const chart = Testing.chart();
    const httpbin = new TestWorkload(chart, 'httpbin', { namespace: 'foo' });
    const jwks = JSON.stringify({ keys: [{ kty: 'RSA', e: 'AQAB', n: 'xyz', kid: 'k1' }] });
    const ra = new RequestAuthentication(chart, 'httpbin-jwt', { workload: httpbin, jwtRules: [{ issuer: ISSUER, jwks }] });
    ra.allowRequestPrincipals([`${ISSUER}/${ISSUER}`]);
    const out = Testing.synth(chart);
    const m = find(out, 'RequestAuthentication', 'httpbin-jwt', 'foo');
    expect(m.spec.selector).toEqual({ matchLabels: { app: 'httpbin' } });
    expect(m.spec.jwtRules[0].jwks).toBe(jwks);
    expect(find(out, 'AuthorizationPolicy', 'httpbin-jwt-allow-jwt', 'foo').spec).toEqual({
      action: 'ALLOW', selector: { matchLabels: { app: 'httpbin' } },
      rules: [{ from: [{ source: { requestPrincipals: [`${ISSUER}/${ISSUER}`] } }] }],
    });
    expectValidManifests(out);
  });

  test('fails on jwks together with jwksUri, a non-http jwksUri and jwks that is not a key set', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'a', { jwtRules: [{ issuer: ISSUER, jwksUri: JWKS_URI, jwks: '{"keys":[{}]}' }] }))
      .toThrow(/'jwtRules\[0\]\.jwks' cannot be set together with jwksUri/);
    expect(() => new RequestAuthentication(chart, 'b', { jwtRules: [{ issuer: ISSUER, jwksUri: 'ftp://keys' }] }))
      .toThrow(/'jwtRules\[0\]\.jwksUri' must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/keys"/);
    expect(() => new RequestAuthentication(chart, 'c', { jwtRules: [{ issuer: ISSUER, jwks: 'not json' }] }))
      .toThrow(/'jwtRules\[0\]\.jwks' must be a JSON Web Key Set/);
  });

  test('fails on no rules, an empty issuer, a duplicate issuer and a bad header name', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'a', { jwtRules: [] })).toThrow(/\[test\/a\] 'jwtRules' must list at least one issuer, got \[\]/);
    expect(() => new RequestAuthentication(chart, 'b', { jwtRules: [{ issuer: '' }] })).toThrow(/'jwtRules\[0\]\.issuer' must be the non-empty/);
    expect(() => new RequestAuthentication(chart, 'c', { jwtRules: [{ issuer: ISSUER, jwksUri: JWKS_URI }, { issuer: ISSUER, jwksUri: JWKS_URI }] }))
      .toThrow(/'jwtRules\[1\]\.issuer' is already accepted by another rule/);
    expect(() => new RequestAuthentication(chart, 'd', { jwtRules: [{ issuer: ISSUER, outputPayloadToHeader: 'x jwt' }] }))
      .toThrow(/'jwtRules\[0\]\.outputPayloadToHeader' must be an HTTP header name, got "x jwt"/);
  });

  test('fails on a workload without sidecar', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'a', { workload: new TestWorkload(chart, 'w', { sidecar: false }), jwtRules: [{ issuer: ISSUER }] }))
      .toThrow(/'workload' has no sidecar, so nothing would validate the tokens/);
  });
});
