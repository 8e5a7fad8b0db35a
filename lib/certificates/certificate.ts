import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as cm from '../../imports/cert-manager.io';
import { IIssuer, IssuerKind } from './issuer';
import { checkDurationInput } from '../private/duration-input';
import { meshError } from '../private/errors';
import { checkIpOrCidr, isIpAddress } from '../private/ip';
import { istioDuration } from '../private/istio-duration';
import { namespaceOf } from '../private/names';
import { checkDnsLabel, checkDnsSubdomain } from '../private/validate';

/** Private key algorithms cert-manager supports. */
export enum KeyAlgorithm {
  /** RSA; sizes 2048 to 8192 bits (default 2048). */
  RSA = 'RSA',
  /** ECDSA; curve sizes 256, 384 or 521 (default 256). */
  ECDSA = 'ECDSA',
  /** Ed25519; fixed size (no `size`). Not every TLS client accepts it. */
  ED25519 = 'Ed25519',
}

/** When cert-manager generates a new private key. */
export enum KeyRotationPolicy {
  /** A new key on every issuance (cert-manager's default since v1.18). */
  ALWAYS = 'Always',
  /** Keep the existing key across renewals. */
  NEVER = 'Never',
}

/** X.509 key usages and extended key usages. */
export enum KeyUsage {
  SIGNING = 'signing',
  DIGITAL_SIGNATURE = 'digital signature',
  KEY_ENCIPHERMENT = 'key encipherment',
  KEY_AGREEMENT = 'key agreement',
  CERT_SIGN = 'cert sign',
  CRL_SIGN = 'crl sign',
  SERVER_AUTH = 'server auth',
  CLIENT_AUTH = 'client auth',
  CODE_SIGNING = 'code signing',
  EMAIL_PROTECTION = 'email protection',
  OCSP_SIGNING = 'ocsp signing',
}

/** The private key of a Certificate. */
export interface PrivateKeyOptions {
  /**
   * Key algorithm.
   * @default KeyAlgorithm.ECDSA
   */
  readonly algorithm?: KeyAlgorithm;
  /**
   * Key size: RSA 2048–8192 bits, ECDSA 256, 384 or 521; not allowed for Ed25519.
   * @default - 2048 for RSA, 256 for ECDSA
   */
  readonly size?: number;
  /**
   * Rotation policy.
   * @default KeyRotationPolicy.ALWAYS
   */
  readonly rotationPolicy?: KeyRotationPolicy;
}

/** Properties of a cert-manager Certificate. */
export interface CertificateProps {
  /** The issuer that signs it. A namespaced Issuer must be in the Certificate's namespace. */
  readonly issuer: IIssuer;
  /**
   * Secret (type kubernetes.io/tls: tls.crt, tls.key, ca.crt) that cert-manager writes. An Istio gateway reads it
   * as `credentialName`, which only works in the namespace where the gateway pods run.
   */
  readonly secretName: string;
  /**
   * metadata.name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the Certificate and of the Secret cert-manager writes.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * Subject alternative DNS names (wildcards such as `*.example.com` allowed). At least one of `dnsNames` and
   * `commonName` is required.
   * @default - none
   */
  readonly dnsNames?: string[];
  /**
   * Subject alternative IP addresses (IPv4 or IPv6), for clients that connect by address.
   * @default - none
   */
  readonly ipAddresses?: string[];
  /**
   * Subject common name (at most 64 characters; ignored by TLS clients when DNS names are set).
   * @default - none
   */
  readonly commonName?: string;
  /**
   * Requested lifetime (at least 1 hour), rendered as a Go duration ("2160h").
   * @default - cert-manager's default, 90 days
   */
  readonly duration?: Duration;
  /**
   * How long before expiry to renew (at least 5 minutes, less than `duration`).
   * @default - cert-manager's default, a third of the duration
   */
  readonly renewBefore?: Duration;
  /**
   * Mark it as a CA certificate (basicConstraints CA:TRUE; adds "cert sign" to the usages).
   * @default false
   */
  readonly isCa?: boolean;
  /**
   * The private key.
   * @default - ECDSA 256, rotated on every issuance
   */
  readonly privateKey?: PrivateKeyOptions;
  /**
   * Key usages.
   * @default - cert-manager's default: digital signature, key encipherment
   */
  readonly usages?: KeyUsage[];
}

const WILDCARD_DNS = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ONE_HOUR = 3_600_000;
const FIVE_MINUTES = 300_000;

/**
 * A cert-manager Certificate (cert-manager.io/v1): cert-manager keeps a signed key pair in `secretName`.
 * @see https://cert-manager.io/docs/usage/certificate/
 */
