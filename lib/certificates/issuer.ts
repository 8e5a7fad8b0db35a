import { Construct, IConstruct } from 'constructs';
import * as cm from '../../imports/cert-manager.io';
import { meshError } from '../private/errors';
import { namespaceOf } from '../private/names';
import { checkDnsLabel, checkDnsSubdomain } from '../private/validate';

/** The two kinds of cert-manager issuer a Certificate can reference. */
export enum IssuerKind {
  /** Namespaced: signs only Certificates in its own namespace. */
  ISSUER = 'Issuer',
  /** Cluster-scoped: signs Certificates in any namespace; its secrets live in cert-manager's cluster resource namespace. */
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/**
 * Anything a cert-manager Certificate can name in `issuerRef`: an `Issuer`, a `ClusterIssuer`, or an issuer
 * that exists in the cluster already (`Issuer.fromIssuerName()`, `ClusterIssuer.fromClusterIssuerName()`).
 */
export interface IIssuer {
  /** metadata.name of the issuer. */
  readonly name: string;
  readonly kind: IssuerKind;
  /** Namespace of a namespaced Issuer; undefined for a ClusterIssuer. */
  readonly namespace?: string | undefined;
}

/** A key of a Secret that exists in the cluster (the library never writes secret material). */
export interface SecretKeyReference {
  /** Name of the Secret. */
  readonly secretName: string;
  /**
   * Key within the Secret.
   * @default - the key the consumer expects (documented per field)
   */
  readonly key?: string;
}

/** Options every ACME solver shares: which names it solves. */
export interface AcmeSolverSelectorOptions {
  /**
   * Use this solver only for these DNS zones (and their subdomains).
   * @default - every zone
   */
  readonly dnsZones?: string[];
  /**
   * Use this solver only for exactly these DNS names.
   * @default - every name
   */
  readonly dnsNames?: string[];
}

/** HTTP-01 through a Kubernetes Ingress served by an ingress controller. */
export interface AcmeHttp01IngressOptions extends AcmeSolverSelectorOptions {
  /**
   * `spec.ingressClassName` of the temporary solver Ingress. Exactly one of `ingressClassName` and `ingressClass`.
   * @default - none
   */
  readonly ingressClassName?: string;
  /**
   * The legacy `kubernetes.io/ingress.class` annotation value (what Istio's ingress reads: "istio").
   * @default - none
   */
  readonly ingressClass?: string;
}

/** A Gateway API listener the HTTP-01 solver route attaches to. */
export interface GatewayApiParentReference {
  /** Name of the Gateway API Gateway. */
  readonly name: string;
  /**
   * Namespace of the Gateway.
   * @default - the namespace of the Certificate being solved
   */
  readonly namespace?: string;
  /**
   * Listener (section) name.
   * @default - every listener
   */
  readonly sectionName?: string;
}

/** HTTP-01 through a Gateway API HTTPRoute. */
export interface AcmeHttp01GatewayHttpRouteOptions extends AcmeSolverSelectorOptions {
  /** Gateways the solver's HTTPRoute attaches to (at least one). */
  readonly parentRefs: GatewayApiParentReference[];
}

/** DNS-01 with Cloudflare. */
export interface AcmeDns01CloudflareOptions extends AcmeSolverSelectorOptions {
  /** Secret holding a Cloudflare API token (key default "api-token"). */
  readonly apiToken: SecretKeyReference;
}

/** DNS-01 with AWS Route 53 (ambient credentials: IRSA / pod identity). */
export interface AcmeDns01Route53Options extends AcmeSolverSelectorOptions {
  /** AWS region of the Route 53 API. */
  readonly region: string;
  /**
   * Hosted zone to use.
   * @default - cert-manager finds the zone from the DNS name
   */
  readonly hostedZoneId?: string;
}

/**
 * How an ACME issuer proves control of a DNS name. Enum-like: use the static factories.
 * @see https://cert-manager.io/docs/configuration/acme/
 */
export class AcmeSolver {
  /** HTTP-01 through a Kubernetes Ingress (set `ingressClassName` or `ingressClass`). */
  public static http01Ingress(options: AcmeHttp01IngressOptions): AcmeSolver {
    return new AcmeSolver('http01Ingress', options, (scope, field) => {
      if ((options.ingressClassName === undefined) === (options.ingressClass === undefined)) {
        throw meshError(scope, `${field}.ingressClassName`, 'needs exactly one of ingressClassName and ingressClass',
          { ingressClassName: options.ingressClassName, ingressClass: options.ingressClass },
          'set ingressClassName for an IngressClass, or ingressClass for the legacy annotation (Istio: AcmeSolver.http01Istio())');
      }
      return { http01: { ingress: { ingressClassName: options.ingressClassName, class: options.ingressClass } } };
    });
  }

