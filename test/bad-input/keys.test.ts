/**
 * Keys from data: `__proto__` and `constructor` as label, header and selector keys are plain keys. They are kept
 * in the output (never dropped: a dropped header match would turn a route into a catch-all), never mistaken for
 * prototype members, and refused only where Kubernetes refuses them (a label key cannot start with '_').
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AuthorizationPolicy, Gateway, LocalityLoadBalancing, LoadBalancer, MeshNamespace, MeshPeer, RequestAuthentication, StringMatch, synthesize,
} from '../../lib';
import { tempDir } from '../util/files';
import { Build, expectAccepted, expectRejected, expectRejectedKeepingOutput, findingErr, meshErr, newChart, shop } from './helpers';

/** A map with own keys, as JSON.parse (data from a file) makes it: `__proto__` is an own key there. */
function data<T>(entries: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(entries)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
const proto = (v: unknown) => JSON.parse(`{"__proto__": ${JSON.stringify(v)}}`);

const JWKS = 'https://issuer.example.com/jwks.json';
const of = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

/** [case, build, where the key must appear in the output: [kind, path to the map], key] */
const kept: Array<[string, Build, [string, (o: any) => any], string]> = [
  ['a header match on "__proto__" stays a condition (the route is no catch-all)',
    (c) => shop(c, 'shop', { routes: [{ match: [{ headers: data({ ['__proto__']: StringMatch.exact('x') }) }], destinations: [{ version: 'v2' }] }, { destinations: [{ version: 'v1' }] }] }),
    ['VirtualService', (o) => o.spec.http[0].match[0].headers], '__proto__'],
  ['a header match on "constructor"',
    (c) => shop(c, 'shop', { routes: [{ match: [{ headers: data({ constructor: StringMatch.exact('x') }) }], destinations: [{ version: 'v2' }] }] }),
    ['VirtualService', (o) => o.spec.http[0].match[0].headers], 'constructor'],
  ['a withoutHeaders condition on "constructor"',
    (c) => shop(c, 'shop', { routes: [{ match: [{ withoutHeaders: data({ constructor: StringMatch.prefix('a') }) }] }] }),
    ['VirtualService', (o) => o.spec.http[0].match[0].withoutHeaders], 'constructor'],
  ['a query parameter "__proto__"',
    (c) => shop(c, 'shop', { routes: [{ match: [{ queryParams: data({ ['__proto__']: StringMatch.exact('1') }) }] }] }),
    ['VirtualService', (o) => o.spec.http[0].match[0].queryParams], '__proto__'],
  ['a header set on "constructor"',
    (c) => shop(c, 'shop', { routes: [{ headers: { request: { set: data({ constructor: 'x' }) } } }] }),
    ['VirtualService', (o) => o.spec.http[0].headers.request.set], 'constructor'],
  ['a header added as "__proto__"',
    (c) => shop(c, 'shop', { routes: [{ headers: { response: { add: proto('y') } } }] }),
    ['VirtualService', (o) => o.spec.http[0].headers.response.add], '__proto__'],
  ['a sourceLabels key "constructor"',
    (c) => shop(c, 'shop', { routes: [{ match: [{ sourceLabels: data({ constructor: 'web' }) }] }] }),
    ['VirtualService', (o) => o.spec.http[0].match[0].sourceLabels], 'constructor'],
  ['a namespace label "constructor" (not "managed by injection")',
    (c) => new MeshNamespace(c, 'ns', { labels: data({ constructor: 'yes' }) }),
    ['Namespace', (o) => o.metadata.labels], 'constructor'],
  ['a gateway selector "constructor"',
    (c) => new Gateway(c, 'gw', { selector: data({ constructor: 'gw', istio: 'ingressgateway' }) }),
    ['Gateway', (o) => o.spec.selector], 'constructor'],
  ['an ingress gateway peer selector "constructor" in a RequestAuthentication',
    (c) => new RequestAuthentication(c, 'jwt', { workload: MeshPeer.ingressGateway({ selector: data({ constructor: 'gw' }) }), jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: JWKS }] }),
    ['RequestAuthentication', (o) => o.spec.selector.matchLabels], 'constructor'],
  ['an ingress gateway peer selector "constructor" in an AuthorizationPolicy',
    (c) => new AuthorizationPolicy(c, 'p', { workload: MeshPeer.ingressGateway({ selector: data({ constructor: 'gw' }) }), rules: [{ from: [{ namespaces: ['shop'] }] }] }),
    ['AuthorizationPolicy', (o) => o.spec.selector.matchLabels], 'constructor'],
  ['an env variable named "constructor"',
    (c) => shop(c, 'shop', { env: data({ constructor: kplus.EnvValue.fromValue('1') }) }),
    ['Deployment', (o) => Object.fromEntries(o.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]))], 'constructor'],
  ['an env variable named "__proto__"',
    (c) => shop(c, 'shop', { env: proto(kplus.EnvValue.fromValue('1')) }),
    ['Deployment', (o) => Object.fromEntries(o.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]))], '__proto__'],
  ['a locality weight for "constructor"',
    (c) => shop(c, 'shop', {
      trafficPolicy: {
        loadBalancer: LoadBalancer.roundRobin({ locality: LocalityLoadBalancing.distribute([{ from: 'us-west/*', to: data({ 'us-west/*': 60, 'constructor': 40 }) }]) }),
        outlierDetection: { consecutive5xxErrors: 5 },
      },
    }),
    ['DestinationRule', (o) => o.spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to], 'constructor'],
];

