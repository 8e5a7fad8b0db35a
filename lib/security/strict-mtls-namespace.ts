import { Construct } from 'constructs';
import { MeshNamespace, MeshNamespaceProps, SidecarInjection } from './mesh-namespace';
import { MtlsMode } from './peer-authentication';
import { meshError } from '../private/errors';

/**
 * Props for `StrictMtlsNamespace`: those of MeshNamespace without `mtls`, which is always STRICT. Migrate a
 * legacy client with `addWorkloadException(workload, MtlsMode.PERMISSIVE)` (or use a MeshNamespace) instead.
 */
export interface StrictMtlsNamespaceProps extends Omit<MeshNamespaceProps, 'mtls'> {
  /**
   * Sidecar injection (a revision label with `SidecarInjection.revision()`). Must inject: a STRICT policy on
   * pods without a proxy enforces nothing, so DISABLED is an error.
   * @default SidecarInjection.ENABLED
   */
  readonly injection?: SidecarInjection;
  /**
   * The AuthorizationPolicy `deny-all`. Opt out explicitly with `false`.
   * @default true
   */
  readonly denyAll?: boolean;
}

/**
 * A zero-trust namespace: sidecar injection, PeerAuthentication `default` STRICT, and AuthorizationPolicy
 * `deny-all`, so that only mTLS traffic that an `allowFrom` explicitly lets in reaches a workload. The
 * namespace mode cannot be anything but STRICT; exceptions are per workload or port and explicit.
 *
 *   const ns = new StrictMtlsNamespace(chart, 'shop');
 *   customers.allowFrom(webFrontend);
 *   ns.addWorkloadException(customers, MtlsMode.PERMISSIVE); // while a legacy client migrates
 */
export class StrictMtlsNamespace extends MeshNamespace {
  constructor(scope: Construct, id: string, props: StrictMtlsNamespaceProps = {}) {
    const mtls = (props as MeshNamespaceProps).mtls;
    if (mtls !== undefined && mtls !== MtlsMode.STRICT) {
      // Reachable from JavaScript or a cast: the type has no 'mtls'.
      throw meshError(scope, `${id}.mtls`, 'cannot be set on a StrictMtlsNamespace (it is always STRICT)', mtls.value,
        'use MeshNamespace for a PERMISSIVE or DISABLE namespace, or addWorkloadException() for one workload');
    }
    const injection = props.injection ?? SidecarInjection.ENABLED;
    super(scope, id, {
      ...props,
      injection,
      mtls: MtlsMode.STRICT,
      denyAll: props.denyAll ?? true,
    });
  }
}
