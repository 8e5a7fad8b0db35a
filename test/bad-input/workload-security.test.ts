/**
 * Workload security: a security context the kubelet or the API server refuses, opt-outs of the secure defaults
 * (explicit, each a warning with an id), unpinned or malformed images, and credentials written as literal env values.
 */
import * as kplus from 'cdk8s-plus-28';
import { Build, expectAccepted, expectRejected, expectWarning, meshErr, shop } from './helpers';

const IMAGE = 'registry.example.com/shop:1.0.0';
const one = (image: string) => [{ name: 'v1', image }];
const literal = (v: string) => kplus.EnvValue.fromValue(v);
const SECRET_FIX = 'store it in a Secret and pass kplus.EnvValue.fromSecretValue';

const cases: Array<[string, Build, RegExp]> = [
  ['user 0 with the default runAsNonRoot', (c) => shop(c, 'shop', { securityContext: { user: 0 } }),
    meshErr('test/shop', 'securityContext.user', '0', 'run as a non-root user id (e.g. 1000), or set ensureNonRoot: false explicitly')],
  ['user 0 with ensureNonRoot: true', (c) => shop(c, 'shop', { securityContext: { user: 0, ensureNonRoot: true } }),
    meshErr('test/shop', 'securityContext.user', '0', 'run as a non-root user id')],
  ['privileged without allowPrivilegeEscalation', (c) => shop(c, 'shop', { securityContext: { privileged: true } }),
    meshErr('test/shop', 'securityContext.privileged', 'true', 'set allowPrivilegeEscalation: true as well')],
  ['the Istio proxy uid as user', (c) => shop(c, 'shop', { securityContext: { user: 1337 } }),
    meshErr('test/shop', 'securityContext.user', '1337', 'run the app under another id')],
  ['a negative group id', (c) => shop(c, 'shop', { securityContext: { group: -1 } }),
    meshErr('test/shop', 'securityContext.group', '-1', 'pass a whole number from 0')],
  ['an image without tag', (c) => shop(c, 'shop', { versions: one('registry.example.com/shop') }),
    meshErr('test/shop', 'versions[0].image', '"registry.example.com/shop"', 'pin it ("registry.example.com/shop:1.2.3" or @sha256:<digest>), or set allowUnpinnedImages: true')],
  ['an image tagged latest', (c) => shop(c, 'shop', { versions: one('nginx:latest') }),
    meshErr('test/shop', 'versions[0].image', '"nginx:latest"', 'pin it ("nginx:1.2.3"')],
  ['an image added later without tag', (c) => shop(c, 'shop').addVersion({ name: 'v3', image: 'shop' }),
    meshErr('test/shop', 'versions[2].image', '"shop"', 'or set allowUnpinnedImages: true on the app')],
  ['an image with upper-case letters', (c) => shop(c, 'shop', { versions: one('Registry.example.com/Shop:1.0') }),
    meshErr('test/shop', 'versions[0].image', '"Registry.example.com/Shop:1.0"', "pass an image like 'gcr.io/tetratelabs/customers:1.0.0'")],
  ['an image with an invalid tag', (c) => shop(c, 'shop', { versions: one('shop:1.0!') }),
    meshErr('test/shop', 'versions[0].image', '"shop:1.0!"', "pass an image like")],
  ['an image with a malformed digest', (c) => shop(c, 'shop', { versions: one('shop@sha256:abc') }),
    meshErr('test/shop', 'versions[0].image', '"shop@sha256:abc"', "pass an image like")],
  ['an image with a space', (c) => shop(c, 'shop', { versions: one('shop :1.0') }),
    meshErr('test/shop', 'versions[0].image', '"shop :1.0"', "pass an image like")],
  ['a literal *_PASSWORD', (c) => shop(c, 'shop', { env: { DB_PASSWORD: literal('hunter2') } }),
    meshErr('test/shop', 'env.DB_PASSWORD', '"<7 characters, not shown>"', SECRET_FIX)],
  ['a literal *_TOKEN', (c) => shop(c, 'shop', { env: { GITHUB_TOKEN: literal('ghp_0123456789') } }),
    meshErr('test/shop', 'env.GITHUB_TOKEN', '"<14 characters, not shown>"', SECRET_FIX)],
  ['a literal *_SECRET', (c) => shop(c, 'shop', { env: { CLIENT_SECRET: literal('s3cr3t') } }),
    meshErr('test/shop', 'env.CLIENT_SECRET', '"<6 characters, not shown>"', SECRET_FIX)],
  ['a literal *_KEY', (c) => shop(c, 'shop', { env: { STRIPE_API_KEY: literal('sk_live_x') } }),
    meshErr('test/shop', 'env.STRIPE_API_KEY', '"<9 characters, not shown>"', SECRET_FIX)],
  ['a literal PASSWORD', (c) => shop(c, 'shop', { env: { PASSWORD: literal('pw') } }),
    meshErr('test/shop', 'env.PASSWORD', '"<2 characters, not shown>"', SECRET_FIX)],
  ['a lower-case literal *_password', (c) => shop(c, 'shop', { env: { smtp_password: literal('pw') } }),
    meshErr('test/shop', 'env.smtp_password', '"<2 characters, not shown>"', SECRET_FIX)],
  ['a URL with user:password', (c) => shop(c, 'shop', { env: { DATABASE_URL: literal('postgres://shop:hunter2@db:5432/shop') } }),
    meshErr('test/shop', 'env.DATABASE_URL', '"postgres://shop:***@db:5432/shop"', SECRET_FIX)],
  ['a version env *_TOKEN', (c) => shop(c, 'shop', { versions: [{ name: 'v1', image: IMAGE, env: { SERVICE_TOKEN: literal('t') } }] }),
    meshErr('test/shop', 'versions[0].env.SERVICE_TOKEN', '"<1 characters, not shown>"', SECRET_FIX)],
];

