import type { IConstruct } from 'constructs';

/*
 * A neutral hook for "another construct takes over the traffic of a workload", in the shape of cdk8s-plus's
 * `IScalable.markHasAutoscaler()`: the workload (MeshApp) does not know who takes over (a CanaryRelease, a future
 * Argo Rollouts construct, ...); the manager says how the workload must render, and gets back what the workload would
 * have routed itself.
 */

/**
 * How a construct that takes over the traffic of a workload wants the workload rendered from then on. Passed to
 * `ITrafficManaged.markTrafficManaged()`.
 */
export interface TrafficManagement {
  /** The construct that takes the traffic over (a workload has at most one). */
  readonly manager: IConstruct;
  /**
   * What the manager does, as errors complete "the app is ...": e.g. 'released by Flagger'.
   */
  readonly description: string;
  /**
   * Labels that select every pod of the workload from then on: what the workload reports as its `labels` and
   * `meshIdentity().podSelector`, so AuthorizationPolicies and PeerAuthentications that select it (also ones created
   * earlier, since they render lazily) keep matching its pods.
   */
  readonly podSelector: Readonly<Record<string, string>>;
  /**
   * Labels added to every pod of the workload.
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Selector of the workload's Deployments (and PodDisruptionBudgets). */
  readonly deploymentSelector: Readonly<Record<string, string>>;
  /**
   * Whether the manager (or the controller behind it) scales the Deployments: `spec.replicas` is then not rendered,
   * so a GitOps apply does not reset what the controller set.
   * @default false
   */
  readonly managesReplicas?: boolean;
}

/** A version of a managed workload. */
export interface TrafficManagedVersion {
  /** Version name (`version` pod label). */
  readonly name: string;
  /** Name of its Deployment: what a manager targets (Flagger's `targetRef`; its primary is `<deploymentName>-primary`). */
  readonly deploymentName: string;
  /** Name of its HorizontalPodAutoscaler, when the workload autoscales. */
  readonly autoscalerName?: string;
  /**
   * Replicas it runs when it does not autoscale (the version's or the workload's `replicas`, else the workload's
   * default); undefined with an autoscaler. The Deployment no longer renders them when the manager `managesReplicas`.
   */
  readonly replicas?: number;
  /** Labels of its pods, as rendered while managed. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Whether it has its own traffic policy (a DestinationRule subset policy), which the workload no longer renders. */
  readonly hasTrafficPolicy: boolean;
}

/** A route of the workload's mesh VirtualService, rendered for the workload's host. */
export interface TrafficManagedRoute {
  /** Where errors about it point, e.g. 'routes[0]'. */
  readonly field: string;
  /** The rendered VirtualService `http[]` entry. */
  readonly route: Record<string, unknown>;
}

/** A gateway binding of the workload (`exposeVia()`). */
export interface TrafficManagedBinding {
  /** `<namespace>/<name>` of the gateway. */
  readonly ref: string;
  /** Hosts of the binding's VirtualService. */
  readonly hosts: readonly string[];
  /** Where the binding's own routes were given, when it has some (e.g. 'exposeVia(istio-system/gw).routes'). */
  readonly routesField?: string;
}

/**
 * What a workload hands its traffic manager: everything it would have routed itself. It no longer emits its Service,
 * DestinationRule and VirtualServices; `routes()`, `gatewayBindings()` and `trafficPolicy()` render what they held, lazily.
 */
export interface TrafficManagedTarget {
  /** Name of the workload (of its Service). */
  readonly name: string;
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Fully-qualified host of the workload's Service. */
  readonly host: string;
  /** The versions, in order. */
  readonly versions: readonly TrafficManagedVersion[];
  /** The Service ports, in order (the first is the default). */
  readonly ports: ReadonlyArray<{ readonly name: string; readonly port: number; readonly targetPort: number }>;
  /** Container ports of the Deployments. */
  readonly containerPorts: readonly number[];
  /** The routes of the mesh VirtualService. */
  routes(): readonly TrafficManagedRoute[];
  /** The gateway bindings. */
  gatewayBindings(): readonly TrafficManagedBinding[];
  /** The DestinationRule's top-level traffic policy, rendered, with the field it came from; undefined when none. */
  trafficPolicy(): { readonly field: string; readonly rendered: Record<string, unknown> } | undefined;
}

/**
 * A workload whose traffic (Service, DestinationRule, VirtualServices) another construct can take over.
 * Implemented by MeshApp.
 */
export interface ITrafficManaged extends IConstruct {
  /** The construct that manages the workload's traffic, if one does. */
  readonly trafficManager?: IConstruct | undefined;
  /**
   * Hands the workload's traffic over to `management.manager`. The workload stops emitting its Service, DestinationRule
   * and VirtualServices and renders its pods as `management` says. Throws when another construct already manages it.
   */
  markTrafficManaged(management: TrafficManagement): TrafficManagedTarget;
}
