/**
 * Authorization that opens everything without saying so: ALLOW rules without source on every path, sources of
 * exclusions only, IP blocks covering every address, and CORS origins admitting any site with credentials. Each is
 * an error; `openToAnyone` says it on purpose.
 */
import {
  AuthorizationAction, AuthorizationPolicy, AuthorizationRule, MeshNamespace, RequestSource, StringMatch,
} from '../../lib';
import { Build, expectAccepted, expectRejected, expectRejectedKeepingOutput, meshErr, shop } from './helpers';

const OPEN_FIX = 'set openToAnyone: true on the rule if it is meant to be public';
const CORS_FIX = "list the allowed origins exactly (StringMatch.exact('https://app.example.com'))";

const allow = (rule: AuthorizationRule): Build => (c) => new AuthorizationPolicy(c, 'p', { workload: shop(c), rules: [rule] });
const from = (source: RequestSource): Build => allow({ from: [source] });
const cors = (origin: StringMatch): Build => (c) => shop(c, 'shop', {
  routes: [{ corsPolicy: { allowOrigins: [StringMatch.exact('https://shop.example.com'), origin], allowCredentials: true } }],
});

const cases: Array<[string, Build, RegExp]> = [
  ["ALLOW paths ['*'] with no source", allow({ to: [{ paths: ['*'] }] }), meshErr('test/p', 'rules[0].to[0].paths', '["*"]', OPEN_FIX)],
  ['ALLOW GET on every path with no source', allow({ to: [{ methods: ['GET'] }] }), meshErr('test/p', 'rules[0].to[0].paths', '{"methods":["GET"]}', OPEN_FIX)],
  ["ALLOW paths ['/api/*', '*'] with no source", allow({ to: [{ paths: ['/api/*', '*'] }] }), meshErr('test/p', 'rules[0].to[0].paths', '["/api/*","*"]', OPEN_FIX)],
  ['a namespace-wide ALLOW on every path with no source', (c) => new AuthorizationPolicy(c, 'p', { rules: [{ to: [{ paths: ['*'], ports: [8080] }] }] }),
    meshErr('test/p', 'rules[0].to[0].paths', '["*"]', OPEN_FIX)],
  ['ALLOW from notNamespaces only', from({ notNamespaces: ['untrusted'] }), meshErr('test/p', 'rules[0].from[0]', '{"notNamespaces":["untrusted"]}', OPEN_FIX)],
  ['ALLOW from notPrincipals only', from({ notPrincipals: ['cluster.local/ns/x/sa/y'] }),
    meshErr('test/p', 'rules[0].from[0]', '{"notPrincipals":["cluster.local/ns/x/sa/y"]}', OPEN_FIX)],
  ['ALLOW from notIpBlocks and notRequestPrincipals only', from({ notIpBlocks: ['10.0.0.0/8'], notRequestPrincipals: ['*'] }),
    meshErr('test/p', 'rules[0].from[0]', '{"notIpBlocks":["10.0.0.0/8"],"notRequestPrincipals":["*"]}', OPEN_FIX)],
  ['ALLOW from ipBlocks 0.0.0.0/0', from({ ipBlocks: ['0.0.0.0/0'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[0]', '"0.0.0.0/0"', OPEN_FIX)],
  ['ALLOW from ipBlocks ::/0', from({ ipBlocks: ['10.0.0.0/8', '::/0'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[1]', '"::/0"', OPEN_FIX)],
  ['ALLOW from remoteIpBlocks 0.0.0.0/0', from({ remoteIpBlocks: ['0.0.0.0/0'] }), meshErr('test/p', 'rules[0].from[0].remoteIpBlocks[0]', '"0.0.0.0/0"', OPEN_FIX)],
  ['a rule added later that opens every path', (c) => {
    const p = new AuthorizationPolicy(c, 'p', { workload: shop(c), rules: [{ from: [{ namespaces: ['web'] }] }] });
    p.addRule({ to: [{ paths: ['*'] }] });
  }, meshErr('test/p', 'rules[1].to[0].paths', '["*"]', OPEN_FIX)],
  ['a namespace allowFrom-style ALLOW with only notNamespaces', (c) => {
    new MeshNamespace(c, 'ns', { name: 'shop' });
    new AuthorizationPolicy(c, 'p', { namespace: 'shop', rules: [{ from: [{ notNamespaces: ['dev'] }], to: [{ methods: ['GET'] }] }] });
  }, meshErr('test/p', 'rules[0].from[0]', '{"notNamespaces":["dev"]}', OPEN_FIX)],
  ["CORS prefix 'http' with credentials", cors(StringMatch.prefix('http')), meshErr('test/shop', 'routes[0].corsPolicy.allowOrigins[1]', '"prefix \\"http\\""', CORS_FIX)],
  ["CORS prefix 'https://' with credentials", cors(StringMatch.prefix('https://')), meshErr('test/shop', 'routes[0].corsPolicy.allowOrigins[1]', '"prefix \\"https://\\""', CORS_FIX)],
  ["CORS regex '.*' with credentials", cors(StringMatch.regex('.*')), meshErr('test/shop', 'routes[0].corsPolicy.allowOrigins[1]', '"regex \\".*\\""', CORS_FIX)],
  ["CORS regex 'https://.*' with credentials", cors(StringMatch.regex('https://.*')), meshErr('test/shop', 'routes[0].corsPolicy.allowOrigins[1]', '"regex \\"https://.*\\""', CORS_FIX)],
  ['CORS case-insensitive regex of any http origin with credentials', cors(StringMatch.regex('(?i)HTTPS?://[a-z.]+')),
    meshErr('test/shop', 'routes[0].corsPolicy.allowOrigins[1]', '"regex \\"(?i)HTTPS?://[a-z.]+\\""', CORS_FIX)],
  ["CORS exact 'null' with credentials", cors(StringMatch.exact('null')), meshErr('test/shop', 'routes[0].corsPolicy.allowOrigins[1]', '"exact \\"null\\""', CORS_FIX)],
  ["CORS exact '*' with credentials", cors(StringMatch.exact('*')), meshErr('test/shop', 'routes[0].corsPolicy.allowOrigins[1]', '"exact \\"*\\""', CORS_FIX)],
];

describe('authorization that opens everything without saying so', () => {
  test.each(cases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  test.each([cases[0], cases[12]])('synthesize() fails for %s and leaves the previous output byte for byte', (_name, build, error) => {
    expectRejectedKeepingOutput(build, error);
  });

  test('openToAnyone, DENY rules, restricted operations and host-pinned CORS origins are accepted', () => {
    const objects = expectAccepted((c) => {
      const app = shop(c, 'shop', {
        routes: [{ corsPolicy: { allowOrigins: [StringMatch.prefix('https://shop.example.com'), StringMatch.regex('https://[a-z]+\\.shop\\.example\\.com')], allowCredentials: true } }],
      });
      new AuthorizationPolicy(c, 'public', { workload: app, rules: [{ to: [{ paths: ['*'] }], openToAnyone: true }, { from: [{ ipBlocks: ['0.0.0.0/0'] }], openToAnyone: true }] });
      new AuthorizationPolicy(c, 'health', { workload: app, rules: [{ to: [{ paths: ['/healthz'], methods: ['GET'] }] }] });
      new AuthorizationPolicy(c, 'deny', { workload: app, action: AuthorizationAction.DENY, rules: [{ from: [{ ipBlocks: ['0.0.0.0/0'], notIpBlocks: ['10.0.0.0/8'] }] }] });
    });
    const policy = objects.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'public');
    expect(policy.spec.rules).toEqual([{ to: [{ operation: { paths: ['*'] } }] }, { from: [{ source: { ipBlocks: ['0.0.0.0/0'] } }] }]);
  });
});
