import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { PeerAuthentication, MtlsMode } from './peer-authentication';
import { MESH_ROOT_NAMESPACE } from '../core/mesh-peer';
import { meshError } from '../private/errors';
import { checkDnsLabel } from '../private/validate';

/** Props for `MeshWideMtls`. */
export interface MeshWideMtlsProps {
  /**
   * Mesh-wide mode; namespace and workload policies override it.
   * @default MtlsMode.STRICT
   */
  readonly mode?: MtlsMode;
  /**
   * The mesh's root namespace (meshConfig.rootNamespace).
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * Also emit the DestinationRule `default` for host `*.local` with TLS mode ISTIO_MUTUAL, so clients always
   * originate Istio mTLS to in-mesh hosts (what the mesh did before auto mTLS). Calls to services without a
   * sidecar then fail: only use it when every in-cluster service is meshed.
   * @default false
   */
  readonly istioMutualDestinationRule?: boolean;
}

/**
 * The mesh-wide mTLS policy: PeerAuthentication `default` in the root namespace. STRICT closes the mesh to
 * plaintext callers (pods outside the mesh can no longer reach meshed services); PERMISSIVE is the migration
 * state (and the revert).
 * @see https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
 */
export class MeshWideMtls extends Construct {
  public readonly mode: MtlsMode;
  public readonly rootNamespace: string;
  public readonly peerAuthentication: PeerAuthentication;
  /** The `*.local` ISTIO_MUTUAL DestinationRule, when requested. */
  public readonly destinationRule?: istio.DestinationRule;

  constructor(scope: Construct, id: string, props: MeshWideMtlsProps = {}) {
    super(scope, id);
    this.mode = props.mode ?? MtlsMode.STRICT;
    this.rootNamespace = checkDnsLabel(this, 'rootNamespace', props.rootNamespace ?? MESH_ROOT_NAMESPACE);
    if (this.mode === MtlsMode.UNSET) {
      throw meshError(this, 'mode', 'cannot be UNSET at mesh level (there is nothing to inherit from)', 'UNSET', 'use MtlsMode.STRICT, PERMISSIVE or DISABLE');
    }
    if (props.istioMutualDestinationRule && this.mode === MtlsMode.DISABLE) {
      throw meshError(this, 'istioMutualDestinationRule', 'contradicts mode DISABLE (clients would send mTLS that servers do not expect)', true,
        'drop istioMutualDestinationRule or use STRICT/PERMISSIVE');
    }
    this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', { name: 'default', namespace: this.rootNamespace, mode: this.mode });
    if (props.istioMutualDestinationRule) {
      this.destinationRule = new istio.DestinationRule(this, 'DestinationRule', {
        metadata: { name: 'default', namespace: this.rootNamespace },
        spec: { host: '*.local', trafficPolicy: { tls: { mode: istio.DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } } },
      });
    }
  }
}
