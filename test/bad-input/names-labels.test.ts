/**
 * Kubernetes names and labels: label keys and values, annotation keys, namespace labels, sourceLabels, revision labels
 * and selectors of the constructs; and every object's name, labels, annotations, numbers, size and images, whoever
 * created it (raw ApiObjects included), checked by the analysis rules before anything is written.
 */
import { ApiObject, Chart } from 'cdk8s';
import {
  AuthorizationPolicy, Gateway, MeshNamespace, MeshPeer, RequestAuthentication, SidecarInjection,
} from '../../lib';
import { Build, expectRejected, expectRejectedKeepingOutput, findingErr, meshErr, shop } from './helpers';

const JWKS = 'https://issuer.example.com/jwks.json';
const LONG = 'a'.repeat(64);

/** A raw object, as a user adds it next to the constructs. */
function raw(c: Chart, id: string, kind: string, metadata: Record<string, unknown>, rest: Record<string, unknown> = {}, apiVersion = 'v1'): ApiObject {
  return new ApiObject(c, id, { apiVersion, kind, metadata: metadata as any, ...rest });
}

function pod(image: string, extra: Record<string, unknown> = {}) {
  return { containers: [{ name: 'main', image }], ...extra };
}

const constructCases: Array<[string, Build, RegExp]> = [
  ['a namespace label key with a space', (c) => new MeshNamespace(c, 'ns', { labels: { 'team name': 'a' } }),
    meshErr('test/ns', 'labels["team name"]', '"team name"', 'use a key like "team-name"')],
  ['a namespace label key whose name part has 64 characters', (c) => new MeshNamespace(c, 'ns', { labels: { [`example.com/${LONG}`]: 'a' } }),
    meshErr('test/ns', `labels["example.com/${LONG}"]`, `"example.com/${LONG}"`, 'app.kubernetes.io/name')],
  ['a namespace label key with an upper-case prefix', (c) => new MeshNamespace(c, 'ns', { labels: { 'Example.com/team': 'a' } }),
    meshErr('test/ns', 'labels["Example.com/team"]', '"Example.com/team"', 'use a key like "example.com/team"')],
  ['a namespace label value of 64 characters', (c) => new MeshNamespace(c, 'ns', { labels: { team: LONG } }),
    meshErr('test/ns', 'labels["team"]', `"${LONG}"`, `use a value like "${'a'.repeat(63)}"`)],
  ['a namespace label value with a slash', (c) => new MeshNamespace(c, 'ns', { labels: { owner: 'team/a' } }),
    meshErr('test/ns', 'labels["owner"]', '"team/a"', 'use a value like "team-a"')],
  ['a namespace label value starting with "-"', (c) => new MeshNamespace(c, 'ns', { labels: { owner: '-a' } }),
    meshErr('test/ns', 'labels["owner"]', '"-a"', 'use a value like "a"')],
  ['a revision that is no label value', (c) => new MeshNamespace(c, 'ns', { injection: SidecarInjection.revision('canary/1-22') }),
    meshErr('test/ns', 'injection.revision', '"canary/1-22"', 'use a value like "canary-1-22"')],
  ['a revision of 64 characters', (c) => new MeshNamespace(c, 'ns', { injection: SidecarInjection.revision(LONG) }),
    meshErr('test/ns', 'injection.revision', `"${LONG}"`, 'use a value like')],
  ['a gateway selector value with a space', (c) => new Gateway(c, 'gw', { selector: { istio: 'ingress gateway' } }),
    meshErr('test/gw', 'selector["istio"]', '"ingress gateway"', 'use a value like "ingress-gateway"')],
  ['an imported gateway selector key with "/" twice', (c) => Gateway.fromName(c, 'gw', 'istio-system/gw', { selector: { 'a/b/c': 'x' } }),
    meshErr('test/gw', 'selector["a/b/c"]', '"a/b/c"', 'app.kubernetes.io/name')],
  ['a sourceLabels value of 64 characters', (c) => shop(c, 'shop', { routes: [{ match: [{ sourceLabels: { app: LONG } }] }] }),
    meshErr('test/shop', 'routes[0].match[0].sourceLabels["app"]', `"${LONG}"`, 'use a value like')],
  ['a sourceLabels key with a colon', (c) => shop(c, 'shop', { routes: [{ match: [{ sourceLabels: { 'app:name': 'web' } }] }] }),
    meshErr('test/shop', 'routes[0].match[0].sourceLabels["app:name"]', '"app:name"', 'use a key like "app-name"')],
  ['an ingress gateway peer with an invalid selector in a RequestAuthentication',
    (c) => new RequestAuthentication(c, 'jwt', { workload: MeshPeer.ingressGateway({ selector: { istio: 'ingress gateway' } }), jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: JWKS }] }),
    meshErr('test/jwt', 'workload.podSelector["istio"]', '"ingress gateway"', 'use a value like "ingress-gateway"')],
  ['an ingress gateway peer with an invalid selector key in an AuthorizationPolicy',
    (c) => new AuthorizationPolicy(c, 'p', { workload: MeshPeer.ingressGateway({ selector: { '-istio': 'x' } }), rules: [{ from: [{ namespaces: ['shop'] }] }] }),
    meshErr('test/p', 'workload.podSelector["-istio"]', '"-istio"', 'use a key like "istio"')],
];

