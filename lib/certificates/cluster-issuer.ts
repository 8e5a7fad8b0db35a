import { Construct } from 'constructs';
import * as cm from '../../imports/cert-manager.io';
import { IIssuer, IssuerKind, IssuerType } from './issuer';
import { clusterScoped } from '../private/cluster-scoped';
import { checkDnsSubdomain } from '../private/validate';

/** Properties of a cert-manager ClusterIssuer. */
export interface ClusterIssuerProps {
  /**
   * What the issuer signs with. Secrets it refers to (`IssuerType.ca({ secretName })`, the ACME account key)
   * live in cert-manager's cluster resource namespace ("cert-manager" unless cert-manager runs with
   * `--cluster-resource-namespace`).
   */
  readonly type: IssuerType;
  /**
   * metadata.name (cluster-wide).
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * A cluster-scoped cert-manager ClusterIssuer (cert-manager.io/v1): signs Certificates in every namespace.
 * @see https://cert-manager.io/docs/concepts/issuer/
 */
export class ClusterIssuer extends Construct implements IIssuer {
  /** Refers to a ClusterIssuer that exists in the cluster already. */
  public static fromClusterIssuerName(name: string): IIssuer {
    return { name, kind: IssuerKind.CLUSTER_ISSUER };
  }

  public readonly name: string;
  public readonly kind = IssuerKind.CLUSTER_ISSUER;
  /** Always undefined: ClusterIssuers are cluster-scoped. */
  public readonly namespace: string | undefined = undefined;
  /** What the issuer signs with. */
  public readonly type: IssuerType;
  /** The generated L1, for escape hatches. */
  public readonly resource: cm.ClusterIssuer;

  constructor(scope: Construct, id: string, props: ClusterIssuerProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.type = props.type;
    this.resource = new cm.ClusterIssuer(this, 'Resource', {
      metadata: { name: this.name },
      spec: props.type._toKube(this),
    });
    clusterScoped(this.resource);
  }
}
