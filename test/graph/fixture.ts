/**
 * A small mesh, as plain manifests, whose graph the tests check edge by edge:
 *
 * - shop (injection on, STRICT, deny-all): gateway `web` → frontend (CUSTOM ext-authz on /admin); frontend calls
 *   backend (ALLOW GET only) and api.stripe.com; backend routes x-beta=1 to v2, else 80/20 with a 10% mirror to v2;
 *   batch calls backend and a DENY rule refuses it; backend-v1 calls the VM service legacy-db.
 * - legacy (injection disabled): client calls shop/backend (STRICT: denied) and open/api (PERMISSIVE: plaintext).
 * - open: api, mesh-wide PERMISSIVE.
 * - vm: a ServiceEntry with a workload selector backed by a WorkloadEntry; a namespace-wide ALLOW from namespace shop.
 */
const deployment = (namespace: string, name: string, labels: Record<string, string>, sa: string, env: Record<string, string> = {}, annotations?: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: labels.app } },
    template: {
      metadata: { labels, ...(annotations ? { annotations } : {}) },
      spec: {
        serviceAccountName: sa,
        containers: [{ name: 'main', image: 'example/app:1', env: Object.entries(env).map(([n, value]) => ({ name: n, value })) }],
      },
    },
  },
});

const service = (namespace: string, name: string, port: number, targetPort: number) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort }] },
});

const policy = (namespace: string, name: string, spec: object) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec });

export function fixtureManifests(): any[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy', labels: { 'istio-injection': 'disabled' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'open', labels: { 'istio-injection': 'enabled' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vm', labels: { 'istio-injection': 'enabled' } } },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'PERMISSIVE' } } },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } },
    {
      apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'backend-v2-metrics', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'backend', version: 'v2' } }, portLevelMtls: { 9090: { mode: 'DISABLE' } } },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }] },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'frontend', namespace: 'shop' },
      spec: { hosts: ['shop.example.com'], gateways: ['web'], http: [{ match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'frontend' } }] }] },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'backend', namespace: 'shop' },
      spec: {
        hosts: ['backend'],
        http: [
          { match: [{ headers: { 'x-beta': { exact: '1' } } }], route: [{ destination: { host: 'backend', subset: 'v2' } }] },
          {
            route: [{ destination: { host: 'backend', subset: 'v1' }, weight: 80 }, { destination: { host: 'backend', subset: 'v2' }, weight: 20 }],
            mirror: { host: 'backend', subset: 'v2' }, mirrorPercentage: { value: 10 },
          },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'backend', namespace: 'shop' },
      spec: { host: 'backend.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
    },
    service('shop', 'frontend', 80, 8080),
    service('shop', 'backend', 8080, 8080),
    deployment('shop', 'frontend-v1', { app: 'frontend', version: 'v1' }, 'frontend', {
      BACKEND_URL: 'http://backend.shop.svc.cluster.local:8080', PAYMENTS_URL: 'https://api.stripe.com/v1', LOG_LEVEL: 'info',
    }),
    deployment('shop', 'backend-v1', { app: 'backend', version: 'v1' }, 'backend', { DB: 'postgres://db.internal.example:5432/shop' }),
    deployment('shop', 'backend-v2', { app: 'backend', version: 'v2' }, 'backend'),
    deployment('shop', 'batch-v1', { app: 'batch', version: 'v1' }, 'batch', { BACKEND: 'http://backend.shop:8080/jobs' }),
    policy('shop', 'deny-all', {}),
    policy('shop', 'frontend-allow-gateway', {
      selector: { matchLabels: { app: 'frontend' } }, action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }] }],
    }),
    policy('shop', 'frontend-ext-authz', {
      selector: { matchLabels: { app: 'frontend' } }, action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }],
    }),
    policy('shop', 'backend-allow-frontend', {
      selector: { matchLabels: { app: 'backend' } }, action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { methods: ['GET'] } }] }],
    }),
    policy('shop', 'backend-deny-batch', {
      selector: { matchLabels: { app: 'backend' } }, action: 'DENY', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/batch'] } }] }],
    }),
    {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'stripe', namespace: 'shop' },
      spec: { hosts: ['api.stripe.com'], location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' },
    },
    deployment('legacy', 'client-v1', { app: 'client', version: 'v1' }, 'client', {
      BACKEND: 'http://backend.shop.svc.cluster.local:8080', API: 'http://api.open.svc.cluster.local',
    }),
    service('open', 'api', 80, 8080),
    deployment('open', 'api-v1', { app: 'api', version: 'v1' }, 'api'),
    {
      apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'db-vm-1', namespace: 'vm' },
      spec: { address: '10.0.0.7', labels: { app: 'legacy-db' }, serviceAccount: 'legacy-db' },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'legacy-db', namespace: 'vm' },
      spec: {
        hosts: ['db.internal.example'], location: 'MESH_INTERNAL', ports: [{ number: 5432, name: 'tcp-postgres', protocol: 'TCP' }],
        resolution: 'STATIC', workloadSelector: { labels: { app: 'legacy-db' } },
      },
    },
    policy('vm', 'allow-shop', { action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['shop'] } }] }] }),
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'ignored', namespace: 'shop' }, spec: { size: 3 } },
  ];
}
