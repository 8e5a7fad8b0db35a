import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshWideMtls, MtlsMode, PeerAuthentication } from '../../lib';

/** Props of `MeshSecurityChart`. */
export interface MeshSecurityChartProps extends ChartProps {
  /**
   * Mesh-wide mTLS mode (PeerAuthentication `default` in istio-system).
   * @default MtlsMode.STRICT
   */
  readonly meshWideMode?: MtlsMode;
  /**
   * Namespace of the sample app (the sample-app chart's namespace), which gets its own PeerAuthentication `default`.
   * @default 'default'
   */
  readonly sampleAppNamespace?: string;
  /**
   * mTLS mode of the sample app's namespace: S1's migration state while web-frontend has no sidecar.
   * @default MtlsMode.PERMISSIVE
   */
  readonly sampleAppMode?: MtlsMode;
}

/**
 * dist/mesh-security: mesh-wide mTLS (S10 and S1's mesh-wide variant) and the mTLS state of S1's namespace.
 *
 * - PeerAuthentication `default` STRICT in istio-system, plus DestinationRule `default` (`*.local`, ISTIO_MUTUAL)
 *   as in S10. Services with their own DestinationRule (every MeshApp) keep Istio's auto mTLS, which is why
 *   the ingress gateway can still reach S1's sidecar-less web-frontend.
 * - S1: web-frontend runs WITHOUT a sidecar and calls customers (CUSTOMER_SERVICE_URL). Under STRICT those calls
 *   are reset (ECONNRESET), and the `sidecarless-mtls` rule fails synthesis saying so. The reference platform
 *   therefore ships `default` in S1's migration state: PeerAuthentication `default` PERMISSIVE, overriding the
 *   mesh-wide STRICT for this namespace only; synthesis prints a warning naming the plaintext calls that block
 *   STRICT. The STRICT state itself is shown by ZeroTrustChart (S2), where every workload has a sidecar.
 */
export class MeshSecurityChart extends Chart {
  public readonly meshWide: MeshWideMtls;
  public readonly sampleNamespaceMtls: PeerAuthentication;

  constructor(scope: Construct, id: string, props: MeshSecurityChartProps = {}) {
    super(scope, id, props);
    this.meshWide = new MeshWideMtls(this, 'mesh-wide-mtls', { mode: props.meshWideMode ?? MtlsMode.STRICT, istioMutualDestinationRule: true });
    this.sampleNamespaceMtls = new PeerAuthentication(this, 'sample-app-mtls', {
      namespace: props.sampleAppNamespace ?? 'default',
      mode: props.sampleAppMode ?? MtlsMode.PERMISSIVE,
    });
  }
}
