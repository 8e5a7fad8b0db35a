import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ExtensionProviders } from './authorization-providers';
import { PinnedChart, PLATFORM_CHARTS, PLATFORM_HELM_REPOSITORIES } from './chart-versions';
import { identityValues, IstiodIdentity, observabilityProviders, observabilityValues, proxyConfigHash, vmWorkloadValues } from './istiod-values';
import { AuthorizationProviderOptions, EastWestGateway, MeshPlatformProps } from './mesh-platform-props';
import {
  centralPrometheusValues, MESH_PROMETHEUS_PORT, MESH_PROMETHEUS_RELEASE, meshPrometheusService, meshPrometheusValues,
} from './mesh-prometheus';
import { TenantCas } from './tenant-cas';
import { TenantCertificateAuthority } from '../certificates/tenant-certificate-authority';
import { IMeshPeer, MESH_ROOT_NAMESPACE } from '../core/mesh-peer';
import { LoadTester } from '../delivery/canary-webhook';
import { CrdPolicy, HelmRelease } from '../gitops/helm-release';
import { HelmRepository } from '../gitops/helm-repository';
import { IstioPrometheusEndpoint, MeshObservability } from '../observability/mesh-observability';
import { clusterScoped } from '../private/cluster-scoped';
import { meshError, show } from '../private/errors';
import { checkIpOrCidr } from '../private/ip';
import { CLUSTER_DOMAIN, clusterDomainOf } from '../private/names';
import { trustDomainOf } from '../private/peers';
import { registerPlatformFacts } from '../private/platform-facts';
import { checkDnsLabel, checkDnsSubdomain, checkInteger } from '../private/validate';
import { addWarning } from '../private/warnings';
import { AuthorizationAction } from '../security/authorization-policy';

/** Pod-template annotation whose value changes when settings that only reach new pods change (see `podRestartAnnotation()`). */
export const PROXY_CONFIG_HASH_ANNOTATION = 'cdk8s-mesh/proxy-config-hash';

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * The platform install as Flux HelmReleases of pinned charts (see chart-versions.ts): Istio (base, cni, istiod,
 * ingress gateway), cert-manager, kube-prometheus-stack, Flagger and its load tester, with the HelmRepositories
 * and namespaces they need; with `useObservability()` of a MeshObservability using `MeshPrometheus.istio()`, also
 * the mesh Prometheus that scrapes the sidecars and runs the recording rules. The cluster identity (trust domain,
 * mesh ID, cluster, network, revision) is set here once; every value the rest of the program implies is derived,
 * never copied: tenant CAs
 * (`addTenantCertificateAuthority`), ext-authz providers (`addAuthorizationProvider`), observability
 * (`useObservability`), VM onboarding (`enableVmWorkloads`). The ingress gateway is defined here too, and exposed
 * as a peer (`ingressGateway`) carrying exactly the installed identity.
 *
 * Layers (Flux applies each after the one before is Ready):
 * 1. `controllers`: namespaces, HelmRepositories (flux-system), istio-base, istio-cni, cert-manager (CRDs via
 *    `crds.enabled`), kube-prometheus-stack (CRDs from its crds/ directory), and the mesh Prometheus (after
 *    kube-prometheus-stack, whose CRDs and operator it needs) with its Service.
 * 2. the caller's configs layer: TenantCertificateAuthority, MeshObservability objects, mesh-wide policies.
 * 3. `mesh`: istiod (reads the CA Secrets issued in layer 2), ingress/east-west gateways, Flagger, load tester.
 * Inside a layer, HelmRelease `dependsOn` orders istiod after istio-base and istio-cni, and the rest after istiod.
 */
export class MeshPlatform extends Construct {
  /**
   * The default `jwksBlockedCidrs`: loopback, link-local (cloud metadata at 169.254.169.254), RFC 1918, carrier-grade NAT,
   * IPv6 loopback, link-local and unique-local ranges.
   */
  public static readonly DEFAULT_JWKS_BLOCKED_CIDRS: readonly string[] = [
    '127.0.0.0/8', '169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '::1/128', 'fe80::/10', 'fc00::/7',
  ];

