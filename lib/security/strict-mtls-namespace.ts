import { Construct } from 'constructs';
import { MeshNamespace, MeshNamespaceProps, SidecarInjection } from './mesh-namespace';
import { MtlsMode } from './peer-authentication';

/** Props for `StrictMtlsNamespace`: those of MeshNamespace, with zero-trust defaults. */
export interface StrictMtlsNamespaceProps extends MeshNamespaceProps {
  /**
   * Sidecar injection (a revision label with `SidecarInjection.revision()`).
   * @default SidecarInjection.ENABLED
   */
  readonly injection?: SidecarInjection;
  /**
   * mTLS mode of the namespace; PERMISSIVE or DISABLE while migrating.
   * @default MtlsMode.STRICT
   */
  readonly mtls?: MtlsMode;
  /**
   * The AuthorizationPolicy `deny-all`. Opt out explicitly with `false`.
   * @default true
   */
  readonly denyAll?: boolean;
}

/**
 * A zero-trust namespace: sidecar injection, PeerAuthentication `default` STRICT, and AuthorizationPolicy
 * `deny-all`, so that only mTLS traffic that an `allowFrom` explicitly lets in reaches a workload.
 *
 *   const ns = new StrictMtlsNamespace(chart, 'shop');
 *   customers.allowFrom(webFrontend);
 *   ns.addWorkloadException(customers, MtlsMode.PERMISSIVE); // while a legacy client migrates
 */
export class StrictMtlsNamespace extends MeshNamespace {
  constructor(scope: Construct, id: string, props: StrictMtlsNamespaceProps = {}) {
    const injection = props.injection ?? SidecarInjection.ENABLED;
    super(scope, id, {
      ...props,
      injection,
      mtls: props.mtls ?? MtlsMode.STRICT,
      denyAll: props.denyAll ?? true,
    });
  }
}
