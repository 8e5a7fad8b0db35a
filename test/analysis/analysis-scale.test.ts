import { analyzeManifests, ManifestInput } from '../../lib/analysis/analyze';

/**
 * `n` apps spread over 20 namespaces: Deployment, Service, DestinationRule, VirtualService, AuthorizationPolicy, PDB; each calls the next.
 * Every app is also published on one shared Gateway (a server per host, a VirtualService per app), has a PeerAuthentication with
 * port-level mTLS, a Sidecar and a Telemetry; every namespace denies by default.
 */
function world(n: number): ManifestInput[] {
  const out: any[] = [];
  for (let i = 0; i < n; i++) {
    const ns = `ns${i % 20}`;
    const app = `app${i}`;
    const next = `http://app${(i + 1) % n}.ns${(i + 1) % 20}.svc.cluster.local`;
    out.push(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: ns }, spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app, version: 'v1' } }, spec: { containers: [{ name: app, image: `example.com/${app}:1.0.0`, env: [{ name: 'NEXT', value: next }] }] } } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: ns }, spec: { selector: { app }, ports: [{ name: 'http', port: 80 }] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: app, namespace: ns }, spec: { host: app, subsets: [{ name: 'v1', labels: { version: 'v1' } }] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: app, namespace: ns }, spec: { hosts: [app], http: [{ route: [{ destination: { host: app, subset: 'v1' } }] }] } },
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: app, namespace: ns }, spec: { selector: { matchLabels: { app } }, rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/default`] } }] }] } },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: app, namespace: ns }, spec: { maxUnavailable: 1, selector: { matchLabels: { app } } } },
    );
  }
  for (let i = 0; i < n; i++) {
    const ns = `ns${i % 20}`;
    const app = `app${i}`;
    const selector = { matchLabels: { app } };
    out.push(
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: `${app}-public`, namespace: ns }, spec: { hosts: [`${app}.example.com`], gateways: ['istio-system/public'], http: [{ route: [{ destination: { host: app } }] }] } },
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: app, namespace: ns }, spec: { selector, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } } },
      { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: app, namespace: ns }, spec: { workloadSelector: { labels: { app } }, egress: [{ hosts: ['./*'] }] } },
      { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: app, namespace: ns }, spec: { selector, tracing: [{ randomSamplingPercentage: 10 }] } },
    );
  }
  for (let i = 0; i < 20; i++) out.push({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow-nothing', namespace: `ns${i}` }, spec: {} });
  out.push({
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'istio-system' },
    spec: { selector: { istio: 'ingressgateway' }, servers: Array.from({ length: n }, (_, i) => ({ port: { number: 443, name: `https-${i}`, protocol: 'HTTPS' }, hosts: [`ns${i % 20}/app${i}.example.com`], tls: { mode: 'SIMPLE', credentialName: `app${i}` } })) },
  });
  return out.map((manifest) => ({ manifest }));
}

function fastest(inputs: ManifestInput[]): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    analyzeManifests(inputs);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

test('analysis time grows with the number of objects, not with their pairs', () => {
  const small = world(500);
  const large = world(2000);
  fastest(small); // warm up
  const ratio = fastest(large) / fastest(small);
  // 4x the objects: linear is about 4x, pairs would be 16x.
  expect(ratio).toBeLessThan(9);
});
