import { createHash } from 'node:crypto';
import { ApiObject, Duration, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PinnedChart, PLATFORM_CHARTS, PLATFORM_HELM_REPOSITORIES } from './chart-versions';
import { TenantCertificateAuthority } from '../certificates/tenant-certificate-authority';
import { IMeshPeer, MESH_ROOT_NAMESPACE } from '../core/mesh-peer';
import { LoadTester } from '../delivery/canary-release';
import { CrdPolicy, HelmRelease } from '../gitops/helm-release';
import { HelmRepository } from '../gitops/helm-repository';
import { MeshObservability } from '../observability/mesh-observability';
import { clusterScoped } from '../private/cluster-scoped';
import { meshError, show } from '../private/errors';
import { trustDomainOf } from '../private/peers';
import { checkDnsLabel, checkDnsSubdomain, checkInteger } from '../private/validate';
import { addWarning } from '../private/warnings';
import { AuthorizationAction } from '../security/authorization-policy';

/** Pod-template annotation whose value changes when settings that only reach new pods change (see `podRestartAnnotation()`). */
export const PROXY_CONFIG_HASH_ANNOTATION = 'cdk8s-mesh/proxy-config-hash';

/** Extension providers Istio always defines (IIO pkg/config/mesh/mesh.go); a provider of the same name would replace them. */
const BUILT_IN_EXTENSION_PROVIDERS = ['envoy', 'prometheus', 'stackdriver'];
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PROVIDER_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+$/;
const CA_VALUES_CONFIG_MAP = 'istiod-ca-certificates';

/** Protocol of an external authorizer. */
export enum ExtAuthzProtocol {
  /** Envoy's HTTP ext_authz: the request (headers) is forwarded as an HTTP check request (`envoyExtAuthzHttp`). */
  HTTP = 'HTTP',
  /** Envoy's gRPC ext_authz API (`envoyExtAuthzGrpc`). */
  GRPC = 'GRPC',
}

/** An external authorization service, declared as an istiod extension provider. */
export interface AuthorizationProviderOptions {
  /** Provider name, used by AuthorizationPolicy CUSTOM (`provider.name`). */
  readonly name: string;
  /** Fully qualified host of the authorizer Service, e.g. "ext-authz.auth.svc.cluster.local". */
  readonly service: string;
  /** Port of the authorizer Service. */
  readonly port: number;
  /**
   * Protocol of the check call.
   * @default ExtAuthzProtocol.HTTP
   */
  readonly protocol?: ExtAuthzProtocol;
  /**
   * Request headers sent to the authorizer (HTTP only; lower-case names).
   * @default - Envoy's default set (Host, Method, Path, Content-Length, Authorization)
   */
  readonly includeRequestHeadersInCheck?: string[];
  /**
   * Headers of the authorizer's OK response copied to the request sent upstream (HTTP only), e.g. "x-user-id".
   * @default - none
   */
  readonly headersToUpstreamOnAllow?: string[];
  /**
   * Headers of the authorizer's deny response returned to the client (HTTP only), e.g. "set-cookie".
   * @default - all of them
   */
  readonly headersToDownstreamOnDeny?: string[];
  /**
   * Timeout of the check call.
   * @default - Istio's default, 600s
   */
  readonly timeout?: Duration;
  /**
   * Let requests through when the authorizer cannot be reached.
   * @default false
   */
  readonly failOpen?: boolean;
}

/** The east-west gateway installed by `enableVmWorkloads()`. */
export interface EastWestGateway {
  /** The HelmRelease of the gateway chart. */
  readonly release: HelmRelease;
  /** Pod labels of the gateway (selector of the Gateway exposing istiod). */
  readonly selector: Readonly<Record<string, string>>;
  /** Namespace of the gateway pods and Service. */
  readonly namespace: string;
  /** Name of the gateway Service (istioctl's `--ingressService` default). */
  readonly serviceName: string;
  /** The network the gateway serves. */
  readonly network: string;
}

