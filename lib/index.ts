// The public API of cdk8s-mesh, by concern. Everything else under lib/ is internal.

// Core
export { CLUSTER_DOMAIN_CONTEXT, clusterDomain, DEFAULT_CLUSTER_DOMAIN, serviceHost } from './core/cluster-domain';
export { DEFAULT_TRUST_DOMAIN, type IMeshPeer, type IngressGatewayPeerOptions, MESH_ROOT_NAMESPACE, type MeshIdentity, MeshPeer, type ServiceAccountPeerOptions, TRUST_DOMAIN_CONTEXT } from './core/mesh-peer';

// Workloads and traffic
export { MeshApp } from './traffic/mesh-app';
export { type ExposeViaOptions, type MeshAppAutoscaling, type MeshAppProps, type MeshAppVersion, type MeshPort, WorkloadIdentity } from './traffic/mesh-app-props';
export { type ITrafficManaged, type TrafficManagedBinding, type TrafficManagedRoute, type TrafficManagedTarget, type TrafficManagedVersion, type TrafficManagement } from './traffic/traffic-managed';
export { type CorsPolicy, type HeaderOperation, type HeaderOperations, HttpFault, type HttpMatch, type HttpMirror, type HttpRedirect, type HttpRetry, type HttpRewrite, type HttpRouteOptions, RetryOn, type RouteDestination } from './traffic/http-route';
export { StringMatch } from './traffic/string-match';
export { type L4RouteDestination, type TcpMatch, type TcpRouteOptions } from './traffic/tcp-route';
export { type TlsMatch, type TlsRouteOptions } from './traffic/tls-route';
export { type ClientTlsSettings, type ConnectionPoolSettings, H2UpgradePolicy, type HttpSettings, type OutlierDetection, type PortTrafficPolicy, type TcpKeepalive, type TcpSettings, TlsMode, type TrafficPolicy } from './traffic/traffic-policy';
export { type ConsistentHashOptions, type HashCookie, LoadBalancer, type LoadBalancerOptions, type LocalityDistribution, type LocalityFailover, LocalityLoadBalancing } from './traffic/load-balancer';
export { type SplitRouteOptions, TrafficSplit } from './traffic/traffic-split';
export { Gateway, type GatewayImportOptions, type GatewayProps, type HttpServerOptions, type IGateway, type ImportedGatewayServer, type TcpServerOptions } from './traffic/gateway';
export { type GatewayServer, ServerProtocol } from './traffic/gateway-server';
export { GatewayCredential, type GatewayCredentialConfig, type GatewayCredentialTarget, GatewayTlsMode, type HttpsServer, type HttpsServerOptions, type IssueGatewayCertificateOptions, type TlsPassthroughServerOptions, TlsProtocolVersion } from './traffic/gateway-tls';
export { type EgressGrant, ExportTo, type ExternalDestinationRuleOptions, ExternalProtocol, type IDestinationRuleClient, ServiceEntry, ServiceEntryLocation, type ServiceEntryPort, type ServiceEntryProps, ServiceEntryResolution, type TlsOriginationOptions } from './traffic/service-entry';
export { type ExternalRouteOptions } from './traffic/external-routes';
export { MeshService, type MeshServiceAttributes, type MeshServiceExposeOptions, type MeshServicePort } from './traffic/mesh-service';

// Zero-trust security
export { MeshNamespace, type MeshNamespaceProps, PodSecurityLevel, SidecarInjection } from './security/mesh-namespace';
export { StrictMtlsNamespace, type StrictMtlsNamespaceProps } from './security/strict-mtls-namespace';
export { MeshWideMtls, type MeshWideMtlsProps } from './security/mesh-wide-mtls';
export { type AllowAllProps, type AllowFromOptions, AuthorizationAction, AuthorizationPolicy, type AuthorizationPolicyProps, type AuthorizationRule, type RequestCondition, type RequestOperation, type RequestSource } from './security/authorization-policy';
export { MtlsMode, PeerAuthentication, type PeerAuthenticationProps } from './security/peer-authentication';
export { type JwtClaimToHeader, type JwtHeader, type JwtRule, RequestAuthentication, type RequestAuthenticationProps, type RequireJwtOptions } from './security/request-authentication';

// Certificates
export { type AcmeDns01CloudflareOptions, type AcmeDns01Route53Options, type AcmeHttp01GatewayHttpRouteOptions, type AcmeHttp01IngressOptions, type AcmeIssuerOptions, AcmeServer, AcmeSolver, type AcmeSolverSelectorOptions, type CaIssuerOptions, type GatewayApiParentReference, type IIssuer, Issuer, IssuerKind, type IssuerProps, IssuerType, type SecretKeyReference } from './certificates/issuer';
export { ClusterIssuer, type ClusterIssuerProps } from './certificates/cluster-issuer';
export { Certificate, type CertificateProps, KeyAlgorithm, KeyRotationPolicy, KeyUsage, type PrivateKeyOptions } from './certificates/certificate';
export { type CaCertificateSource, CLUSTER_ISSUER_SIGNER_DOMAIN, type IstiodExternalCaConfiguration, type TenantCa, TenantCertificateAuthority, type TenantCertificateAuthorityProps } from './certificates/tenant-certificate-authority';

