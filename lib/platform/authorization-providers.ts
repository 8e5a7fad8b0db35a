/*
 * Internal (not re-exported): istiod's meshConfig.extensionProviders as MeshPlatform declares them: the external
 * authorizers of `addAuthorizationProvider()` and the tracing provider of `useObservability()`, names unique.
 */
import { Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { extensionProviderValues } from './istiod-values';
import { AuthorizationProviderOptions, ExtAuthzProtocol } from './mesh-platform-props';
import type { HelmRelease } from '../gitops/helm-release';
import { checkDurationInput } from '../private/duration-input';
import { meshError } from '../private/errors';
import { checkDnsSubdomain, checkInteger } from '../private/validate';

/** Extension providers Istio always defines (IIO pkg/config/mesh/mesh.go); a provider of the same name would replace them. */
const BUILT_IN_EXTENSION_PROVIDERS = ['envoy', 'prometheus', 'stackdriver'];
const PROVIDER_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+$/;

/**
 * The extension providers of the istiod release. The list is one Helm value (lists are replaced, never merged), so
 * it is contributed once, lazily, by the platform, sorted by name.
 */
export class ExtensionProviders {
  private readonly _authz = new Map<string, Record<string, unknown>>();
  private readonly _tracing: Array<Record<string, unknown>> = [];
  private _wired = false;

  /**
   * @param _platform the MeshPlatform (errors name it, and it owns the values)
   * @param _istiod the istiod release
   */
  constructor(private readonly _platform: IConstruct, private readonly _istiod: HelmRelease) {}

  /** Names of the declared providers. */
  public get names(): string[] {
    return [...this._authz.keys(), ...this._tracing.map((p) => String(p.name))];
  }

  /** Validates and declares an external authorizer (`envoyExtAuthzHttp` / `envoyExtAuthzGrpc`). */
  public addAuthorizer(options: AuthorizationProviderOptions): void {
    const scope = this._platform;
    const field = `extensionProviders[${JSON.stringify(options.name)}]`;
    if (typeof options.name !== 'string' || !PROVIDER_NAME.test(options.name)) {
      throw meshError(scope, `${field}.name`, 'must be a provider name (letters, digits, "-", "_", ".", starting alphanumeric)', options.name,
        'pass a name such as "ext-authz"');
    }
    if (this.names.includes(options.name)) {
      throw meshError(scope, `${field}.name`, 'must be unique among meshConfig.extensionProviders', options.name,
        'give the second provider another name');
    }
    if (BUILT_IN_EXTENSION_PROVIDERS.includes(options.name)) {
      throw meshError(scope, `${field}.name`, `would replace Istio's built-in provider of that name (${BUILT_IN_EXTENSION_PROVIDERS.join(', ')})`, options.name,
        `name it after the authorizer, e.g. ${JSON.stringify(`${options.name}-ext-authz`)}`);
    }
    checkDnsSubdomain(scope, `${field}.service`, options.service);
    if (!options.service.includes('.')) {
      throw meshError(scope, `${field}.service`, 'must be the fully qualified host of the Service (istiod resolves it from every namespace)', options.service,
        `use ${JSON.stringify(`${options.service}.<namespace>.svc.cluster.local`)}`);
    }
    checkInteger(scope, `${field}.port`, options.port, 1, 65535);
    const protocol = options.protocol ?? ExtAuthzProtocol.HTTP;
    const headerLists = { includeRequestHeadersInCheck: options.includeRequestHeadersInCheck, headersToUpstreamOnAllow: options.headersToUpstreamOnAllow,
      headersToDownstreamOnDeny: options.headersToDownstreamOnDeny };
    for (const [k, list] of Object.entries(headerLists)) {
      if (list === undefined) continue;
      if (protocol === ExtAuthzProtocol.GRPC) {
        throw meshError(scope, `${field}.${k}`, 'only applies to HTTP authorizers (gRPC ones receive the whole request context)', list,
          `remove ${k}, or use protocol: ExtAuthzProtocol.HTTP`);
      }
      list.forEach((h, i) => {
        if (!HEADER_NAME.test(h)) throw meshError(scope, `${field}.${k}[${i}]`, 'must be an HTTP header name', h, 'pass a name such as "x-user-id"');
      });
    }
    let timeout: string | undefined;
    if (options.timeout) {
      const ms = checkDurationInput(scope, `${field}.timeout`, options.timeout).toMilliseconds({ integral: false });
      if (!Number.isInteger(ms) || ms <= 0) {
        throw meshError(scope, `${field}.timeout`, 'must be a positive whole number of milliseconds', options.timeout.toHumanString(), 'pass e.g. Duration.seconds(1)');
      }
      timeout = `${ms / 1000}s`;
    }
    const body: Record<string, unknown> = {
      service: options.service,
      port: options.port,
      timeout,
      failOpen: options.failOpen || undefined,
      ...(protocol === ExtAuthzProtocol.HTTP ? {
        includeRequestHeadersInCheck: options.includeRequestHeadersInCheck && [...options.includeRequestHeadersInCheck].sort(),
        headersToUpstreamOnAllow: options.headersToUpstreamOnAllow && [...options.headersToUpstreamOnAllow].sort(),
        headersToDownstreamOnDeny: options.headersToDownstreamOnDeny && [...options.headersToDownstreamOnDeny].sort(),
      } : {}),
    };
    this._authz.set(options.name, { name: options.name, [protocol === ExtAuthzProtocol.HTTP ? 'envoyExtAuthzHttp' : 'envoyExtAuthzGrpc']: body });
    this._wire();
  }

  /** Declares the tracing providers of the observability setup (`obs.istiodValues()`); throws on a name clash. */
  public addTracing(providers: Array<Record<string, unknown>>): void {
    const names = new Set(this.names);
    for (const p of providers) {
      if (names.has(String(p.name))) {
        throw meshError(this._platform, `extensionProviders[${JSON.stringify(p.name)}].name`, 'must be unique among meshConfig.extensionProviders', p.name,
          'rename the tracing provider or the authorization provider');
      }
    }
    this._tracing.push(...providers);
    this._wire();
  }

  /** Every provider, copied, sorted by name. */
  public render(): Array<Record<string, unknown>> {
    return [...this._tracing, ...this._authz.values()].map((p) => structuredClone(p))
      .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
  }

  /** Contributes the list to the istiod values, once, rendered at synthesis. */
  private _wire(): void {
    if (this._wired) return;
    this._wired = true;
    this._istiod.addValues(Lazy.any({ produce: () => extensionProviderValues(this.render()) }), this._platform);
  }
}