/** Props of `MeshPlatform`. */
export interface MeshPlatformProps {
  /**
   * Scope of the first layer: the CRDs and controllers (namespaces, HelmRepositories, HelmReleases istio-base,
   * istio-cni, cert-manager with its CRDs, kube-prometheus-stack). Usually a chart in `GitOpsCluster.controllers`.
   */
  readonly controllers: Construct;
  /**
   * Scope of the control-plane layer (HelmReleases istiod, gateways, Flagger, the load tester), applied after the
   * CRDs are installed and after the layer with the tenant CA Certificates is Ready. Usually a chart in
   * `GitOpsCluster.mesh`.
   * @default - the controllers scope (one layer: only for clusters without tenant CAs)
   */
  readonly mesh?: Construct;
  /**
   * The mesh trust domain (meshConfig.trustDomain). The library's principals are rendered from the App context
   * `cdk8s-mesh:trustDomain`, so this must equal it: set the context once, and leave this out.
   * @default - the context value `cdk8s-mesh:trustDomain`, else 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Mesh ID (global.meshID).
   * @default - the trust domain (what Istio uses when none is set)
   */
  readonly meshId?: string;
  /**
   * Cluster name (global.multiCluster.clusterName, istiod's CLUSTER_ID).
   * @default 'Kubernetes' (Istio's default)
   */
  readonly clusterName?: string;
  /**
   * Network of the cluster (global.network); required by `enableVmWorkloads()`.
   * @default - none: a single-network mesh
   */
  readonly network?: string;
  /**
   * Control-plane revision (istiod `revision`, gateways' `revision`, `istio.io/rev` namespace labels).
   * @default - the default revision
   */
  readonly revision?: string;
  /**
   * Install istio-cni and make injection use it (istiod `pilot.cni.enabled`): injected pods then need no
   * privileged istio-init container and pass Pod Security "restricted". Opting out brings back NET_ADMIN/NET_RAW
   * init containers in every injected pod.
   * @default true
   */
  readonly cni?: boolean;
  /**
   * Namespace of the ingress gateway.
   * @default 'istio-ingress'
   */
  readonly ingressGatewayNamespace?: string;
  /**
   * Namespace of cert-manager (also its cluster resource namespace, where CA Secrets of ClusterIssuers live).
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;
  /**
   * Namespace of kube-prometheus-stack.
   * @default 'monitoring'
   */
  readonly monitoringNamespace?: string;
  /**
   * Helm release name of kube-prometheus-stack: its default selectors pick objects labelled `release: <name>`.
   * @default 'kube-prometheus-stack'
   */
  readonly prometheusRelease?: string;
  /**
   * Namespace of Flagger.
   * @default 'istio-system' (Flagger's Istio installation guide)
   */
  readonly flaggerNamespace?: string;
  /**
   * Namespace of Flagger's load tester (sidecar-injected, so its calls carry a mesh identity).
   * @default 'test' (where `LoadTester.DEFAULT` expects it, as in Flagger's tutorials)
   */
  readonly loadTesterNamespace?: string;
  /**
   * Install and upgrade retries of every HelmRelease before Flux gives up (it uninstalls / rolls back between tries).
   * @default 3
   */
  readonly remediationRetries?: number;
}

interface RenderedRelease {
  readonly values?: Record<string, unknown>;
  readonly valuesFrom?: Array<Record<string, unknown>>;
}

/**
 * The platform install as Flux HelmReleases of pinned charts (see chart-versions.ts): Istio (base, cni, istiod,
 * ingress gateway), cert-manager, kube-prometheus-stack, Flagger and its load tester, with the HelmRepositories
 * and namespaces they need. The cluster identity (trust domain, mesh ID, cluster, network, revision) is set here
 * once; every value the rest of the program implies is derived, never copied: tenant CAs
 * (`addTenantCertificateAuthority`), ext-authz providers (`addAuthorizationProvider`), observability
 * (`useObservability`), VM onboarding (`enableVmWorkloads`). The ingress gateway is defined here too, and exposed
 * as a peer (`ingressGateway`) carrying exactly the installed identity.
 *
 * Layers (Flux applies each after the one before is Ready):
 * 1. `controllers`: namespaces, HelmRepositories (flux-system), istio-base, istio-cni, cert-manager (CRDs via
 *    `crds.enabled`), kube-prometheus-stack (CRDs from its crds/ directory).
 * 2. the caller's configs layer: TenantCertificateAuthority, MeshObservability objects, mesh-wide policies.
 * 3. `mesh`: istiod (reads the CA Secrets issued in layer 2), ingress/east-west gateways, Flagger, load tester.
 * Inside a layer, HelmRelease `dependsOn` orders istiod after istio-base and istio-cni, and the rest after istiod.
 */
export class MeshPlatform extends Construct {
  public readonly trustDomain: string;
  public readonly meshId: string;
  public readonly clusterName: string;
  public readonly network?: string;
  public readonly revision?: string;
  /** Whether istio-cni is installed and injection relies on it. */
  public readonly cniEnabled: boolean;
  /** Namespace of istiod (the mesh root namespace). */
  public readonly istioNamespace = MESH_ROOT_NAMESPACE;
  public readonly certManagerNamespace: string;
  public readonly monitoringNamespace: string;
  public readonly flaggerNamespace: string;
  public readonly loadTesterNamespace: string;
  /** Helm release name of kube-prometheus-stack. */
  public readonly prometheusRelease: string;
  /** URL of the kube-prometheus-stack Prometheus (Flagger's metricsServer; pass it to `MetricProvider.prometheus()`). */
  public readonly prometheusUrl: string;
  /** The installed load tester, for CanaryRelease webhooks. */
  public readonly loadTester: LoadTester;

  /** The ingress gateway as a peer: `app.allowFrom(platform.ingressGateway)`. */
  public readonly ingressGateway: IMeshPeer;
  /** Pod labels of the ingress gateway (`selector` of Gateway constructs). */
  public readonly ingressGatewaySelector: Readonly<Record<string, string>>;
  /** Namespace of the ingress gateway pods (`workloadNamespace` of Gateway constructs). */
  public readonly ingressGatewayNamespace: string;
  /** ServiceAccount of the ingress gateway pods (`serviceAccount` of Gateway constructs). */
  public readonly ingressGatewayServiceAccount: string;

