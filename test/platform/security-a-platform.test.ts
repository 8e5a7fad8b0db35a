import { App, Testing } from 'cdk8s';
import { buildReferencePlatform } from '../../main';
import { analyze, FindingSeverity } from '../../lib';
import { find } from '../util/security-fixtures';
import { expectValidManifests } from '../util/schema';

describe('reference platform: S1 mTLS half, S2, S3, S10 charts', () => {
  const app: App = Testing.app();
  buildReferencePlatform(app);
  const report = analyze(app);
  const byChart = (id: string) => report.objects.filter((o) => o.chart.node.id === id).map((o) => o.manifest);

  test('analyses without errors; S1 warns about the sidecar-less web-frontend; every object validates', () => {
    expect(report.errors).toEqual([]);
    const s1 = report.warnings.filter((w) => w.rule === 'sidecarless-mtls');
    expect(s1.length).toBeGreaterThan(0);
    expect(s1.every((w) => w.path.startsWith('sample-app/web-frontend/'))).toBe(true);
    expect(s1.some((w) => /calls "default\/customers-v1" .* will fail with ECONNRESET under STRICT/.test(w.message))).toBe(true);
    expectValidManifests(report.objects.map((o) => o.manifest));
  });

  test('mesh-wide STRICT with *.local ISTIO_MUTUAL, and default PERMISSIVE (S1 migration state, S10)', () => {
    const out = byChart('mesh-security');
    expect(find(out, 'PeerAuthentication', 'default', 'istio-system').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(find(out, 'DestinationRule', 'default', 'istio-system').spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
    expect(find(out, 'PeerAuthentication', 'default', 'default').spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  test('S2: deny-all, gateway -> web-frontend, web-frontend -> customers by principal; S3: JWT at the gateway', () => {
    const out = byChart('zero-trust');
    expect(find(out, 'AuthorizationPolicy', 'deny-all', 'zero-trust').spec).toEqual({});
    expect(find(out, 'AuthorizationPolicy', 'web-frontend-allow-gateway', 'zero-trust').spec.rules[0].from[0].source.principals)
      .toEqual(['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account']);
    expect(find(out, 'AuthorizationPolicy', 'customers-allow-web-frontend', 'zero-trust').spec.rules[0].from[0].source.principals)
      .toEqual(['cluster.local/ns/zero-trust/sa/web-frontend']);
    expect(find(out, 'ServiceAccount', 'web-frontend', 'zero-trust')).toBeDefined();
    const ra = find(out, 'RequestAuthentication', 'jwt-example', 'istio-system');
    expect(ra.spec.selector).toEqual({ matchLabels: { istio: 'ingressgateway' } });
    expect(ra.spec.jwtRules[0].issuer).toBe('testing@secure.istio.io');
    const deny = find(out, 'AuthorizationPolicy', 'jwt-example-require-jwt', 'istio-system');
    expect(deny.spec.action).toBe('DENY');
    expect(deny.spec.rules[0].from[0].source).toEqual({ notRequestPrincipals: ['*'] });
  });

  test('S10: foo and bar injected, legacy not, and legacy pods opt out too', () => {
    const out = byChart('namespaces');
    expect(find(out, 'Namespace', 'foo').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(find(out, 'Namespace', 'bar').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(find(out, 'Namespace', 'legacy').metadata.labels).toEqual({ 'istio-injection': 'disabled' });
    const legacySleep = out.find((m) => m.kind === 'Deployment' && m.metadata.namespace === 'legacy' && m.metadata.name.startsWith('sleep'));
    expect(legacySleep!.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    expect(report.findings.filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
  });
});