describe('labels given to constructs', () => {
  test.each(constructCases)('fails for %s', (_name, build, error) => expectRejected(build, error));
});

const ruleCases: Array<[string, Build, RegExp]> = [
  ['a ConfigMap name with upper-case letters', (c) => raw(c, 'cm', 'ConfigMap', { name: 'Settings' }),
    findingErr('test/cm', 'metadata.name', '"Settings"', 'name it like "settings"', 'object-name')],
  ['a Service name starting with a digit (DNS-1035)', (c) => raw(c, 'svc', 'Service', { name: '1shop' }, { spec: { ports: [{ port: 80 }] } }),
    findingErr('test/svc', 'metadata.name', '"1shop"', 'name it like "shop"', 'object-name')],
  ['a Namespace name with a dot (a DNS label)', (c) => raw(c, 'ns', 'Namespace', { name: 'team.a' }),
    findingErr('test/ns', 'metadata.name', '"team.a"', 'name it like "team-a"', 'object-name')],
  ['a Secret name of 254 characters', (c) => raw(c, 's', 'Secret', { name: 'a'.repeat(254) }),
    findingErr('test/s', 'metadata.name', `"${'a'.repeat(77)}..."`, 'name it like', 'object-name')],
  ['a Deployment name with an underscore', (c) => raw(c, 'd', 'Deployment', { name: 'my_app' }, { spec: { template: { spec: pod('nginx:1.27') } } }, 'apps/v1'),
    findingErr('test/d', 'metadata.name', '"my_app"', 'name it like "my-app"', 'object-name')],
  ['an empty object name', (c) => raw(c, 'cm', 'ConfigMap', { name: '' }),
    findingErr('test/cm', 'metadata.name', '""', 'name it like "my-name"', 'object-name')],
  ['a label key with a space on a raw object', (c) => raw(c, 'cm', 'ConfigMap', { name: 'settings', labels: { 'my label': 'x' } }),
    findingErr('test/cm', 'metadata.labels', '"my label"', 'use a key like "app.kubernetes.io/name"', 'label-syntax')],
  ['a label value of 64 characters on a raw object', (c) => raw(c, 'cm', 'ConfigMap', { name: 'settings', labels: { team: LONG } }),
    findingErr('test/cm', 'metadata.labels["team"]', `"${LONG}"`, 'put longer text in an annotation', 'label-syntax')],
  ['a label value that is a number', (c) => raw(c, 'cm', 'ConfigMap', { name: 'settings', labels: { tier: 1 } }),
    findingErr('test/cm', 'metadata.labels["tier"]', '"1"', 'use at most 63 letters', 'label-syntax')],
  ['an annotation key with a space', (c) => raw(c, 'cm', 'ConfigMap', { name: 'settings', annotations: { 'my note': 'x' } }),
    findingErr('test/cm', 'metadata.annotations', '"my note"', 'use a key like', 'label-syntax')],
  ['an annotation value that is a boolean', (c) => raw(c, 'cm', 'ConfigMap', { name: 'settings', annotations: { 'example.com/on': true } }),
    findingErr('test/cm', 'metadata.annotations["example.com/on"]', '"true"', 'write the value as a string', 'label-syntax')],
  ['annotations over 256 KiB', (c) => raw(c, 'cm', 'ConfigMap', { name: 'settings', annotations: { 'example.com/blob': 'x'.repeat(262_200) } }),
    findingErr('test/cm', 'metadata.annotations', '1 annotations', 'move large data into a ConfigMap', 'label-syntax')],
  ['an invalid pod template label', (c) => raw(c, 'd', 'Deployment', { name: 'web' }, {
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web app' } }, spec: pod('nginx:1.27') } },
  }, 'apps/v1'), findingErr('test/d', 'spec.template.metadata.labels["app"]', '"web app"', 'use at most 63 letters', 'label-syntax')],
  ['an invalid selector label', (c) => raw(c, 'd', 'Deployment', { name: 'web' }, {
    spec: { selector: { matchLabels: { 'app/': 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: pod('nginx:1.27') } },
  }, 'apps/v1'), findingErr('test/d', 'spec.selector.matchLabels', '"app/"', 'use a key like', 'label-syntax')],
  ['NaN in a raw object', (c) => raw(c, 'd', 'Deployment', { name: 'web' }, { spec: { replicas: NaN, template: { spec: pod('nginx:1.27') } } }, 'apps/v1'),
    findingErr('test/d', 'spec.replicas', 'NaN', 'compute the value from valid numbers', 'finite-number')],
  ['Infinity in a custom resource', (c) => raw(c, 'x', 'Widget', { name: 'w' }, { spec: { limit: Infinity } }, 'example.com/v1'),
    findingErr('test/x', 'spec.limit', 'Infinity', 'compute the value from valid numbers', 'finite-number')],
  ['-Infinity inside a list', (c) => raw(c, 'x', 'Widget', { name: 'w' }, { spec: { steps: [1, { at: -Infinity }] } }, 'example.com/v1'),
    findingErr('test/x', 'spec.steps[1].at', '-Infinity', 'compute the value from valid numbers', 'finite-number')],
  ['an object larger than 1.5 MiB', (c) => raw(c, 'cm', 'ConfigMap', { name: 'big' }, { data: { blob: 'x'.repeat(1_600_000) } }),
    findingErr('test/cm', 'data.blob', '1600083 bytes', 'split the data over several objects', 'object-size')],
  ['an image with an upper-case path', (c) => raw(c, 'd', 'Deployment', { name: 'web' }, { spec: { template: { spec: pod('example/Web:1.0') } } }, 'apps/v1'),
    findingErr('test/d', 'spec.template.spec.containers[0].image', '"example/Web:1.0"', 'use a reference like', 'image-reference')],
  ['an image with an invalid tag', (c) => raw(c, 'd', 'Deployment', { name: 'web' }, { spec: { template: { spec: pod('nginx:-1') } } }, 'apps/v1'),
    findingErr('test/d', 'spec.template.spec.containers[0].image', '"nginx:-1"', 'use a reference like', 'image-reference')],
  ['an image with a space', (c) => raw(c, 'p', 'Pod', { name: 'web' }, { spec: pod('nginx :1.27') }),
    findingErr('test/p', 'spec.containers[0].image', '"nginx :1.27"', 'use a reference like', 'image-reference')],
  ['an image name over 255 characters', (c) => raw(c, 'p', 'Pod', { name: 'web' }, { spec: pod(`${'a'.repeat(256)}:1.0`) }),
    findingErr('test/p', 'spec.containers[0].image', `"${'a'.repeat(77)}..."`, 'use a reference like', 'image-reference')],
  ['an image with a malformed digest', (c) => raw(c, 'p', 'Pod', { name: 'web' }, { spec: pod('nginx@sha256:xyz') }),
    findingErr('test/p', 'spec.containers[0].image', '"nginx@sha256:xyz"', 'app@sha256:<digest>', 'image-reference')],
  ['an init container image of a Job', (c) => raw(c, 'j', 'Job', { name: 'migrate' }, { spec: { template: { spec: pod('db:1', { initContainers: [{ name: 'wait', image: 'busybox::1' }] }) } } }, 'batch/v1'),
    findingErr('test/j', 'spec.template.spec.initContainers[0].image', '"busybox::1"', 'use a reference like', 'image-reference')],
  ['a CronJob image', (c) => raw(c, 'cj', 'CronJob', { name: 'nightly' }, { spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: pod('Backup') } } } } }, 'batch/v1'),
    findingErr('test/cj', 'spec.jobTemplate.spec.template.spec.containers[0].image', '"Backup"', 'use a reference like', 'image-reference')],
  ['the same ConfigMap with namespace unset and "default"', (c) => {
    raw(c, 'a', 'ConfigMap', { name: 'settings' });
    raw(c, 'b', 'ConfigMap', { name: 'settings', namespace: 'default' });
  }, /\[test\/b\] ConfigMap "settings" in namespace "default" is also emitted by \[test\/a\]\. Fix: give one of them another name or namespace[^\n]*\(duplicate-object\)/],
  ['a construct and a raw object writing the same ServiceAccount, one without namespace', (c) => {
    shop(c, 'shop', { namespace: 'default' });
    raw(c, 'sa', 'ServiceAccount', { name: 'shop' });
  }, /\[test\/sa\] ServiceAccount "shop" in namespace "default" is also emitted by \[test\/shop\/ServiceAccount\/Resource\]\. Fix: give one of them another name[^\n]*\(duplicate-object\)/],  ['a namespace with an underscore on a raw object', (c) => raw(c, 'cm', 'ConfigMap', { name: 'settings', namespace: 'team_a' }),
    findingErr('test/cm', 'metadata.namespace', '"team_a"', 'use a namespace name like "team-a"', 'object-name')],
];

describe('every object of the output, raw ApiObjects included', () => {
  test.each(ruleCases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  const sample = [0, 6, 14, 17, 18, 25].map((i) => ruleCases[i]);
  test.each(sample)('synthesize() fails for %s and leaves the previous output byte for byte', (_name, build, error) => {
    expectRejectedKeepingOutput(build, error);
  });
});
