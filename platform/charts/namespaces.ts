import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshApp, MeshNamespace, MeshPeer, SidecarInjection } from '../../lib';
import { HTTPBIN_IMAGE, S10_SLEEP_IMAGE, sampleWorkload } from '../shared/sample-workload';

/** Props of `NamespacesChart`. */
export interface NamespacesChartProps extends ChartProps {
  /**
   * Replicas of httpbin and sleep in each namespace.
   * @default 2
   */
  readonly replicas?: number;
}

/**
 * dist/namespaces: S10. Namespaces foo and bar in the mesh, legacy outside it (istio-injection=disabled), each with
 * httpbin and sleep. Under the mesh-wide STRICT policy (MeshSecurityChart) legacy -> foo/bar calls are rejected: that
 * is the point of S10, so no such call is declared here (declaring one, e.g. `legacySleep.connectTo(fooHttpbin)`,
 * fails synthesis with the sidecarless-mtls error).
 *
 * foo and bar keep the secure defaults of a mesh namespace: STRICT through the mesh-wide policy, they get `deny-all`,
 * NetworkPolicy default-deny and Pod Security restricted. The mesh calls of S10 are declared: sleep of foo and of bar
 * may call httpbin of foo and of bar (AuthorizationPolicy ALLOW per caller); the namespaces' NetworkPolicies admit
 * the calls declared across them.
 */
export class NamespacesChart extends Chart {
  public readonly namespaces: MeshNamespace[];
  /** httpbin and sleep of each namespace, by namespace name. */
  public readonly apps: Record<string, { readonly httpbin: MeshApp; readonly sleep: MeshApp }> = {};

  constructor(scope: Construct, id: string, props: NamespacesChartProps = {}) {
    super(scope, id, props);
    const replicas = props.replicas ?? 2;
    this.namespaces = [
      new MeshNamespace(this, 'foo'),
      new MeshNamespace(this, 'bar'),
      new MeshNamespace(this, 'legacy', { injection: SidecarInjection.DISABLED }),
    ];
    for (const ns of this.namespaces) {
      const sidecar = ns.injection.enabled;
      const apps = new Construct(this, `${ns.name}-apps`);
      const httpbin = new MeshApp(apps, 'httpbin', {
        namespace: ns.name,
        sidecar,
        replicas,
        ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
        versions: [{ name: 'v1', image: HTTPBIN_IMAGE }],
        ...sampleWorkload(apps, 'httpbin'),
      });
      const sleep = new MeshApp(apps, 'sleep', {
        namespace: ns.name,
        sidecar,
        replicas,
        command: ['/bin/sleep', 'infinity'],
        versions: [{ name: 'v1', image: S10_SLEEP_IMAGE }],
        ...sampleWorkload(apps, 'sleep'),
      });
      this.apps[ns.name] = { httpbin, sleep };
    }
    // S10's mesh calls: sleep.foo and sleep.bar -> httpbin.foo and httpbin.bar.
    const mesh = this.namespaces.filter((ns) => ns.injection.enabled);
    for (const server of mesh) {
      for (const client of mesh) {
        // The sleep of another namespace by its ServiceAccount: its policy is then named after namespace and account
        // (`httpbin-allow-bar-sleep`), distinct from the one for the local sleep (`httpbin-allow-sleep`).
        const caller = client === server ? this.apps[client.name].sleep : MeshPeer.serviceAccount(client.name, this.apps[client.name].sleep.serviceAccountNames[0]);
        this.apps[server.name].httpbin.allowFrom(caller);
      }
    }
  }
}