  public readonly trustDomain: string;
  public readonly meshId: string;
  public readonly clusterName: string;
  public readonly network?: string;
  public readonly revision?: string;
  /** Whether istio-cni is installed and injection relies on it. */
  public readonly cniEnabled: boolean;
  /** Ranges istiod never fetches a `jwksUri` from (`BLOCKED_CIDRS_IN_JWKS_URIS`); empty when turned off. */
  public readonly jwksBlockedCidrs: readonly string[];
  /** Namespace of istiod (the mesh root namespace). */
  public readonly istioNamespace = MESH_ROOT_NAMESPACE;
  public readonly certManagerNamespace: string;
  public readonly monitoringNamespace: string;
  public readonly flaggerNamespace: string;
  public readonly loadTesterNamespace: string;
  /** Helm release name of kube-prometheus-stack. */
  public readonly prometheusRelease: string;
  /** URL of the kube-prometheus-stack Prometheus (the central one, with the federated workload series). */
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
  private readonly _cas: TenantCas;
  private readonly _providers: ExtensionProviders;
  private _observability?: MeshObservability;
  private readonly _installMeshPrometheus: boolean;
  private _meshPrometheus?: { release: HelmRelease; service: k8s.KubeService; url: string };
  private readonly _namespaces: Set<string>;
  private readonly _nsScope: Construct;
  private _eastWest?: EastWestGateway;
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
    this.jwksBlockedCidrs = (props.jwksBlockedCidrs ?? MeshPlatform.DEFAULT_JWKS_BLOCKED_CIDRS)
      .map((c, i) => checkIpOrCidr(this, `jwksBlockedCidrs[${i}]`, c));
    this._installMeshPrometheus = props.installMeshPrometheus ?? true;
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
    // The istio-cni node agent mounts host paths: its namespace must admit privileged pods even where the cluster's
    // default Pod Security level is stricter (Istio's "Install Istio with Pod Security Admission").
    if (this.cniEnabled) namespaces.set(this.istioNamespace, { 'pod-security.kubernetes.io/enforce': 'privileged' });
    this._nsScope = new Construct(this._controllers, 'Namespaces');
    this._namespaces = new Set();
    for (const [name, labels] of [...namespaces].sort(([a], [b]) => (a < b ? -1 : 1))) this._addNamespace(name, labels);

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
      name: 'cert-manager', targetNamespace: this.certManagerNamespace, values: { crds: { enabled: true, keep: true } },
    });
    this.kubePrometheusStack = this._release(this._controllers, 'KubePrometheusStack', PLATFORM_CHARTS.kubePrometheusStack, {
      name: this.prometheusRelease, targetNamespace: this.monitoringNamespace, crds: CrdPolicy.CREATE_REPLACE,
      values: centralPrometheusValues(this.prometheusRelease),
    });

    // --- layer 2 (mesh): the control plane and what needs it ---
    // The istiod HelmRelease object lives in cert-manager's namespace: valuesFrom only reads Secrets of the
    // HelmRelease's own namespace, and the tenant CA Secrets (whose ca.crt istiod needs in meshConfig.caCertificates)
    // live there. It always lives there, so adding a CA later never moves (= uninstalls and reinstalls) the release.
    this.istiod = this._release(this._mesh, 'Istiod', PLATFORM_CHARTS.istiod, {
      name: 'istiod', namespace: this.certManagerNamespace, targetNamespace: this.istioNamespace,
      dependsOn: [this.istioBase, ...(this.istioCni ? [this.istioCni] : [])],
    });
    // Values the platform learns later (CAs, providers, observability, VMs) are added to it by the verbs below.
    this.istiod.addValues(identityValues(this._identity()), this);
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
      values: { meshProvider: 'istio', metricsServer: Lazy.any({ produce: () => this.metricsServerUrl }) },
      dependsOn: [this.istiod, this.kubePrometheusStack],
    });
    this.loadTesterRelease = this._release(this._mesh, 'LoadTester', PLATFORM_CHARTS.loadTester, {
      name: 'flagger-loadtester', targetNamespace: this.loadTesterNamespace,
      values: { cmd: { timeout: '1h' } },
      dependsOn: [this.istiod],
    });

    this._cas = new TenantCas({
      platform: this, mesh: this._mesh, certManagerNamespace: this.certManagerNamespace, istioNamespace: this.istioNamespace,
      istiod: this.istiod, certManager: this.certManager,
    });
    this._providers = new ExtensionProviders(this, this.istiod);
    this.node.addValidation({ validate: () => this._validate() });
    registerPlatformFacts(this, {
      path: this.node.path, cniEnabled: this.cniEnabled, istioNamespace: this.istioNamespace,
      ingressGatewayNamespace: this.ingressGatewayNamespace, monitoringNamespace: this.monitoringNamespace,
      loadTesterNamespace: this.loadTesterNamespace,
    });
  }

  /** Every HelmRelease of the platform, in layer order. */
  public get releases(): HelmRelease[] {
    return [this.istioBase, ...(this.istioCni ? [this.istioCni] : []), this.certManager, this.kubePrometheusStack,
      ...(this._meshPrometheus ? [this._meshPrometheus.release] : []), this.istiod,
      this.ingressGatewayRelease, ...(this._eastWest ? [this._eastWest.release] : []), this.flagger, this.loadTesterRelease];
  }

  /** The mesh Prometheus release (kube-prometheus-stack `istio-prometheus`), once `useObservability()` installed it. */
  public get meshPrometheusRelease(): HelmRelease | undefined {
    return this._meshPrometheus?.release;
  }

  /** The Service of the mesh Prometheus, once `useObservability()` installed it. */
  public get meshPrometheusService(): k8s.KubeService | undefined {
    return this._meshPrometheus?.service;
  }

  /**
   * The Prometheus Flagger queries (its `metricsServer`; pass it to `MetricProvider.prometheus()` too): the mesh
   * Prometheus once `useObservability()` installed it (fresh per-pod series, as Flagger's Istio guide sets it up),
   * else the kube-prometheus-stack one (`prometheusUrl`).
   */
  public get metricsServerUrl(): string {
    return this._meshPrometheus?.url ?? this.prometheusUrl;
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
    return this._cas.add(ca);
  }

  /**
   * Declares an external authorizer in istiod's `meshConfig.extensionProviders` and returns the
   * AuthorizationPolicy action that delegates to it (`action: platform.addAuthorizationProvider({...})`; its
   * `provider` is the name).
   */
  public addAuthorizationProvider(options: AuthorizationProviderOptions): AuthorizationAction {
    this._providers.addAuthorizer(options);
    return AuthorizationAction.custom(options.name);
  }

  /**
   * Merges the istiod settings `obs` implies (`obs.istiodValues()`: access log file, tracing provider). With
   * `MeshPrometheus.istio()` it also installs the mesh Prometheus `obs` federates from (unless
   * `installMeshPrometheus` is false): a second kube-prometheus-stack release `istio-prometheus` in
   * `obs.istioPrometheus.namespace` rendering only a Prometheus object (6h retention) that the first release's
   * operator runs, whose rule, ServiceMonitor and PodMonitor selectors require `obs.istioPrometheus.selectorLabels`
   * (the labels of the recording rules, `envoy-stats-monitor` and `istio-component-monitor`), and the Service
   * `obs.istioPrometheus.serviceName` (labels `serviceLabels`, port 9090) the federation ServiceMonitor selects and
   * Flagger's metricsServer names. Ordered after kube-prometheus-stack; Flagger after it. Once.
   */
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
    const target = obs.istioPrometheus;
    if (target && this._installMeshPrometheus) {
      this._checkMeshPrometheus(target);
    }
    this._providers.addTracing(observabilityProviders(obs));
    if (target && !this._installMeshPrometheus) {
      addWarning(this, 'platform:mesh-prometheus-not-installed',
        `installMeshPrometheus is false: install the mesh Prometheus the MeshObservability federates from yourself (operator-managed, selecting `
        + `${JSON.stringify(target.selectorLabels)}, reached at ${target.url}); Flagger queries ${this.prometheusUrl}`);
    } else if (target) {
      this._meshPrometheus = this._installPrometheus(target);
    }
    this._observability = obs;
    this.istiod.addValues(observabilityValues(obs), obs);
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
    this._eastWest = {
      release, selector, namespace: this.istioNamespace, serviceName: 'istio-eastwestgateway', network: this.network,
      clusterName: this.clusterName, revision: this.revision,
    };
    this.istiod.addValues(vmWorkloadValues(), this);
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
    return structuredClone(this.istiod._toKube().values ?? {});
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

  private _addNamespace(name: string, labels: Record<string, string> = {}): void {
    this._namespaces.add(name);
    const ns = new k8s.KubeNamespace(this._nsScope, name, { metadata: { name, labels: Object.keys(labels).length ? labels : undefined } });
    clusterScoped(ns);
  }

  private _checkMeshPrometheus(target: IstioPrometheusEndpoint): void {
    if (target.port !== MESH_PROMETHEUS_PORT) {
      throw meshError(this, 'useObservability', `installs the mesh Prometheus, which listens on ${MESH_PROMETHEUS_PORT} (prometheus-operator's port), `
        + 'but MeshPrometheus.istio() names another port', target.port,
      `drop 'port' (default ${MESH_PROMETHEUS_PORT}), or pass installMeshPrometheus: false and install your own`);
    }
    if (target.namespace === this.loadTesterNamespace) {
      throw meshError(this, 'useObservability', 'installs the mesh Prometheus in a namespace labelled for sidecar injection (the load tester\'s)',
        target.namespace, `use MeshPrometheus.istio({ namespace: ${JSON.stringify(this.istioNamespace)} }) (the default)`);
    }
  }

  private _installPrometheus(target: IstioPrometheusEndpoint): { release: HelmRelease; service: k8s.KubeService; url: string } {
    if (!this._namespaces.has(target.namespace)) this._addNamespace(target.namespace);
    // The CRDs and the operator come from kube-prometheus-stack: never install or replace CRDs from this release.
    const release = this._release(this._controllers, 'MeshPrometheus', PLATFORM_CHARTS.kubePrometheusStack, {
      name: MESH_PROMETHEUS_RELEASE, targetNamespace: target.namespace, crds: CrdPolicy.SKIP,
      values: meshPrometheusValues(target),
      dependsOn: [this.kubePrometheusStack],
    });
    const service = meshPrometheusService(this._controllers, 'MeshPrometheusService', target);
    this.flagger.addDependsOn(release);
    return { release, service, url: target.url };
  }

  private _checkLabelValue(field: string, value: string): string {
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      const suggestion = String(value).replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63) || 'network1';
      throw meshError(this, field, 'must be a Kubernetes label value (Istio puts it in topology labels and proxy metadata): at most 63 letters, '
        + 'digits, "-", "_", ".", starting and ending alphanumeric', value, `use a name like ${JSON.stringify(suggestion)}`);
    }
    return value;
  }

  private _identity(): IstiodIdentity {
    return {
      revision: this.revision, trustDomain: this.trustDomain, meshId: this.meshId, clusterName: this.clusterName, network: this.network,
      cniEnabled: this.cniEnabled, jwksBlockedCidrs: this.jwksBlockedCidrs, clusterDomain: clusterDomainOf(this) === CLUSTER_DOMAIN ? undefined : clusterDomainOf(this),
    };
  }

  private _proxyConfigHash(): string {
    return proxyConfigHash(this._identity(), this._cas.settings());
  }

  private _validate(): string[] {
    const errors = this._cas.validate();
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
