import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMeshPeer, MeshIdentity } from '../../lib';

export interface TestWorkloadProps {
  readonly namespace?: string;
  /** @default true */
  readonly sidecar?: boolean;
  readonly env?: Record<string, string>;
  /** @default 80 */
  readonly port?: number;
}

/**
 * A minimal meshed workload for tests (Deployment + ServiceAccount + Service, pod labels app and
 * sidecar.istio.io/inject), implementing IMeshPeer the way MeshApp does.
 */
export class TestWorkload extends Construct implements IMeshPeer {
  public readonly name: string;
  public readonly namespace: string;
  public readonly sidecar: boolean;

  constructor(scope: Construct, id: string, props: TestWorkloadProps = {}) {
    super(scope, id);
    this.name = id;
    this.namespace = props.namespace ?? 'default';
    this.sidecar = props.sidecar ?? true;
    const labels = { 'app': id, 'sidecar.istio.io/inject': String(this.sidecar) };
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: id, namespace: this.namespace } });
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: id, namespace: this.namespace },
      spec: {
        selector: { matchLabels: { app: id } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: id,
            containers: [{
              name: 'main',
              image: `example/${id}:1.0.0`,
              ports: [{ containerPort: 8080, name: 'http' }],
              env: Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
            }],
          },
        },
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: id, namespace: this.namespace },
      spec: { selector: { app: id }, ports: [{ name: 'http', port: props.port ?? 80, targetPort: k8s.IntOrString.fromNumber(8080) }] },
    });
  }

  public meshIdentity(): MeshIdentity {
    return { name: this.name, namespace: this.namespace, serviceAccounts: [this.name], sidecar: this.sidecar, podSelector: { app: this.name } };
  }
}