  /** The HelmRepositories (flux-system), by chart repository name. */
  public readonly helmRepositories: Readonly<Record<string, HelmRepository>>;
  public readonly istioBase: HelmRelease;
  /** The istio-cni release (undefined with `cni: false`). */
  public readonly istioCni?: HelmRelease;
  public readonly certManager: HelmRelease;
  public readonly kubePrometheusStack: HelmRelease;
  /** The istiod release; its HelmRelease object lives in the cert-manager namespace (see `addTenantCertificateAuthority`). */
  public readonly istiod: HelmRelease;
  public readonly ingressGatewayRelease: HelmRelease;
  public readonly flagger: HelmRelease;
  public readonly loadTesterRelease: HelmRelease;

  private readonly _controllers: Construct;
  private readonly _mesh: Construct;
  private readonly _retries: number;
  private readonly _cas: TenantCertificateAuthority[] = [];
  private readonly _authz = new Map<string, Record<string, unknown>>();
  private _observability?: MeshObservability;
  private _eastWest?: EastWestGateway;
  private _caConfigMap?: k8s.KubeConfigMap;
  private readonly _synced = new Map<HelmRelease, string>();
  private readonly _handedOutHashes = new Set<string>();

  constructor(scope: Construct, id: string, props: MeshPlatformProps) {
    super(scope, id);
    const place = (s: Construct): Construct => (s === scope ? this : new Construct(s, id));
    this._controllers = place(props.controllers);
    this._mesh = props.mesh === undefined || props.mesh === props.controllers ? this._controllers : place(props.mesh);

    // --- cluster identity (one place) ---
    const contextTrustDomain = trustDomainOf(this);
    this.trustDomain = checkDnsSubdomain(this, 'trustDomain', props.trustDomain ?? contextTrustDomain);
    if (this.trustDomain !== contextTrustDomain) {
      throw meshError(this, 'trustDomain', `differs from the trust domain the library renders principals in (context cdk8s-mesh:trustDomain = "${contextTrustDomain}")`,
        this.trustDomain, `set it once: app.node.setContext(TRUST_DOMAIN_CONTEXT, ${JSON.stringify(this.trustDomain)}) before creating charts, and omit 'trustDomain'`);
    }
    this.meshId = this._checkLabelValue('meshId', props.meshId ?? this.trustDomain);
    this.clusterName = this._checkLabelValue('clusterName', props.clusterName ?? 'Kubernetes');
    this.network = props.network === undefined ? undefined : this._checkLabelValue('network', props.network);
    this.revision = props.revision === undefined ? undefined : checkDnsLabel(this, 'revision', props.revision, 40);
    this.cniEnabled = props.cni ?? true;
    this._retries = checkInteger(this, 'remediationRetries', props.remediationRetries ?? 3, -1, 100);

    this.certManagerNamespace = checkDnsLabel(this, 'certManagerNamespace', props.certManagerNamespace ?? 'cert-manager');
    this.monitoringNamespace = checkDnsLabel(this, 'monitoringNamespace', props.monitoringNamespace ?? 'monitoring');
    this.flaggerNamespace = checkDnsLabel(this, 'flaggerNamespace', props.flaggerNamespace ?? MESH_ROOT_NAMESPACE);
    this.loadTesterNamespace = checkDnsLabel(this, 'loadTesterNamespace', props.loadTesterNamespace ?? 'test');
    this.ingressGatewayNamespace = checkDnsLabel(this, 'ingressGatewayNamespace', props.ingressGatewayNamespace ?? 'istio-ingress');
    this.prometheusRelease = checkDnsLabel(this, 'prometheusRelease', props.prometheusRelease ?? 'kube-prometheus-stack', 53);
    this.prometheusUrl = `http://${kubePrometheusStackFullname(this.prometheusRelease)}-prometheus.${this.monitoringNamespace}:9090`;
    this.loadTester = LoadTester.at(`http://flagger-loadtester.${this.loadTesterNamespace}/`, { namespace: this.loadTesterNamespace });

    // --- the ingress gateway, defined once ---
    this.ingressGatewayServiceAccount = 'istio-ingressgateway';
    this.ingressGatewaySelector = { istio: 'ingressgateway' };
    const gatewayIdentity = { name: 'ingressgateway', namespace: this.ingressGatewayNamespace, sa: this.ingressGatewayServiceAccount };
    this.ingressGateway = {
      meshIdentity: () => ({
        name: gatewayIdentity.name,
        namespace: gatewayIdentity.namespace,
        serviceAccounts: [gatewayIdentity.sa],
        sidecar: true,
        podSelector: { ...this.ingressGatewaySelector },
      }),
    };

    // --- namespaces ---
    const injection: Record<string, string> = this.revision ? { 'istio.io/rev': this.revision } : { 'istio-injection': 'enabled' };
    const namespaces = new Map<string, Record<string, string>>();
    for (const ns of [this.istioNamespace, this.ingressGatewayNamespace, this.certManagerNamespace, this.monitoringNamespace, this.flaggerNamespace]) {
      namespaces.set(ns, {});
    }
    if (namespaces.has(this.loadTesterNamespace)) {
      throw meshError(this, 'loadTesterNamespace', 'must be a namespace of its own (it is labelled for sidecar injection)', this.loadTesterNamespace,
        'pass e.g. "test" or "flagger-loadtester"');
    }
    namespaces.set(this.loadTesterNamespace, injection);
    const nsScope = new Construct(this._controllers, 'Namespaces');
    for (const [name, labels] of [...namespaces].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const ns = new k8s.KubeNamespace(nsScope, name, { metadata: { name, labels: Object.keys(labels).length ? labels : undefined } });
      clusterScoped(ns);
    }

    // --- chart repositories ---
    const repoScope = new Construct(this._controllers, 'Repositories');
    const repos: Record<string, HelmRepository> = {};
    for (const repo of Object.values(PLATFORM_HELM_REPOSITORIES)) {
      repos[repo.name] = new HelmRepository(repoScope, repo.name, { name: repo.name, namespace: 'flux-system', url: repo.url });
    }
    this.helmRepositories = repos;

    // --- layer 1: CRDs and controllers ---
    this.istioBase = this._release(this._controllers, 'IstioBase', PLATFORM_CHARTS.istioBase, {
      name: 'istio-base', targetNamespace: this.istioNamespace,
      values: { defaultRevision: this.revision ?? 'default' },
    });
    if (this.cniEnabled) {
      this.istioCni = this._release(this._controllers, 'IstioCni', PLATFORM_CHARTS.istioCni, {
        name: 'istio-cni', targetNamespace: this.istioNamespace,
        values: this.revision ? { revision: this.revision } : undefined,
        dependsOn: [this.istioBase],
      });
    }
    this.certManager = this._release(this._controllers, 'CertManager', PLATFORM_CHARTS.certManager, {
      name: 'cert-manager', targetNamespace: this.certManagerNamespace, values: this._certManagerValues(),
    });
    this.kubePrometheusStack = this._release(this._controllers, 'KubePrometheusStack', PLATFORM_CHARTS.kubePrometheusStack, {
      name: this.prometheusRelease, targetNamespace: this.monitoringNamespace, crds: CrdPolicy.CREATE_REPLACE,
    });

    // --- layer 2 (mesh): the control plane and what needs it ---
    // The istiod HelmRelease object lives in cert-manager's namespace: valuesFrom only reads Secrets of the
    // HelmRelease's own namespace, and the tenant CA Secrets (whose ca.crt istiod needs in meshConfig.caCertificates)
    // live there. It always lives there, so adding a CA later never moves (= uninstalls and reinstalls) the release.
    this.istiod = this._release(this._mesh, 'Istiod', PLATFORM_CHARTS.istiod, {
      name: 'istiod', namespace: this.certManagerNamespace, targetNamespace: this.istioNamespace,
      values: this._istiodRendered().values,
      dependsOn: [this.istioBase, ...(this.istioCni ? [this.istioCni] : [])],
    });
    this.ingressGatewayRelease = this._release(this._mesh, 'IngressGateway', PLATFORM_CHARTS.istioGateway, {
      name: 'istio-ingressgateway', targetNamespace: this.ingressGatewayNamespace,
      values: {
        name: 'istio-ingressgateway',
        labels: { app: 'istio-ingressgateway', ...this.ingressGatewaySelector },
        serviceAccount: { name: this.ingressGatewayServiceAccount },
        ...(this.revision ? { revision: this.revision } : {}),
      },
      dependsOn: [this.istiod],
    });
    this.flagger = this._release(this._mesh, 'Flagger', PLATFORM_CHARTS.flagger, {
      name: 'flagger', targetNamespace: this.flaggerNamespace, crds: CrdPolicy.CREATE_REPLACE,
      values: { meshProvider: 'istio', metricsServer: this.prometheusUrl },
      dependsOn: [this.istiod, this.kubePrometheusStack],
    });
    this.loadTesterRelease = this._release(this._mesh, 'LoadTester', PLATFORM_CHARTS.loadTester, {
      name: 'flagger-loadtester', targetNamespace: this.loadTesterNamespace,
      values: { cmd: { timeout: '1h' } },
      dependsOn: [this.istiod],
    });
    this._sync();

    this.node.addValidation({ validate: () => this._validate() });
  }