  /**
   * HTTP-01 through Istio's ingress gateway: a solver Ingress with class "istio", which Istio serves on its
   * ingress gateway. The gateway must accept plain HTTP on port 80 for the challenge host.
   * @see https://istio.io/latest/docs/ops/integrations/certmanager/
   */
  public static http01Istio(options: AcmeSolverSelectorOptions = {}): AcmeSolver {
    return AcmeSolver.http01Ingress({ ...options, ingressClass: 'istio' });
  }

  /** HTTP-01 through a Gateway API HTTPRoute attached to the given Gateways. */
  public static http01GatewayHttpRoute(options: AcmeHttp01GatewayHttpRouteOptions): AcmeSolver {
    return new AcmeSolver('http01GatewayHttpRoute', options, (scope, field) => {
      if (options.parentRefs.length === 0) {
        throw meshError(scope, `${field}.parentRefs`, 'must name at least one Gateway', options.parentRefs,
          'pass parentRefs: [{ name: "<gateway>", namespace: "<namespace>" }]');
      }
      return {
        http01: {
          gatewayHttpRoute: {
            parentRefs: options.parentRefs.map((p) => ({
              group: 'gateway.networking.k8s.io', kind: 'Gateway', name: p.name, namespace: p.namespace, sectionName: p.sectionName,
            })),
          },
        },
      };
    });
  }

  /** DNS-01 with a Cloudflare API token (needed for wildcard names). */
  public static dns01Cloudflare(options: AcmeDns01CloudflareOptions): AcmeSolver {
    return new AcmeSolver('dns01Cloudflare', options, (scope, field) => ({
      dns01: {
        cloudflare: {
          apiTokenSecretRef: {
            name: checkDnsSubdomain(scope, `${field}.apiToken.secretName`, options.apiToken.secretName),
            key: options.apiToken.key ?? 'api-token',
          },
        },
      },
    }));
  }

  /** DNS-01 with AWS Route 53, using the ambient credentials of cert-manager's pod. */
  public static dns01Route53(options: AcmeDns01Route53Options): AcmeSolver {
    return new AcmeSolver('dns01Route53', options, () => ({
      dns01: { route53: { region: options.region, hostedZoneId: options.hostedZoneId } },
    }));
  }

  private constructor(
    /** Which solver this is (http01Ingress, http01GatewayHttpRoute, dns01Cloudflare, dns01Route53). */
    public readonly type: string,
    private readonly _selector: AcmeSolverSelectorOptions,
    private readonly _render: (scope: IConstruct, field: string) => cm.ClusterIssuerSpecAcmeSolvers,
  ) {}

  /** @internal */
  public _toKube(scope: IConstruct, field: string): cm.ClusterIssuerSpecAcmeSolvers {
    const { dnsZones, dnsNames } = this._selector;
    const selector = dnsZones?.length || dnsNames?.length
      ? { dnsZones: dnsZones?.length ? [...dnsZones] : undefined, dnsNames: dnsNames?.length ? [...dnsNames] : undefined }
      : undefined;
    return { ...this._render(scope, field), selector };
  }
}

/** Well-known ACME directories. */
export class AcmeServer {
  /** Let's Encrypt production. */
  public static readonly LETS_ENCRYPT = new AcmeServer('https://acme-v02.api.letsencrypt.org/directory');
  /** Let's Encrypt staging: untrusted certificates, generous rate limits. Use it to test. */
  public static readonly LETS_ENCRYPT_STAGING = new AcmeServer('https://acme-staging-v02.api.letsencrypt.org/directory');
  /** Any other ACME directory URL (https). */
  public static of(url: string): AcmeServer {
    return new AcmeServer(url);
  }

