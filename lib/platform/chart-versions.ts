/*
 * The Helm charts the platform install pins, and where they come from (REFERENCE-GITOPS.md section 2).
 * Change a version here, in one commit, to upgrade it: every HelmRelease reads it from this file.
 */

/** A Helm chart repository the platform installs charts from (a Flux HelmRepository in flux-system). */
export interface PinnedHelmRepository {
  /** metadata.name of the HelmRepository. */
  readonly name: string;
  /** The repository URL. */
  readonly url: string;
}

/** One pinned chart. */
export interface PinnedChart {
  /** The repository that serves the chart. */
  readonly repository: PinnedHelmRepository;
  /** The chart name in that repository. */
  readonly chart: string;
  /** The exact version, spelled as the repository spells it. */
  readonly version: string;
}

/** The chart repositories of the platform install. */
export const PLATFORM_HELM_REPOSITORIES = {
  /** Istio's charts (base, istiod, cni, gateway). */
  istio: { name: 'istio', url: 'https://istio-release.storage.googleapis.com/charts' },
  /** Jetstack (cert-manager). */
  jetstack: { name: 'jetstack', url: 'https://charts.jetstack.io' },
  /** Flagger and its load tester. */
  flagger: { name: 'flagger', url: 'https://flagger.app' },
  /** prometheus-community (kube-prometheus-stack). */
  prometheusCommunity: { name: 'prometheus-community', url: 'https://prometheus-community.github.io/helm-charts' },
} as const satisfies Record<string, PinnedHelmRepository>;

/** Istio's release: one version for base, istiod, cni and gateway (they must match). */
export const ISTIO_VERSION = '1.30.3';

/** The pinned charts of the platform install. */
export const PLATFORM_CHARTS = {
  /** Istio CRDs and cluster roles (istio/istio manifests/charts/base). */
  istioBase: { repository: PLATFORM_HELM_REPOSITORIES.istio, chart: 'base', version: ISTIO_VERSION },
  /** Istio control plane (manifests/charts/istio-control/istio-discovery). */
  istiod: { repository: PLATFORM_HELM_REPOSITORIES.istio, chart: 'istiod', version: ISTIO_VERSION },
  /** Istio CNI node agent (manifests/charts/istio-cni). */
  istioCni: { repository: PLATFORM_HELM_REPOSITORIES.istio, chart: 'cni', version: ISTIO_VERSION },
  /** Istio gateway deployment (manifests/charts/gateway): ingress and east-west gateways. */
  istioGateway: { repository: PLATFORM_HELM_REPOSITORIES.istio, chart: 'gateway', version: ISTIO_VERSION },
  /** cert-manager; the repository spells versions with a leading "v". */
  certManager: { repository: PLATFORM_HELM_REPOSITORIES.jetstack, chart: 'cert-manager', version: 'v1.21.1' },
  /** Flagger (CRDs in the chart's crds/ directory). */
  flagger: { repository: PLATFORM_HELM_REPOSITORIES.flagger, chart: 'flagger', version: '1.44.0' },
  /** Flagger's load tester. */
  loadTester: { repository: PLATFORM_HELM_REPOSITORIES.flagger, chart: 'loadtester', version: '0.38.0' },
  /**
   * kube-prometheus-stack 88.0.0: the release that bumped prometheus-operator to v0.93.0, the version whose CRDs
   * imports/monitoring.coreos.com.ts was generated from (helm-charts release kube-prometheus-stack-88.0.0, #7152).
   */
  kubePrometheusStack: { repository: PLATFORM_HELM_REPOSITORIES.prometheusCommunity, chart: 'kube-prometheus-stack', version: '88.0.0' },
} as const satisfies Record<string, PinnedChart>;