  /** Every HelmRelease of the platform, in layer order. */
  public get releases(): HelmRelease[] {
    return [this.istioBase, ...(this.istioCni ? [this.istioCni] : []), this.certManager, this.kubePrometheusStack, this.istiod,
      this.ingressGatewayRelease, ...(this._eastWest ? [this._eastWest.release] : []), this.flagger, this.loadTesterRelease];
  }

  /** The east-west gateway, once `enableVmWorkloads()` was called. */
  public get eastWestGateway(): EastWestGateway | undefined {
    return this._eastWest;
  }

  /**
   * Makes istiod sign workload certificates through the tenants' cert-manager ClusterIssuers (Istio's "custom CA
   * integration using Kubernetes CSR"): istiod `pilot.env` EXTERNAL_CA=ISTIOD_RA_KUBERNETES_API and
   * CERT_SIGNER_DOMAIN (plus PILOT_CERT_PROVIDER when the root namespace is a tenant), `global.certSigners`,
   * `meshConfig.defaultConfig.proxyMetadata.ISTIO_META_CERT_SIGNER` for the mesh-wide signer, and
   * `meshConfig.caCertificates` per signer; cert-manager gets `featureGates:
   * ExperimentalCertificateSigningRequestControllers=true`.
   *
   * The CA PEMs only exist once cert-manager has issued them, so they are delivered at reconcile time:
   * `meshConfig.caCertificates` is built entirely from valuesFrom (Flux merges `spec.values` last and replaces
   * lists, so the entries must not come from `spec.values`): ConfigMap `istiod-ca-certificates` (generated, with
   * the signers) first, then per signer the CA Secret's `ca.crt` at `meshConfig.caCertificates[i].pem`. valuesFrom
   * only reads the HelmRelease's own namespace, which is why the istiod HelmRelease lives in cert-manager's
   * namespace (targetNamespace and storageNamespace istio-system).
   *
   * The caller must put the TenantCertificateAuthority in a layer applied after `controllers` (cert-manager CRDs)
   * and before `mesh` (GitOpsCluster.configs), so that Flux applies istiod only once the CA Certificates are Ready.
   * Add every tenant to the CA before calling this. Returns the signer names.
   */
  public addTenantCertificateAuthority(ca: TenantCertificateAuthority): string[] {
    if (this._cas.includes(ca)) {
      throw meshError(this, 'addTenantCertificateAuthority', 'was already called with this TenantCertificateAuthority', ca.node.path,
        'add it once (add more tenants to it with addTenant() before passing it)');
    }
    if (ca.certManagerNamespace !== this.certManagerNamespace) {
      throw meshError(this, 'addTenantCertificateAuthority', `needs the CA Secrets in cert-manager's namespace "${this.certManagerNamespace}" `
        + '(a CA ClusterIssuer reads its Secret from the cluster resource namespace, and the istiod HelmRelease reads them from there)',
      ca.certManagerNamespace, `create the TenantCertificateAuthority with certManagerNamespace: ${JSON.stringify(this.certManagerNamespace)}`);
    }
    if (ca.istioNamespace !== this.istioNamespace) {
      throw meshError(this, 'addTenantCertificateAuthority', `needs the CA's istioNamespace to be the mesh root namespace "${this.istioNamespace}"`,
        ca.istioNamespace, `create the TenantCertificateAuthority with istioNamespace: ${JSON.stringify(this.istioNamespace)}`);
    }
    const existing = new Map(this._cas.flatMap((c) => c.tenants.map((t) => [t.tenant, c.node.path] as const)));
    for (const t of ca.tenants) {
      if (existing.has(t.tenant)) {
        throw meshError(this, 'addTenantCertificateAuthority', `adds tenant "${t.tenant}" that ${existing.get(t.tenant)} already signs for`, t.tenant,
          'give each tenant one CA: remove it from one of the TenantCertificateAuthorities');
      }
    }
    if (!ca.tenants.length) {
      throw meshError(this, 'addTenantCertificateAuthority', 'needs a CA with at least one tenant', ca.node.path,
        'call ca.addTenant("tenanta") before passing it');
    }
    this._cas.push(ca);
    if (!this._caConfigMap) {
      this._caConfigMap = new k8s.KubeConfigMap(this._mesh, 'IstiodCaCertificates', {
        metadata: {
          name: CA_VALUES_CONFIG_MAP,
          namespace: this.certManagerNamespace,
          // helm-controller upgrades the release as soon as a watched valuesFrom object changes (Flux >= 2.8).
          labels: { 'reconcile.fluxcd.io/watch': 'Enabled' },
        },
        data: Lazy.any({ produce: () => ({ 'values.yaml': this._caValuesDocument() }) }),
      });
    }
    this._sync();
    return ca.tenants.map((t) => t.signerName);
  }

