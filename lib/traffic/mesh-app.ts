import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import type { EgressGrant, ServiceEntry } from './service-entry';
import { HttpRouteOptions, renderHttpRoute, RouteTarget } from './http-route';
import { AllowFromOptions, AuthorizationPolicy } from '../security/authorization-policy';
import { IGateway } from './gateway';
import { IMeshPeer, MeshIdentity } from '../core/mesh-peer';
import { withApiFieldNames } from '../private/api-json';
import { allowEgress } from '../security/egress';
import { meshError } from '../private/errors';
import type { FlaggerHandOver } from '../private/flagger';
import { namespaceOf, serviceFqdn } from '../private/names';
import { trustDomainOf } from '../private/peers';
import { recordRelation } from '../private/relations';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';
import { renderTrafficPolicy, TrafficPolicy } from './traffic-policy';
import type { TrafficSplit } from './traffic-split';

/**
 * Istio protocol prefixes a Service port name may start with.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
const ISTIO_PROTOCOLS = ['grpc-web', 'http2', 'https', 'http', 'grpc', 'tcp', 'tls', 'mongo', 'mysql', 'redis'] as const;

/** UID of the Istio sidecar; an application container must never run as it. */
const ISTIO_PROXY_UID = 1337;

/** Ports the Istio sidecar listens on inside the pod; the app cannot use them. */
const ISTIO_RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

/** Pod label shared by the primary and canary pods of an app released by Flagger (policies select it). */
const FLAGGER_SHARED_LABEL = 'app.kubernetes.io/name';

/** Pod label Istio's injector reads (the label form replaced the annotation). */
const SIDECAR_INJECT_LABEL = 'sidecar.istio.io/inject';

/** IANA_SVC_NAME: what a *container* port name must be (Service port names may be longer). */
const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

/** The pod label cdk8s-plus derives from the construct path (see _renderDeploymentSpec). */
const CDK8S_ADDR_LABEL = 'cdk8s.io/metadata.addr';

