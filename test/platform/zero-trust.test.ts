import { FindingSeverity } from '../../lib';
import { ZeroTrustChart } from '../../platform/charts/zero-trust';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: zero-trust chart (S2, S3)', () => {
  const { platform, manifestsOf, findingsOf } = analyzedPlatform();
  const chart = platform.production.zeroTrust;
  const out = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(ZeroTrustChart);
    expect(findingsOf(chart).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expectValidManifests(out);
  });

  test('S2: deny-all, gateway -> web-frontend, web-frontend -> customers by principal; S3: JWT at the gateway', () => {
    expect(find(out, 'AuthorizationPolicy', 'deny-all', 'zero-trust').spec).toEqual({});
    expect(find(out, 'AuthorizationPolicy', 'web-frontend-allow-gateway', 'zero-trust').spec.rules[0].from[0].source.principals)
      .toEqual(['cluster.local/ns/istio-ingress/sa/istio-ingressgateway']);
    expect(find(out, 'AuthorizationPolicy', 'customers-allow-web-frontend', 'zero-trust').spec.rules[0].from[0].source.principals)
      .toEqual(['cluster.local/ns/zero-trust/sa/web-frontend']);
    expect(find(out, 'ServiceAccount', 'web-frontend', 'zero-trust')).toBeDefined();
    const ra = find(out, 'RequestAuthentication', 'jwt-example', 'istio-ingress');
    expect(ra.spec.selector).toEqual({ matchLabels: { istio: 'ingressgateway' } });
    expect(ra.spec.jwtRules[0].issuer).toBe('testing@secure.istio.io');
    const deny = find(out, 'AuthorizationPolicy', 'jwt-example-require-jwt', 'istio-ingress');
    expect(deny.spec.action).toBe('DENY');
    expect(deny.spec.rules[0].from[0].source).toEqual({ notRequestPrincipals: ['*'] });
  });

  test('S2: web-frontend calls customers of its own namespace', () => {
    const env = find(out, 'Deployment', 'web-frontend-v1', 'zero-trust').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'CUSTOMER_SERVICE_URL', value: 'http://customers.zero-trust.svc.cluster.local' });
  });
});
