import type { Duration } from 'cdk8s';
import type { CanaryAlert } from './alert-provider';
import type { CanaryMetric } from './canary-metric';
import type { CanaryStrategy } from './canary-strategy';
import type { CanaryWebhook } from './canary-webhook';
import type { IGateway } from '../traffic/gateway';
import type { CorsPolicy, HeaderOperations, HttpMatch, HttpRetry, HttpRewrite } from '../traffic/http-route';
import type { MeshApp } from '../traffic/mesh-app';
import type { TrafficPolicy } from '../traffic/traffic-policy';

/** Labels and annotations of a Service Flagger generates. */
export interface CanaryServiceMetadata {
  /**
   * Labels. Flagger sets the selector label (`app: <service name>`) itself.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Annotations.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** Bounds of the primary's autoscaler (Flagger's `autoscalerRef.primaryScalerReplicas`). */
export interface PrimaryReplicas {
  /**
   * Lower bound.
   * @default - the target HPA's minReplicas
   */
  readonly minReplicas?: number;
  /**
   * Upper bound.
   * @default - the target HPA's maxReplicas
   */
  readonly maxReplicas?: number;
}

/** Metadata of the Services (and apex VirtualService) Flagger generates: `service.apex`, `service.primary`, `service.canary`. */
export interface CanaryServicesMetadata {
  /**
   * The apex Service `<name>` and the VirtualService `<name>`.
   * @default - none
   */
  readonly apex?: CanaryServiceMetadata;
  /**
   * The Service `<name>-primary`.
   * @default - none
   */
  readonly primary?: CanaryServiceMetadata;
  /**
   * The Service `<name>-canary`.
   * @default - none
   */
  readonly canary?: CanaryServiceMetadata;
}

/** Properties of a CanaryRelease. */
export interface CanaryReleaseProps {
  /**
   * The app to release progressively. It must have exactly one version; the CanaryRelease takes over its traffic
   * (`MeshApp.markTrafficManaged()`): the app no longer emits its Service, DestinationRule and VirtualServices (Flagger
   * creates `<name>`, `<name>-primary`, `<name>-canary`), and its routing and gateway bindings move into the Canary.
   */
  readonly app: MeshApp;
  /**
   * How traffic moves during the analysis.
   * @default CanaryStrategy.progressive() (stepWeight 10, maxWeight 50)
   */
  readonly strategy?: CanaryStrategy;
  /**
   * Time between analysis steps.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Failed checks before the canary is rolled back.
   * @default 5
   */
  readonly threshold?: number;
  /**
   * Checks run at every step.
   * @default - request-success-rate ≥ 99% and request-duration ≤ 500ms over 1m
   */
  readonly metrics?: CanaryMetric[];
  /**
   * Webhooks (load tests, gates, notifications). `addWebhook()` adds more.
   * @default - none
   */
  readonly webhooks?: CanaryWebhook[];
  /**
   * Alerts. `addAlert()` adds more.
   * @default - none
   */
  readonly alerts?: CanaryAlert[];
  /**
   * Service port of the canary (`service.port`); Flagger routes this port.
   * @default - the app's first port
   */
  readonly port?: number;
  /**
   * Container port behind `port`; must be a container port of the app.
   * @default - the targetPort of the app's port
   */
  readonly targetPort?: number;
  /**
   * Name of the port in the Services Flagger generates. An Istio HTTP protocol prefix (http, http2, grpc, grpc-web)
   * makes an HTTP canary; `tcp` (or `tcp-<suffix>`) a TCP canary: Flagger then sets `service.appProtocol: tcp` and
   * shifts TCP connections (no HTTP routing, A/B matches, session affinity or mirroring; metrics from MetricTemplates).
   * @default - the name of the app's port
   */
  readonly portName?: string;
  /**
   * Labels and annotations of the Services Flagger generates (`service.apex`, `service.primary`, `service.canary`).
   * @default - none
   */
  readonly serviceMetadata?: CanaryServicesMetadata;
  /**
   * Replicas of the primary's autoscaler when they must differ from the target's (`autoscalerRef.primaryScalerReplicas`),
   * e.g. a smaller canary: the target's HPA bounds the canary, these the primary.
   * @default - the primary's HPA copies the target's bounds
   */
  readonly primaryReplicas?: PrimaryReplicas;
  /**
   * Render the canary VirtualService as a delegate (`service.delegation`): no hosts and gateways; a root VirtualService
   * of another owner delegates to `<name>.<namespace>`. Not with `gateways`, `hosts` or `exposeVia()` bindings.
   * @default false
   * @see https://docs.flagger.app/tutorials/istio-progressive-delivery
   */
  readonly delegation?: boolean;
  /**
   * Gateways the canary VirtualService binds to (the mesh is always included).
   * @default - the gateways the app is exposed through with `exposeVia()`, plus the mesh
   */
  readonly gateways?: IGateway[];
  /**
   * Extra hosts of the canary VirtualService (the Service name is always one). Not `*`: the VirtualService is bound to
   * the mesh gateway too, where Istio forbids the `*` host.
   * @default - the hosts of the app's `exposeVia()` bindings
   */
  readonly hosts?: string[];
  /**
   * Traffic policy of the primary and canary DestinationRules. Flagger supports connectionPool.http,
   * loadBalancer, outlierDetection and tls.
   * @default - the app's trafficPolicy; ISTIO_MUTUAL TLS in a STRICT namespace
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * Conditions of the canary VirtualService route.
   * @default - the match of the app's route, if any
   */
  readonly match?: HttpMatch[];
  /**
   * Retry policy.
   * @default - the app's route retries, else Istio's default
   */
  readonly retries?: HttpRetry;
  /**
   * Request timeout.
   * @default - the app's route timeout, else none
   */
  readonly timeout?: Duration;
  /**
   * Header manipulation.
   * @default - the app's route headers, else none
   */
  readonly headers?: HeaderOperations;
  /**
   * CORS policy.
   * @default - the app's route CORS policy, else none
   */
  readonly corsPolicy?: CorsPolicy;
  /**
   * Path/authority rewrite.
   * @default - the app's route rewrite, else none
   */
  readonly rewrite?: HttpRewrite;
  /**
   * Time the canary may take to make progress before Flagger rolls it back.
   * @default Duration.minutes(10) (Flagger's default, 600s)
   */
  readonly progressDeadline?: Duration;
  /**
   * Promote without analysis (emergency fixes).
   * @default false
   */
  readonly skipAnalysis?: boolean;
  /**
   * metadata.name of the Canary.
   * @default - the app's name
   */
  readonly name?: string;
}
