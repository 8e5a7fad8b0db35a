import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import {
  bindingHosts, checkBindingHosts, GatewayBinding, renderBindingRoutes, routeTarget, validateBinding,
} from './app-routing';
import {
  createAutoscaler, createDeployment, createDisruptionBudget, createService, minReplicas, PortSpec, renderDeploymentSpec,
  SIDECAR_INJECT_LABEL, validateContainer, validateEnv, validateImage, validatePorts, validateScaling,
} from './app-workload';
import type { IGateway } from './gateway';
import type { HttpRouteOptions } from './http-route';
import { ExposeViaOptions, MeshAppProps, MeshAppVersion, WorkloadIdentity } from './mesh-app-props';
import { checkRoutesReachable, renderHttpRoute, RouteTarget } from './render-http-route';
import { renderTrafficPolicy } from './render-traffic-policy';
import type { EgressGrant, ServiceEntry } from './service-entry';
import type { ITrafficManaged, TrafficManagedTarget, TrafficManagement } from './traffic-managed';
import type { TrafficPolicy } from './traffic-policy';
import type { TrafficSplit } from './traffic-split';
import type { IExternalVersion } from '../core/external-version';
import { IMeshPeer, MeshIdentity } from '../core/mesh-peer';
import { AllowFromOptions, AuthorizationPolicy } from '../security/authorization-policy';
import { allowEgress } from '../security/egress';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { namespaceOf, serviceFqdn } from '../private/names';
import { trustDomainOf } from '../private/peers';
import { recordRelation } from '../private/relations';
import { checkDnsLabel, checkDnsSubdomain, checkInteger } from '../private/validate';

