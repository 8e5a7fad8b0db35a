import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Certificate, KeyUsage, PrivateKeyOptions } from '../certificates/certificate';
import { IIssuer } from '../certificates/issuer';
import { meshError } from '../private/errors';
import { EXTERNAL_CREDENTIAL } from '../private/gateway-metadata';
import { checkDnsSubdomain } from '../private/validate';
import { addWarning } from '../private/warnings';
import type { GatewayServer } from './gateway-server';

/** Options of `GatewayCredential.issue()`: a cert-manager Certificate made for one gateway server. */
export interface IssueGatewayCertificateOptions {
  /** The issuer that signs it (an Issuer must be in the gateway workload's namespace; a ClusterIssuer works anywhere). */
  readonly issuer: IIssuer;
  /**
   * Secret cert-manager writes, used as the server's `credentialName`.
   * @default - `<gateway name>-<server name>-tls`
   */
  readonly secretName?: string;
  /**
   * metadata.name of the Certificate.
   * @default - the secret name
   */
  readonly name?: string;
  /**
   * DNS names of the certificate.
   * @default - the server's hosts without namespace prefix (a server with host `*` must list them)
   */
  readonly dnsNames?: string[];
  /**
   * Private key.
   * @default - ECDSA 256, rotated on every issuance
   */
  readonly privateKey?: PrivateKeyOptions;
  /**
   * Certificate lifetime.
   * @default - cert-manager's default, 90 days
   */
  readonly duration?: Duration;
  /**
   * Renew this long before expiry.
   * @default - cert-manager's default, a third of the duration
   */
  readonly renewBefore?: Duration;
  /**
   * Key usages.
   * @default - cert-manager's default
   */
  readonly usages?: KeyUsage[];
}

/**
 * Where a gateway server's key pair (or client CA) comes from: the `credentialName` Secret, which Istio only reads in
 * the namespace where the gateway pods run (`Gateway.workloadNamespace`). Enum-like: use the static factories.
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
 */
export class GatewayCredential {
  /** A cert-manager Certificate created for this server, in the gateway workload's namespace (the usual choice). */
  public static issue(options: IssueGatewayCertificateOptions): GatewayCredential {
    return new GatewayCredential((scope, target) => {
      const secretName = options.secretName ?? `${target.gatewayName}-${target.serverName}-tls`;
      const dnsNames = options.dnsNames ?? target.serverHosts.map((h) => h.slice(h.indexOf('/') + 1));
      if (dnsNames.includes('*')) {
        throw meshError(scope, `${target.field}.dnsNames`, "cannot be derived from server host '*' (a certificate needs real names)", target.serverHosts,
          'pass dnsNames to GatewayCredential.issue(), or give the server explicit hosts');
      }
      const certificate = new Certificate(scope, `Certificate-${target.serverName}`, {
        name: options.name ?? secretName,
        namespace: target.workloadNamespace,
        secretName,
        dnsNames,
        issuer: options.issuer,
        privateKey: options.privateKey,
        duration: options.duration,
        renewBefore: options.renewBefore,
        usages: options.usages,
      });
      return { secretName, certificate };
    });
  }

  /** An existing Certificate of this app; it must be in the gateway workload's namespace. */
  public static fromCertificate(certificate: Certificate): GatewayCredential {
    return new GatewayCredential((scope, target) => {
      if (certificate.namespace !== target.workloadNamespace) {
        throw meshError(scope, target.field, `is a Certificate in namespace "${certificate.namespace}", but the gateway pods run in "${target.workloadNamespace}" `
          + 'and Istio reads credentialName only there', certificate.node.path,
        `create the Certificate with namespace: "${target.workloadNamespace}" or use GatewayCredential.issue()`);
      }
      const hosts = target.serverHosts.map((h) => h.slice(h.indexOf('/') + 1));
      const uncovered = hosts.filter((h) => !certificate.dnsNames.some((d) => coversHost(d, h)));
      if (uncovered.length > 0) {
        addWarning(scope, 'gateway-tls:host-not-in-certificate',
          `Server '${target.serverName}' hosts ${uncovered.join(', ')} are not in the DNS names of Certificate "${certificate.name}" (${certificate.dnsNames.join(', ')}); `
          + 'clients will reject the certificate for them. Fix: add the names to the Certificate.');
      }
      return { secretName: certificate.secretName, certificate };
    });
  }

  /**
   * A Secret name that a cert-manager Certificate of this app produces somewhere in the output (for example in
   * another chart). Synthesis fails when none does in the gateway workload's namespace.
   */
  public static fromSecretName(secretName: string): GatewayCredential {
    return new GatewayCredential((scope, target) => ({ secretName: checkDnsSubdomain(scope, `${target.field}.secretName`, secretName) }));
  }

  /**
   * A Secret managed outside this app (External Secrets, SOPS, istio-csr, by hand) in the gateway workload's namespace.
   * The synth check that a Certificate produces it is skipped for this name.
   */
  public static fromExternalSecret(secretName: string): GatewayCredential {
    return new GatewayCredential((scope, target) => {
      checkDnsSubdomain(scope, `${target.field}.secretName`, secretName);
      target.resource.node.addMetadata(EXTERNAL_CREDENTIAL, secretName);
      return { secretName };
    });
  }

