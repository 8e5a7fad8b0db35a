/*
 * Props of `MeshPlatform` and the option types of its verbs (public; re-exported from index.ts).
 */
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { HelmRelease } from '../gitops/helm-release';

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
  /** The cluster's name (istiod's CLUSTER_ID, the `--clusterID` of VM onboarding). */
  readonly clusterName: string;
  /** The control plane revision, if any. */
  readonly revision?: string;
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
   * privileged istio-init container and pass Pod Security "restricted" (the default of MeshNamespace); the root
   * namespace is labelled `pod-security.kubernetes.io/enforce: privileged` for the CNI node agent. Opting out brings
   * back NET_ADMIN/NET_RAW init containers in every injected pod, and a MeshNamespace of the same cluster with
   * injection then fails synthesis unless it passes `podSecurity: PodSecurityLevel.PRIVILEGED`.
   * @default true
   */
  readonly cni?: boolean;
  /**
   * Address ranges istiod must never fetch a RequestAuthentication `jwksUri` (or OIDC discovery) from: istiod's env
   * `BLOCKED_CIDRS_IN_JWKS_URIS` (Istio's `istioctl analyze` IST0175 warns when it is unset). Without it, anyone who
   * may write a RequestAuthentication can make istiod call internal addresses (SSRF). The default blocks loopback,
   * link-local (cloud metadata), RFC 1918, carrier-grade NAT and IPv6 unique-local ranges, so a JWKS served from inside
   * the cluster or a private network is refused: list the ranges to block yourself (leaving out the issuer's), or
   * `[]` to turn the protection off explicitly.
   * @default MeshPlatform.DEFAULT_JWKS_BLOCKED_CIDRS
   */
  readonly jwksBlockedCidrs?: string[];
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
   * Install the mesh Prometheus when `useObservability()` gets a MeshObservability with `MeshPrometheus.istio()`
   * (a second kube-prometheus-stack release `istio-prometheus` plus the Service Flagger and the federation reach it
   * through). Opting out means you run that Prometheus yourself: operator-managed, selecting the recording-rule
   * labels, reached at `obs.istioPrometheus.url`; the platform then records the warning
   * `platform:mesh-prometheus-not-installed`, and Flagger queries the kube-prometheus-stack Prometheus.
   * @default true
   */
  readonly installMeshPrometheus?: boolean;
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
