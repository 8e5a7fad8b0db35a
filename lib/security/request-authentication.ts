import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as security from '../../imports/security.istio.io';
import { AuthorizationAction, AuthorizationPolicy } from './authorization-policy';
import { IMeshPeer } from '../core/mesh-peer';
import { meshError } from '../private/errors';
import { istioDuration } from '../private/istio-duration';
import { clusterDomainOf } from '../private/names';
import { policyTarget } from '../private/peers';
import { checkDnsSubdomain } from '../private/validate';
import { withApiFieldNames } from '../private/api-json';
import { outputMap } from '../private/plain-keys';
import { addWarning } from '../private/warnings';

/** Where a JWT is read from: a header, with an optional prefix such as "Bearer ". */
export interface JwtHeader {
  readonly name: string;
  /** @default - the whole header value is the token */
  readonly prefix?: string;
}

/** A JWT claim copied into a request header for the workload. */
export interface JwtClaimToHeader {
  readonly claim: string;
  readonly header: string;
}

/**
 * One accepted token issuer (a `jwtRules` entry).
 * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
 */
export interface JwtRule {
  /** `iss` of the tokens, e.g. "testing@secure.istio.io". */
  readonly issuer: string;
  /**
   * URL of the issuer's JSON Web Key Set.
   * @default - OpenID discovery from the issuer, unless `jwks` is given
   */
  readonly jwksUri?: string;
  /**
   * Inline JSON Web Key Set (a JSON string with a `keys` array), instead of `jwksUri`.
   * @default - keys are fetched from `jwksUri`
   */
  readonly jwks?: string;
  /** @default - any audience */
  readonly audiences?: string[];
  /** @default - the Authorization header with prefix "Bearer " */
  readonly fromHeaders?: JwtHeader[];
  /** @default - no query parameter (other than Istio's default `access_token`) */
  readonly fromParams?: string[];
  /** @default - no cookie */
  readonly fromCookies?: string[];
  /**
   * Keep the token in the request forwarded to the workload.
   * @default false
   */
  readonly forwardOriginalToken?: boolean;
  /** @default - the payload is not copied into a header */
  readonly outputPayloadToHeader?: string;
  /** @default - no claim is copied into headers */
  readonly outputClaimToHeaders?: JwtClaimToHeader[];
  /** @default - Istio's default of 5s for fetching the JWKS */
  readonly timeout?: Duration;
}

/** Props for `RequestAuthentication`. */
export interface RequestAuthenticationProps {
  /**
   * metadata.name.
   * @default - the construct id (must then be a DNS-1123 subdomain)
   */
  readonly name?: string;
  /**
   * Namespace; in the root namespace (istio-system) without workload, the policy is mesh-wide.
   * @default - the workload's namespace, else the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * Workload that validates tokens, e.g. `MeshPeer.ingressGateway()` or a MeshApp.
   * @default - every workload of the namespace
   */
  readonly workload?: IMeshPeer;
  /** The accepted issuers; more with `addJwtRule()`. */
  readonly jwtRules: JwtRule[];
}

/** Options for `requireJwt()`. */
export interface RequireJwtOptions {
  /**
   * metadata.name of the DENY policy.
   * @default '<name>-require-jwt'
   */
  readonly name?: string;
  /** Only these paths need a token. @default - every path */
  readonly paths?: string[];
  /** These paths (e.g. health checks) do not need a token. @default - no exception */
  readonly notPaths?: string[];
  /**
   * Only requests for these hosts need a token (useful at a shared ingress gateway). Each host also covers its
   * `host:port` forms (`<host>:*` is added).
   * @default - every host
   */
  readonly hosts?: string[];
}

/**
 * A RequestAuthentication: which JWTs the selected workload (or gateway) validates. It rejects requests with
 * an INVALID token, but lets requests without a token through: call `requireJwt()` (DENY when there is no request
 * principal) or `allowRequestPrincipals()` to require one.
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
 */
