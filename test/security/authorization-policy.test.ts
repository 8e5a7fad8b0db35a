import { App, Chart, Testing } from 'cdk8s';
import { AuthorizationAction, AuthorizationPolicy, MeshPeer, TRUST_DOMAIN_CONTEXT } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { TestWorkload } from '../util/fixtures';
import { find } from '../util/synth';

describe('AuthorizationPolicy', () => {
  test('default: an ALLOW policy without rules and selector renders the empty-spec deny-all', () => {
    const chart = Testing.chart();
    const p = new AuthorizationPolicy(chart, 'deny-all');
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    const m = find(out, 'AuthorizationPolicy', 'deny-all', 'default');
    expect(m.apiVersion).toBe('security.istio.io/v1');
    expect(m.spec).toEqual({});
    expect(p.action).toBe(AuthorizationAction.ALLOW);
    expectValidManifests(out);
  });

  test('allowFrom renders <target>-allow-<peer> with the peer principals and the target selector (S2)', () => {
    const chart = Testing.chart();
    const web = new TestWorkload(chart, 'web-frontend');
    const customers = new TestWorkload(chart, 'customers');
    const p = AuthorizationPolicy.allowFrom(customers, web);
    const out = Testing.synth(chart);
    expect(find(out, 'AuthorizationPolicy', 'customers-allow-web-frontend', 'default').spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'customers' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/web-frontend'] } }] }],
    });
    expect(p.node.scope).toBe(customers);
    expectValidManifests(out);
  });

  test('allowFrom the ingress gateway uses its service account in istio-system', () => {
    const chart = Testing.chart();
    const web = new TestWorkload(chart, 'web-frontend');
    AuthorizationPolicy.allowFrom(web, MeshPeer.ingressGateway());
    const m = find(Testing.synth(chart), 'AuthorizationPolicy', 'web-frontend-allow-ingressgateway');
    expect(m.spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account']);
  });

  test('allowFrom is idempotent per peer and adds operations as further rules', () => {
    const chart = Testing.chart();
    const web = new TestWorkload(chart, 'web');
    const api = new TestWorkload(chart, 'api');
    const a = AuthorizationPolicy.allowFrom(api, web, { methods: ['GET'], paths: ['/api/*'], ports: [8080] });
    const b = AuthorizationPolicy.allowFrom(api, web, { methods: ['GET'], paths: ['/api/*'], ports: [8080] });
    const c = AuthorizationPolicy.allowFrom(api, web, { methods: ['POST'], notPaths: ['/admin/*'],
      when: [{ key: 'request.headers[User-Agent]', values: ['*Firefox*'] }] });
    expect(b).toBe(a);
    expect(c).toBe(a);
    const out = Testing.synth(chart);
    expect(out.filter((o) => o.kind === 'AuthorizationPolicy')).toHaveLength(1);
    const rules = find(out, 'AuthorizationPolicy', 'api-allow-web').spec.rules;
    expect(rules).toHaveLength(2);
    expect(rules[0].to).toEqual([{ operation: { methods: ['GET'], paths: ['/api/*'], ports: ['8080'] } }]);
    expect(rules[1].to).toEqual([{ operation: { methods: ['POST'], notPaths: ['/admin/*'] } }]);
    expect(rules[1].when).toEqual([{ key: 'request.headers[User-Agent]', values: ['*Firefox*'] }]);
    expectValidManifests(out);
  });

  test('a namespace peer renders source.namespaces; a service-account peer its own trust domain', () => {
    const chart = Testing.chart();
    const api = new TestWorkload(chart, 'api');
    AuthorizationPolicy.allowFrom(api, MeshPeer.namespace('foo'));
    AuthorizationPolicy.allowFrom(api, MeshPeer.serviceAccount('bar', 'batch', { trustDomain: 'other.example.com' }));
    const out = Testing.synth(chart);
    expect(find(out, 'AuthorizationPolicy', 'api-allow-ns-foo').spec.rules[0].from[0].source).toEqual({ namespaces: ['foo'] });
    expect(find(out, 'AuthorizationPolicy', 'api-allow-bar-batch').spec.rules[0].from[0].source)
      .toEqual({ principals: ['other.example.com/ns/bar/sa/batch'] });
  });

  test('the trust domain comes from the context (default cluster.local)', () => {
    const app = new App();
    app.node.setContext(TRUST_DOMAIN_CONTEXT, 'prod.example.com');
    const chart = new Chart(app, 'c');
    AuthorizationPolicy.allowFrom(new TestWorkload(chart, 'api'), new TestWorkload(chart, 'web'));
    const m = find(Testing.synth(chart), 'AuthorizationPolicy', 'api-allow-web');
    expect(m.spec.rules[0].from[0].source.principals).toEqual(['prod.example.com/ns/default/sa/web']);
  });

  test('DENY, AUDIT and CUSTOM policies with raw rules (S2)', () => {
    const chart = Testing.chart();
    const api = new TestWorkload(chart, 'api');
    new AuthorizationPolicy(chart, 'deny-outside', {
      workload: api,
      action: AuthorizationAction.DENY,
      rules: [{
        from: [{ notNamespaces: ['default', 'istio-system'], ipBlocks: ['10.0.0.0/8'], notRequestPrincipals: ['*'] }],
        to: [{ notMethods: ['GET'], hosts: ['api.example.com'], notPorts: [9090] }],
        when: [{ key: 'request.auth.claims[iss]', notValues: ['https://accounts.google.com'] }],
      }],
    });
    new AuthorizationPolicy(chart, 'audit-admin', { action: AuthorizationAction.AUDIT, rules: [{ to: [{ paths: ['/admin*'] }] }] });
    new AuthorizationPolicy(chart, 'ext-authz', {
      workload: api, action: AuthorizationAction.custom('ext-authz-grpc'), rules: [{ to: [{ paths: ['/headers'] }] }],
    });
    const out = Testing.synth(chart);
    const deny = find(out, 'AuthorizationPolicy', 'deny-outside');
    expect(deny.spec.action).toBe('DENY');
    expect(deny.spec.rules[0].from[0].source).toEqual({ notNamespaces: ['default', 'istio-system'], ipBlocks: ['10.0.0.0/8'], notRequestPrincipals: ['*'] });
    expect(deny.spec.rules[0].to[0].operation).toEqual({ notMethods: ['GET'], hosts: ['api.example.com'], notPorts: ['9090'] });
    expect(find(out, 'AuthorizationPolicy', 'audit-admin').spec).toEqual({ action: 'AUDIT', rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }] });
    const custom = find(out, 'AuthorizationPolicy', 'ext-authz');
    expect(custom.spec.action).toBe('CUSTOM');
    expect(custom.spec.provider).toEqual({ name: 'ext-authz-grpc' });
    expectValidManifests(out);
  });

  test('rules added after construction are rendered (lazy)', () => {
    const chart = Testing.chart();
    const p = new AuthorizationPolicy(chart, 'late', { action: AuthorizationAction.DENY });
    p.addRule({ to: [{ paths: ['/private'] }] });
    expect(find(Testing.synth(chart), 'AuthorizationPolicy', 'late').spec.rules).toEqual([{ to: [{ operation: { paths: ['/private'] } }] }]);
  });

  test('fails when allowFrom names a peer without a sidecar', () => {
    const chart = Testing.chart();
    const web = new TestWorkload(chart, 'web-frontend', { sidecar: false });
    const customers = new TestWorkload(chart, 'customers');
    expect(() => AuthorizationPolicy.allowFrom(customers, web))
      .toThrow(/\[test\/customers\] 'allowFrom' peer "web-frontend" has no sidecar.*got "web-frontend"\. Fix: enable sidecar injection/);
  });

  test('fails when the target has no sidecar (nothing enforces the policy)', () => {
    const chart = Testing.chart();
    const web = new TestWorkload(chart, 'web-frontend', { sidecar: false });
    expect(() => AuthorizationPolicy.allowFrom(web, MeshPeer.ingressGateway())).toThrow(/'workload' has no sidecar, so nothing would enforce/);
  });

  test('fails on an empty rule, lower-case methods, relative paths, bad ports and bad IP blocks', () => {
    const chart = Testing.chart();
    const p = new AuthorizationPolicy(chart, 'p', { action: AuthorizationAction.DENY });
    expect(() => p.addRule({})).toThrow(/'rules\[0\]' is empty \(an empty rule matches every request\)/);
    expect(() => p.addRule({ to: [{ methods: ['get'] }] })).toThrow(/'rules\[0\]\.to\[0\]\.methods' must be HTTP methods in upper case, got "get"\. Fix: use "GET"/);
    expect(() => p.addRule({ to: [{ paths: ['api'] }] })).toThrow(/'rules\[0\]\.to\[0\]\.paths' must start with "\/" or "\*", got "api"/);
    expect(() => p.addRule({ to: [{ ports: [0] }] })).toThrow(/'rules\[0\]\.to\[0\]\.ports' must be an integer from 1 to 65535, got 0/);
    expect(() => p.addRule({ from: [{ ipBlocks: ['ten.0.0.0/8'] }] })).toThrow(/'rules\[0\]\.from\[0\]\.ipBlocks\[0\]' is not an IP address, got "ten\.0\.0\.0\/8"/);
    expect(() => p.addRule({ from: [{ principals: [] }] })).toThrow(/'rules\[0\]\.from\[0\]\.principals' must be a non-empty list/);
  });

  test('fails on an unknown condition key and on a condition without values', () => {
    const p = new AuthorizationPolicy(Testing.chart(), 'p', { action: AuthorizationAction.DENY });
    expect(() => p.addRule({ when: [{ key: 'request.header[User-Agent]', values: ['x'] }] }))
      .toThrow(/'rules\[0\]\.when\[0\]\.key' is not an Istio authorization condition, got "request.header\[User-Agent\]"\. Fix: use request.headers/);
    expect(() => p.addRule({ when: [{ key: 'source.ip' }] })).toThrow(/'rules\[0\]\.when\[0\]\.values' needs values or notValues/);
  });

  test('fails when a CUSTOM policy uses authentication fields', () => {
    const chart = Testing.chart();
    const p = new AuthorizationPolicy(chart, 'p', { action: AuthorizationAction.custom('opa') });
    expect(() => p.addRule({ from: [{ requestPrincipals: ['*'] }] })).toThrow(/'rules\[0\]\.from\.principals' uses an authentication field.*got "CUSTOM\(opa\)"/);
    expect(() => p.addRule({ fromPeers: [new TestWorkload(chart, 'w')] })).toThrow(/'rules\[0\]\.fromPeers' uses an authentication field/);
  });

  test('fails on a bad provider name and on a namespace that differs from the workload', () => {
    const chart = Testing.chart();
    expect(() => new AuthorizationPolicy(chart, 'a', { action: AuthorizationAction.custom('ext authz') })).toThrow(/'action.provider' must be the name of an extension provider/);
    expect(() => new AuthorizationPolicy(chart, 'b', { workload: new TestWorkload(chart, 'w', { namespace: 'shop' }), namespace: 'default' }))
      .toThrow(/'namespace' must be the namespace of the workload "w" \("shop"\), got "default"/);
  });
});
