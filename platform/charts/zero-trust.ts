import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IGateway, MeshApp, RequestAuthentication, StrictMtlsNamespace } from '../../lib';
import { SAMPLE_JWKS_URI, SAMPLE_JWT_ISSUER } from '../shared/jwt';
import { CUSTOMERS_V1_IMAGE, sampleWorkload, WEB_FRONTEND_IMAGE } from '../shared/sample-workload';

/** Props of `ZeroTrustChart`. */
export interface ZeroTrustChartProps extends ChartProps {
  /** Ingress gateway that exposes web-frontend and validates JWTs (the sample-app chart's `gateway`). */
  readonly gateway: IGateway;
  /**
   * Host under which web-frontend is exposed; requests for it must carry a JWT.
   * @default 'zero-trust.example.com'
   */
  readonly host?: string;
  /**
   * Issuer of the JWTs the gateway accepts.
   * @default SAMPLE_JWT_ISSUER, the Istio sample issuer 'testing@secure.istio.io'
   */
  readonly jwtIssuer?: string;
  /**
   * Key set of `jwtIssuer`.
   * @default SAMPLE_JWKS_URI, the Istio sample key set
   */
  readonly jwksUri?: string;
  /**
   * Replicas of web-frontend and customers.
   * @default 2
   */
  readonly replicas?: number;
}

/**
 * dist/zero-trust: S2 + S3 in the STRICT namespace `zero-trust` (the chart's namespace).
 *
 * - S2: deny-all; the ingress gateway may call web-frontend, web-frontend may call customers v1 (one ServiceAccount
 *   per workload), nothing else.
 * - S3: the ingress gateway validates JWTs of the Istio sample issuer and rejects requests for zero-trust.example.com
 *   that carry none (the other hosts of the shared gateway stay open, so S1/S4/S14 keep working without tokens).
 */
export class ZeroTrustChart extends Chart {
  public readonly zeroTrustNamespace: StrictMtlsNamespace;
  public readonly webFrontend: MeshApp;
  public readonly customers: MeshApp;
  public readonly jwt: RequestAuthentication;

  constructor(scope: Construct, id: string, props: ZeroTrustChartProps) {
    const namespace = props.namespace ?? 'zero-trust';
    super(scope, id, { ...props, namespace });
    const { gateway } = props;
    const host = props.host ?? 'zero-trust.example.com';
    const replicas = props.replicas ?? 2;

    this.zeroTrustNamespace = new StrictMtlsNamespace(this, 'zero-trust', { name: namespace });
    this.customers = new MeshApp(this, 'customers', {
      ports: [{ name: 'http', port: 80, targetPort: 3000 }],
      versions: [{ name: 'v1', image: CUSTOMERS_V1_IMAGE }],
      replicas,
      ...sampleWorkload(this, 'customers'),
    });
    this.webFrontend = new MeshApp(this, 'web-frontend', {
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      versions: [{ name: 'v1', image: WEB_FRONTEND_IMAGE }],
      env: { CUSTOMER_SERVICE_URL: kplus.EnvValue.fromValue(`http://${this.customers.host}`) },
      replicas,
      ...sampleWorkload(this, 'web-frontend'),
    });
    this.webFrontend.exposeVia(gateway, { hosts: [host] });
    // S2: ALLOW ingress gateway -> web-frontend, ALLOW web-frontend -> customers (v1 is its only version).
    this.webFrontend.allowFrom(gateway);
    this.customers.allowFrom(this.webFrontend, { methods: ['GET'] });
    // S3: JWT at the ingress gateway.
    this.jwt = new RequestAuthentication(this, 'jwt-example', {
      workload: gateway,
      jwtRules: [{ issuer: props.jwtIssuer ?? SAMPLE_JWT_ISSUER, jwksUri: props.jwksUri ?? SAMPLE_JWKS_URI, forwardOriginalToken: true }],
    });
    this.jwt.requireJwt({ hosts: [host] });
  }
}