  /**
   * Declares an external authorizer in istiod's `meshConfig.extensionProviders` and returns the
   * AuthorizationPolicy action that delegates to it (`action: platform.addAuthorizationProvider({...})`; its
   * `provider` is the name).
   */
  public addAuthorizationProvider(options: AuthorizationProviderOptions): AuthorizationAction {
    const field = `extensionProviders[${JSON.stringify(options.name)}]`;
    if (typeof options.name !== 'string' || !PROVIDER_NAME.test(options.name)) {
      throw meshError(this, `${field}.name`, 'must be a provider name (letters, digits, "-", "_", ".", starting alphanumeric)', options.name,
        'pass a name such as "ext-authz"');
    }
    if (this._extensionProviderNames().includes(options.name)) {
      throw meshError(this, `${field}.name`, 'must be unique among meshConfig.extensionProviders', options.name,
        'give the second provider another name');
    }
    if (BUILT_IN_EXTENSION_PROVIDERS.includes(options.name)) {
      throw meshError(this, `${field}.name`, `would replace Istio's built-in provider of that name (${BUILT_IN_EXTENSION_PROVIDERS.join(', ')})`, options.name,
        `name it after the authorizer, e.g. ${JSON.stringify(`${options.name}-ext-authz`)}`);
    }
    checkDnsSubdomain(this, `${field}.service`, options.service);
    if (!options.service.includes('.')) {
      throw meshError(this, `${field}.service`, 'must be the fully qualified host of the Service (istiod resolves it from every namespace)', options.service,
        `use ${JSON.stringify(`${options.service}.<namespace>.svc.cluster.local`)}`);
    }
    checkInteger(this, `${field}.port`, options.port, 1, 65535);
    const protocol = options.protocol ?? ExtAuthzProtocol.HTTP;
    const headerLists = { includeRequestHeadersInCheck: options.includeRequestHeadersInCheck, headersToUpstreamOnAllow: options.headersToUpstreamOnAllow,
      headersToDownstreamOnDeny: options.headersToDownstreamOnDeny };
    for (const [k, list] of Object.entries(headerLists)) {
      if (list === undefined) continue;
      if (protocol === ExtAuthzProtocol.GRPC) {
        throw meshError(this, `${field}.${k}`, 'only applies to HTTP authorizers (gRPC ones receive the whole request context)', list,
          `remove ${k}, or use protocol: ExtAuthzProtocol.HTTP`);
      }
      list.forEach((h, i) => {
        if (!HEADER_NAME.test(h)) throw meshError(this, `${field}.${k}[${i}]`, 'must be an HTTP header name', h, 'pass a name such as "x-user-id"');
      });
    }
    let timeout: string | undefined;
    if (options.timeout) {
      const ms = options.timeout.toMilliseconds({ integral: false });
      if (!Number.isInteger(ms) || ms <= 0) {
        throw meshError(this, `${field}.timeout`, 'must be a positive whole number of milliseconds', options.timeout.toHumanString(), 'pass e.g. Duration.seconds(1)');
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
    this._sync();
    return AuthorizationAction.custom(options.name);
  }

  /** Merges the istiod settings `obs` implies (`obs.istiodValues()`: access log file, tracing provider). Once. */
  public useObservability(obs: MeshObservability): MeshObservability {
    if (this._observability) {
      throw meshError(this, 'useObservability', 'was already called', obs.node.path, `use one MeshObservability (already ${this._observability.node.path})`);
    }
    if (obs.release !== this.prometheusRelease) {
      throw meshError(this, 'useObservability', `needs the MeshObservability labelled for this platform's kube-prometheus-stack release "${this.prometheusRelease}"`,
        obs.release, `create it with release: ${JSON.stringify(this.prometheusRelease)}`);
    }
    if (obs.telemetry.namespace !== this.istioNamespace) {
      throw meshError(this, 'useObservability', `needs the mesh-wide Telemetry in the root namespace "${this.istioNamespace}"`, obs.telemetry.namespace,
        `create the MeshObservability with rootNamespace: ${JSON.stringify(this.istioNamespace)}`);
    }
    const names = new Set(this._extensionProviderNames());
    for (const p of ((obs.istiodValues().meshConfig as Record<string, unknown>).extensionProviders as Array<{ name: string }> | undefined) ?? []) {
      if (names.has(p.name)) {
        throw meshError(this, `extensionProviders[${JSON.stringify(p.name)}].name`, 'must be unique among meshConfig.extensionProviders', p.name,
          'rename the tracing provider or the authorization provider');
      }
    }
    if (obs.meshPrometheus.federated) {
      addWarning(this, 'platform:mesh-prometheus-not-installed',
        'the MeshObservability federates from a separate mesh Prometheus, which MeshPlatform does not install; install it (operator-managed, '
        + 'selecting the recording-rule labels) or use MeshPrometheus.kubePrometheusStack()');
    }
    this._observability = obs;
    this._sync();
    return obs;
  }

  /**
   * Prepares the mesh for VM workloads (Istio's VM installation): installs the east-west gateway (gateway chart,
   * `name: istio-eastwestgateway`, `networkGateway: <network>`) in the root namespace, and sets istiod's
   * PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION and PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS explicitly (both
   * default to true in 1.30; explicit so that a default change cannot silently break VM onboarding). Needs
   * `network`. Idempotent: returns the gateway.
   */
  public enableVmWorkloads(): EastWestGateway {
    if (this._eastWest) return this._eastWest;
    if (this.network === undefined) {
      throw meshError(this, 'network', 'must be set to enable VM workloads (the east-west gateway serves one network, and VMs join it)', this.network,
        'pass network: "network1" (the same name the VMs get in their WorkloadGroup)');
    }
    const selector = { istio: 'eastwestgateway' };
    const release = this._release(this._mesh, 'EastWestGateway', PLATFORM_CHARTS.istioGateway, {
      name: 'istio-eastwestgateway', targetNamespace: this.istioNamespace,
      values: {
        name: 'istio-eastwestgateway',
        labels: { app: 'istio-eastwestgateway', ...selector },
        networkGateway: this.network,
        serviceAccount: { name: 'istio-eastwestgateway' },
        ...(this.revision ? { revision: this.revision } : {}),
      },
      dependsOn: [this.istiod],
    });
    this._eastWest = { release, selector, namespace: this.istioNamespace, serviceName: 'istio-eastwestgateway', network: this.network };
    this._sync();
    return this._eastWest;
  }

  /**
   * A pod-template annotation (`cdk8s-mesh/proxy-config-hash: <10 hex>`) whose value is a hash of the settings
   * that injected pods only pick up when they are created: revision, trust domain, mesh ID, cluster, network, CNI,
   * the CA signer setup and meshConfig.defaultConfig.proxyMetadata. Put it on workloads' pod templates
   * (`deployment.podMetadata.addAnnotation(k, v)`): when one of those settings changes, the annotation changes in
   * Git, Flux applies it, and the Deployments roll, instead of keeping proxies with the old settings. Call it
   * after the platform is fully configured; synthesis fails if a setting changed after a value was handed out.
   */
  public podRestartAnnotation(): Record<string, string> {
    const hash = this._proxyConfigHash();
    this._handedOutHashes.add(hash);
    return { [PROXY_CONFIG_HASH_ANNOTATION]: hash };
  }

  /** The istiod Helm values as rendered now (`spec.values` of the istiod HelmRelease); a copy. */
  public istiodValues(): Record<string, unknown> {
    return structuredClone(this._istiodRendered().values ?? {});
  }

  // ------------------------------------------------------------------------------------------

  private _release(scope: Construct, id: string, pinned: PinnedChart, o: {
    name: string; namespace?: string; targetNamespace: string; values?: Record<string, unknown>; crds?: CrdPolicy; dependsOn?: HelmRelease[];
  }): HelmRelease {
    return new HelmRelease(scope, id, {
      name: o.name,
      namespace: o.namespace ?? 'flux-system',
      releaseName: o.name,
      targetNamespace: o.targetNamespace,
      storageNamespace: o.targetNamespace,
      sourceRef: this.helmRepositories[pinned.repository.name],
      chart: pinned.chart,
      version: pinned.version,
      values: o.values,
      install: { crds: o.crds, remediationRetries: this._retries },
      upgrade: { crds: o.crds, remediationRetries: this._retries },
      dependsOn: o.dependsOn,
    });
  }

  private _checkLabelValue(field: string, value: string): string {
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      const suggestion = String(value).replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63) || 'network1';
      throw meshError(this, field, 'must be a Kubernetes label value (Istio puts it in topology labels and proxy metadata): at most 63 letters, '
        + 'digits, "-", "_", ".", starting and ending alphanumeric', value, `use a name like ${JSON.stringify(suggestion)}`);
    }
    return value;
  }

