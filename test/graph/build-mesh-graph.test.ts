import { fixtureManifests } from './fixture';
import {
  buildMeshGraph, MeshGraph, MeshGraphCanaryStrategy, MeshGraphDataplane, MeshGraphEdgeStatus, MeshGraphInjection, MeshGraphMtlsMode, MeshGraphNodeKind,
  renderMermaid,
} from '../../lib/graph';

/** `from -kind-> to [status] labels`, one string per edge, in the graph's order. */
function edgeLines(g: MeshGraph): string[] {
  return g.edges.map((e) => `${e.from} -${e.kind}-> ${e.to} [${e.status}]${e.labels.length ? ` ${e.labels.join(' | ')}` : ''}`);
}

function node(g: MeshGraph, id: string) {
  const n = g.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}; nodes: ${g.nodes.map((x) => x.id).join(', ')}`);
  return n;
}

function edge(g: MeshGraph, from: string, to: string) {
  const found = g.edges.filter((e) => e.from === from && e.to === to);
  if (found.length !== 1) throw new Error(`${found.length} edges ${from} -> ${to}; edges:\n${edgeLines(g).join('\n')}`);
  return found[0];
}

const deployment = (namespace: string, name: string, labels: Record<string, string>, extra: { sa?: string; env?: Record<string, string>; annotations?: Record<string, string> } = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: labels.app } },
    template: {
      metadata: { labels, annotations: extra.annotations },
      spec: { serviceAccountName: extra.sa ?? labels.app, containers: [{ name: 'main', env: Object.entries(extra.env ?? {}).map(([name, value]) => ({ name, value })) }] },
    },
  },
});
const service = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } });
const namespace = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const peerAuthentication = (ns: string, name: string, spec: object) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns }, spec });

describe('buildMeshGraph', () => {
  test('draws the fixture node by node', () => {
    const g = buildMeshGraph(fixtureManifests());
    expect(g.nodes.map((n) => `${n.kind} ${n.id}`)).toEqual([
      'external ext_api_stripe_com',
      'gateway gw_shop_web',
      'peer peer_shop_any',
      'service svc_open_api',
      'service svc_shop_backend',
      'service svc_shop_frontend',
      'service svc_vm_legacy_db',
      'workload wl_legacy_client_v1',
      'workload wl_open_api_v1',
      'workload wl_shop_backend_v1',
      'workload wl_shop_backend_v2',
      'workload wl_shop_batch_v1',
      'workload wl_shop_frontend_v1',
      'workload wl_vm_db_vm_1',
    ]);
  });

  test('draws the fixture edge by edge, with labels and statuses', () => {
    const g = buildMeshGraph(fixtureManifests());
    expect(edgeLines(g)).toEqual([
      // The gateway's pods (Istio's default ingress service account) are allowed; a CUSTOM policy checks /admin*.
      'gw_shop_web -route-> svc_shop_frontend [conditional] /* | ext-authz opa',
      // A namespace-wide ALLOW in vm: every workload of shop may call every workload of vm.
      'peer_shop_any -call-> ns_vm [allowed]',
      'svc_open_api -version-> wl_open_api_v1 [allowed]',
      'svc_shop_backend -version-> wl_shop_backend_v1 [allowed] 80%',
      'svc_shop_backend -mirror-> wl_shop_backend_v2 [allowed] mirror 10%',
      'svc_shop_backend -version-> wl_shop_backend_v2 [allowed] x-beta=1 | 20%',
      'svc_shop_frontend -egress-> ext_api_stripe_com [allowed]',
      // Learned from BACKEND_URL and granted by backend-allow-frontend, for GET only; one edge from the service.
      'svc_shop_frontend -call-> svc_shop_backend [conditional] GET',
      'svc_shop_frontend -version-> wl_shop_frontend_v1 [allowed]',
      'svc_vm_legacy_db -version-> wl_vm_db_vm_1 [allowed]',
      // No sidecar in legacy: plaintext to a PERMISSIVE workload, refused by a STRICT one.
      'wl_legacy_client_v1 -call-> svc_open_api [plaintext] plaintext',
      'wl_legacy_client_v1 -call-> svc_shop_backend [denied] denied: STRICT mTLS',
      // Only backend-v1 calls the database (postgres:// URL to the ServiceEntry host); allowed from namespace shop.
      'wl_shop_backend_v1 -call-> svc_vm_legacy_db [allowed]',
      'wl_shop_batch_v1 -call-> svc_shop_backend [denied] denied: DENY backend-deny-batch',
    ]);
  });

  test('an edge learned twice keeps both sources and the reasons', () => {
    const g = buildMeshGraph(fixtureManifests());
    const batch = edge(g, 'wl_shop_batch_v1', 'svc_shop_backend');
    expect(batch.sources).toEqual(['AuthorizationPolicy shop/backend-deny-batch', 'env BACKEND of Deployment shop/batch-v1']);
    expect(batch.reasons.join(' ')).toMatch(/a rule of AuthorizationPolicy shop\/backend-deny-batch \(DENY\) matches every request/);
    expect(edge(g, 'wl_legacy_client_v1', 'svc_shop_backend').reasons).toEqual([
      'PeerAuthentication shop/default makes backend-v1 STRICT and the caller has no sidecar',
      'PeerAuthentication shop/default makes backend-v2 STRICT and the caller has no sidecar',
    ]);
  });

  test('namespaces carry their mTLS mode, injection and deny-all', () => {
    const g = buildMeshGraph(fixtureManifests());
    expect(g.namespaces.map((n) => [n.id, n.mtls.mode, n.injection, n.denyAll])).toEqual([
      ['ns_legacy', 'PERMISSIVE', 'disabled', false],
      ['ns_open', 'PERMISSIVE', 'enabled', false],
      ['ns_shop', 'STRICT', 'enabled', true],
      ['ns_vm', 'PERMISSIVE', 'enabled', false],
    ]);
    expect(g.namespaces[0].mtls.from).toBe('PeerAuthentication istio-system/default (mesh-wide)');
  });

  test('workloads carry dataplane, mTLS, port exceptions, version and ext-authz', () => {
    const g = buildMeshGraph(fixtureManifests());
    expect(node(g, 'wl_legacy_client_v1')).toMatchObject({ dataplane: MeshGraphDataplane.NONE, serviceAccount: 'client', version: 'v1' });
    expect(node(g, 'wl_legacy_client_v1').mtls).toBeUndefined();
    expect(node(g, 'wl_shop_backend_v2')).toMatchObject({ mtls: { mode: 'STRICT', from: 'PeerAuthentication shop/default' }, portMtls: { 9090: 'DISABLE' } });
    expect(node(g, 'wl_shop_frontend_v1').customAuthorization).toEqual(['shop/frontend-ext-authz (opa)']);
    expect(node(g, 'wl_vm_db_vm_1')).toMatchObject({ dataplane: MeshGraphDataplane.SIDECAR, sources: ['WorkloadEntry vm/db-vm-1'], serviceAccount: 'legacy-db' });
    expect(node(g, 'svc_vm_legacy_db').hosts).toEqual(['legacy-db.vm.svc.cluster.local', 'db.internal.example']);
    expect(node(g, 'gw_shop_web')).toMatchObject({ ports: ['HTTP 80'], hosts: ['shop.example.com'], serviceAccount: 'istio-ingressgateway-service-account' });
  });

  test('the Markdown lists denied and plaintext calls with their reasons', () => {
    const md = renderMermaid(buildMeshGraph(fixtureManifests()), { title: 'Mesh graph: fixture' });
    expect(md).toMatch(/^# Mesh graph: fixture\n/);
    expect(md).toContain('## Denied\n\n- legacy/client-v1 → shop/backend: PeerAuthentication shop/default makes backend-v1 STRICT');
    expect(md).toContain('## Plaintext\n\n- legacy/client-v1 → open/api: the caller has no sidecar and api-v1 is PERMISSIVE');
  });
});

describe('buildMeshGraph: mTLS modes', () => {
  const base = [service('a', 'app'), deployment('a', 'app-v1', { app: 'app', version: 'v1' }), deployment('a', 'app-v2', { app: 'app', version: 'v2' })];
  const modes = (g: MeshGraph) => [g.namespaces[0].mtls.mode, node(g, 'wl_a_app_v1').mtls?.mode, node(g, 'wl_a_app_v2').mtls?.mode];

  test('without PeerAuthentication, Istio\'s default PERMISSIVE', () => {
    const g = buildMeshGraph(base);
    expect(modes(g)).toEqual(['PERMISSIVE', 'PERMISSIVE', 'PERMISSIVE']);
    expect(g.namespaces[0].mtls.from).toMatch(/Istio's default/);
  });

  test('workload-level over namespace-wide over mesh-wide; UNSET inherits', () => {
    const g = buildMeshGraph([
      ...base,
      peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
      peerAuthentication('a', 'default', { mtls: { mode: 'PERMISSIVE' } }),
      peerAuthentication('a', 'v2-only', { selector: { matchLabels: { version: 'v2' } }, mtls: { mode: 'DISABLE' } }),
    ]);
    expect(modes(g)).toEqual(['PERMISSIVE', 'PERMISSIVE', 'DISABLE']);
    const inherit = buildMeshGraph([...base, peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
      peerAuthentication('a', 'unset', { mtls: { mode: 'UNSET' } })]);
    expect(modes(inherit)).toEqual(['STRICT', 'STRICT', 'STRICT']);
  });

  test('a root-namespace option moves mesh-wide policies', () => {
    const g = buildMeshGraph([...base, peerAuthentication('mesh-root', 'default', { mtls: { mode: 'STRICT' } })], { rootNamespace: 'mesh-root' });
    expect(g.namespaces.find((n) => n.name === 'a')!.mtls).toEqual({ mode: 'STRICT', from: 'PeerAuthentication mesh-root/default (mesh-wide)' });
  });

  test('two namespace-wide policies: the first by name wins, whatever the input order', () => {
    const pas = [peerAuthentication('a', 'b-strict', { mtls: { mode: 'STRICT' } }), peerAuthentication('a', 'a-permissive', { mtls: { mode: 'PERMISSIVE' } })];
    expect(buildMeshGraph([...base, ...pas]).namespaces[0].mtls.from).toBe('PeerAuthentication a/a-permissive');
    expect(buildMeshGraph([...pas.reverse(), ...base]).namespaces[0].mtls.from).toBe('PeerAuthentication a/a-permissive');
  });

  test('a port-level DISABLE makes a call to that port plaintext', () => {
    const g = buildMeshGraph([
      ...base,
      peerAuthentication('a', 'default', { mtls: { mode: 'STRICT' } }),
      peerAuthentication('a', 'metrics', { selector: { matchLabels: { app: 'app' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }),
      deployment('a', 'caller-v1', { app: 'caller' }, { env: { URL: 'http://app.a.svc.cluster.local:80' } }),
    ]);
    expect(edge(g, 'wl_a_caller_v1', 'svc_a_app')).toMatchObject({ status: MeshGraphEdgeStatus.PLAINTEXT, labels: ['plaintext'] });
    expect(node(g, 'wl_a_app_v1').portMtls).toEqual({ 8080: MeshGraphMtlsMode.DISABLE });
  });
});

describe('buildMeshGraph: sidecars', () => {
  const caller = (ns: string, annotations?: Record<string, string>, labels: Record<string, string> = {}) =>
    deployment(ns, 'c-v1', { app: 'c', ...labels }, { annotations });
  const dataplane = (...manifests: any[]) => node(buildMeshGraph(manifests), manifests.length > 1 ? `wl_${(manifests[manifests.length - 1] as any).metadata.namespace}_c_v1` : `wl_${(manifests[0] as any).metadata.namespace}_c_v1`).dataplane;

  test('a namespace not in the input is assumed to inject', () => {
    expect(dataplane(caller('x'))).toBe(MeshGraphDataplane.SIDECAR);
  });

  test('a pod annotation or label sidecar.istio.io/inject "false" opts out', () => {
    expect(dataplane(caller('x', { 'sidecar.istio.io/inject': 'false' }))).toBe(MeshGraphDataplane.NONE);
    expect(dataplane(caller('x', undefined, { 'sidecar.istio.io/inject': 'false' }))).toBe(MeshGraphDataplane.NONE);
  });

  test('a namespace without injection label: only pods asking for a sidecar get one', () => {
    expect(dataplane(namespace('x'), caller('x'))).toBe(MeshGraphDataplane.NONE);
    expect(dataplane(namespace('x'), caller('x', undefined, { 'sidecar.istio.io/inject': 'true' }))).toBe(MeshGraphDataplane.SIDECAR);
    expect(buildMeshGraph([namespace('x')]).namespaces[0].injection).toBe(MeshGraphInjection.NOT_LABELLED);
  });

  test('istio-injection=disabled wins over the pod; istio.io/rev enables; ambient has no sidecar but mTLS', () => {
    expect(dataplane(namespace('x', { 'istio-injection': 'disabled' }), caller('x', undefined, { 'sidecar.istio.io/inject': 'true' }))).toBe(MeshGraphDataplane.NONE);
    expect(dataplane(namespace('x', { 'istio.io/rev': 'canary' }), caller('x'))).toBe(MeshGraphDataplane.SIDECAR);
    expect(dataplane(namespace('x', { 'istio.io/dataplane-mode': 'ambient' }), caller('x'))).toBe(MeshGraphDataplane.AMBIENT);
  });

  test('an ambient caller presents an identity: no plaintext to a STRICT service', () => {
    const g = buildMeshGraph([
      namespace('amb', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('amb', 'c-v1', { app: 'c' }, { env: { U: 'http://app.a.svc.cluster.local' } }),
      service('a', 'app'), deployment('a', 'app-v1', { app: 'app' }), peerAuthentication('a', 'default', { mtls: { mode: 'STRICT' } }),
    ]);
    expect(edge(g, 'wl_amb_c_v1', 'svc_a_app').status).toBe(MeshGraphEdgeStatus.ALLOWED);
  });
});

describe('buildMeshGraph: authorization', () => {
  const target = [service('a', 'app'), deployment('a', 'app-v1', { app: 'app' })];
  const ap = (name: string, spec: object) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'a' }, spec });
  const call = (extra: any[]) => {
    const g = buildMeshGraph([...target, deployment('b', 'c-v1', { app: 'c' }, { env: { U: 'http://app.a.svc.cluster.local' } }), ...extra]);
    return g.edges.find((e) => e.to === 'svc_a_app' && e.from.endsWith('_c') || e.from === 'wl_b_c_v1')!;
  };

  test('deny-all denies every caller the ALLOW rules do not name', () => {
    expect(call([ap('deny-all', {})])).toMatchObject({ status: 'denied', labels: ['denied: deny-all'] });
  });

  test('an ALLOW from the caller\'s namespace allows; one from another namespace denies', () => {
    const allow = (ns: string) => ap('allow', { selector: { matchLabels: { app: 'app' } }, rules: [{ from: [{ source: { namespaces: [ns] } }] }] });
    expect(call([allow('b')]).status).toBe('allowed');
    expect(call([allow('z')])).toMatchObject({ status: 'denied', labels: ['denied: no ALLOW rule'] });
  });

  test('principal wildcards, notPrincipals and conditions', () => {
    const rule = (source: object, extra: object = {}) => ap('allow', { rules: [{ from: [{ source }], ...extra }] });
    expect(call([rule({ principals: ['*'] })]).status).toBe('allowed');
    expect(call([rule({ principals: ['cluster.local/ns/b/*'] })]).status).toBe('allowed');
    expect(call([rule({ principals: ['*/sa/c'] })]).status).toBe('allowed');
    expect(call([rule({ notPrincipals: ['cluster.local/ns/b/sa/c'] })]).status).toBe('denied');
    expect(call([rule({ namespaces: ['b'] }, { when: [{ key: 'request.auth.claims[group]', values: ['x'] }] })]))
      .toMatchObject({ status: 'conditional', labels: ['when request.auth.claims[group]'] });
    expect(call([rule({ requestPrincipals: ['*'] })])).toMatchObject({ status: 'conditional', labels: ['JWT'] });
  });

  test('a DENY rule for some operations only makes the call conditional', () => {
    const deny = ap('deny-delete', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] });
    expect(call([deny])).toMatchObject({ status: 'conditional', labels: ['deny DELETE'] });
  });

  test('callers named only by identity become peer nodes', () => {
    const g = buildMeshGraph([...target, ap('allow', { selector: { matchLabels: { app: 'app' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/ops/sa/robot', '*'] } }] }] })]);
    expect(g.nodes.filter((n) => n.kind === MeshGraphNodeKind.PEER).map((n) => [n.id, n.namespace, n.name])).toEqual([
      ['peer_any', undefined, '*'],
      ['peer_ops_robot', 'ops', 'robot'],
    ]);
    expect(edgeLines(g).filter((l) => l.startsWith('peer'))).toEqual(['peer_any -call-> svc_a_app [allowed]', 'peer_ops_robot -call-> svc_a_app [allowed]']);
  });
});

describe('buildMeshGraph: egress', () => {
  const sidecar = (egress: string[], registryOnly: boolean) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: 'b' },
    spec: { egress: [{ hosts: egress }], ...(registryOnly ? { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } } : {}) },
  });
  const se = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext', namespace: 'b' }, spec: { hosts: ['*.example.com'], location: 'MESH_EXTERNAL' } };
  const c = deployment('b', 'c-v1', { app: 'c' }, { env: { A: 'https://api.example.com/x', B: 'https://other.example.org', C: 'http://app.a.svc.cluster.local' } });
  const app = [service('a', 'app'), deployment('a', 'app-v1', { app: 'app' })];

  test('a Sidecar with REGISTRY_ONLY refuses hosts no ServiceEntry declares, and services outside its egress hosts', () => {
    const g = buildMeshGraph([c, se, sidecar(['./*'], true), ...app]);
    expect(edgeLines(g).filter((l) => l.startsWith('wl_b_c_v1'))).toEqual([
      'wl_b_c_v1 -egress-> ext_any_example_com [allowed]',
      'wl_b_c_v1 -egress-> ext_other_example_org [denied] denied: not in registry',
      'wl_b_c_v1 -call-> svc_a_app [denied] denied: egress',
    ]);
    expect(node(g, 'ext_other_example_org')).toMatchObject({ declared: false, kind: MeshGraphNodeKind.EXTERNAL });
  });

  test('without a Sidecar, undeclared hosts pass through; Sidecar egress hosts naming a host draw an edge', () => {
    const g = buildMeshGraph([c, se, ...app]);
    expect(edge(g, 'wl_b_c_v1', 'ext_other_example_org')).toMatchObject({ status: 'allowed', labels: ['passthrough'] });
    const only = buildMeshGraph([deployment('b', 'idle-v1', { app: 'idle' }), se, sidecar(['b/*.example.com'], false)]);
    expect(edgeLines(only)).toContain('wl_b_idle_v1 -egress-> ext_any_example_com [allowed]');
  });
});

describe('buildMeshGraph: Flagger canaries', () => {
  const canary = (name: string, analysis: object, service: object = {}) => ({
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name, namespace: 'test' },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${name}-v1` }, service: { name, port: 9898, ...service }, analysis },
  });
  const target = (name: string) => deployment('test', `${name}-v1`, { 'app': name, 'app.kubernetes.io/name': name, 'version': 'v1' });

  test('progressive: the service routes to the primary and to the canary with its weights', () => {
    const g = buildMeshGraph([target('podinfo'), canary('podinfo', { stepWeight: 10, maxWeight: 50 }, { name: 'podinfo', gateways: ['public', 'mesh'], hosts: ['podinfo.example.com'] })]);
    expect(node(g, 'svc_test_podinfo').canary).toEqual({
      canary: 'test/podinfo', strategy: MeshGraphCanaryStrategy.PROGRESSIVE, target: 'podinfo-v1', weights: [10, 20, 30, 40, 50],
    });
    expect(node(g, 'wl_test_podinfo_v1_primary')).toMatchObject({ declared: false, labels: { 'app': 'podinfo-primary', 'app.kubernetes.io/name': 'podinfo', 'version': 'v1' } });
    expect(edgeLines(g)).toEqual([
      'gw_test_public -route-> svc_test_podinfo [allowed] podinfo.example.com',
      'svc_test_podinfo -version-> wl_test_podinfo_v1 [allowed] canary 10%→50%',
      'svc_test_podinfo -version-> wl_test_podinfo_v1_primary [allowed] primary',
    ]);
    expect(node(g, 'gw_test_public').declared).toBe(false);
  });

  test('A/B testing and blue/green (with mirroring)', () => {
    const ab = buildMeshGraph([target('ab'), canary('ab', { iterations: 10, match: [{ headers: { 'x-canary': { regex: '.*insider.*' } } }, { headers: { cookie: { regex: '^(.*?;\\s*)?(canary=always)(;.*)?$' } } }] })]);
    expect(node(ab, 'svc_test_ab').canary).toMatchObject({ strategy: 'a/b', iterations: 10, match: ['x-canary~insider', 'cookie canary=always'] });
    expect(edge(ab, 'svc_test_ab', 'wl_test_ab_v1').labels).toEqual(['canary A/B', 'x-canary~insider or cookie canary=always']);
    const bg = buildMeshGraph([target('bg'), canary('bg', { iterations: 5, mirror: true })]);
    expect(node(bg, 'svc_test_bg').canary).toMatchObject({ strategy: 'blue/green', iterations: 5, mirror: true });
    expect(edgeLines(bg)).toEqual([
      'svc_test_bg -mirror-> wl_test_bg_v1 [allowed] mirror',
      'svc_test_bg -version-> wl_test_bg_v1 [allowed] canary blue/green, 5 checks',
      'svc_test_bg -version-> wl_test_bg_v1_primary [allowed] primary',
    ]);
  });

  test('a policy selecting the app label misses the primary (Flagger renames it): the edge says which workload is denied', () => {
    const g = buildMeshGraph([
      target('podinfo'), canary('podinfo', { stepWeight: 10 }),
      deployment('test', 'caller-v1', { app: 'caller' }, { env: { U: 'http://podinfo.test.svc.cluster.local:9898' } }),
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny-all', namespace: 'test' }, spec: {} },
      {
        apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow', namespace: 'test' },
        spec: { selector: { matchLabels: { app: 'podinfo' } }, rules: [{ from: [{ source: { namespaces: ['test'] } }] }] },
      },
    ]);
    expect(edge(g, 'wl_test_caller_v1', 'svc_test_podinfo')).toMatchObject({
      status: MeshGraphEdgeStatus.DENIED, labels: ['podinfo-v1: allowed', 'podinfo-v1-primary: denied: deny-all'],
    });
  });
});

