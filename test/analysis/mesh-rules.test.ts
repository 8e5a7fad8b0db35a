import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyzeManifests, ManifestInput } from '../../lib/analysis/analyze';
import { analyzedPlatform } from '../platform/reference-platform';

/* The product's own mesh rules (MESH0023-MESH0029): which object, which severity, and the cases the fixtures do not show. */

const ROOT = path.join(__dirname, '..', 'fixtures', 'analyze');
function load(rule: string, kind: 'fail' | 'pass'): ManifestInput[] {
  const file = path.join(ROOT, rule, `${kind}.yaml`);
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((v) => v && typeof v === 'object')
    .map((manifest, i) => ({ manifest, file, source: `${file}#${i}` }));
}
const of = (inputs: ManifestInput[], rule: string) => analyzeManifests(inputs).filter((f) => f.rule === rule);
const where = (inputs: ManifestInput[], rule: string) => of(inputs, rule).map((f) => [f.severity, f.kind, f.namespace, f.name]);
/** The inputs with one object changed. */
function edit(inputs: ManifestInput[], kind: string, name: string, change: (m: any) => any): ManifestInput[] {
  return inputs.map((i) => (i.manifest.kind === kind && i.manifest.metadata.name === name ? { ...i, manifest: change(structuredClone(i.manifest)) } : i));
}

describe('mesh-client-tls (MESH0023)', () => {
  test('ISTIO_MUTUAL to pods without sidecar, DISABLE to STRICT pods: errors on the DestinationRules', () => {
    const found = of(load('mesh-client-tls', 'fail'), 'mesh-client-tls');
    expect(found.map((f) => [f.severity, f.kind, f.namespace, f.name, f.code])).toEqual([
      ['error', 'DestinationRule', 'shop', 'billing', 'MESH0023'], ['error', 'DestinationRule', 'shop', 'orders', 'MESH0023'],
    ]);
    expect(found[0].message).toMatch(/sends Istio mTLS \(ISTIO_MUTUAL\) to "billing.legacy.svc.cluster.local", whose pods legacy\/billing run no sidecar/);
    expect(found[1].message).toMatch(/sends plaintext \(tls mode DISABLE\) to "orders".*shop\/orders port 8080 \(STRICT from PeerAuthentication "default" in "shop"\)/);
  });

  test('a port-level PERMISSIVE on the workload port, or a port-level DISABLE for another port, is no contradiction', () => {
    const fail = load('mesh-client-tls', 'fail');
    const withPortLevel = [...fail, { manifest: {
      apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'orders', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'orders' } }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } },
    } }];
    expect(of(withPortLevel, 'mesh-client-tls').map((f) => f.name)).toEqual(['billing']);
    const otherPort = edit(fail, 'DestinationRule', 'orders', (m) => ({ ...m, spec: { host: 'orders', trafficPolicy: { portLevelSettings: [{ port: { number: 9999 }, tls: { mode: 'DISABLE' } }] } } }));
    expect(of(otherPort, 'mesh-client-tls').map((f) => f.name)).toEqual(['billing']);
  });
});

describe('port-level-traffic-policy (MESH0026)', () => {
  test('failover lost on a port: an error; another field lost: a warning naming it', () => {
    expect(where(load('port-level-traffic-policy', 'fail'), 'port-level-traffic-policy')).toEqual([['error', 'DestinationRule', 'shop', 'catalog']]);
    const pool = [{ manifest: {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'api', namespace: 'shop' },
      spec: { host: 'api', trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } }, portLevelSettings: [{ port: { number: 8443 }, tls: { mode: 'SIMPLE' } }] } },
    } }];
    const found = of(pool, 'port-level-traffic-policy');
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0].message).toMatch(/'trafficPolicy.portLevelSettings\[0\] \(port 8443\)' replaces the whole 'trafficPolicy' for this port: its connectionPool does not apply/);
  });
});

describe('peer-authentication-port (MESH0029)', () => {
  test('an error when the lost entry changes the mode, a warning when it repeats it', () => {
    const fail = load('peer-authentication-port', 'fail');
    const found = of(fail, 'peer-authentication-port');
    expect(found.map((f) => [f.severity, f.kind, f.name])).toEqual([['error', 'PeerAuthentication', 'api']]);
    expect(found[0].fix).toBe('key the entry by the container port: portLevelMtls: { 8080: { mode: PERMISSIVE } }.');
    const same = edit(fail, 'PeerAuthentication', 'api', (m) => ({ ...m, spec: { ...m.spec, portLevelMtls: { 80: { mode: 'STRICT' } } } }));
    expect(of(same, 'peer-authentication-port').map((f) => f.severity)).toEqual(['warning']);
  });
});

describe('http-route-tcp-service (MESH0024) and passthrough-http-route (MESH0025)', () => {
  test('reported on the VirtualService', () => {
    expect(where(load('http-route-tcp-service', 'fail'), 'http-route-tcp-service')).toEqual([['error', 'VirtualService', 'shop', 'redis']]);
    expect(where(load('passthrough-http-route', 'fail'), 'passthrough-http-route')).toEqual([['error', 'VirtualService', 'shop', 'legacy']]);
  });

  test('a port whose protocol Istio sniffs may be HTTP: not reported', () => {
    const sniffed = edit(load('http-route-tcp-service', 'fail'), 'Service', 'redis', (m) => ({ ...m, spec: { ...m.spec, ports: [{ name: 'cache', port: 6379 }] } }));
    expect(of(sniffed, 'http-route-tcp-service')).toEqual([]);
  });

  test('http routes also bound to a server that terminates TLS are applied there: not reported', () => {
    const both = edit(load('passthrough-http-route', 'fail'), 'Gateway', 'public', (m) => ({
      ...m, spec: { ...m.spec, servers: [...m.spec.servers, { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['legacy.example.com'] }] },
    }));
    expect(of(both, 'passthrough-http-route')).toEqual([]);
  });
});