  private _certManagerValues(): Record<string, unknown> {
    return {
      crds: { enabled: true, keep: true },
      ...(this._cas.length ? { featureGates: 'ExperimentalCertificateSigningRequestControllers=true' } : {}),
    };
  }

  /** The values document of ConfigMap istiod-ca-certificates: the caCertificates entries without their PEMs (JSON is YAML). */
  private _caValuesDocument(): string {
    const caCertificates = this._caEntries().map((e) => ({ certSigners: [e.signer] }));
    return `${JSON.stringify(canonical({ meshConfig: { caCertificates } }), null, 2)}\n`;
  }

  /** CA entries in signer order (the order of `meshConfig.caCertificates` and of the valuesFrom targetPaths). */
  private _caEntries(): Array<{ signer: string; secretName: string }> {
    return this._cas.flatMap((ca) => ca.istiodConfiguration().caCertificateSources.map((s) => ({ signer: s.certSigners[0], secretName: s.secretName })))
      .sort((a, b) => (a.signer < b.signer ? -1 : a.signer > b.signer ? 1 : 0));
  }

  private _extensionProviderNames(): string[] {
    const obs = this._observability
      ? ((this._observability.istiodValues().meshConfig as Record<string, unknown>).extensionProviders as Array<{ name: string }> | undefined) ?? [] : [];
    return [...this._authz.keys(), ...obs.map((p) => p.name)];
  }