// Progressive delivery
export { CanaryRelease } from './delivery/canary-release';
export { type CanaryReleaseProps, type CanaryServiceMetadata, type CanaryServicesMetadata, type PrimaryReplicas } from './delivery/canary-release-props';
export { type AbTestingOptions, type BlueGreenMirroringOptions, type BlueGreenOptions, CanaryMatch, CanaryStrategy, type ProgressiveCanaryOptions, type SessionAffinity } from './delivery/canary-strategy';
export { CanaryMetric, type RequestDurationOptions, type RequestSuccessRateOptions, type TemplateMetricOptions } from './delivery/canary-metric';
export {
  type AcceptanceTestOptions, CanaryWebhook, type GateOptions, type HttpWebhookOptions, LoadTester, type LoadTesterCommandOptions, type LoadTesterOptions, type LoadTestOptions,
  type WebhookOptions,
} from './delivery/canary-webhook';
export { LoadTesterAccess, type LoadTesterAccessProps } from './delivery/load-tester-access';
export { AlertProvider, type AlertProviderProps, AlertProviderType, AlertSeverity, type CanaryAlert, type IAlertProvider } from './delivery/alert-provider';
export { type IMetricTemplate, ISTIO_PROMETHEUS_ADDRESS, MetricProvider, MetricTemplate, type MetricTemplateProps, type PrometheusProviderOptions } from './delivery/metric-template';

// Analysis
export {
  type AnalysisReport, analyze, analyzeManifestReport, analyzeManifests, type AnalyzeOptions, builtinRules, clusterOfFile, ConstructNotAvailableError,
  type ManifestAnalysisReport, type ManifestInput,
} from './analysis/analyze';
export {
  AnalysisContext, type AnalysisContextOptions, type AnalysisFacts, type AnalyzedObject, apiGroup, CLUSTER_SCOPED_KINDS, DEFAULT_MESH_SETTINGS, type Finding,
  FindingSeverity, formatFinding, type IAnalysisRule, ISTIO_SUPPRESS_ANNOTATION, type Manifest, type MeshSettings, objectId, type PeerFact, type RelationFact,
  SUPPRESS_ANNOTATION,
} from './analysis/context';
export { meshSettingsFromConfig } from './analysis/mesh-config';

// Synthesis
export { type SynthesisResult, synthesize, type SynthesizeOptions } from './synth/synthesize';
export { AnalyzedApp, type AnalyzedAppProps } from './synth/analyzed-app';
export { MeshTesting, type MeshTestingOptions, type MeshTestingResult } from './synth/mesh-testing';
export { runSynthesis } from './synth/run-synthesis';
export { SynthesisError } from './synth/synthesis-error';

// Mesh graph
export {
  buildMeshGraph, type MeshGraph, type MeshGraphCanary, MeshGraphCanaryStrategy, MeshGraphDataplane, type MeshGraphEdge, MeshGraphEdgeKind,
  MeshGraphEdgeStatus, MeshGraphInjection, type MeshGraphManifest, type MeshGraphMtls, MeshGraphMtlsMode, type MeshGraphNamespace, type MeshGraphNode,
  MeshGraphNodeKind, type MeshGraphOptions, renderMermaid, renderMermaidFlowchart, type RenderMermaidOptions,
} from './graph';

// GitOps delivery, observability and the platform install
export * from './gitops';
export * from './observability';
export * from './platform';
export * from './vm';
export { type IExternalVersion, type IExternalVersionHost } from './core/external-version';

// The generated classes of every imported CRD group, for raw objects and escape hatches (as cdk8s-plus exports `k8s`).
export * as certManager from '../imports/cert-manager.io';
export * as flagger from '../imports/flagger.app';
export * as fluxHelm from '../imports/helm.toolkit.fluxcd.io';
export * as fluxImage from '../imports/image.toolkit.fluxcd.io';
export * as fluxKustomize from '../imports/kustomize.toolkit.fluxcd.io';
export * as fluxSource from '../imports/source.toolkit.fluxcd.io';
export * as istio from '../imports/networking.istio.io';
export * as istioSecurity from '../imports/security.istio.io';
export * as istioTelemetry from '../imports/telemetry.istio.io';
export * as prometheus from '../imports/monitoring.coreos.com';
