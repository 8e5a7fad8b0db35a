import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { AcmeServer, AcmeSolver, ClusterIssuer, IssuerType } from '../../lib';

/** Props of `IssuersChart`. */
export interface IssuersChartProps extends ChartProps {
  /** The ACME directory: Let's Encrypt staging for a staging cluster, production for production. */
  readonly acmeServer: AcmeServer;
  /**
   * Account e-mail of the ACME registration.
   * @default 'platform@example.com'
   */
  readonly email?: string;
}

/**
 * infrastructure/<cluster>/configs/issuers: the ClusterIssuer `letsencrypt` for public certificates. The ACME
 * directory is the environment's (staging certificates in staging); HTTP-01 challenges go through Istio's ingress
 * (ingress class `istio`).
 */
export class IssuersChart extends Chart {
  public readonly letsEncrypt: ClusterIssuer;

  constructor(scope: Construct, id: string, props: IssuersChartProps) {
    super(scope, id, props);
    this.letsEncrypt = new ClusterIssuer(this, 'letsencrypt', {
      type: IssuerType.acme({
        server: props.acmeServer,
        email: props.email ?? 'platform@example.com',
        privateKeySecretName: 'letsencrypt-account-key',
        solvers: [AcmeSolver.http01Istio()],
      }),
    });
  }
}