export class RequestAuthentication extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly workload?: IMeshPeer;
  /** The RequestAuthentication (security.istio.io/v1), for escape hatches. */
  public readonly resource: security.RequestAuthentication;
  private readonly _rules: security.RequestAuthenticationSpecJwtRules[] = [];

  constructor(scope: Construct, id: string, props: RequestAuthenticationProps) {
    super(scope, id);
    this.workload = props.workload;
    const { namespace } = policyTarget(this, props.workload, props.namespace, {
      noLabelsFix: 'pass a MeshApp, Gateway or MeshPeer.ingressGateway()',
      noSidecar: 'has no sidecar, so nothing would validate the tokens',
      noSidecarFix: 'enable sidecar injection for the workload',
    });
    this.namespace = namespace;
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    if (props.jwtRules.length === 0) {
      throw meshError(this, 'jwtRules', 'must list at least one issuer', props.jwtRules, 'pass { issuer, jwksUri }');
    }
    for (const rule of props.jwtRules) this.addJwtRule(rule);
    // Both `jwksUri` and the deprecated `jwks_uri` are `jwksUri` in the generated class, whose converter writes the
    // deprecated name: keep the API field names of the rendered spec.
    this.resource = withApiFieldNames(new security.RequestAuthentication(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._renderSpec() }),
    }));
  }

  /** Accepts tokens of one more issuer. Returns this. */
  public addJwtRule(rule: JwtRule): RequestAuthentication {
    const field = `jwtRules[${this._rules.length}]`;
    if (!rule.issuer || /\s/.test(rule.issuer)) {
      throw meshError(this, `${field}.issuer`, 'must be the non-empty `iss` of the tokens', rule.issuer, 'pass the issuer, e.g. "https://accounts.google.com"');
    }
    if (this._rules.some((r) => r.issuer === rule.issuer)) {
      throw meshError(this, `${field}.issuer`, 'is already accepted by another rule', rule.issuer, 'merge the rules of one issuer (list all audiences in one rule)');
    }
    if (rule.jwks !== undefined && rule.jwksUri !== undefined) {
      throw meshError(this, `${field}.jwks`, 'cannot be set together with jwksUri', 'jwks and jwksUri', 'pass either the key set inline (jwks) or its URL (jwksUri)');
    }
    if (rule.jwksUri !== undefined && !/^https?:\/\/[^\s/]+/i.test(rule.jwksUri)) {
      throw meshError(this, `${field}.jwksUri`, 'must be an http:// or https:// URL', rule.jwksUri, 'pass the issuer\'s JWKS URL, e.g. "https://www.googleapis.com/oauth2/v3/certs"');
    }
    if (rule.jwksUri !== undefined && /^http:/i.test(rule.jwksUri)) this.checkPlainHttpJwks(`${field}.jwksUri`, rule.jwksUri);
    if (rule.jwks !== undefined) {
      let keys: unknown;
      try {
        keys = JSON.parse(rule.jwks).keys;
      } catch {
        keys = undefined;
      }
      if (!Array.isArray(keys) || keys.length === 0) {
        throw meshError(this, `${field}.jwks`, 'must be a JSON Web Key Set (JSON with a non-empty "keys" array)', rule.jwks.slice(0, 40),
          'pass JSON.stringify({ keys: [ ... ] }), or jwksUri');
      }
    }
    for (const [i, h] of (rule.fromHeaders ?? []).entries()) {
      if (!/^[A-Za-z0-9-]+$/.test(h.name)) throw meshError(this, `${field}.fromHeaders[${i}].name`, 'must be an HTTP header name', h.name, 'use e.g. "Authorization"');
    }
    const headers = [rule.outputPayloadToHeader, ...(rule.outputClaimToHeaders ?? []).map((c) => c.header)].filter((h): h is string => h !== undefined);
    for (const h of headers) {
      if (!/^[A-Za-z0-9-]+$/.test(h)) throw meshError(this, `${field}.outputPayloadToHeader`, 'must be an HTTP header name', h, 'use e.g. "x-jwt-payload"');
    }
    if (rule.jwksUri === undefined && rule.jwks === undefined && !/^https:\/\/[^\s/]+/.test(rule.issuer)) {
      throw meshError(this, `${field}.jwksUri`, 'is needed: without jwksUri or jwks Istio discovers the keys from the issuer (OpenID discovery), which only works when the issuer is an https:// URL',
        rule.issuer, 'pass jwksUri (the URL of the issuer\'s key set) or jwks (the key set inline)');
    }
    this._rules.push({
      issuer: rule.issuer,
      jwksUri: rule.jwksUri,
      jwks: rule.jwks,
      audiences: rule.audiences ? [...rule.audiences] : undefined,
      fromHeaders: rule.fromHeaders?.map((h) => ({ name: h.name, prefix: h.prefix })),
      fromParams: rule.fromParams ? [...rule.fromParams] : undefined,
      fromCookies: rule.fromCookies ? [...rule.fromCookies] : undefined,
      forwardOriginalToken: rule.forwardOriginalToken,
      outputPayloadToHeader: rule.outputPayloadToHeader,
      outputClaimToHeaders: rule.outputClaimToHeaders?.map((c) => ({ claim: c.claim, header: c.header })),
      timeout: rule.timeout ? istioDuration(this, `${field}.timeout`, rule.timeout) : undefined,
    });
    return this;
  }

  /**
   * Keys fetched over plain HTTP can be replaced on the way, and with them every token accepted. Inside the cluster
   * (a `.svc` host) the risk is the pod network's: a warning; anywhere else: an error.
   */
  private checkPlainHttpJwks(field: string, uri: string): void {
    const host = /^http:\/\/([^/:?#]+)/i.exec(uri)?.[1]?.toLowerCase() ?? '';
    if (host.endsWith('.svc') || host.endsWith(`.svc.${clusterDomainOf(this)}`) || host === 'localhost') {
      addWarning(this, 'request-authentication:jwks-plain-http', `'${field}' fetches the token signing keys over plain http (${uri}); anyone on the pod network `
        + 'could serve other keys. Prefer an https:// URL.');
      return;
    }
    throw meshError(this, field, 'fetches the token signing keys over plain http, so anyone on the way could replace them and forge tokens', uri,
      `use ${JSON.stringify(uri.replace(/^http:/i, 'https:'))}`);
  }

  /**
   * Rejects requests without a valid token: an AuthorizationPolicy DENY with `notRequestPrincipals: ["*"]`,
   * selecting the same workload. Returns the policy (idempotent).
   */
  public requireJwt(options: RequireJwtOptions = {}): AuthorizationPolicy {
    const existing = this.node.tryFindChild('RequireJwt') as AuthorizationPolicy | undefined;
    if (existing) return existing;
    // A Host header may carry the port (`shop.example.com:443`): cover `host:*` too, or a port would skip the check.
    const hosts = options.hosts?.flatMap((h) => (/:[0-9*]+$/.test(h) || h === '*' ? [h] : [h, `${h}:*`]));
    const to = options.paths || options.notPaths || hosts ? [{ paths: options.paths, notPaths: options.notPaths, hosts }] : undefined;
    return new AuthorizationPolicy(this, 'RequireJwt', {
      name: options.name ?? `${this.name}-require-jwt`,
      namespace: this.namespace,
      workload: this.workload,
      action: AuthorizationAction.DENY,
      rules: [{ from: [{ notRequestPrincipals: ['*'] }], to }],
    });
  }

  /**
   * Allows only requests whose token principal (`<iss>/<sub>`) is listed: an AuthorizationPolicy ALLOW with
   * `requestPrincipals`. With the default `["*"]`, any valid token is enough. Note that an ALLOW policy denies
   * everything it does not match, including mesh-internal callers without a token. Returns the policy (idempotent).
   */
  public allowRequestPrincipals(requestPrincipals: string[] = ['*'], name?: string): AuthorizationPolicy {
    const existing = this.node.tryFindChild('AllowRequestPrincipals') as AuthorizationPolicy | undefined;
    if (existing) return existing.addRule({ from: [{ requestPrincipals }] });
    return new AuthorizationPolicy(this, 'AllowRequestPrincipals', {
      name: name ?? `${this.name}-allow-jwt`,
      namespace: this.namespace,
      workload: this.workload,
      action: AuthorizationAction.ALLOW,
      rules: [{ from: [{ requestPrincipals }] }],
    });
  }

  /** @internal */
  public _renderSpec(): security.RequestAuthenticationSpec {
    const identity = this.workload?.meshIdentity();
    return {
      selector: identity ? { matchLabels: outputMap(identity.podSelector ?? {}) } : undefined,
      jwtRules: this._rules.map((r) => ({ ...r })),
    };
  }

}