describe('workload security', () => {
  test.each(cases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  const warnings: Array<[string, kplus.ContainerSecurityContextProps, string, RegExp]> = [
    ['privileged (with allowPrivilegeEscalation)', { privileged: true, allowPrivilegeEscalation: true }, 'mesh-app:privileged', /runs the container privileged/],
    ['allowPrivilegeEscalation', { allowPrivilegeEscalation: true }, 'mesh-app:privilege-escalation', /allows privilege escalation/],
    ['ensureNonRoot: false', { ensureNonRoot: false }, 'mesh-app:runs-as-root', /lets the container run as root/],
    ['user 0 with ensureNonRoot: false', { ensureNonRoot: false, user: 0 }, 'mesh-app:runs-as-root', /lets the container run as root/],
    ['a writable root filesystem', { readOnlyRootFilesystem: false }, 'mesh-app:writable-root-filesystem', /makes the root filesystem writable/],
    ['added capabilities', { capabilities: { add: [kplus.Capability.NET_ADMIN], drop: [kplus.Capability.ALL] } }, 'mesh-app:capabilities', /adds Linux capabilities/],
    ['capabilities without drop ALL', { capabilities: { drop: [kplus.Capability.NET_RAW] } }, 'mesh-app:capabilities', /adds Linux capabilities or does not drop ALL/],
    ['an Unconfined seccomp profile', { seccompProfile: { type: kplus.SeccompProfileType.UNCONFINED } }, 'mesh-app:seccomp', /replaces the RuntimeDefault seccomp profile/],
  ];
  test.each(warnings)('warns with its id for an explicit opt-out: %s', (_name, securityContext, id, message) => {
    expectWarning((c) => shop(c, 'shop', { securityContext }), id, new RegExp(`^\\[test/shop\\] 'securityContext' ${message.source}.*\\[${id}\\]`));
  });

  test('allowUnpinnedImages accepts an untagged image; secrets by reference and plain settings are accepted', () => {
    expectAccepted((c) => shop(c, 'dev', { allowUnpinnedImages: true, versions: one('localhost:5000/shop') }));
    expectAccepted((c) => shop(c, 'shop', {
      versions: one('registry.example.com/shop@sha256:' + 'a'.repeat(64)),
      env: {
        DB_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(c, 'db', 'db'), key: 'password' }),
        DB_URL: literal('postgres://db:5432/shop'),
        CACHE_KEY_PREFIX: literal('shop'),
        EMPTY_TOKEN: literal(''),
      },
    }));
  });
});