/**
 * One service on the mesh: a Deployment per version, a Service, ServiceAccount(s), a DestinationRule with a
 * subset per version, and VirtualServices for the mesh (when routes are given) and per gateway (`exposeVia`).
 *
 * Another construct can take over the app's traffic (`markTrafficManaged()`, e.g. a CanaryRelease): the app then no
 * longer emits its Service, DestinationRule and VirtualServices, and `service`, `destinationRule` and `virtualService`
 * return `undefined`.
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
export class MeshApp extends Construct implements IMeshPeer, ITrafficManaged {
  /** App name: Service, DestinationRule, mesh VirtualService and `app` label. */
  public readonly name: string;
  /** Namespace of every object of the app. */
  public readonly namespace: string;
  /** Fully-qualified host of the Service: `<name>.<namespace>.svc.cluster.local`. */
  public readonly host: string;
  /** Whether the pods get the Istio sidecar. */
  public readonly sidecarInjected: boolean;
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
  private _service?: kplus.Service;
  private _destinationRule?: istio.DestinationRule;
  private _virtualService?: istio.VirtualService;
  /** Set by `markTrafficManaged()`: who took the traffic over and how the pods must render. */
  private _management?: TrafficManagement;
  private readonly _externalVersions: IExternalVersion[] = [];

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
    this._ports = validatePorts(this, props.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }]);
    validateScaling(this, props);
    validateContainer(this, props);
    if (props.trafficPolicy) this._checkTrafficPolicy('trafficPolicy', props.trafficPolicy);
    if (!props.versions || props.versions.length === 0) {
      throw meshError(this, 'versions', 'must list at least one version', props.versions ?? [], "pass versions: [{ name: 'v1', image: '<image>' }]");
    }

    if (this.identity === WorkloadIdentity.PER_APP) this._addServiceAccount(this.name, 'ServiceAccount');
    this._service = createService(this, this.name, this.namespace, this._ports);
    this._destinationRule = withApiFieldNames(new istio.DestinationRule(this, 'DestinationRule', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._renderDestinationRuleSpec() }) as unknown as istio.DestinationRuleSpec,
    }));

    for (const v of props.versions) this.addVersion(v);
    for (const r of props.routes ?? []) this.addRoute(r);
  }

  /**
   * The Service `<name>`, selecting `app: <name>`. `undefined` once another construct manages the app's traffic
   * (`trafficManager`): the app then no longer emits it (Flagger, for instance, generates its own Services).
   */
  public get service(): kplus.Service | undefined {
    return this._service;
  }

  /**
   * The DestinationRule `<name>`: one subset per version. Its spec renders at synthesis, so JSON patches
   * (`ApiObject.of(app.destinationRule!).addJsonPatch(...)`) apply to the final spec. `undefined` once another
   * construct manages the app's traffic.
   */
  public get destinationRule(): istio.DestinationRule | undefined {
    return this._destinationRule;
  }

  /**
   * The mesh VirtualService `<name>`; `undefined` until the app has routes, and once another construct manages the
   * app's traffic.
   */
  public get virtualService(): istio.VirtualService | undefined {
    return this._virtualService;
  }

  /** The construct that manages the app's traffic (see `markTrafficManaged()`), if one does. */
  public get trafficManager(): IConstruct | undefined {
    return this._management?.manager;
  }

  /**
   * Labels that select every pod of the app (all versions): `{ app: <name> }`, or what the traffic manager asks
   * for (`TrafficManagement.podSelector`). Use them to select the workload.
   */
  public get labels(): Record<string, string> {
    return this._management ? { ...this._management.podSelector } : { app: this.name };
  }

  /** Version names, in the order they were added. */
  public get versionNames(): string[] {
    return this._versions.map((v) => v.name);
  }

  /** Names of the versions served outside Kubernetes (`addExternalVersion`), in the order they were added. */
  public get externalVersionNames(): string[] {
    return this._externalVersions.map((v) => v.versionName);
  }

  /**
   * Serves an external workload (a VM built with `versionOf: this`, e.g. ExternalVmWorkload) as one more version:
   * a DestinationRule subset, and a version name routes and splits accept (`TrafficSplit.weighted({ v1: 0, vm: 100 })`).
   * Its instances carry the app's labels, so the app's Service selects them. Call it before routes that name it.
   */
  public addExternalVersion(version: IExternalVersion): IExternalVersion {
    const field = `addExternalVersion(${version.versionName})`;
    if (this._management) {
      throw meshError(this, field, `cannot be called once the app is ${this._management.description}`, version.versionName,
        'add external versions before the traffic manager takes the app over');
    }
    if ([...this.versionNames, ...this.externalVersionNames].includes(version.versionName)) {
      throw meshError(this, field, 'must be a version name the app does not have yet', version.versionName,
        `give the external workload another version (the app has ${JSON.stringify([...this.versionNames, ...this.externalVersionNames])})`);
    }
    version.bindVersionHost(this);
    this._externalVersions.push(version);
    return version;
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
   * DestinationRule subset. Returns the Deployment. Refused once another construct manages the app's traffic.
   */
  public addVersion(version: MeshAppVersion): kplus.Deployment {
    const i = this._versions.length;
    const field = `versions[${i}]`;
    const m = this._management;
    if (m) {
      throw meshError(this, `${field}.name`, `cannot be added: the app is ${m.description} (${m.manager.node.path}), which manages its versions`,
        version.name, `change the image of the existing version to roll it out (${m.manager.node.path} runs the old and the new side by side)`);
    }
    checkDnsLabel(this, `${field}.name`, version.name);
    if (this._versions.some((v) => v.name === version.name)) {
      throw meshError(this, `${field}.name`, 'must be unique among versions', version.name, 'give each version its own name (v1, v2, ...)');
    }
    validateImage(this, `${field}.image`, version.image, this._props.allowUnpinnedImages ?? false);
    if (version.replicas !== undefined) {
      if (this._props.autoscaling) {
        throw meshError(this, `${field}.replicas`, 'cannot be set when the app has autoscaling',
          version.replicas, "remove 'replicas' or remove 'autoscaling'");
      }
      checkInteger(this, `${field}.replicas`, version.replicas, 0);
    }
    validateEnv(this, `${field}.env`, version.env);
    if (version.trafficPolicy) this._checkTrafficPolicy(`${field}.trafficPolicy`, version.trafficPolicy, this._props.trafficPolicy);
    this._versions.push(version);

    const name = `${this.name}-${version.name}`;
    const saName = this._serviceAccountName(version.name);
    const serviceAccount = this._serviceAccounts.get(saName) ?? this._addServiceAccount(saName, `ServiceAccount-${version.name}`);
    const deployment = createDeployment(this, {
      appName: this.name,
      namespace: this.namespace,
      props: this._props,
      version,
      ports: this._ports,
      serviceAccount,
      selector: this._selectorLabels(version.name),
      podLabels: this.podLabels(version.name),
      render: (spec) => renderDeploymentSpec(spec, {
        selector: this._selectorLabels(version.name),
        podLabels: this._management?.podLabels,
        dropReplicas: this._management?.managesReplicas,
      }),
    });
    this._deployments.set(version.name, deployment);

    const replicas = minReplicas(this._props, version);
    const scaling = this._props.autoscaling;
    if (scaling) this._autoscalers.set(version.name, createAutoscaler(this, version.name, name, this.namespace, deployment, replicas, scaling));
    if ((this._props.disruptionBudget ?? true) && replicas > 1) {
      this._budgets.set(version.name, createDisruptionBudget(this, version.name, name, this.namespace,
        // Under a traffic manager the pods that serve are the manager's (Flagger's `<app>-primary`): select every pod of
        // the app by the label the manager keeps on all of them, not the target Deployment's selector.
        () => (this._management ? { ...this._management.podSelector } : this._selectorLabels(version.name))));
    }
    return deployment;
  }

  /**
   * Adds an HTTP route to the mesh VirtualService `<name>` (created by the first route). Routes are matched in
   * the order added. Returns the VirtualService. Refused once another construct manages the app's traffic (give the
   * routing to that construct).
   */
  public addRoute(route: HttpRouteOptions): istio.VirtualService {
    const m = this._management;
    if (m) {
      throw meshError(this, `routes[${this._routes.length}]`, `cannot be added once the app is ${m.description} (${m.manager.node.path}), which owns its routing`,
        route, `add routes before ${m.manager.node.path} is created, or give the routing to it`);
    }
    renderHttpRoute(this, `routes[${this._routes.length}]`, route, this._routeTarget()); // throw early
    checkRoutesReachable(this, [...this._routes, route].map((r, i) => ({ field: `routes[${i}]`, route: r })));
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
   * `restrictEgress`: Sidecar with REGISTRY_ONLY), that Sidecar lists the service's hosts (`<ns>/<host>`); it is
   * namespace-wide, so every workload of the namespace gains them. The namespace may be defined before or after this
   * call. Throws when the ServiceEntry is not exported to this namespace.
   */
  public allowEgressTo(service: ServiceEntry): EgressGrant {
    return allowEgress(this, `allowEgressTo(${service.name})`, this.namespace, service);
  }

  /**
   * Exposes the app through an ingress gateway: a VirtualService `<name>-<gateway name>` bound to the gateway,
   * routing to the Service FQDN. Idempotent per gateway: calling it again returns the same VirtualService.
   * Refused once another construct manages the app's traffic (give the gateways to that construct).
   */
  public exposeVia(gateway: IGateway, options: ExposeViaOptions = {}): istio.VirtualService {
    const m = this._management;
    if (m) {
      throw meshError(this, `exposeVia(${gateway.ref})`, `cannot be called once the app is ${m.description} (${m.manager.node.path})`, gateway.ref,
        `call exposeVia() before ${m.manager.node.path} is created, or give the gateways and hosts to it`);
    }
    const key = gateway.node.addr;
    const existing = this._bindings.get(key);
    if (existing) {
      if (options.hosts || options.routes || options.virtualServiceName) {
        throw meshError(this, `exposeVia(${gateway.ref})`, 'was already called for this gateway; options can only be given once', options,
          'pass hosts and routes in the first exposeVia() call for this gateway');
      }
      return existing.virtualService!;
    }
    const field = `exposeVia(${gateway.ref})`;
    recordRelation(this, 'call', gateway, this, 'exposeVia'); // the gateway's Envoy calls the app: seen by the synth-time mTLS checks
    if (options.hosts) checkBindingHosts(this, field, options.hosts);
    (options.routes ?? []).forEach((r, i) => renderHttpRoute(this, `${field}.routes[${i}]`, r, this._routeTarget())); // throw early
    checkRoutesReachable(this, (options.routes ?? []).map((r, i) => ({ field: `${field}.routes[${i}]`, route: r })));
    const name = options.virtualServiceName ?? `${this.name}-${gateway.name}`;
    checkDnsSubdomain(this, `${field} VirtualService name`, name);
    const binding: GatewayBinding = {
      gateway,
      hosts: options.hosts ? [...options.hosts] : undefined,
      routes: options.routes ? [...options.routes] : undefined,
    };
    const virtualService = withApiFieldNames(new istio.VirtualService(this, `Gateway${key}`, {
      metadata: { name, namespace: this.namespace },
      spec: Lazy.any({
        produce: () => ({
          hosts: bindingHosts(binding, this.namespace),
          gateways: [gateway.ref],
          http: renderBindingRoutes(this, binding, this._routes, this._routeTarget()),
        }),
      }) as unknown as istio.VirtualServiceSpec,
    }));
    // The gateway can gain servers (hosts) after this call: check host coverage once the tree is complete.
    virtualService.node.addValidation({ validate: () => validateBinding(binding, this.namespace) });
    binding.virtualService = virtualService;
    this._bindings.set(key, binding);
    return virtualService;
  }

  /**
   * Hands the app's traffic over to `management.manager` (a CanaryRelease calls this). From then on:
   *
   * - the app no longer emits its Service, DestinationRule and VirtualServices (mesh and gateway): it drops these
   *   objects of its own, and `service`, `destinationRule` and `virtualService` return `undefined`. Handles taken
   *   before the call point at objects that are no longer synthesized, so take the manager's handles instead.
   *   (cdk8s emits every ApiObject of the tree and has no phase before synthesis in which they could be created
   *   late; the manager is always created after the app.)
   * - Deployments select `management.deploymentSelector`, pods carry `management.podLabels`, `labels` (and so every
   *   policy selecting the app) becomes `management.podSelector`, and `spec.replicas` is left out when the manager
   *   scales the app;
   * - `addVersion`, `addRoute` and `exposeVia` throw (routing belongs to the manager).
   *
   * Returns what the app would have routed itself (routes, gateway bindings, traffic policy), rendered lazily.
   */
  public markTrafficManaged(management: TrafficManagement): TrafficManagedTarget {
    const current = this._management;
    if (current) {
      throw meshError(management.manager, 'app', `is already ${current.description} (${current.manager.node.path}); an app has one traffic manager`,
        this.name, `take the traffic over once`);
    }
    this._management = management;
    for (const id of ['Service', 'DestinationRule', 'VirtualService', ...[...this._bindings.keys()].map((k) => `Gateway${k}`)]) {
      this.node.tryRemoveChild(id);
    }
    this._service = undefined;
    this._destinationRule = undefined;
    this._virtualService = undefined;
    for (const binding of this._bindings.values()) binding.virtualService = undefined;
    const policy = this._props.trafficPolicy;
    return {
      name: this.name,
      namespace: this.namespace,
      host: this.host,
      versions: this._versions.map((v) => ({
        name: v.name,
        deploymentName: `${this.name}-${v.name}`,
        autoscalerName: this._autoscalers.has(v.name) ? `${this.name}-${v.name}` : undefined,
        replicas: this._autoscalers.has(v.name) ? undefined : minReplicas(this._props, v),
        podLabels: { ...this.podLabels(v.name), ...management.podLabels },
        hasTrafficPolicy: v.trafficPolicy !== undefined,
      })),
      ports: this._ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })),
      containerPorts: [...new Set(this._ports.map((p) => p.targetPort))],
      routes: () => this._routes.map((r, i) => ({ field: `routes[${i}]`, route: renderHttpRoute(this, `routes[${i}]`, r, this._routeTarget()) })),
      gatewayBindings: () => [...this._bindings.values()].map((b) => ({
        ref: b.gateway.ref,
        hosts: bindingHosts(b, this.namespace),
        routesField: b.routes ? `exposeVia(${b.gateway.ref}).routes` : undefined,
      })),
      trafficPolicy: () => (policy ? { field: 'trafficPolicy', rendered: renderTrafficPolicy(this, 'trafficPolicy', policy) } : undefined),
    };
  }

  // ---- decisions (one place each; everything below is rendered lazily or from these) ----

  /** Deployment selector of a version: stable explicit labels, unique per version so controllers never fight. */
  private _selectorLabels(version: string): Record<string, string> {
    return this._management ? { ...this._management.deploymentSelector } : { app: this.name, version };
  }

  private _serviceAccountName(version: string): string {
    return this.identity === WorkloadIdentity.PER_VERSION ? `${this.name}-${version}` : this.name;
  }

  private _routeTarget(): RouteTarget {
    return routeTarget(this.host, [...this.versionNames, ...this.externalVersionNames], this._ports);
  }

  // ---- rendering ----

  private _renderDestinationRuleSpec(): Record<string, unknown> {
    return {
      host: this.host,
      trafficPolicy: this._props.trafficPolicy ? renderTrafficPolicy(this, 'trafficPolicy', this._props.trafficPolicy) : undefined,
      subsets: this._versions.map((v, i): Record<string, unknown> => ({
        name: v.name,
        labels: { version: v.name },
        trafficPolicy: v.trafficPolicy
          ? renderTrafficPolicy(this, `versions[${i}].trafficPolicy`, v.trafficPolicy, { inherited: this._props.trafficPolicy })
          : undefined,
      })).concat(this._externalVersions.map((v) => ({ name: v.versionName, labels: { ...v.subsetLabels } }))),
    };
  }

  private _renderMeshVirtualServiceSpec(): Record<string, unknown> {
    const target = this._routeTarget();
    return {
      hosts: [this.host],
      http: this._routes.map((r, i) => renderHttpRoute(this, `routes[${i}]`, r, target)),
    };
  }

  // ---- children and checks ----

  private _addServiceAccount(name: string, id: string): kplus.ServiceAccount {
    const sa = new kplus.ServiceAccount(this, id, { metadata: { name, namespace: this.namespace } });
    this._serviceAccounts.set(name, sa);
    return sa;
  }

  private _requireVersion(field: string, version: string): void {
    if (!this._versions.some((v) => v.name === version)) {
      throw meshError(this, field, 'is not a version of this app', version, `use one of ${JSON.stringify(this.versionNames)}`);
    }
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
}