  private _caSettings(): { env: Record<string, string>; proxyMetadata: Record<string, string>; certSigners: string[] } {
    const env: Record<string, string> = {};
    const proxyMetadata: Record<string, string> = {};
    for (const ca of this._cas) {
      const c = ca.istiodConfiguration();
      Object.assign(env, c.env);
      Object.assign(proxyMetadata, c.proxyMetadata);
    }
    return { env, proxyMetadata, certSigners: this._caEntries().map((e) => e.signer) };
  }

  private _istiodRendered(): RenderedRelease {
    const ca = this._caSettings();
    const env: Record<string, string> = { ...ca.env };
    if (this._eastWest) {
      env.PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION = 'true';
      env.PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS = 'true';
    }
    const obsMesh = (this._observability?.istiodValues().meshConfig ?? {}) as Record<string, unknown>;
    const extensionProviders = [
      ...(obsMesh.extensionProviders as Array<Record<string, unknown>> | undefined ?? []),
      ...this._authz.values(),
    ].map((p) => structuredClone(p)).sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
    const values = canonical({
      revision: this.revision,
      global: {
        meshID: this.meshId,
        multiCluster: { clusterName: this.clusterName },
        network: this.network,
        certSigners: ca.certSigners.length ? ca.certSigners : undefined,
      },
      meshConfig: {
        trustDomain: this.trustDomain,
        accessLogFile: obsMesh.accessLogFile,
        enableTracing: obsMesh.enableTracing,
        extensionProviders: extensionProviders.length ? extensionProviders : undefined,
        defaultConfig: Object.keys(ca.proxyMetadata).length ? { proxyMetadata: ca.proxyMetadata } : undefined,
      },
      pilot: {
        cni: { enabled: this.cniEnabled },
        env: Object.keys(env).length ? env : undefined,
      },
    }) as Record<string, unknown>;
    const entries = this._caEntries();
    const valuesFrom = entries.length ? [
      { kind: 'ConfigMap', name: CA_VALUES_CONFIG_MAP, valuesKey: 'values.yaml' },
      ...entries.map((e, i) => ({ kind: 'Secret', name: e.secretName, valuesKey: 'ca.crt', targetPath: `meshConfig.caCertificates[${i}].pem` })),
    ] : undefined;
    return { values, valuesFrom };
  }

