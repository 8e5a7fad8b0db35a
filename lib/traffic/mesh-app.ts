import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import {
  BindingApp, bindGateway, bindingHosts, checkHttpMatchPorts, checkRouteKind, GatewayBinding, routeTarget,
} from './app-routing';
import {
  checkExistingServiceAccount, createAutoscaler, createDeployment, createDisruptionBudget, createService, minReplicas, PortSpec,
  renderDeploymentSpec, reserveDeploymentName, SIDECAR_INJECT_LABEL, validateContainer, validatePorts, validateScaling, validateVersion,
} from './app-workload';
import type { IGateway } from './gateway';
import { validateMeshGateway } from './mesh-gateway-binding';
import type { HttpRouteOptions } from './http-route';
import { ExposeViaOptions, MeshAppProps, MeshAppVersion, WorkloadIdentity } from './mesh-app-props';
import type { ServerRouteKind } from './gateway-server';
import { checkRoutesReachable, renderHttpRoute, RouteTarget } from './render-http-route';
import { L4RouteContext, meshL4Target, renderTcpRoute, renderTlsRoute } from './render-l4-route';
import { MeshAppRendering, renderDestinationRuleSpec, renderMeshVirtualServiceSpec } from './render-mesh-app';
import { renderTrafficPolicy } from './render-traffic-policy';
import type { EgressGrant, ServiceEntry } from './service-entry';
import type { ITrafficManaged, TrafficManagedTarget, TrafficManagement } from './traffic-managed';
import type { TcpRouteOptions } from './tcp-route';
import type { TlsRouteOptions } from './tls-route';
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
import { checkDnsLabel } from '../private/validate';

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
  /** Fully-qualified host of the Service: `<name>.<namespace>.svc.<cluster domain>` (context `cdk8s-mesh:clusterDomain`). */
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
  /** ServiceAccounts by name: the ones the app emits (kplus.ServiceAccount) and existing ones it runs as. */
  private readonly _serviceAccounts = new Map<string, kplus.IServiceAccount>();
  private readonly _routes: HttpRouteOptions[] = [];
  private readonly _tcpRoutes: TcpRouteOptions[] = [];
  private readonly _tlsRoutes: TlsRouteOptions[] = [];
  private readonly _bindings = new Map<string, GatewayBinding>();
  /** Gateways the mesh VirtualService is also bound to (`alsoServeVia`), by construct address. */
  private readonly _meshGateways = new Map<string, IGateway>();
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
    this.host = serviceFqdn(this, this.name, this.namespace);
    this.sidecarInjected = props.sidecar ?? true;
    this.identity = props.identity ?? WorkloadIdentity.PER_APP;
    if (this.identity.mode === 'existing') checkExistingServiceAccount(this, 'identity', this.identity.serviceAccountName!);
    this._ports = validatePorts(this, props.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }]);
    validateScaling(this, props);
    validateContainer(this, props);
    if (props.trafficPolicy) this._checkTrafficPolicy('trafficPolicy', props.trafficPolicy);
    if (!props.versions || props.versions.length === 0) {
      throw meshError(this, 'versions', 'must list at least one version', props.versions ?? [], "pass versions: [{ name: 'v1', image: '<image>' }]");
    }

    // The app's ServiceAccount, unless every version runs as an existing one (a version added later then creates it).
    if (this.identity === WorkloadIdentity.PER_APP && props.versions.some((v) => v.existingServiceAccount === undefined)) {
      this._addServiceAccount(this.name, 'ServiceAccount');
    }
    this._service = createService(this, this.name, this.namespace, this._ports);
    this._destinationRule = withApiFieldNames(new istio.DestinationRule(this, 'DestinationRule', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => renderDestinationRuleSpec(this._rendering()) }) as unknown as istio.DestinationRuleSpec,
    }));

    for (const v of props.versions) this.addVersion(v);
    for (const r of props.routes ?? []) this.addRoute(r);
    for (const r of props.tcpRoutes ?? []) this.addTcpRoute(r);
    for (const r of props.tlsRoutes ?? []) this.addTlsRoute(r);
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
    if ([...this.versionNames, ...this.externalVersionNames, ...this._versions.map((v) => v.versionLabel ?? v.name)].includes(version.versionName)) {
      throw meshError(this, field, 'must be a version name the app does not have yet', version.versionName,
        `give the external workload another version (the app has ${JSON.stringify([...this.versionNames, ...this.externalVersionNames])})`);
    }
    version.bindVersionHost(this);
    this._externalVersions.push(version);
    return version;
  }

  /** Deployments by version name (named `<name>-<version>` or the version's `deploymentName`). A copy. */
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

  /** The ServiceAccounts the app emits (one, or one per version; none for existing ones it runs as). */
  public get serviceAccounts(): kplus.ServiceAccount[] {
    return [...this._serviceAccounts.values()].filter((sa): sa is kplus.ServiceAccount => sa instanceof kplus.ServiceAccount);
  }

  /** Names of every ServiceAccount the app runs as, emitted or existing: the identities authorization policies refer to. */
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

  /** Pod labels of one version: `app`, `version` (its `versionLabel`) and the sidecar injection label. */
  public podLabels(version: string): Record<string, string> {
    return { app: this.name, version: this._versionLabel(version), [SIDECAR_INJECT_LABEL]: String(this.sidecarInjected) };
  }

  /** Name of the Deployment of a version (its `deploymentName`, else `<name>-<version>`). */
  public deploymentName(version: string): string {
    const v = this._version('version', version);
    return v.deploymentName ?? `${this.name}-${v.name}`;
  }

  /** The Deployment of a version. */
  public deploymentFor(version: string): kplus.Deployment {
    this._version('version', version);
    return this._deployments.get(version)!;
  }

  /** The ServiceAccount pods of a version run as (a reference, not emitted, for an existing one). */
  public serviceAccountFor(version: string): kplus.IServiceAccount {
    this._version('version', version);
    return this._serviceAccounts.get(this._serviceAccountName(version))!;
  }

  /** The ServiceAccount name pods of a version run as. */
  public serviceAccountName(version: string): string {
    this._version('version', version);
    return this._serviceAccountName(version);
  }

  /**
   * Adds a version: its Deployment `<name>-<version>` or `deploymentName` (and ServiceAccount, autoscaler, disruption budget), and a
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
    validateVersion(this, field, version, this._props, this._versions, this.externalVersionNames);
    if (version.trafficPolicy) this._checkTrafficPolicy(`${field}.trafficPolicy`, version.trafficPolicy, this._props.trafficPolicy);
    const name = reserveDeploymentName(this, `${field}.deploymentName`, this.namespace, version.deploymentName ?? `${this.name}-${version.name}`,
      `${this.node.path} (version ${version.name})`);
    this._versions.push(version);

    const saName = this._serviceAccountName(version.name);
    const existing = version.existingServiceAccount !== undefined || this.identity.mode === 'existing';
    const serviceAccount = this._serviceAccounts.get(saName) ?? (existing
      ? this._addExistingServiceAccount(saName)
      : this._addServiceAccount(saName, `ServiceAccount-${version.name}`));
    const deployment = createDeployment(this, {
      name,
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
    this._checkUnmanaged(`routes[${this._routes.length}]`, route);
    checkRouteKind(this, `routes[${this._routes.length}]`, 'http', this._ports, route);
    checkHttpMatchPorts(this, `routes[${this._routes.length}]`, route, this._ports);
    renderHttpRoute(this, `routes[${this._routes.length}]`, route, this._routeTarget()); // throw early
    checkRoutesReachable(this, [...this._routes, route].map((r, i) => ({ field: `routes[${i}]`, route: r })));
    this._routes.push(route);
    return this._meshVirtualService();
  }

  /**
   * Binds the mesh VirtualService `<name>` (host: the Service FQDN) to an ingress gateway as well: one VirtualService with
   * `gateways: [mesh, <gateway>]`, so the gateway routes requests for the FQDN like the sidecars do (S1's customers,
   * "later also bound to the gateway"). Creates the VirtualService (one route to the whole Service) when the app has no
   * route yet. The gateway must serve the FQDN (a server host `*`, `*.<domain>` or the FQDN itself) to this namespace;
   * for other hosts and routes of its own use `exposeVia()`, not both for one gateway. Idempotent per gateway; returns
   * the VirtualService. Refused once another construct manages the app's traffic.
   */
  public alsoServeVia(gateway: IGateway): istio.VirtualService {
    const field = `alsoServeVia(${gateway.ref})`;
    this._refuseOnceManaged(field, gateway.ref, '', (manager) => `call alsoServeVia() before ${manager} is created, or give the gateways to it`, 'called');
    const vs = this._meshVirtualService();
    const key = gateway.node.addr;
    if (this._meshGateways.has(key)) return vs;
    this._meshGateways.set(key, gateway);
    recordRelation(this, 'call', gateway, this, 'alsoServeVia'); // the gateway's Envoy calls the app
    // The gateway can gain servers, and exposeVia() can be called, after this call: check once the tree is complete.
    vs.node.addValidation({ validate: () => validateMeshGateway(this, gateway, this._bindings.has(key)) });
    return vs;
  }

  /**
   * Adds a TCP route (`tcp:`) to the mesh VirtualService `<name>`, e.g. a weighted split of connections across versions.
   * Istio applies TCP routes only to non-HTTP Service ports (tcp, mongo, mysql, redis, tls, https). Returns the VirtualService.
   * @see https://istio.io/latest/docs/tasks/traffic-management/tcp-traffic-shifting/
   */
  public addTcpRoute(route: TcpRouteOptions): istio.VirtualService {
    const field = `tcpRoutes[${this._tcpRoutes.length}]`;
    this._checkUnmanaged(field, route);
    checkRouteKind(this, field, 'tcp', this._ports, route);
    renderTcpRoute(this, field, route, meshL4Target(this, field, route, this._routeTarget('tcp')), this._l4Context('tcp')); // throw early
    checkRoutesReachable(this, [...this._tcpRoutes, route].map((r, i) => ({ field: `tcpRoutes[${i}]`, route: r })));
    this._tcpRoutes.push(route);
    return this._meshVirtualService();
  }

  /**
   * Adds a TLS route (`tls:`, by SNI, for TLS the app terminates itself) to the mesh VirtualService `<name>`. Istio applies
   * TLS routes only to Service ports named https or tls. Returns the VirtualService.
   */
  public addTlsRoute(route: TlsRouteOptions): istio.VirtualService {
    const field = `tlsRoutes[${this._tlsRoutes.length}]`;
    this._checkUnmanaged(field, route);
    checkRouteKind(this, field, 'tls', this._ports, route);
    renderTlsRoute(this, field, route, meshL4Target(this, field, route, this._routeTarget('tls')), this._l4Context('tls')); // throw early
    this._tlsRoutes.push(route);
    return this._meshVirtualService();
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
    // The routes follow the gateway servers bound: `http` for HTTP/HTTPS, `tls` (by SNI) for passthrough, `tcp` for TCP.
    this._refuseOnceManaged(`exposeVia(${gateway.ref})`, gateway.ref, '',
      (manager) => `call exposeVia() before ${manager} is created, or give the gateways and hosts to it`, 'called');
    const key = gateway.node.addr;
    const existing = this._bindings.get(key);
    if (existing) {
      if (Object.values(options).some((v) => v !== undefined)) {
        throw meshError(this, `exposeVia(${gateway.ref})`, 'was already called for this gateway; options can only be given once', options,
          'pass hosts and routes in the first exposeVia() call for this gateway');
      }
      return existing.virtualService!;
    }
    recordRelation(this, 'call', gateway, this, 'exposeVia'); // the gateway's Envoy calls the app: seen by the synth-time mTLS checks
    const binding = bindGateway(this._bindingApp(), gateway, options, `Gateway${key}`);
    this._bindings.set(key, binding);
    return binding.virtualService!;
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
    if (this._tcpRoutes.length + this._tlsRoutes.length > 0 || [...this._bindings.values()].some((b) => b.tcpRoutes || b.tlsRoutes || b.port !== undefined)) {
      throw meshError(management.manager, 'app', `has TCP/TLS routes or gateway bindings (tcpRoutes, tlsRoutes, exposeVia port), which cannot be carried over once it is ${
        management.description}`, this.name, 'keep routing the app with addTcpRoute()/addTlsRoute() and exposeVia(), or hand over an HTTP-only app');
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
        deploymentName: this.deploymentName(v.name),
        autoscalerName: this._autoscalers.has(v.name) ? this.deploymentName(v.name) : undefined,
        replicas: this._autoscalers.has(v.name) ? undefined : minReplicas(this._props, v),
        podLabels: { ...this.podLabels(v.name), ...management.podLabels },
        hasTrafficPolicy: v.trafficPolicy !== undefined,
      })),
      ports: this._ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })),
      containerPorts: [...new Set(this._ports.map((p) => p.targetPort))],
      routes: () => this._routes.map((r, i) => ({ field: `routes[${i}]`, route: renderHttpRoute(this, `routes[${i}]`, r, this._routeTarget()) })),
      gatewayBindings: () => [...this._bindings.values()].map((b) => ({
        ref: b.gateway.ref,
        hosts: bindingHosts(b),
        routesField: b.routes ? `exposeVia(${b.gateway.ref}).routes` : undefined,
      })).concat([...this._meshGateways.values()].map((g) => ({ ref: g.ref, hosts: [this.host], routesField: undefined }))),
      trafficPolicy: () => (policy ? { field: 'trafficPolicy', rendered: renderTrafficPolicy(this, 'trafficPolicy', policy) } : undefined),
    };
  }

  // ---- decisions (one place each; everything below is rendered lazily or from these) ----

  /** Deployment selector of a version: stable explicit labels, unique per version so controllers never fight. */
  private _selectorLabels(version: string): Record<string, string> {
    return this._management ? { ...this._management.deploymentSelector } : { app: this.name, version: this._versionLabel(version) };
  }

  /** A version's existing ServiceAccount, else the app's existing one, else `<name>-<version>` (PER_VERSION) or `<name>`. */
  private _serviceAccountName(version: string): string {
    const existing = this._versions.find((v) => v.name === version)?.existingServiceAccount ?? this.identity.serviceAccountName;
    return existing ?? (this.identity === WorkloadIdentity.PER_VERSION ? `${this.name}-${version}` : this.name);
  }

  /** The `version` pod label of a version (what its subset selects). */
  private _versionLabel(version: string): string {
    const v = this._version('version', version);
    return v.versionLabel ?? v.name;
  }

  private _routeTarget(kind: ServerRouteKind = 'http'): RouteTarget {
    return routeTarget(this.host, [...this.versionNames, ...this.externalVersionNames], this._ports, kind);
  }

  /** Mesh L4 routes: SNI hosts among the Service host, match ports among the Service ports the kind applies to. */
  private _l4Context(kind: 'tcp' | 'tls'): L4RouteContext {
    const target = this._routeTarget(kind);
    return { hosts: [this.host], gateway: false, matchPorts: target.ports, matchPortsDescription: `Service ${target.portsDescription}` };
  }

  private _bindingApp(): BindingApp {
    const versions = () => [...this.versionNames, ...this.externalVersionNames];
    return { scope: this, name: this.name, namespace: this.namespace, host: this.host, ports: this._ports, versions, httpRoutes: () => this._routes };
  }

  /** The mesh VirtualService `<name>`, created by the first route of any kind. */
  private _meshVirtualService(): istio.VirtualService {
    this._virtualService ??= withApiFieldNames(new istio.VirtualService(this, 'VirtualService', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => renderMeshVirtualServiceSpec(this._rendering()) }) as unknown as istio.VirtualServiceSpec,
    }));
    return this._virtualService;
  }

  private _checkUnmanaged(field: string, route: unknown): void {
    this._refuseOnceManaged(field, route, ', which owns its routing', (manager) => `add routes before ${manager} is created, or give the routing to it`);
  }

  /** Throws `'<field>' cannot be added|called once the app is <managed> (<manager path>)<why>` once a traffic manager has the app. */
  private _refuseOnceManaged(field: string, value: unknown, why: string, fix: (manager: string) => string, verb = 'added'): void {
    const m = this._management;
    if (m) throw meshError(this, field, `cannot be ${verb} once the app is ${m.description} (${m.manager.node.path})${why}`, value, fix(m.manager.node.path));
  }

  // ---- rendering ----

  /** What the DestinationRule and the mesh VirtualService render from, read at synthesis. */
  private _rendering(): MeshAppRendering {
    return {
      scope: this, host: this.host, versions: this._versions, externalVersions: this._externalVersions, trafficPolicy: this._props.trafficPolicy,
      routes: this._routes, tcpRoutes: this._tcpRoutes, tlsRoutes: this._tlsRoutes, meshGateways: [...this._meshGateways.values()],
      routeTarget: (kind) => this._routeTarget(kind), l4Context: (kind) => this._l4Context(kind),
    };
  }

  // ---- children and checks ----

  private _addServiceAccount(name: string, id: string): kplus.ServiceAccount {
    const sa = new kplus.ServiceAccount(this, id, { metadata: { name, namespace: this.namespace } });
    this._serviceAccounts.set(name, sa);
    return sa;
  }

  /** A reference to a ServiceAccount that exists in the namespace (not emitted). */
  private _addExistingServiceAccount(name: string): kplus.IServiceAccount {
    const sa = kplus.ServiceAccount.fromServiceAccountName(this, `ExistingServiceAccount-${name}`, name);
    this._serviceAccounts.set(name, sa);
    return sa;
  }

  private _version(field: string, version: string): MeshAppVersion {
    const v = this._versions.find((x) => x.name === version);
    if (!v) throw meshError(this, field, 'is not a version of this app', version, `use one of ${JSON.stringify(this.versionNames)}`);
    return v;
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