describe('gateway-route-denied (MESH0027)', () => {
  test('reported on the VirtualService, naming the gateway identity', () => {
    const found = of(load('gateway-route-denied', 'fail'), 'gateway-route-denied');
    expect(found.map((f) => [f.severity, f.kind, f.name])).toEqual([['error', 'VirtualService', 'frontend']]);
    expect(found[0].message).toMatch(/identity cluster.local\/ns\/istio-system\/sa\/istio-ingressgateway-service-account\) to "frontend".*\(shop\/allow-nothing, shop\/frontend\) have no rule/);
  });

  test('an ALLOW of the gateway namespace, or of any source, lets it in', () => {
    const fail = load('gateway-route-denied', 'fail');
    const allow = (source: object) => [...fail, { manifest: {
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'ingress', namespace: 'shop' },
      spec: { rules: [{ from: [{ source }] }] },
    } }];
    expect(of(allow({ namespaces: ['istio-system'] }), 'gateway-route-denied')).toEqual([]);
    expect(of(allow({ principals: ['cluster.local/ns/istio-system/*'] }), 'gateway-route-denied')).toEqual([]);
    expect(of(allow({ principals: ['other-domain/ns/istio-system/sa/istio-ingressgateway-service-account'] }), 'gateway-route-denied')).toEqual([]);
    expect(of(allow({ namespaces: ['payments'] }), 'gateway-route-denied')).toHaveLength(1);
  });

  test('no ALLOW policy applies (no deny-all): nothing to report', () => {
    const open = load('gateway-route-denied', 'fail').filter((i) => i.manifest.kind !== 'AuthorizationPolicy');
    expect(of(open, 'gateway-route-denied')).toEqual([]);
  });
});

describe('gateway-catch-all-conflict (MESH0028)', () => {
  test('reported on each VirtualService of the conflict', () => {
    expect(where(load('gateway-catch-all-conflict', 'fail'), 'gateway-catch-all-conflict')).toEqual([
      ['error', 'VirtualService', 'shop', 'shop'], ['error', 'VirtualService', 'blog', 'blog'],
    ]);
  });

  test('a Canary publishing the same host with its generated catch-all counts', () => {
    const inputs = load('gateway-catch-all-conflict', 'fail').filter((i) => !(i.manifest.kind === 'VirtualService' && i.manifest.metadata.name === 'blog'));
    const canary = { manifest: {
      apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'blog', namespace: 'blog' },
      spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'blog' }, service: { port: 80, hosts: ['www.example.com'], gateways: ['istio-system/public'] } },
    } };
    expect(where([...inputs, canary], 'gateway-catch-all-conflict')).toEqual([['error', 'VirtualService', 'shop', 'shop'], ['error', 'Canary', 'blog', 'blog']]);
  });
});

describe('on the reference platform', () => {
  test('its zero-trust namespace lets the ingress gateway in; without that ALLOW policy every gateway request would be 403', () => {
    const { report } = analyzedPlatform();
    expect(report.findings.filter((f) => f.rule === 'gateway-route-denied')).toEqual([]);
    const staging = report.objects.filter((o) => o.path.startsWith('staging/'));
    const allow = staging.filter((o) => o.manifest.kind === 'AuthorizationPolicy' && o.manifest.metadata.namespace === 'zero-trust'
      && JSON.stringify(o.manifest.spec?.rules ?? []).includes('/ns/istio-ingress/sa/'));
    expect(allow).toHaveLength(1);
    const found = analyzeManifests(staging.filter((o) => !allow.includes(o)).map((o) => ({ manifest: o.manifest }))).filter((f) => f.rule === 'gateway-route-denied');
    expect(found.map((f) => [f.kind, f.namespace, f.name])).toEqual([['VirtualService', 'zero-trust', 'web-frontend-gateway']]);
  });
});

describe('Canary service.trafficPolicy (Flagger copies it into the DestinationRules it generates)', () => {
  const canary = (trafficPolicy: object) => ({ manifest: {
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'billing', namespace: 'legacy' },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'billing' }, service: { port: 8080, trafficPolicy }, analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10 } },
  } });

  test('ISTIO_MUTUAL to primary pods without sidecar: mesh-client-tls on the Canary', () => {
    const inputs = load('mesh-client-tls', 'fail').filter((i) => !(i.manifest.kind === 'Service' && i.manifest.metadata.name === 'billing') && i.manifest.kind !== 'DestinationRule');
    const found = of([...inputs, canary({ tls: { mode: 'ISTIO_MUTUAL' } })], 'mesh-client-tls');
    expect(found.map((f) => [f.kind, f.name])).toEqual([['Canary', 'billing']]);
    expect(found[0].message).toMatch(/^Canary legacy\/billing \(the DestinationRules Flagger generates\) 'spec.service.trafficPolicy.tls' sends Istio mTLS .* legacy\/billing-primary run no sidecar/);
  });

  test('a port entry dropping the top-level pool: port-level-traffic-policy on the Canary', () => {
    const found = of([canary({ connectionPool: { tcp: { maxConnections: 10 } }, portLevelSettings: [{ port: { number: 8080 }, tls: { mode: 'DISABLE' } }] })], 'port-level-traffic-policy');
    expect(found.map((f) => [f.severity, f.kind, f.name])).toEqual([['warning', 'Canary', 'billing']]);
  });
});