  /**
   * Brings the HelmReleases' values in line with the current settings. HelmRelease renders `values` and
   * `valuesFrom` when it is constructed (lib/gitops/helm-release.ts has no way to add to them later), and the
   * platform learns about CAs, providers and observability afterwards: the current values are set with a JSON
   * patch on the L1 (escape hatch, STYLE.md section 8), the last patch winning. Open point: a lazy
   * `HelmRelease.addValues()` would replace this.
   */
  private _sync(): void {
    const set = (release: HelmRelease, rendered: RenderedRelease): void => {
      const key = JSON.stringify(rendered);
      if (this._synced.get(release) === key) return;
      const patches = [JsonPatch.add('/spec/values', rendered.values ?? {})];
      if (rendered.valuesFrom) patches.push(JsonPatch.add('/spec/valuesFrom', rendered.valuesFrom));
      if (this._synced.has(release)) ApiObject.of(release).addJsonPatch(...patches);
      this._synced.set(release, key);
    };
    set(this.istiod, this._istiodRendered());
    set(this.certManager, { values: canonical(this._certManagerValues()) as Record<string, unknown> });
  }

  private _proxyConfigHash(): string {
    const ca = this._caSettings();
    const input = canonical({
      revision: this.revision ?? 'default',
      trustDomain: this.trustDomain,
      meshId: this.meshId,
      clusterName: this.clusterName,
      network: this.network ?? '',
      cni: this.cniEnabled,
      certSigners: ca.certSigners,
      caEnv: ca.env,
      proxyMetadata: ca.proxyMetadata,
    });
    return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 10);
  }

  private _validate(): string[] {
    const errors: string[] = [];
    const istiod = this._istiodRendered();
    if (this._synced.get(this.istiod) !== JSON.stringify(istiod)) {
      const signers = show(this._caEntries().map((e) => e.signer));
      errors.push(`[${this.node.path}] 'addTenantCertificateAuthority' settings changed after they were rendered (a tenant was added to a CA `
        + `after the CA was passed to the platform), got signers ${signers}. Fix: add every tenant before calling addTenantCertificateAuthority().`);
    }
    const hash = this._proxyConfigHash();
    const stale = [...this._handedOutHashes].filter((h) => h !== hash);
    if (stale.length) {
      errors.push(`[${this.node.path}] 'podRestartAnnotation' was handed out before the platform was fully configured, got ${show(stale)} instead of `
        + `${show(hash)}. Fix: call podRestartAnnotation() after every addTenantCertificateAuthority()/enableVmWorkloads() call.`);
    }
    return errors;
  }
}

/** kube-prometheus-stack's `kube-prometheus-stack.fullname` (its services are `<fullname>-prometheus` etc.). */
function kubePrometheusStackFullname(release: string): string {
  const chart = 'kube-prometheus-stack';
  const full = release.includes(chart) ? release : `${release}-${chart}`;
  return full.slice(0, 26).replace(/-+$/, '');
}

/** A deep copy with object keys sorted and undefined values (and objects left empty by them) removed. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[k]);
      if (v === undefined) continue;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
      out[k] = v;
    }
    return out;
  }
  return value;
}