/** Environment variable names the API server accepts. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** A VirtualService host: '*', a DNS name or a wildcard DNS name, no namespace prefix. */
const VS_HOST = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/** Whether a gateway server host (`*`, `*.example.com`, `shop.example.com`) accepts a VirtualService host. */
function hostCovers(gatewayHost: string, host: string): boolean {
  if (gatewayHost === '*' || gatewayHost === host) return true;
  if (gatewayHost.startsWith('*.')) {
    const suffix = gatewayHost.slice(1); // '.example.com'
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return false;
}

/**
 * One port of the app's Service.
 */
export interface MeshPort {
  /**
   * Port name with an Istio protocol prefix: `http`, `http2`, `https`, `grpc`, `grpc-web`, `tcp`, `tls`,
   * `mongo`, `mysql`, `redis`, or `<protocol>-<suffix>` (e.g. `http-admin`). Istio picks the protocol from it.
   * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
   */
  readonly name: string;
  /** Port of the Service (what clients and routes use). */
  readonly port: number;
  /**
   * Port the container listens on.
   * @default - same as `port`
   */
  readonly targetPort?: number;
}

/**
 * One version of the app: its own Deployment `<name>-<version>`, pod label `version`, DestinationRule subset.
 */
export interface MeshAppVersion {
  /** Version name, e.g. `v1`: pod label `version` and subset name. A DNS-1123 label. */
  readonly name: string;
  /** Container image of this version, e.g. `gcr.io/tetratelabs/customers:2.0.0`. */
  readonly image: string;
  /**
   * Replicas of this version. Not allowed together with `autoscaling`.
   * @default - the app's `replicas`
   */
  readonly replicas?: number;
  /**
   * Environment variables of this version, merged over (and overriding) the app's `env`.
   * @default - the app's `env` only
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Resources of this version's container.
   * @default - the app's `resources`
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Traffic policy of this version's DestinationRule subset (overrides the app's `trafficPolicy` for it).
   * @default - the subset inherits the app's `trafficPolicy`
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/**
 * Which workload identities (ServiceAccounts) a MeshApp gets. Enum-like class.
 */
export class WorkloadIdentity {
  /** One ServiceAccount `<name>` shared by every version. */
  public static readonly PER_APP = new WorkloadIdentity('per-app');
  /** One ServiceAccount `<name>-<version>` per version (S2's `customers-v1`), so policies can tell versions apart. */
  public static readonly PER_VERSION = new WorkloadIdentity('per-version');
  private constructor(public readonly mode: string) {}
}

/** HorizontalPodAutoscaler (autoscaling/v2) settings, applied to each version's Deployment. */
export interface MeshAppAutoscaling {
  /**
   * Lower bound of replicas per version.
   * @default 2
   */
  readonly minReplicas?: number;
  /** Upper bound of replicas per version. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization, in percent of the CPU request.
   * @default 80
   */
  readonly cpuUtilization?: number;
}

/** Properties of a MeshApp. */
export interface MeshAppProps {
  /**
   * Name of the app: Service, DestinationRule, VirtualService, ServiceAccount, `app` label. A DNS-1035 label
   * (lower case letters, digits, '-', starting with a letter).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of every object of the app.
   * @default - the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /** Versions of the app, at least one (`addVersion()` adds more). */
  readonly versions: MeshAppVersion[];
  /**
   * Service ports, named with Istio protocol prefixes. The first one is also the default probe port.
   * @default [{ name: 'http', port: 80, targetPort: 8080 }]
   */
  readonly ports?: MeshPort[];
  /**
   * Replicas of every version (each version can override it). Not allowed together with `autoscaling`.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Scale each version with an autoscaling/v2 HorizontalPodAutoscaler `<name>-<version>` instead of fixed replicas.
   * @default - fixed `replicas`, no autoscaler
   */
  readonly autoscaling?: MeshAppAutoscaling;
  /**
   * Emit a PodDisruptionBudget `<name>-<version>` (policy/v1, maxUnavailable 1) for each version that runs more
   * than one replica (replicas > 1 or autoscaling minReplicas > 1). A single replica gets none, since a budget
   * would block node drains.
   * @default true
   */
  readonly disruptionBudget?: boolean;
  /**
   * Inject the Istio sidecar (pod label `sidecar.istio.io/inject`). `false` keeps the app out of the mesh,
   * like S1's web-frontend: it then cannot use mTLS and fails against STRICT peers.
   * @default true
   */
  readonly sidecar?: boolean;
  /**
   * One ServiceAccount for the app, or one per version.
   * @default WorkloadIdentity.PER_APP
   */
  readonly identity?: WorkloadIdentity;
  /**
   * Environment variables of the container; use `kplus.EnvValue.fromValue()`, `fromConfigMap()`, `fromSecretValue()`, ...
   * @default - none
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Whole ConfigMaps/Secrets as environment (`kplus.Env.fromConfigMap(cm)`, `kplus.Env.fromSecret(s)`).
   * @default - none
   */
  readonly envFrom?: kplus.EnvFrom[];
  /**
   * Entrypoint array.
   * @default - the image's ENTRYPOINT
   */
  readonly command?: string[];
  /**
   * Arguments to the entrypoint.
   * @default - the image's CMD
   */
  readonly args?: string[];
  /**
   * Compute resources of the container.
   * @default - cdk8s-plus defaults: requests 1000m CPU / 512Mi, limits 1500m CPU / 2048Mi
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Readiness probe.
   * @default - TCP connect to the first port's targetPort (protocol-agnostic; Istio rewrites it to go through the agent)
   */
  readonly readiness?: kplus.Probe;
  /**
   * Liveness probe.
   * @default - none: a wrong liveness probe restarts healthy pods, so it must be chosen by the app owner
   */
  readonly liveness?: kplus.Probe;
  /**
   * Startup probe.
   * @default - TCP connect to the first port's targetPort (the cdk8s-plus default)
   */
  readonly startup?: kplus.Probe;
  /**
   * Volumes to mount, e.g. `{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(scope, 'tmp', 'tmp') }` (the root
   * filesystem is read-only) or `kplus.Volume.fromConfigMap(...)`. The pod volumes are added from the mounts.
   * @default - none
   */
  readonly volumeMounts?: kplus.VolumeMount[];
  /**
   * Container security context, merged over the secure defaults: runAsNonRoot, readOnlyRootFilesystem,
   * no privilege escalation, not privileged, capabilities drop ALL, seccomp RuntimeDefault. Every opt-out is
   * explicit here (e.g. `{ readOnlyRootFilesystem: false }`). `ensureNonRoot`, `user` and `group` also apply to the pod.
   * @default - the secure defaults above
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;
  /**
   * Image pull policy.
   * @default kplus.ImagePullPolicy.ALWAYS
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
  /**
   * Traffic policy of the DestinationRule (connection pool, outlier detection, load balancer, TLS, per port).
   * @default - no policy: Istio defaults (LEAST_REQUEST, auto mTLS, no limits)
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * HTTP routes of the mesh VirtualService `<name>` (hosts: the Service FQDN, bound to the mesh).
   * `addRoute()` adds more.
   * @default - no VirtualService: mesh traffic is spread over all versions by the Service
   */
  readonly routes?: HttpRouteOptions[];
}

/** Options of `MeshApp.exposeVia()`. */
export interface ExposeViaOptions {
  /**
   * Hosts the gateway VirtualService answers for.
   * @default - the gateway's hosts
   */
  readonly hosts?: string[];
  /**
   * Routes of the gateway VirtualService.
   * @default - the app's routes (including ones added later); with none, one route to the whole Service
   */
  readonly routes?: HttpRouteOptions[];
  /**
   * Name of the gateway VirtualService (in the app's namespace).
   * @default - `<app name>-<gateway name>`
   */
  readonly virtualServiceName?: string;
}

interface PortSpec {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: string;
}

interface GatewayBinding {
  readonly gateway: IGateway;
  /** Explicit VirtualService hosts; undefined: the gateway's hosts at synth time. */
  readonly hosts?: string[];
  readonly routes?: HttpRouteOptions[];
  readonly virtualService: istio.VirtualService;
}

/**
 * A Deployment whose spec passes through the owning MeshApp at synth time, so the app decides the
 * selector in one place, late (cdk8s-plus renders `_toKube()` lazily; it is public in its typings).
 */
class VersionDeployment extends kplus.Deployment {
  private readonly _renderSpec: (spec: kplus.k8s.DeploymentSpec) => kplus.k8s.DeploymentSpec;

  constructor(scope: Construct, id: string, props: kplus.DeploymentProps, render: (spec: kplus.k8s.DeploymentSpec) => kplus.k8s.DeploymentSpec) {
    super(scope, id, props);
    this._renderSpec = render;
  }

  /** @internal */
  public override _toKube(): kplus.k8s.DeploymentSpec {
    return this._renderSpec(super._toKube());
  }
}

/**
 * One service on the mesh: a Deployment per version, a Service, ServiceAccount(s), a DestinationRule with a
 * subset per version, and VirtualServices for the mesh (when routes are given) and per gateway (`exposeVia`).
 *
 * @example
 * const customers = new MeshApp(chart, 'customers', {
 *   ports: [{ name: 'http', port: 80, targetPort: 3000 }],
 *   versions: [
 *     { name: 'v1', image: 'gcr.io/tetratelabs/customers:1.0.0' },
 *     { name: 'v2', image: 'gcr.io/tetratelabs/customers:2.0.0' },
 *   ],
 *   routes: [{ destinations: [{ version: 'v1', weight: 70 }, { version: 'v2', weight: 30 }] }],
 * });
 */
export class MeshApp extends Construct implements IMeshPeer {
  /** App name: Service, DestinationRule, mesh VirtualService and `app` label. */
  public readonly name: string;
  /** Namespace of every object of the app. */
  public readonly namespace: string;
  /** Fully-qualified host of the Service: `<name>.<namespace>.svc.cluster.local`. */
  public readonly host: string;
  /** Whether the pods get the Istio sidecar. */
  public readonly sidecarInjected: boolean;
  /** The Service `<name>`, selecting `app: <name>`. */
  public readonly service: kplus.Service;
  /** The DestinationRule `<name>`: one subset per version. */
  public readonly destinationRule: istio.DestinationRule;
  /** Which ServiceAccounts the app has. */
  public readonly identity: WorkloadIdentity;

  private readonly _props: MeshAppProps;
  private readonly _ports: PortSpec[];
  private readonly _versions: MeshAppVersion[] = [];
  private readonly _deployments = new Map<string, kplus.Deployment>();
  private readonly _autoscalers = new Map<string, kplus.HorizontalPodAutoscaler>();
  private readonly _budgets = new Map<string, kplus.k8s.KubePodDisruptionBudget>();
  private readonly _serviceAccounts = new Map<string, kplus.ServiceAccount>();
  private readonly _routes: HttpRouteOptions[] = [];
  private readonly _bindings = new Map<string, GatewayBinding>();
  private _virtualService?: istio.VirtualService;
  /** The CanaryRelease that took the app over; Flagger then owns the Service, DestinationRule and VirtualServices. */
  private _flaggerOwner?: IConstruct;

  constructor(scope: Construct, id: string, props: MeshAppProps) {
    super(scope, id);
    this._props = props;
    this.name = props.name ?? id;
    checkDnsLabel(this, 'name', this.name);
    if (!/^[a-z]/.test(this.name)) {
      throw meshError(this, 'name', 'must start with a letter (a Service name is a DNS-1035 label)', this.name, `use a name like "app-${this.name}"`);
    }
    this.namespace = namespaceOf(this, props.namespace);
    checkDnsLabel(this, 'namespace', this.namespace);
    this.host = serviceFqdn(this.name, this.namespace);
    this.sidecarInjected = props.sidecar ?? true;
    this.identity = props.identity ?? WorkloadIdentity.PER_APP;
    this._ports = this._validatePorts(props.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }]);
    this._validateScaling();
    this._validateContainer();
    if (props.trafficPolicy) this._checkTrafficPolicy('trafficPolicy', props.trafficPolicy);
    if (!props.versions || props.versions.length === 0) {
      throw meshError(this, 'versions', 'must list at least one version', props.versions ?? [], "pass versions: [{ name: 'v1', image: '<image>' }]");
    }

    if (this.identity === WorkloadIdentity.PER_APP) this._addServiceAccount(this.name, 'ServiceAccount');
    this.service = this._createService();
    this.destinationRule = withApiFieldNames(new istio.DestinationRule(this, 'DestinationRule', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._renderDestinationRuleSpec() }) as unknown as istio.DestinationRuleSpec,
    }));

    for (const v of props.versions) this.addVersion(v);
    for (const r of props.routes ?? []) this.addRoute(r);
  }

  /** Labels that select every pod of the app (all versions): `{ app: <name> }`. Use them to select the workload. */
  public get labels(): Record<string, string> {
    // Released by Flagger: primary pods carry `app: <name>-primary`, canary pods `app: <name>`; both keep
    // `app.kubernetes.io/name`, which Flagger copies unchanged (it only rewrites the selector label).
    return this._flaggerOwner ? { [FLAGGER_SHARED_LABEL]: this.name } : { app: this.name };
  }

  /** Version names, in the order they were added. */
  public get versionNames(): string[] {
    return this._versions.map((v) => v.name);
  }

  /** Deployments by version name (`<name>-<version>`). A copy. */
  public get deployments(): Record<string, kplus.Deployment> {
    return Object.fromEntries(this._deployments);
  }

  /** HorizontalPodAutoscalers by version name (empty without `autoscaling`). A copy. */
  public get autoscalers(): Record<string, kplus.HorizontalPodAutoscaler> {
    return Object.fromEntries(this._autoscalers);
  }

  /** PodDisruptionBudgets by version name (only versions with more than one replica). A copy. */
  public get disruptionBudgets(): Record<string, kplus.k8s.KubePodDisruptionBudget> {
    return Object.fromEntries(this._budgets);
  }

  /** Every ServiceAccount of the app (one, or one per version). */
  public get serviceAccounts(): kplus.ServiceAccount[] {
    return [...this._serviceAccounts.values()];
  }

  /** Names of every ServiceAccount of the app: the identities authorization policies refer to. */
  public get serviceAccountNames(): string[] {
    return [...this._serviceAccounts.keys()];
  }

  /** SPIFFE-style principals of the app's ServiceAccounts (`cluster.local/ns/<namespace>/sa/<name>`), for AuthorizationPolicy `from`. */
  public get principals(): string[] {
    return this.serviceAccountNames.map((sa) => `${trustDomainOf(this)}/ns/${this.namespace}/sa/${sa}`);
  }

  /** The app as a mesh peer: its ServiceAccounts, namespace, sidecar and pod labels (`app`). */
  public meshIdentity(): MeshIdentity {
    return { name: this.name, namespace: this.namespace, serviceAccounts: this.serviceAccountNames, sidecar: this.sidecarInjected, podSelector: this.labels };
  }

  /**
   * Lets `peer` (a MeshApp, a Gateway, MeshPeer.namespace(...)) call this app: the ALLOW AuthorizationPolicy
   * `<name>-allow-<peer>` selecting this app's pods, with the peer's principals, optionally only some operations
   * (methods, paths, ports, hosts, not*) under conditions (`when`). Needed for every caller once the namespace has
   * `deny-all` (StrictMtlsNamespace). Idempotent per peer; returns the policy.
   */
  public allowFrom(peer: IMeshPeer, options: AllowFromOptions = {}): AuthorizationPolicy {
    return AuthorizationPolicy.allowFrom(this, peer, options);
  }

  /**
   * Declares that this app calls `callee`, without changing any object: the synth-time mTLS checks then know
   * about the call (a workload without sidecar calling a STRICT service fails with ECONNRESET). Calls in env
   * values (service URLs) and `allowFrom` relations are found without it.
   */
  public connectTo(callee: IMeshPeer): void {
    recordRelation(this, 'call', this, callee);
  }

  /** The mesh VirtualService `<name>`; undefined until the app has routes. */
  public get virtualService(): istio.VirtualService | undefined {
    return this._virtualService;
  }

  /** The routes of the mesh VirtualService. A copy. */
  public get routes(): HttpRouteOptions[] {
    return [...this._routes];
  }

  /** Pod labels of one version: `app`, `version` and the sidecar injection label. */
  public podLabels(version: string): Record<string, string> {
    this._requireVersion('version', version);
    return { app: this.name, version, [SIDECAR_INJECT_LABEL]: String(this.sidecarInjected) };
  }

  /** The Deployment of a version. */
  public deploymentFor(version: string): kplus.Deployment {
    this._requireVersion('version', version);
    return this._deployments.get(version)!;
  }

  /** The ServiceAccount pods of a version run as. */
  public serviceAccountFor(version: string): kplus.ServiceAccount {
    this._requireVersion('version', version);
    return this._serviceAccounts.get(this._serviceAccountName(version))!;
  }

  /** The ServiceAccount name pods of a version run as. */
  public serviceAccountName(version: string): string {
    this._requireVersion('version', version);
    return this._serviceAccountName(version);
  }

  /**
   * Adds a version: its Deployment `<name>-<version>` (and ServiceAccount, autoscaler, disruption budget), and a
   * DestinationRule subset. Returns the Deployment.
   */
  public addVersion(version: MeshAppVersion): kplus.Deployment {
    const i = this._versions.length;
    const field = `versions[${i}]`;
    if (this._flaggerOwner) {
      throw meshError(this, `${field}.name`, `cannot be added: the app is released by Flagger (${this._flaggerOwner.node.path}), which runs one version`,
        version.name, 'change the image of the existing version to release it; Flagger runs the old and the new side by side');
    }
    checkDnsLabel(this, `${field}.name`, version.name);
    if (this._versions.some((v) => v.name === version.name)) {
      throw meshError(this, `${field}.name`, 'must be unique among versions', version.name, 'give each version its own name (v1, v2, ...)');
    }
    if (!version.image || /\s/.test(version.image)) {
      throw meshError(this, `${field}.image`, 'must be a container image reference',
        version.image, "pass an image like 'gcr.io/tetratelabs/customers:1.0.0'");
    }
    if (version.replicas !== undefined) {
      if (this._props.autoscaling) {
        throw meshError(this, `${field}.replicas`, 'cannot be set when the app has autoscaling',
          version.replicas, "remove 'replicas' or remove 'autoscaling'");
      }
      checkInteger(this, `${field}.replicas`, version.replicas, 0);
    }
    this._validateEnv(`${field}.env`, version.env);
    if (version.trafficPolicy) this._checkTrafficPolicy(`${field}.trafficPolicy`, version.trafficPolicy, this._props.trafficPolicy);
    this._versions.push(version);

    const saName = this._serviceAccountName(version.name);
    const serviceAccount = this._serviceAccounts.get(saName) ?? this._addServiceAccount(saName, `ServiceAccount-${version.name}`);
    const deployment = this._addDeployment(version, serviceAccount);
    this._deployments.set(version.name, deployment);

    const replicas = this._minReplicas(version);
    const scaling = this._props.autoscaling;
    if (scaling) {
      this._autoscalers.set(version.name, new kplus.HorizontalPodAutoscaler(this, `Autoscaler-${version.name}`, {
        metadata: { name: `${this.name}-${version.name}`, namespace: this.namespace },
        target: deployment,
        minReplicas: replicas,
        maxReplicas: scaling.maxReplicas,
        metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(scaling.cpuUtilization ?? 80))],
      }));
    }
    if ((this._props.disruptionBudget ?? true) && replicas > 1) {
      this._budgets.set(version.name, new kplus.k8s.KubePodDisruptionBudget(this, `DisruptionBudget-${version.name}`, {
        metadata: { name: `${this.name}-${version.name}`, namespace: this.namespace },
        spec: Lazy.any({ produce: () => this._renderDisruptionBudgetSpec(version.name) }) as unknown as kplus.k8s.PodDisruptionBudgetSpec,
      }));
    }
    return deployment;
  }

  /**
   * Adds an HTTP route to the mesh VirtualService `<name>` (created by the first route). Routes are matched in
   * the order added. Returns the VirtualService.
   */
  public addRoute(route: HttpRouteOptions): istio.VirtualService {
    if (this._flaggerOwner) {
      throw meshError(this, `routes[${this._routes.length}]`, `cannot be added once the app is released by Flagger (${this._flaggerOwner.node.path}), which owns the VirtualService`,
        route, 'add routes before creating the CanaryRelease, or pass match, retries, timeout, headers or corsPolicy to it');
    }
    renderHttpRoute(this, `routes[${this._routes.length}]`, route, this._routeTarget()); // throw early
    this._routes.push(route);
    if (!this._virtualService) {
      this._virtualService = withApiFieldNames(new istio.VirtualService(this, 'VirtualService', {
        metadata: { name: this.name, namespace: this.namespace },
        spec: Lazy.any({ produce: () => this._renderMeshVirtualServiceSpec() }) as unknown as istio.VirtualServiceSpec,
      }));
    }
    return this._virtualService;
  }

  /**
   * Applies a static release plan (weights or matches across versions): adds the plan's routes to the mesh
   * VirtualService, after any existing route. Returns the VirtualService.
   *
   *   app.splitTraffic(TrafficSplit.weighted({ v1: 90, v2: 10 }));
   */
  public splitTraffic(split: TrafficSplit): istio.VirtualService {
    let vs: istio.VirtualService | undefined;
    for (const route of split.toRoutes()) vs = this.addRoute(route);
    return vs!;
  }

  /**
   * Lets this app reach an external service (S13). When the namespace restricts egress (MeshNamespace
   * `restrictEgress`: Sidecar with REGISTRY_ONLY), adds the service's hosts (`<ns>/<host>`) to that Sidecar, which is
   * namespace-wide. Throws when the ServiceEntry is not exported to this namespace.
   */
  public allowEgressTo(service: ServiceEntry): EgressGrant {
    return allowEgress(this, `allowEgressTo(${service.name})`, this.namespace, service);
  }

  /**
   * Exposes the app through an ingress gateway: a VirtualService `<name>-<gateway name>` bound to the gateway,
   * routing to the Service FQDN. Idempotent per gateway: calling it again returns the same VirtualService.
   */
  public exposeVia(gateway: IGateway, options: ExposeViaOptions = {}): istio.VirtualService {
    if (this._flaggerOwner) {
      throw meshError(this, `exposeVia(${gateway.ref})`, `cannot be called once the app is released by Flagger (${this._flaggerOwner.node.path})`, gateway.ref,
        'call exposeVia() before creating the CanaryRelease, or pass gateways and hosts to the CanaryRelease');
    }
    const key = gateway.node.addr;
    const existing = this._bindings.get(key);
    if (existing) {
      if (options.hosts || options.routes || options.virtualServiceName) {
        throw meshError(this, `exposeVia(${gateway.ref})`, 'was already called for this gateway; options can only be given once', options,
          'pass hosts and routes in the first exposeVia() call for this gateway');
      }
      return existing.virtualService;
    }
    const field = `exposeVia(${gateway.ref})`;
    recordRelation(this, 'call', gateway, this, 'exposeVia'); // the gateway's Envoy calls the app: seen by the synth-time mTLS checks
    if (options.hosts) {
      if (options.hosts.length === 0) {
        throw meshError(this, `${field}.hosts`, 'must not be empty',
          options.hosts, "leave hosts out to use the gateway's hosts, or pass e.g. ['shop.example.com']");
      }
      options.hosts.forEach((h, i) => {
        if (!VS_HOST.test(h) || h.length > 253) {
          throw meshError(this, `${field}.hosts[${i}]`, "must be '*', a DNS name or '*.<domain>' (lower case, no namespace prefix)",
            h, "use e.g. 'shop.example.com' or '*.example.com'");
        }
      });
      checkUnique(this, `${field}.hosts`, options.hosts, (h) => h);
    }
    (options.routes ?? []).forEach((r, i) => renderHttpRoute(this, `${field}.routes[${i}]`, r, this._routeTarget())); // throw early
    const name = options.virtualServiceName ?? `${this.name}-${gateway.name}`;
    checkDnsSubdomain(this, `${field} VirtualService name`, name);
    const virtualService = withApiFieldNames(new istio.VirtualService(this, `Gateway${key}`, {
      metadata: { name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._renderGatewayVirtualServiceSpec(key) }) as unknown as istio.VirtualServiceSpec,
    }));
    // The gateway can gain servers (hosts) after this call: check host coverage once the tree is complete.
    virtualService.node.addValidation({ validate: () => this._validateBinding(key) });
    this._bindings.set(key, {
      gateway,
      hosts: options.hosts ? [...options.hosts] : undefined,
      routes: options.routes ? [...options.routes] : undefined,
      virtualService,
    });
    return virtualService;
  }

  /**
   * Hands the app over to Flagger (called by CanaryRelease). From then on the app no longer emits the Service,
   * DestinationRule and VirtualServices (Flagger creates `<name>`, `<name>-primary`, `<name>-canary`), its
   * Deployment selects `app: <name>` only and has no `replicas`; routes and gateway bindings move to the Canary.
   * @internal
   */
  public _handOverToFlagger(owner: IConstruct): FlaggerHandOver {
    if (this._flaggerOwner) {
      throw meshError(owner, 'app', 'is already released by another CanaryRelease', this._flaggerOwner.node.path, 'create one CanaryRelease per app');
    }
    if (this._versions.length !== 1) {
      throw meshError(owner, 'app.versions', 'must hold exactly one version for a canary release (Flagger creates the primary from it and runs old and new side by side)',
        this.versionNames, `keep one version (e.g. ${JSON.stringify(this.versionNames[0])}) and release a new image by changing it; use static weights (splitTraffic) only without Flagger`);
    }
    if (!this.sidecarInjected) {
      throw meshError(owner, 'app.sidecar', "must be true: Flagger's Istio router shifts traffic in the sidecars", false, 'remove sidecar: false from the app');
    }
    const version = this._versions[0];
    this._flaggerOwner = owner;
    for (const id of ['Service', 'DestinationRule', 'VirtualService', ...[...this._bindings.keys()].map((k) => `Gateway${k}`)]) {
      this.node.tryRemoveChild(id);
    }
    const fixed = version.replicas ?? this._props.replicas;
    const versionPolicy = version.trafficPolicy;
    if (versionPolicy) {
      throw meshError(this, 'versions[0].trafficPolicy', 'cannot be moved to the Canary (Flagger has no subsets)', '(version traffic policy)',
        "move it to the app's trafficPolicy (or the CanaryRelease's)");
    }
    return {
      version: version.name,
      deploymentName: `${this.name}-${version.name}`,
      ports: this._ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })),
      containerPorts: [...new Set(this._ports.map((p) => p.targetPort))],
      autoscalerName: this._autoscalers.get(version.name) ? `${this.name}-${version.name}` : undefined,
      fixedReplicas: fixed,
      routes: () => this._routes.map((r, i) => ({ field: `routes[${i}]`, route: renderHttpRoute(this, `routes[${i}]`, r, this._routeTarget()) })),
      gateways: () => [...this._bindings.values()].map((b) => ({
        ref: b.gateway.ref,
        hosts: this._bindingHosts(b),
        routesField: b.routes ? `exposeVia(${b.gateway.ref}).routes` : undefined,
      })),
      trafficPolicy: this._props.trafficPolicy
        ? { field: 'trafficPolicy', rendered: renderTrafficPolicy(this, 'trafficPolicy', this._props.trafficPolicy) }
        : undefined,
    };
  }

  /** Whether a CanaryRelease took the app over (Flagger owns its Service, DestinationRule and VirtualServices). */
  public get releasedByFlagger(): boolean {
    return this._flaggerOwner !== undefined;
  }

  // ---- decisions (one place each; everything below is rendered lazily or from these) ----

  /** Deployment selector of a version: stable explicit labels, unique per version so controllers never fight. */
  private _selectorLabels(version: string): Record<string, string> {
    // Flagger requires the target's selector to be `app: <name>` (it rewrites it to `<name>-primary` for the primary).
    return this._flaggerOwner ? { app: this.name } : { app: this.name, version };
  }

  private _serviceAccountName(version: string): string {
    return this.identity === WorkloadIdentity.PER_VERSION ? `${this.name}-${version}` : this.name;
  }

  private _minReplicas(version: MeshAppVersion): number {
    return this._props.autoscaling ? (this._props.autoscaling.minReplicas ?? 2) : (version.replicas ?? this._props.replicas ?? 2);
  }

  private _routeTarget(): RouteTarget {
    return {
      host: this.host,
      versions: this.versionNames,
      // Istio needs an explicit destination port only when the Service has several.
      defaultPort: this._ports.length > 1 ? this._ports[0].port : undefined,
    };
  }

  // ---- rendering ----

  /** The Deployment spec of a version as cdk8s-plus rendered it, with the app's decisions applied. */
  private _renderDeploymentSpec(version: string, spec: kplus.k8s.DeploymentSpec): kplus.k8s.DeploymentSpec {
    const out = { ...spec, selector: { matchLabels: this._selectorLabels(version) } };
    // cdk8s-plus stamps pods with `cdk8s.io/metadata.addr` (construct path + hash). Nothing selects on it here
    // (selectors use app/version), and keeping it would restart every pod whenever the construct moves.
    const { [CDK8S_ADDR_LABEL]: _addr, ...labels } = out.template.metadata?.labels ?? {};
    out.template = { ...out.template, metadata: { ...out.template.metadata, labels } };
    if (this._flaggerOwner) {
      out.template = { ...out.template, metadata: { ...out.template.metadata, labels: { ...out.template.metadata?.labels, [FLAGGER_SHARED_LABEL]: this.name } } };
    }
    // Flagger scales the target (to 0 after promotion) and the primary: Flux must not reset spec.replicas.
    if (this._flaggerOwner) delete (out as { replicas?: number }).replicas;
    return out;
  }

  private _renderDisruptionBudgetSpec(version: string): kplus.k8s.PodDisruptionBudgetSpec {
    return { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: this._selectorLabels(version) } };
  }

  private _renderDestinationRuleSpec(): Record<string, unknown> {
    return {
      host: this.host,
      trafficPolicy: this._props.trafficPolicy ? renderTrafficPolicy(this, 'trafficPolicy', this._props.trafficPolicy) : undefined,
      subsets: this._versions.map((v, i) => ({
        name: v.name,
        labels: { version: v.name },
        trafficPolicy: v.trafficPolicy
          ? renderTrafficPolicy(this, `versions[${i}].trafficPolicy`, v.trafficPolicy, { inherited: this._props.trafficPolicy })
          : undefined,
      })),
    };
  }

  private _renderMeshVirtualServiceSpec(): Record<string, unknown> {
    const target = this._routeTarget();
    return {
      hosts: [this.host],
      http: this._routes.map((r, i) => renderHttpRoute(this, `routes[${i}]`, r, target)),
    };
  }

  private _renderGatewayVirtualServiceSpec(key: string): Record<string, unknown> {
    const binding = this._bindings.get(key)!;
    const field = `exposeVia(${binding.gateway.ref})`;
    const target = this._routeTarget();
    let http: Record<string, unknown>[];
    if (binding.routes) {
      http = binding.routes.map((r, i) => renderHttpRoute(this, `${field}.routes[${i}]`, r, target));
    } else if (this._routes.length > 0) {
      http = this._routes.map((r, i) => renderHttpRoute(this, `routes[${i}]`, r, target));
    } else {
      http = [renderHttpRoute(this, `${field}.routes[0]`, {}, target)]; // no destinations: the whole Service
    }
    return { hosts: this._bindingHosts(binding), gateways: [binding.gateway.ref], http };
  }

  /**
   * Hosts of a gateway VirtualService: the explicit ones, else the gateway's hosts this namespace may bind
   * (plain hosts, and `<ns>/<host>` entries whose ns is '*', this namespace, or '.' on a gateway of this
   * namespace), without the namespace part.
   */
  private _bindingHosts(binding: GatewayBinding): string[] {
    if (binding.hosts) return [...binding.hosts];
    return [...new Set(this._visibleGatewayHosts(binding.gateway))];
  }

  private _visibleGatewayHosts(gateway: IGateway): string[] {
    const out: string[] = [];
    for (const h of gateway.hosts) {
      const slash = h.indexOf('/');
      if (slash < 0) {
        out.push(h);
        continue;
      }
      const ns = h.slice(0, slash);
      if (ns === '*' || ns === this.namespace || (ns === '.' && gateway.namespace === this.namespace)) out.push(h.slice(slash + 1));
    }
    return out;
  }

  private _validateBinding(key: string): string[] {
    const binding = this._bindings.get(key)!;
    const field = `exposeVia(${binding.gateway.ref}).hosts`;
    const visible = this._visibleGatewayHosts(binding.gateway);
    if (visible.length === 0) {
      return [`'${field}' the gateway offers no host to namespace "${this.namespace}", got ${JSON.stringify(binding.gateway.hosts)}. `
        + `Fix: add a server for a host (or '${this.namespace}/<host>') to the gateway`];
    }
    const unmatched = (binding.hosts ?? []).filter((h) => !visible.some((g) => hostCovers(g, h)));
    if (unmatched.length > 0) {
      return [`'${field}' are not served by the gateway (Istio would ignore the binding), got ${JSON.stringify(unmatched)}. `
        + `Fix: use hosts the gateway serves (${JSON.stringify(visible)}) or add a server for them`];
    }
    return [];
  }

  // ---- children ----

  private _addServiceAccount(name: string, id: string): kplus.ServiceAccount {
    const sa = new kplus.ServiceAccount(this, id, { metadata: { name, namespace: this.namespace } });
    this._serviceAccounts.set(name, sa);
    return sa;
  }

  private _createService(): kplus.Service {
    const service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace },
      ports: this._ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: kplus.Protocol.TCP })),
    });
    service.selectLabel('app', this.name);
    // cdk8s-plus ServicePort has no appProtocol (STYLE §6). Istio reads it before the port name, and other
    // tools (Gateway API, kube-proxy-less dataplanes) only read appProtocol.
    this._ports.forEach((p, i) => ApiObject.of(service).addJsonPatch(JsonPatch.add(`/spec/ports/${i}/appProtocol`, p.protocol)));
    return service;
  }

  private _addDeployment(version: MeshAppVersion, serviceAccount: kplus.ServiceAccount): kplus.Deployment {
    const p = this._props;
    const first = this._ports[0];
    const sc = p.securityContext ?? {};
    // Container ports: one per distinct targetPort, named like the Service port when it is a valid container port name.
    const containerPorts: kplus.ContainerPort[] = [];
    for (const port of this._ports) {
      if (containerPorts.some((c) => c.number === port.targetPort)) continue;
      containerPorts.push({ number: port.targetPort, name: IANA_SVC_NAME.test(port.name) ? port.name : undefined });
    }
    const deployment = new VersionDeployment(this, `Deployment-${version.name}`, {
      metadata: { name: `${this.name}-${version.name}`, namespace: this.namespace },
      select: false,
      replicas: p.autoscaling ? undefined : this._minReplicas(version),
      serviceAccount,
      securityContext: { ensureNonRoot: sc.ensureNonRoot ?? true, user: sc.user, group: sc.group },
      containers: [{
        name: this.name,
        image: version.image,
        imagePullPolicy: p.imagePullPolicy,
        ports: containerPorts,
        command: p.command,
        args: p.args,
        envVariables: { ...p.env, ...version.env },
        envFrom: p.envFrom,
        resources: version.resources ?? p.resources,
        readiness: p.readiness ?? kplus.Probe.fromTcpSocket({ port: first.targetPort }),
        liveness: p.liveness,
        startup: p.startup ?? kplus.Probe.fromTcpSocket({ port: first.targetPort }),
        volumeMounts: p.volumeMounts,
        securityContext: {
          ensureNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          ...sc,
        },
      }],
    }, (spec) => this._renderDeploymentSpec(version.name, spec));
    // Used by cdk8s-plus APIs that read the workload's selector; the rendered selector comes from _renderDeploymentSpec.
    deployment.select(kplus.LabelSelector.of({ labels: this._selectorLabels(version.name) }));
    for (const [k, v] of Object.entries(this.podLabels(version.name))) deployment.podMetadata.addLabel(k, v);
    // Pod-level seccomp: cdk8s-plus-28's PodSecurityContextProps has no seccompProfile. The pod-level field also
    // covers containers we do not declare (istio-proxy, istio-init injected by the sidecar injector), which the
    // Pod Security "restricted" profile requires.
    ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
    return deployment;
  }

  // ---- validation ----

  private _requireVersion(field: string, version: string): void {
    if (!this._versions.some((v) => v.name === version)) {
      throw meshError(this, field, 'is not a version of this app', version, `use one of ${JSON.stringify(this.versionNames)}`);
    }
  }

  private _validatePorts(ports: MeshPort[]): PortSpec[] {
    if (ports.length === 0) {
      throw meshError(this, 'ports', 'must list at least one port', ports, "pass ports: [{ name: 'http', port: 80, targetPort: 8080 }]");
    }
    const out = ports.map((p, i) => {
      const field = `ports[${i}]`;
      checkDnsLabel(this, `${field}.name`, p.name);
      const protocol = ISTIO_PROTOCOLS.find((proto) => p.name === proto || (p.name.startsWith(`${proto}-`) && p.name.length > proto.length + 1));
      if (!protocol) {
        const allowed = ISTIO_PROTOCOLS.join(', ');
        throw meshError(this, `${field}.name`, `must start with an Istio protocol prefix (${allowed}) alone or followed by '-<suffix>'`,
          p.name,
          `name it like "http-${p.name}" or "tcp-${p.name}"`);
      }
      checkInteger(this, `${field}.port`, p.port, 1, 65535);
      const targetPort = p.targetPort ?? p.port;
      checkInteger(this, `${field}.targetPort`, targetPort, 1, 65535);
      if (ISTIO_RESERVED_PORTS.includes(targetPort)) {
        throw meshError(this, `${field}.targetPort`, 'is a port reserved by the Istio sidecar', targetPort, 'let the app listen on another port');
      }
      return { name: p.name, port: p.port, targetPort, protocol };
    });
    checkUnique(this, 'ports[].name', out, (p) => p.name);
    checkUnique(this, 'ports[].port', out, (p) => p.port);
    return out;
  }

  /** Validates a policy now (throw early) and checks its per-port settings name ports of the Service. */
  private _checkTrafficPolicy(field: string, policy: TrafficPolicy, inherited?: TrafficPolicy): void {
    renderTrafficPolicy(this, field, policy, { inherited });
    (policy.portLevelSettings ?? []).forEach((s, i) => {
      if (!this._ports.some((p) => p.port === s.port)) {
        throw meshError(this, `${field}.portLevelSettings[${i}].port`, 'is not a port of the Service', s.port,
          `use one of the Service ports ${JSON.stringify(this._ports.map((p) => p.port))}`);
      }
    });
  }

  private _validateScaling(): void {
    const p = this._props;
    if (p.replicas !== undefined) {
      if (p.autoscaling) {
        throw meshError(this, 'replicas', 'cannot be set together with autoscaling',
          p.replicas, "remove 'replicas' (the autoscaler owns it) or remove 'autoscaling'");
      }
      checkInteger(this, 'replicas', p.replicas, 0);
    }
    if (p.autoscaling) {
      const min = checkInteger(this, 'autoscaling.minReplicas', p.autoscaling.minReplicas ?? 2, 1);
      const max = checkInteger(this, 'autoscaling.maxReplicas', p.autoscaling.maxReplicas, 1);
      if (min > max) {
        throw meshError(this, 'autoscaling.minReplicas', `must not exceed maxReplicas (${max})`, min, 'lower minReplicas or raise maxReplicas');
      }
      checkInteger(this, 'autoscaling.cpuUtilization', p.autoscaling.cpuUtilization ?? 80, 1, 1000);
    }
  }

  private _validateContainer(): void {
    const sc = this._props.securityContext ?? {};
    for (const field of ['user', 'group'] as const) {
      if (sc[field] === ISTIO_PROXY_UID) {
        throw meshError(this, `securityContext.${field}`, 'is reserved for the Istio sidecar (traffic from it bypasses the proxy)',
          sc[field], 'run the app under another id');
      }
    }
    this._validateEnv('env', this._props.env);
  }

  private _validateEnv(field: string, env: { [name: string]: kplus.EnvValue } | undefined): void {
    for (const key of Object.keys(env ?? {})) {
      if (!ENV_NAME.test(key)) {
        throw meshError(this, `${field}`, 'has an invalid variable name', key, "use letters, digits, '_', '-' and '.', not starting with a digit");
      }
    }
  }
}