describe('keys from data are plain keys', () => {
  test.each(kept)('%s is kept in the output', (_name, build, [kind, mapOf], key) => {
    const objects = expectAccepted(build);
    const map = mapOf(of(objects, kind)[0]);
    expect(Object.prototype.hasOwnProperty.call(map, key)).toBe(true);
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  });

  test('a "remove" of a header that set does not name is no conflict, even for "constructor"', () => {
    const objects = expectAccepted((c) => shop(c, 'shop', { routes: [{ headers: { request: { set: { 'x-a': '1' }, remove: ['constructor'] } } }] }));
    expect(of(objects, 'VirtualService')[0].spec.http[0].headers.request).toEqual({ set: { 'x-a': '1' }, remove: ['constructor'] });
  });

  test('the YAML written by synthesize() carries "__proto__" and "constructor" header matches', () => {
    const chart = newChart();
    shop(chart, 'shop', { routes: [{ match: [{ headers: data({ ['__proto__']: StringMatch.exact('a'), 'constructor': StringMatch.exact('b') }) }], destinations: [{ version: 'v2' }] }] });
    const outdir = path.join(tempDir('mesh-keys-'), 'dist');
    synthesize(chart.node.root as App, { outdir, strict: false });
    const yaml = fs.readFileSync(path.join(outdir, 'test/default/virtualservice-shop.yaml'), 'utf8');
    expect(yaml).toContain('        - headers:\n            __proto__:\n              exact: a\n            constructor:\n              exact: b\n');
  });
});

const refused: Array<[string, Build, RegExp]> = [
  ['a namespace label key "__proto__" (label keys start alphanumeric)',
    (c) => new MeshNamespace(c, 'ns', { labels: proto('x') }), meshErr('test/ns', 'labels["__proto__"]', '"__proto__"', 'use a key like "proto"')],
  ['a gateway selector key "__proto__"',
    (c) => new Gateway(c, 'gw', { selector: proto('gw') }), meshErr('test/gw', 'selector["__proto__"]', '"__proto__"', 'use a key like "proto"')],
  ['a sourceLabels key "__proto__"',
    (c) => shop(c, 'shop', { routes: [{ match: [{ sourceLabels: proto('web') }] }] }),
    meshErr('test/shop', 'routes[0].match[0].sourceLabels["__proto__"]', '"__proto__"', 'app.kubernetes.io/name')],
  ['an empty header map, which would make the match a catch-all',
    (c) => shop(c, 'shop', { routes: [{ match: [{ headers: {} }], destinations: [{ version: 'v2' }] }] }),
    meshErr('test/shop', 'routes[0].match[0].headers', '{}', "remove 'headers'")],
  ['a header that the same operation sets and removes, named "constructor"',
    (c) => shop(c, 'shop', { routes: [{ headers: { request: { set: data({ constructor: 'x' }), remove: ['constructor'] } } }] }),
    meshErr('test/shop', 'routes[0].headers.request.remove', '"constructor"', 'keep only one of the two operations')],
  ['a "__proto__" key in the data of a raw ApiObject (cdk8s would drop it)',
    (c) => new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: data({ ['__proto__']: 'x', 'a': 'b' }) }),
    findingErr('test/cm', 'data["__proto__"]', '"__proto__"', 'rename the key', 'dropped-key')],
  ['a "__proto__" label of a raw ApiObject',
    (c) => new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', labels: data({ ['__proto__']: 'x' }) } }),
    findingErr('test/cm', 'metadata.labels["__proto__"]', '"__proto__"', 'rename the key', 'dropped-key')],
  ['a namespace label "istio-injection" (managed by injection)',
    (c) => new MeshNamespace(c, 'ns', { labels: { 'istio-injection': 'disabled' } }), meshErr('test/ns', 'labels.istio-injection', '"disabled"', "set 'injection' instead")],
];

describe('keys refused where Kubernetes refuses them', () => {
  test.each(refused)('fails for %s', (_name, build, error) => expectRejected(build, error));

  test.each([refused[0], refused[5]])('synthesize() fails for %s and leaves the previous output byte for byte', (_name, build, error) => {
    expectRejectedKeepingOutput(build, error);
  });
});
