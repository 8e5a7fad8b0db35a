/**
 * Regular expressions reach Envoy, which compiles them with RE2: what RE2 rejects (back-references, look-around,
 * atomic groups, possessive quantifiers, recursion, conditionals, repetitions above 1000, escapes it does not have)
 * is refused, wherever the regex is written (headers, uri, authority, CORS origins, query parameters, rewrites, A/B
 * matches of a canary).
 */
import {
  CanaryMatch, CanaryRelease, CanaryStrategy, HttpMatch, MeshApp, StringMatch,
} from '../../lib';
import { Build, expectAccepted, expectRejected, meshErr, shop } from './helpers';

const FIX = 'rewrite the expression in RE2 syntax';

const routeWith = (match: HttpMatch): Build => (c) => shop(c, 'shop', { routes: [{ match: [match], destinations: [{ version: 'v2' }] }] });
const header = (pattern: string): Build => routeWith({ headers: { 'user-agent': StringMatch.regex(pattern) } });
const H = 'routes[0].match[0].headers["user-agent"]';

const cases: Array<[string, Build, RegExp]> = [
  ['a back-reference', header('(a)\\1'), meshErr('test/shop', H, '"(a)\\\\1"', FIX)],
  ['a named back-reference \\k<n>', header('(?<n>a)\\k<n>'), meshErr('test/shop', H, '"(?<n>a)\\\\k<n>"', FIX)],
  ['a Python-style named back-reference (?P=n)', header('(?P<n>a)(?P=n)'), meshErr('test/shop', H, '"(?P<n>a)(?P=n)"', FIX)],
  ['a look-ahead', header('(?=.*bot).*'), meshErr('test/shop', H, '"(?=.*bot).*"', FIX)],
  ['a negative look-behind', header('.*(?<!bot)'), meshErr('test/shop', H, '".*(?<!bot)"', FIX)],
  ['an atomic group', header('(?>a+)b'), meshErr('test/shop', H, '"(?>a+)b"', FIX)],
  ['a possessive quantifier', header('a++b'), meshErr('test/shop', H, '"a++b"', FIX)],
  ['a possessive counted repetition', header('a{2}+'), meshErr('test/shop', H, '"a{2}+"', FIX)],
  ['a repetition of 1001', header('a{1001}'), meshErr('test/shop', H, '"a{1001}"', FIX)],
  ['a repetition range up to 2000', header('a{1,2000}'), meshErr('test/shop', H, '"a{1,2000}"', FIX)],
  ['nested repetitions multiplying to 2000', header('(a{100}){20}'), meshErr('test/shop', H, '"(a{100}){20}"', FIX)],
  ['the \\Z anchor', header('bot\\Z'), meshErr('test/shop', H, '"bot\\\\Z"', FIX)],
  ['the extended-mode flag (?x)', header('(?x) a b'), meshErr('test/shop', H, '"(?x) a b"', FIX)],
  ['recursion (?R)', header('a(?R)?b'), meshErr('test/shop', H, '"a(?R)?b"', FIX)],
  ['a conditional', header('(a)?(?(1)b|c)'), meshErr('test/shop', H, '"(a)?(?(1)b|c)"', FIX)],
  ['a uri look-behind', routeWith({ uri: StringMatch.regex('(?<=/api)/v1') }), meshErr('test/shop', 'routes[0].match[0].uri', '"(?<=/api)/v1"', FIX)],
  ['an authority look-ahead', routeWith({ authority: StringMatch.regex('(?!admin).*\\.example\\.com') }),
    meshErr('test/shop', 'routes[0].match[0].authority', '"(?!admin).*\\\\.example\\\\.com"', FIX)],
  ['a withoutHeaders back-reference', routeWith({ withoutHeaders: { 'x-a': StringMatch.regex('(x)\\1') } }),
    meshErr('test/shop', 'routes[0].match[0].withoutHeaders["x-a"]', '"(x)\\\\1"', FIX)],
  ['a query parameter possessive quantifier', routeWith({ queryParams: { q: StringMatch.regex('[0-9]*+') } }),
    meshErr('test/shop', 'routes[0].match[0].queryParams["q"]', '"[0-9]*+"', FIX)],
  ['a CORS origin look-ahead', (c) => shop(c, 'shop', { routes: [{ corsPolicy: { allowOrigins: [StringMatch.regex('https://(?!evil).*')] } }] }),
    meshErr('test/shop', 'routes[0].corsPolicy.allowOrigins[0]', '"https://(?!evil).*"', FIX)],
  ['a uri rewrite regex with a look-behind', (c) => shop(c, 'shop', { routes: [{ rewrite: { uriRegex: { match: '(?<=/v1)/(.*)', rewrite: '/\\1' } } }] }),
    meshErr('test/shop', 'routes[0].rewrite.uriRegex.match', '"(?<=/v1)/(.*)"', FIX)],
  ['an invalid character range', header('[z-a]'), meshErr('test/shop', H, '"[z-a]"', 'fix the expression (RE2 syntax)')],
  ['an A/B test header with a back-reference in a canary', (c) => {
    const app = new MeshApp(c, 'podinfo', { versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }] });
    new CanaryRelease(c, 'canary', { app, strategy: CanaryStrategy.abTesting({ iterations: 10, match: [CanaryMatch.header('x-canary', StringMatch.regex('(i)\\1'))] }) });
  }, meshErr('test/canary', 'strategy.match[0].match[0].headers["x-canary"]', '"(i)\\\\1"', FIX)],
];

describe('regular expressions are RE2', () => {
  test.each(cases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  test('RE2 syntax JavaScript does not have is accepted: (?P<name>), inline flags, \\z, \\Q...\\E, \\x{...}, \\pL, {1000}', () => {
    expectAccepted(header('(?i)(?P<browser>firefox|chrome)/\\d+\\z'));
    expectAccepted(header('\\Qa.b(?=c\\E.*'));
    expectAccepted(header('\\x{1001}\\pL+a{1000}(a{10}){100}'));
  });
});
