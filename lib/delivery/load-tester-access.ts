import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LoadTester } from './canary-webhook';
import { SUPPRESS_ANNOTATION } from '../analysis/context';
import { IMeshPeer, MESH_ROOT_NAMESPACE, MeshPeer } from '../core/mesh-peer';
import { AuthorizationPolicy } from '../security/authorization-policy';
import { MtlsMode, PeerAuthentication } from '../security/peer-authentication';
import { meshError } from '../private/errors';
import { checkDnsLabel } from '../private/validate';

/** Props of `LoadTesterAccess`. */
export interface LoadTesterAccessProps {
  /** The load tester (its namespace, pod labels, ServiceAccount and container port). */
  readonly loadTester: LoadTester;
  /**
   * Namespace Flagger runs in.
   * @default 'istio-system' (MeshPlatform's flaggerNamespace default, as in Flagger's Istio tutorial)
   */
  readonly flaggerNamespace?: string;
  /**
   * ServiceAccount of Flagger's pods (its identity when it runs with a sidecar).
   * @default 'flagger' (the Flagger Helm chart's)
   */
  readonly flaggerServiceAccount?: string;
}

/**
 * Lets Flagger call the load tester's webhooks (load tests, acceptance tests, gates) when mTLS is STRICT, and nothing
 * else of the mesh call them:
 *
 * - a PeerAuthentication `flagger-loadtester` selecting the load tester's pods with the container port (8080) PERMISSIVE:
 *   Flagger runs without a sidecar and calls in plaintext, which a STRICT sidecar resets (Flagger's FAQ disables mTLS on
 *   that port; PERMISSIVE still takes mTLS from mesh callers);
 * - an ALLOW AuthorizationPolicy `flagger-loadtester` selecting only the load tester: Flagger's identity
 *   (`ns/<flaggerNamespace>/sa/<flaggerServiceAccount>`, when it has a sidecar), and requests without a mesh identity on
 *   the container port (Flagger without a sidecar presents none). Other mesh workloads, which could otherwise make the
 *   load tester run commands, are denied.
 *
 * Create it next to the load tester (e.g. where MeshPlatform installs it). The load tester also needs to reach the
 * canaries: `CanaryRelease.allowLoadTesters()` allows its identity there.
 * @see https://docs.flagger.app/faq#how-to-configure-istio-mtls-for-the-load-tester
 */
export class LoadTesterAccess extends Construct {
  /** The load tester Flagger is let in to. */
  public readonly loadTester: LoadTester;
  /** The load tester as a mesh workload (its pods, namespace and ServiceAccount). */
  public readonly workload: IMeshPeer;
  public readonly peerAuthentication: PeerAuthentication;
  public readonly authorizationPolicy: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props: LoadTesterAccessProps) {
    super(scope, id);
    const lt = props.loadTester;
    this.loadTester = lt;
    if (!lt.namespace) {
      throw meshError(this, 'loadTester', 'has no known namespace', lt.url, "pass LoadTester.at(url, { namespace: 'loadtester' })");
    }
    const flaggerNamespace = checkDnsLabel(this, 'flaggerNamespace', props.flaggerNamespace ?? MESH_ROOT_NAMESPACE);
    const flaggerServiceAccount = props.flaggerServiceAccount ?? 'flagger';
    this.workload = lt.meshPeer();
    this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', {
      name: 'flagger-loadtester', workload: this.workload, mode: MtlsMode.UNSET,
    }).addPortMtls(lt.containerPort, MtlsMode.PERMISSIVE);
    this.authorizationPolicy = new AuthorizationPolicy(this, 'AuthorizationPolicy', {
      name: 'flagger-loadtester',
      workload: this.workload,
      rules: [
        { fromPeers: [MeshPeer.serviceAccount(flaggerNamespace, flaggerServiceAccount)], to: [{ ports: [lt.containerPort] }] },
        // Flagger without a sidecar: plaintext, so no principal. Only on the webhook port, POST (Flagger calls every webhook with POST).
        { from: [{ notPrincipals: ['*'] }], to: [{ ports: [lt.containerPort], methods: ['POST'] }], openToAnyone: true },
      ],
    });
    // The load tester's pods come from Flagger's loadtester Helm chart, which the analysis does not model: without this,
    // istio-policy-workloads reports that both policies select nothing.
    for (const o of [this.peerAuthentication.resource, this.authorizationPolicy.resource]) {
      ApiObject.of(o).metadata.addAnnotation(SUPPRESS_ANNOTATION, 'istio-policy-workloads');
    }
  }
}