describe('buildMeshGraph: input', () => {
  test('reads List objects, ignores unknown kinds and objects without kind or name', () => {
    const g = buildMeshGraph([
      { apiVersion: 'v1', kind: 'List', items: [service('a', 'app'), deployment('a', 'app-v1', { app: 'app' })] },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'a' } },
      { kind: 'Service', metadata: {} }, {} as any, null as any,
    ]);
    expect(g.nodes.map((n) => n.id)).toEqual(['svc_a_app', 'wl_a_app_v1']);
  });

  test('objects without namespace go to the default namespace (option)', () => {
    expect(buildMeshGraph([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }]).nodes[0].id).toBe('svc_default_s');
    expect(buildMeshGraph([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }], { defaultNamespace: 'apps' }).nodes[0].id).toBe('svc_apps_s');
  });

  test('a route to an undefined subset is a note, not an edge', () => {
    const g = buildMeshGraph([service('a', 'app'), deployment('a', 'app-v1', { app: 'app' }), {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'app', namespace: 'a' },
      spec: { hosts: ['app'], http: [{ route: [{ destination: { host: 'app', subset: 'v9' } }] }] },
    }]);
    expect(g.notes).toEqual(['VirtualService a/app routes to subset "v9" of a/app, which no DestinationRule defines']);
    expect(g.edges).toEqual([]);
  });

  test('node ids are Mermaid-safe, stable and unique even when names differ only in punctuation', () => {
    const g = buildMeshGraph([service('a', 'x-y'), service('a', 'x.y'), service('a-b', 'c'), service('a', 'b-c')]);
    expect(g.nodes.map((n) => n.id)).toEqual(['svc_a_b_c', 'svc_a_b_c_2', 'svc_a_x_y', 'svc_a_x_y_2']);
    for (const n of g.nodes) expect(n.id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
  });
});

