import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshApp, MeshNamespace, SidecarInjection } from '../../lib';
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
 */
export class NamespacesChart extends Chart {
  public readonly namespaces: MeshNamespace[];

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
      new MeshApp(apps, 'httpbin', {
        namespace: ns.name,
        sidecar,
        replicas,
        ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
        versions: [{ name: 'v1', image: HTTPBIN_IMAGE }],
        ...sampleWorkload(apps, 'httpbin'),
      });
      new MeshApp(apps, 'sleep', {
        namespace: ns.name,
        sidecar,
        replicas,
        command: ['/bin/sleep', 'infinity'],
        versions: [{ name: 'v1', image: S10_SLEEP_IMAGE }],
        ...sampleWorkload(apps, 'sleep'),
      });
    }
  }
}