export class Certificate extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The Secret cert-manager writes (in `namespace`). */
  public readonly secretName: string;
  public readonly issuer: IIssuer;
  public readonly isCa: boolean;
  /** The generated L1, for escape hatches. */
  public readonly resource: cm.Certificate;
  private readonly _dnsNames: string[] = [];

  constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', namespaceOf(this, props.namespace));
    this.secretName = checkDnsSubdomain(this, 'secretName', props.secretName);
    this.issuer = props.issuer;
    this.isCa = props.isCa ?? false;
    if (props.issuer.kind === IssuerKind.ISSUER && props.issuer.namespace !== this.namespace) {
      throw meshError(this, 'issuer', `is a namespaced Issuer in namespace "${props.issuer.namespace}" and cannot sign in namespace "${this.namespace}"`,
        props.issuer.name, `create the Issuer in namespace "${this.namespace}" or use a ClusterIssuer`);
    }
    for (const n of props.dnsNames ?? []) this.addDnsName(n);
    const ipAddresses = (props.ipAddresses ?? []).map((ip, i) => checkIpOrCidr(this, `ipAddresses[${i}]`, ip, false));
    if (props.commonName !== undefined && (props.commonName.length === 0 || props.commonName.length > 64)) {
      throw meshError(this, 'commonName', 'must have 1 to 64 characters', props.commonName, 'shorten it and put the full names in dnsNames');
    }
    if (props.commonName === undefined && this._dnsNames.length === 0 && ipAddresses.length === 0) {
      throw meshError(this, 'dnsNames', 'or commonName must be set', props.dnsNames ?? [],
        'pass dnsNames: ["host.example.com"] (or a commonName for a CA certificate)');
    }
    const duration = props.duration && this.goDuration('duration', props.duration, ONE_HOUR);
    const renewBefore = props.renewBefore && this.goDuration('renewBefore', props.renewBefore, FIVE_MINUTES);
    const lifetime = props.duration?.toMilliseconds() ?? 90 * 24 * ONE_HOUR;
    if (props.renewBefore && props.renewBefore.toMilliseconds() >= lifetime) {
      throw meshError(this, 'renewBefore', `must be shorter than the duration (${duration ?? '2160h'})`, props.renewBefore.toHumanString(),
        'renew some time before expiry, e.g. a third of the duration');
    }
    const privateKey = this.renderKey(props.privateKey ?? {});

    this.resource = new cm.Certificate(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        secretName: this.secretName,
        commonName: props.commonName,
        dnsNames: Lazy.any({ produce: () => (this._dnsNames.length ? [...this._dnsNames] : undefined) }) as unknown as string[],
        ipAddresses: ipAddresses.length ? ipAddresses : undefined,
        duration,
        renewBefore,
        isCa: props.isCa,
        privateKey,
        usages: props.usages?.map((u) => u as string as cm.CertificateSpecUsages),
        issuerRef: { name: props.issuer.name, kind: props.issuer.kind, group: 'cert-manager.io' },
      },
    });
  }

  /** DNS names, in order. */
  public get dnsNames(): string[] {
    return [...this._dnsNames];
  }

  /** Adds a subject alternative DNS name (idempotent). */
  public addDnsName(dnsName: string): void {
    if (isIpAddress(dnsName)) {
      throw meshError(this, 'dnsNames', 'must contain DNS names, not IP addresses (TLS clients check an address against the IP SANs only)', dnsName,
        `move it to ipAddresses: [${JSON.stringify(dnsName)}]`);
    }
    const longLabel = String(dnsName).split('.').find((l) => l.length > 63);
    if (longLabel !== undefined) {
      throw meshError(this, 'dnsNames', `has a label of ${longLabel.length} characters (DNS labels have at most 63)`, dnsName,
        'shorten the label, or use a wildcard name such as "*.example.com"');
    }
    if (!WILDCARD_DNS.test(dnsName) || dnsName.length > 253) {
      throw meshError(this, 'dnsNames', 'must contain DNS names (lower case, optionally starting with "*.")', dnsName,
        'use a name like "app.example.com" or "*.example.com"');
    }
    if (!this._dnsNames.includes(dnsName)) this._dnsNames.push(dnsName);
  }

  private goDuration(field: string, d: Duration, min: number): string {
    if (checkDurationInput(this, field, d).toMilliseconds({ integral: false }) < min) {
      throw meshError(this, field, `must be at least ${min === ONE_HOUR ? '1 hour' : '5 minutes'} (cert-manager's minimum)`, d.toHumanString(),
        `pass Duration.${min === ONE_HOUR ? 'hours(1)' : 'minutes(5)'} or more`);
    }
    return istioDuration(this, field, d);
  }

  private renderKey(key: PrivateKeyOptions): cm.CertificateSpecPrivateKey {
    const algorithm = key.algorithm ?? KeyAlgorithm.ECDSA;
    let size = key.size;
    switch (algorithm) {
      case KeyAlgorithm.RSA:
        size ??= 2048;
        if (!Number.isInteger(size) || size < 2048 || size > 8192) {
          throw meshError(this, 'privateKey.size', 'must be an RSA key size from 2048 to 8192 bits', size, 'use 2048, 3072 or 4096');
        }
        break;
      case KeyAlgorithm.ECDSA:
        size ??= 256;
        if (![256, 384, 521].includes(size)) {
          throw meshError(this, 'privateKey.size', 'must be an ECDSA curve size: 256, 384 or 521', size, 'use 256 (P-256) unless a policy requires P-384');
        }
        break;
      case KeyAlgorithm.ED25519:
        if (size !== undefined) {
          throw meshError(this, 'privateKey.size', 'must not be set for Ed25519 (the key size is fixed)', size, 'remove size');
        }
        break;
    }
    return {
      algorithm: algorithm as string as cm.CertificateSpecPrivateKeyAlgorithm,
      size,
      rotationPolicy: (key.rotationPolicy ?? KeyRotationPolicy.ALWAYS) as string as cm.CertificateSpecPrivateKeyRotationPolicy,
    };
  }
}