describe('buildMeshGraph: determinism and size', () => {
  function shuffled<T>(items: readonly T[], seed: number): T[] {
    const out = [...items];
    let s = seed;
    for (let i = out.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  test('the same input twice, and shuffled, gives the same graph and the same Markdown', () => {
    const first = buildMeshGraph(fixtureManifests());
    expect(buildMeshGraph(fixtureManifests())).toEqual(first);
    const md = renderMermaid(first);
    for (const seed of [1, 7, 42]) {
      const g = buildMeshGraph(shuffled(fixtureManifests(), seed));
      expect(g).toEqual(first);
      expect(renderMermaid(g)).toBe(md);
    }
  });

  test('grows linearly: 20 times the objects take far less than 400 times as long', () => {
    const mesh = (n: number) => {
      const out: any[] = [];
      for (let i = 0; i < n; i++) {
        const ns = `ns${i % 20}`;
        out.push(service(ns, `s${i}`), deployment(ns, `s${i}-v1`, { app: `s${i}`, version: 'v1' }, { env: { U: `http://s${(i + 1) % n}.ns${(i + 1) % 20}.svc.cluster.local` } }));
        out.push({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `s${i}`, namespace: ns },
          spec: { selector: { matchLabels: { app: `s${i}` } }, rules: [{ from: [{ source: { principals: [`cluster.local/ns/ns${(i + 19) % 20}/sa/s${(i + n - 1) % n}`] } }] }] } });
      }
      return out;
    };
    const time = (n: number) => {
      const input = mesh(n);
      const start = process.hrtime.bigint();
      const g = buildMeshGraph(input);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      expect(g.edges.filter((e) => e.kind === 'call')).toHaveLength(n);
      return ms;
    };
    time(100); // warm-up
    const small = Math.max(time(100), 1);
    const large = time(2000);
    expect(large / small).toBeLessThan(100);
  });
});