  private constructor(public readonly url: string) {}
}

/** Options of an ACME issuer. */
export interface AcmeIssuerOptions {
  /** The ACME directory. */
  readonly server: AcmeServer;
  /** Contact e-mail registered with the ACME account (expiry notices). */
  readonly email: string;
  /**
   * Secret in which cert-manager stores the ACME account key (cert-manager creates it; the library never does).
   */
  readonly privateKeySecretName: string;
  /** How to prove control of the names (at least one). */
  readonly solvers: AcmeSolver[];
}

/** Options of a CA issuer. */
export interface CaIssuerOptions {
  /**
   * Secret (type kubernetes.io/tls) with the CA's `tls.crt` and `tls.key`, usually written by a `Certificate`
   * with `isCa: true`. For an Issuer it lives in the Issuer's namespace; for a ClusterIssuer in cert-manager's
   * cluster resource namespace (default "cert-manager").
   */
  readonly secretName: string;
}

/**
 * What an issuer signs with. Enum-like: `IssuerType.selfSigned()`, `IssuerType.ca({...})`, `IssuerType.acme({...})`.
 * @see https://cert-manager.io/docs/configuration/
 */
export class IssuerType {
  /** Every Certificate signs itself (bootstrap CAs, tests). */
  public static selfSigned(): IssuerType {
    return new IssuerType('selfSigned', () => ({ selfSigned: {} }));
  }

  /** Signs with a CA key pair kept in a Secret. */
  public static ca(options: CaIssuerOptions): IssuerType {
    return new IssuerType('ca', (scope) => ({
      ca: { secretName: checkDnsSubdomain(scope, 'type.ca.secretName', options.secretName) },
    }));
  }

  /** Gets certificates from an ACME CA such as Let's Encrypt. */
  public static acme(options: AcmeIssuerOptions): IssuerType {
    return new IssuerType('acme', (scope) => {
      if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(options.server.url)) {
        throw meshError(scope, 'type.acme.server', 'must be an https:// ACME directory URL', options.server.url,
          'use AcmeServer.LETS_ENCRYPT, AcmeServer.LETS_ENCRYPT_STAGING or AcmeServer.of("https://...")');
      }
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(options.email)) {
        throw meshError(scope, 'type.acme.email', 'must be an e-mail address', options.email, 'pass the address of the team that owns the certificates');
      }
      if (options.solvers.length === 0) {
        throw meshError(scope, 'type.acme.solvers', 'must contain at least one solver', options.solvers,
          'add a solver such as AcmeSolver.http01Istio() or AcmeSolver.dns01Cloudflare({...})');
      }
      return {
        acme: {
          server: options.server.url,
          email: options.email,
          privateKeySecretRef: { name: checkDnsSubdomain(scope, 'type.acme.privateKeySecretName', options.privateKeySecretName) },
          solvers: options.solvers.map((s, i) => s._toKube(scope, `type.acme.solvers[${i}]`)),
        },
      };
    });
  }

  private constructor(
    /** selfSigned, ca or acme. */
    public readonly type: string,
    private readonly _render: (scope: IConstruct) => cm.ClusterIssuerSpec,
  ) {}

  /** @internal */
  public _toKube(scope: IConstruct): cm.ClusterIssuerSpec {
    return this._render(scope);
  }
}

/** Properties of a namespaced cert-manager Issuer. */
export interface IssuerProps {
  /** What the issuer signs with. */
  readonly type: IssuerType;
  /**
   * metadata.name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the Issuer; it signs only Certificates in this namespace.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
}

/**
 * A namespaced cert-manager Issuer (cert-manager.io/v1).
 * @see https://cert-manager.io/docs/concepts/issuer/
 */
export class Issuer extends Construct implements IIssuer {
  /** Refers to an Issuer that exists in the cluster already. */
  public static fromIssuerName(name: string, namespace: string): IIssuer {
    return { name, namespace, kind: IssuerKind.ISSUER };
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly kind = IssuerKind.ISSUER;
  /** What the issuer signs with. */
  public readonly type: IssuerType;
  /** The generated L1, for escape hatches. */
  public readonly resource: cm.Issuer;

  constructor(scope: Construct, id: string, props: IssuerProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', namespaceOf(this, props.namespace));
    this.type = props.type;
    this.resource = new cm.Issuer(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      // Issuer and ClusterIssuer share one spec schema; the generated types differ only in name.
      spec: props.type._toKube(this) as cm.IssuerSpec,
    });
  }
}
