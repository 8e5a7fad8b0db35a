/**
 * Addresses: IPv4 / IPv6 addresses and CIDR prefixes in authorization ipBlocks, ServiceEntry addresses and endpoints,
 * and certificate IP SANs, parsed the way Go's net/netip (Istio) parses them.
 */
import {
  AuthorizationAction, AuthorizationPolicy, Certificate, ExternalProtocol, Issuer, IssuerType, ServiceEntry, ServiceEntryResolution,
} from '../../lib';
import { Build, expectAccepted, expectRejected, meshErr } from './helpers';

const FIX_CIDR = 'use an address like "192.168.1.7" or "2001:db8::7", or a CIDR prefix like "10.0.0.0/8"';
const FIX_IP = 'use an address like "192.168.1.7" or "2001:db8::7"';
const TLS = [{ number: 443, protocol: ExternalProtocol.TLS }];

const deny = (c: any, source: Record<string, string[]>) =>
  new AuthorizationPolicy(c, 'p', { action: AuthorizationAction.DENY, rules: [{ from: [source] }] });
const entry = (c: any, props: { addresses?: string[]; endpoints?: string[]; resolution?: ServiceEntryResolution }) =>
  new ServiceEntry(c, 'api', { hosts: ['api.example.com'], ports: TLS, ...props });
const cert = (c: any, ipAddresses: string[]) =>
  new Certificate(c, 'cert', { issuer: new Issuer(c, 'issuer', { type: IssuerType.selfSigned() }), secretName: 'cert-tls', ipAddresses });

const cases: Array<[string, Build, RegExp]> = [
  ['an ipBlock that is a word', (c) => deny(c, { ipBlocks: ['ten.0.0.0/8'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[0]', '"ten.0.0.0/8"', FIX_CIDR)],
  ['an ipBlock with an octet over 255', (c) => deny(c, { ipBlocks: ['10.0.0.256'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[0]', '"10.0.0.256"', FIX_CIDR)],
  ['an IPv4 prefix longer than 32', (c) => deny(c, { ipBlocks: ['10.0.0.0/33'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[0]', '"10.0.0.0/33"', FIX_CIDR)],
  ['an IPv4 address with a leading zero', (c) => deny(c, { ipBlocks: ['10.0.0.1', '010.0.0.1'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[1]', '"010.0.0.1"', FIX_CIDR)],
  ['an IPv4 address with three octets', (c) => deny(c, { notIpBlocks: ['10.0.1'] }), meshErr('test/p', 'rules[0].from[0].notIpBlocks[0]', '"10.0.1"', FIX_CIDR)],
  ['an IPv6 prefix longer than 128', (c) => deny(c, { ipBlocks: ['2001:db8::/129'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[0]', '"2001:db8::/129"', FIX_CIDR)],
  ['an IPv6 address with ":::"', (c) => deny(c, { ipBlocks: ['2001:db8:::1'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[0]', '"2001:db8:::1"', FIX_CIDR)],
  ['an IPv6 address with two "::"', (c) => deny(c, { remoteIpBlocks: ['2001::db8::1'] }), meshErr('test/p', 'rules[0].from[0].remoteIpBlocks[0]', '"2001::db8::1"', FIX_CIDR)],
  ['an IPv6 address with nine groups', (c) => deny(c, { ipBlocks: ['1:2:3:4:5:6:7:8:9'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[0]', '"1:2:3:4:5:6:7:8:9"', FIX_CIDR)],
  ['an IPv4-mapped IPv6 address with five octets', (c) => deny(c, { notRemoteIpBlocks: ['::ffff:1.2.3.4.5'] }),
    meshErr('test/p', 'rules[0].from[0].notRemoteIpBlocks[0]', '"::ffff:1.2.3.4.5"', FIX_CIDR)],
  ['a negative prefix length', (c) => deny(c, { ipBlocks: ['10.0.0.0/-1'] }), meshErr('test/p', 'rules[0].from[0].ipBlocks[0]', '"10.0.0.0/-1"', FIX_CIDR)],
  ['a ServiceEntry address with a /40 prefix', (c) => entry(c, { addresses: ['10.0.0.0/40'] }), meshErr('test/api', 'addresses[0]', '"10.0.0.0/40"', FIX_CIDR)],
  ['a ServiceEntry address that is a host name', (c) => entry(c, { addresses: ['api.example.com'] }), meshErr('test/api', 'addresses[0]', '"api.example.com"', FIX_CIDR)],
  ['a STATIC endpoint with an octet over 255', (c) => entry(c, { endpoints: ['203.0.113.300'] }), meshErr('test/api', 'endpoints[0]', '"203.0.113.300"', FIX_IP)],
  ['an endpoint with a prefix length', (c) => entry(c, { endpoints: ['10.0.0.1/32'] }), meshErr('test/api', 'endpoints[0]', '"10.0.0.1/32"', FIX_IP)],
  ['an IPv6 endpoint with a non-hex group', (c) => entry(c, { endpoints: ['2001:db8::zz'] }), meshErr('test/api', 'endpoints[0]', '"2001:db8::zz"', FIX_IP)],
  ['an endpoint host name with an underscore', (c) => entry(c, { endpoints: ['api_1.internal'] }),
    meshErr('test/api', 'endpoints[0]', '"api_1.internal"', "use e.g. '203.0.113.10' or 'api.internal.example.com'")],
  ['a Unix socket endpoint with a relative path', (c) => entry(c, { endpoints: ['unix://app.sock'] }),
    meshErr('test/api', 'endpoints[0]', '"unix://app.sock"', "use e.g. 'unix:///var/run/app.sock'")],
  ['a certificate IP SAN with an octet over 255', (c) => cert(c, ['300.1.1.1']), meshErr('test/cert', 'ipAddresses[0]', '"300.1.1.1"', FIX_IP)],
  ['a certificate IP SAN that is a CIDR prefix', (c) => cert(c, ['10.0.0.0/8']), meshErr('test/cert', 'ipAddresses[0]', '"10.0.0.0/8"', FIX_IP)],
];

describe('addresses', () => {
  test.each(cases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  test('valid IPv4, IPv6, mapped and CIDR forms are accepted and rendered as given', () => {
    const objects = expectAccepted((c) => {
      deny(c, { ipBlocks: ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1', '::ffff:10.0.0.1', 'fe80::1:2:3:4'] });
      entry(c, { addresses: ['240.0.0.1', '2001:db8::/64'], endpoints: ['203.0.113.10', '2001:db8::10'] });
      cert(c, ['10.0.0.1', '2001:db8::1']);
    });
    const byKind = (k: string) => objects.find((o) => o.kind === k);
    expect(byKind('AuthorizationPolicy').spec.rules[0].from[0].source.ipBlocks).toContain('::ffff:10.0.0.1');
    expect(byKind('ServiceEntry').spec.resolution).toBe('STATIC');
    expect(byKind('Certificate').spec.ipAddresses).toEqual(['10.0.0.1', '2001:db8::1']);
  });
});