  private constructor(private readonly _bind: (scope: Construct, target: GatewayCredentialTarget) => GatewayCredentialConfig) {}

  /**
   * Binds the credential to one server of a gateway: validates it and, for `issue()`, creates the Certificate under
   * `scope` (the gateway). Called by `Gateway.addHttpsServer()`.
   */
  public bind(scope: Construct, target: GatewayCredentialTarget): GatewayCredentialConfig {
    return this._bind(scope, target);
  }
}

/** The gateway server a GatewayCredential is bound to (see `GatewayCredential.bind()`). */
export interface GatewayCredentialTarget {
  /** Name of the gateway; default Secret names start with it. */
  readonly gatewayName: string;
  /** Namespace the gateway pods run in: Istio reads `credentialName` Secrets only there. */
  readonly workloadNamespace: string;
  /** Name of the server the credential is for. */
  readonly serverName: string;
  /** Hosts of the server (`[namespace/]host`). */
  readonly serverHosts: readonly string[];
  /** Where errors point, e.g. `addHttpsServer(https-443).credential`. */
  readonly field: string;
  /** The Gateway ApiObject: Secrets managed outside the app are recorded on it for the synth-time credential check. */
  readonly resource: IConstruct;
}

/** What a GatewayCredential bound to a server provides. */
export interface GatewayCredentialConfig {
  /** The Secret Istio reads (`credentialName`). */
  readonly secretName: string;
  /** The Certificate producing the Secret, when this app defines it. */
  readonly certificate?: Certificate;
}

/** TLS mode of an HTTPS gateway server. */
export class GatewayTlsMode {
  /** Server-side TLS with the credential's key pair. */
  public static readonly SIMPLE = new GatewayTlsMode('SIMPLE');
  /** Clients must present a certificate signed by the client CA. */
  public static readonly MUTUAL = new GatewayTlsMode('MUTUAL');
  /** Client certificates are verified when presented, but not required. */
  public static readonly OPTIONAL_MUTUAL = new GatewayTlsMode('OPTIONAL_MUTUAL');

  private constructor(public readonly value: string) {}
}

/** TLS protocol versions a gateway server accepts. */
export class TlsProtocolVersion {
  public static readonly TLS_V1_2 = new TlsProtocolVersion('TLSV1_2');
  public static readonly TLS_V1_3 = new TlsProtocolVersion('TLSV1_3');

  private constructor(public readonly value: string) {}
}

/** Options of `Gateway.addHttpsServer()`. */
export interface HttpsServerOptions {
  /** The server's key pair (`credentialName`). */
  readonly credential: GatewayCredential;
  /**
   * TLS mode.
   * @default GatewayTlsMode.SIMPLE
   */
  readonly mode?: GatewayTlsMode;
  /**
   * CA that client certificates must chain to (MUTUAL / OPTIONAL_MUTUAL only), rendered as `caCertCredentialName`.
   * @default - the `ca.crt` key of the credential's Secret (cert-manager writes the issuing CA there)
   */
  readonly clientCa?: GatewayCredential;
  /**
   * Accepted subject alternative names of client certificates (MUTUAL / OPTIONAL_MUTUAL only).
   * @default - any certificate signed by the client CA
   */
  readonly clientSubjectAltNames?: string[];
  /**
   * Minimum TLS version.
   * @default - Istio's default, TLS 1.2
   */
  readonly minProtocolVersion?: TlsProtocolVersion;
  /**
   * Hosts the server accepts (`[namespace/]host`).
   * @default - the gateway's hosts
   */
  readonly hosts?: string[];
  /**
   * Port number.
   * @default 443
   */
  readonly port?: number;
  /**
   * Server (and port) name, unique within the gateway.
   * @default - `https-<port>`
   */
  readonly name?: string;
  /**
   * Also add an HTTP server on port 80 for the same hosts that answers with a 301 redirect to HTTPS
   * (`tls.httpsRedirect: true`).
   * @default false
   */
  readonly redirectHttp?: boolean;
}

/** Options of `Gateway.addTlsPassthroughServer()`. */
export interface TlsPassthroughServerOptions {
  /** SNI hosts routed to backends that terminate TLS themselves (bind with a VirtualService `tls` route). */
  readonly hosts: string[];
  /**
   * Port number.
   * @default 443
   */
  readonly port?: number;
  /**
   * Server (and port) name.
   * @default - `tls-<port>`
   */
  readonly name?: string;
}

/** An HTTPS server, as returned by `Gateway.addHttpsServer()`. */
export interface HttpsServer extends GatewayServer {
  /** The `credentialName` Secret. */
  readonly credentialName: string;
  /** The Certificate producing it, when this app defines it. */
  readonly certificate?: Certificate;
  /** The HTTP→HTTPS redirect server, when `redirectHttp` is set. */
  readonly redirect?: GatewayServer;
}

/** Whether a certificate DNS name (possibly `*.x`) covers a server host (possibly `*.x`). */
function coversHost(dnsName: string, host: string): boolean {
  if (dnsName === host) return true;
  if (dnsName.startsWith('*.') && !host.startsWith('*.')) {
    const rest = host.slice(host.indexOf('.') + 1);
    return rest === dnsName.slice(2);
  }
  return false;
}
