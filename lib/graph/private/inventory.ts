/*
 * Reads plain manifests once into typed records with indexes (by namespace/name, by labels, by service account, by
 * host), and answers the mesh questions the graph needs: a workload's dataplane, mTLS mode, AuthorizationPolicies and
 * egress Sidecar. Every step is one pass over the objects plus index lookups: no loop over all pairs of objects.
 */
import { AuthorizationPolicyRecord } from './authorization';
import { LabelIndex, push } from '../../private/label-index';
import {
  compare, ExternalRecord, GatewayPods, GatewayRecord, GraphSettings, NamespaceRecord, nonEmpty, ObjectRecord, PeerAuthenticationRecord, ServiceRecord,
  SidecarRecord, stringRecord, WorkloadRecord,
} from './records';
import { MeshGraphDataplane, MeshGraphInjection, MeshGraphManifest, MeshGraphMtls, MeshGraphMtlsMode } from './model';

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);
const INJECT = 'sidecar.istio.io/inject';
const DATAPLANE_MODE = 'istio.io/dataplane-mode';
const ISTIO_DEFAULT: MeshGraphMtls = { mode: MeshGraphMtlsMode.PERMISSIVE, from: 'Istio\'s default (no PeerAuthentication)' };

/** Istio's own gateway service accounts, for Gateways whose pods are not in the input (installed by Helm). */
const DEFAULT_GATEWAY_ACCOUNTS: Record<string, string> = {
  ingressgateway: 'istio-ingressgateway-service-account',
  egressgateway: 'istio-egressgateway-service-account',
};

/** Flagger's default `-selector-labels`, in the order it looks for them. */
const FLAGGER_SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'];

function mtlsMode(x: unknown): MeshGraphMtlsMode | undefined {
  return x === 'STRICT' || x === 'PERMISSIVE' || x === 'DISABLE' ? (x as MeshGraphMtlsMode) : undefined;
}

/** The pod template of a workload object: `[metadata, spec]`. */
function podTemplate(kind: string, m: MeshGraphManifest): [any, any] | undefined {
  if (kind === 'Pod') return [m.metadata ?? {}, m.spec ?? {}];
  const template = kind === 'CronJob' ? m.spec?.jobTemplate?.spec?.template : m.spec?.template;
  if (!template || typeof template !== 'object') return undefined;
  return [template.metadata ?? {}, template.spec ?? {}];
}

/** Everything read from the manifests, with its indexes. */
export class Inventory {
  public readonly workloads: WorkloadRecord[] = [];
  public readonly workloadIndex = new LabelIndex<WorkloadRecord>();
  public readonly services = new Map<string, ServiceRecord>();
  public readonly externals = new Map<string, ExternalRecord>();
  public readonly gateways = new Map<string, GatewayRecord>();
  public readonly namespaces = new Map<string, NamespaceRecord>();
  public readonly byKind = new Map<string, ObjectRecord[]>();
  public readonly notes = new Set<string>();
  private readonly _workloadsByAccount = new Map<string, WorkloadRecord[]>();
  private readonly _workloadsByName = new Map<string, WorkloadRecord>();
  private readonly _serviceByHost = new Map<string, ServiceRecord>();
  private readonly _gatewaysByAccount = new Map<string, GatewayRecord[]>();
  private readonly _nsPeerAuthentication = new Map<string, PeerAuthenticationRecord>();
  private readonly _workloadPeerAuthentication = new Map<WorkloadRecord, PeerAuthenticationRecord>();
  private readonly _meshWidePolicies: AuthorizationPolicyRecord[] = [];
  private readonly _nsPolicies = new Map<string, AuthorizationPolicyRecord[]>();
  private readonly _workloadPolicies = new Map<WorkloadRecord, AuthorizationPolicyRecord[]>();
  public readonly authorizationPolicies: AuthorizationPolicyRecord[] = [];
  private readonly _nsSidecar = new Map<string, SidecarRecord>();
  private readonly _workloadSidecar = new Map<WorkloadRecord, SidecarRecord>();
  /** DestinationRule subsets per service, read on first use. */
  private _subsets?: Map<ServiceRecord, Map<string, Readonly<Record<string, string>>>>;

  constructor(objects: readonly ObjectRecord[], public readonly settings: GraphSettings) {
    for (const o of objects) push(this.byKind, o.kind, o);
    for (const o of this.ofKind('Namespace')) this.namespaces.set(o.name, { name: o.name, labels: stringRecord(o.m.metadata?.labels) });
    this._readWorkloads();
    this._readCanaries();
    this._readServices();
    this._readServiceEntries();
    this._readGateways();
    this._readPeerAuthentications();
    this._readAuthorizationPolicies();
    this._readSidecars();
    for (const s of this.services.values()) {
      s.backends.sort((a, b) => compare(a.key, b.key));
      for (const w of s.backends) w.services.push(s);
    }
    for (const w of this.workloads) w.services.sort((a, b) => compare(a.key, b.key));
  }

  public ofKind(kind: string): readonly ObjectRecord[] {
    return this.byKind.get(kind) ?? [];
  }

  /** How a namespace gets sidecars. */
  public injection(namespace: string): MeshGraphInjection {
    const ns = this.namespaces.get(namespace);
    if (!ns) return MeshGraphInjection.UNKNOWN;
    if (ns.labels[DATAPLANE_MODE] === 'ambient') return MeshGraphInjection.AMBIENT;
    if (ns.labels['istio-injection'] === 'disabled') return MeshGraphInjection.DISABLED;
    if (ns.labels['istio-injection'] === 'enabled' || ns.labels['istio.io/rev'] !== undefined) return MeshGraphInjection.ENABLED;
    return MeshGraphInjection.NOT_LABELLED;
  }

  /**
   * Istio's injector: a namespace labelled `istio-injection=disabled` never; a pod's `sidecar.istio.io/inject`
   * label (or annotation) `"true"`/`"false"`; else the namespace label. A namespace not in the input is assumed to
   * inject. Ambient (`istio.io/dataplane-mode=ambient` on the namespace or pod) gives mTLS without a sidecar.
   */
  public dataplane(namespace: string, labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>): MeshGraphDataplane {
    const ns = this.injection(namespace);
    const podMode = labels[DATAPLANE_MODE];
    const ambient = podMode === 'ambient' || (ns === MeshGraphInjection.AMBIENT && podMode !== 'none');
    const inject = labels[INJECT] ?? annotations[INJECT];
    if (ns !== MeshGraphInjection.DISABLED) {
      if (inject === 'true') return MeshGraphDataplane.SIDECAR;
      if (inject !== 'false' && (ns === MeshGraphInjection.ENABLED || ns === MeshGraphInjection.UNKNOWN)) return MeshGraphDataplane.SIDECAR;
    }
    return ambient ? MeshGraphDataplane.AMBIENT : MeshGraphDataplane.NONE;
  }

  /** The mode of workloads no workload-level PeerAuthentication selects. */
  public namespaceMtls(namespace: string): MeshGraphMtls {
    const own = this._nsPeerAuthentication.get(namespace);
    if (own) return { mode: own.mode!, from: `PeerAuthentication ${own.namespace}/${own.name}` };
    const mesh = this._nsPeerAuthentication.get(this.settings.rootNamespace);
    if (mesh) return { mode: mesh.mode!, from: `PeerAuthentication ${mesh.namespace}/${mesh.name} (mesh-wide)` };
    return ISTIO_DEFAULT;
  }

  /** A workload's mode (workload-level policy, else the namespace's) and its port exceptions. */
  public workloadMtls(w: WorkloadRecord): { mtls: MeshGraphMtls; ports: Readonly<Record<string, MeshGraphMtlsMode>> } {
    const p = this._workloadPeerAuthentication.get(w);
    if (!p) return { mtls: this.namespaceMtls(w.namespace), ports: {} };
    return { mtls: p.mode ? { mode: p.mode, from: `PeerAuthentication ${p.namespace}/${p.name}` } : this.namespaceMtls(w.namespace), ports: p.ports };
  }

  /** Whether an ALLOW policy without rules and selector covers the namespace (in it or mesh-wide). */
  public denyAll(namespace: string): boolean {
    const deny = (p: AuthorizationPolicyRecord) => p.action === 'ALLOW' && p.rules.length === 0;
    return (this._nsPolicies.get(namespace) ?? []).some(deny) || this._meshWidePolicies.some(deny);
  }

  /** The AuthorizationPolicies that apply to a workload (mesh-wide, namespace-wide, selecting it). */
  public policiesFor(w: WorkloadRecord): AuthorizationPolicyRecord[] {
    return [...this._meshWidePolicies, ...(this._nsPolicies.get(w.namespace) ?? []), ...(this._workloadPolicies.get(w) ?? [])];
  }

  /** The AuthorizationPolicies that apply to every workload of a namespace. */
  public namespacePolicies(namespace: string): AuthorizationPolicyRecord[] {
    return [...this._meshWidePolicies, ...(this._nsPolicies.get(namespace) ?? [])];
  }

  /** The Sidecar that configures a workload's egress: one selecting it, else its namespace's, else the root namespace's. */
  public sidecarFor(w: WorkloadRecord): SidecarRecord | undefined {
    return this._workloadSidecar.get(w) ?? this._nsSidecar.get(w.namespace) ?? this._nsSidecar.get(this.settings.rootNamespace);
  }

  public workloadsOfAccount(namespace: string, serviceAccount: string): readonly WorkloadRecord[] {
    return this._workloadsByAccount.get(`${namespace}/${serviceAccount}`) ?? [];
  }

  public gatewaysOfAccount(namespace: string, serviceAccount: string): readonly GatewayRecord[] {
    return this._gatewaysByAccount.get(`${namespace}/${serviceAccount}`) ?? [];
  }

  /** A Gateway by reference (`<ns>/<name>` or `<name>` in `namespace`); an undeclared record when not in the input. */
  public gateway(ref: string, namespace: string): GatewayRecord {
    const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [namespace, ref];
    const key = `${ns}/${name}`;
    let g = this.gateways.get(key);
    if (!g) {
      g = { key, name, namespace: ns, selector: {}, hosts: [], ports: [], sources: [], declared: false };
      this.gateways.set(key, g);
    }
    return g;
  }

  /**
   * What a hostname used in `namespace` names: a service (FQDN, `<svc>.<ns>.svc`, `<svc>.<ns>`, or a short name in
   * `namespace`), an external host (ServiceEntry, exact or wildcard), or nothing. `create` makes undeclared records
   * for cluster-local names (`*.svc.<domain>`) and for other hosts with a dot.
   */
  public resolveHost(host: string, namespace: string, create: boolean): ServiceRecord | ExternalRecord | undefined {
    const h = host.toLowerCase().replace(/\.$/, '');
    const cd = this.settings.clusterDomain;
    const service = this._serviceByHost.get(h)
      ?? this._serviceByHost.get(`${h}.${cd}`)
      ?? this._serviceByHost.get(`${h}.svc.${cd}`)
      ?? (h.includes('.') ? undefined : this._serviceByHost.get(`${h}.${namespace}.svc.${cd}`));
    if (service) return service;
    const external = this.externals.get(h) ?? this._wildcardExternal(h);
    if (external) return external;
    if (!create) return undefined;
    const local = new RegExp(`^([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc(\\.${cd.replace(/\./g, '\\.')})?$`).exec(h);
    if (local) return this._undeclaredService(local[1], local[2]);
    if (!h.includes('.')) return undefined;
    const e: ExternalRecord = { host: h, sources: [], declared: false };
    this.externals.set(h, e);
    return e;
  }

  /** The DestinationRule subsets of a service: name → labels (DestinationRules in the service's namespace first). */
  public subsets(service: ServiceRecord): Map<string, Readonly<Record<string, string>>> {
    if (!this._subsets) {
      this._subsets = new Map();
      const rules = [...this.ofKind('DestinationRule')];
      // Istio looks in the client's namespace, then the service's, then the root namespace; the graph has no client, so
      // the service's own namespace wins, then the others in order.
      for (const pass of [true, false]) {
        for (const dr of rules) {
          const target = typeof dr.m.spec?.host === 'string' ? this.resolveHost(dr.m.spec.host, dr.namespace, false) : undefined;
          if (!target || !('backends' in target) || (dr.namespace === target.namespace) !== pass) continue;
          const map = this._subsets.get(target) ?? new Map<string, Readonly<Record<string, string>>>();
          this._subsets.set(target, map);
          for (const s of Array.isArray(dr.m.spec?.subsets) ? dr.m.spec.subsets : []) {
            if (typeof s?.name === 'string' && !map.has(s.name)) map.set(s.name, stringRecord(s.labels));
          }
        }
      }
    }
    return this._subsets.get(service) ?? new Map();
  }

  private _wildcardExternal(h: string): ExternalRecord | undefined {
    for (let i = h.indexOf('.'); i >= 0; i = h.indexOf('.', i + 1)) {
      const e = this.externals.get(`*${h.slice(i)}`);
      if (e) return e;
    }
    return this.externals.get('*');
  }

  private _undeclaredService(name: string, namespace: string): ServiceRecord {
    const key = `${namespace}/${name}`;
    let s = this.services.get(key);
    if (!s) {
      s = { key, name, namespace, sources: [], declared: false, hosts: [`${name}.${namespace}.svc.${this.settings.clusterDomain}`], ports: [], backends: [] };
      this.services.set(key, s);
      this._serviceByHost.set(s.hosts[0], s);
    }
    return s;
  }

  private _addWorkload(w: WorkloadRecord): void {
    this.workloads.push(w);
    this.workloadIndex.add(w);
    push(this._workloadsByAccount, `${w.namespace}/${w.serviceAccount}`, w);
    this._workloadsByName.set(w.key, w);
  }

  private _readWorkloads(): void {
    for (const kind of [...POD_TEMPLATE_KINDS].sort()) {
      for (const o of this.ofKind(kind)) {
        const t = podTemplate(kind, o.m);
        if (!t) continue;
        const [meta, spec] = t;
        const labels = stringRecord(meta.labels);
        const env: [string, string][] = [];
        for (const c of [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])]) {
          for (const e of Array.isArray(c?.env) ? c.env : []) {
            if (typeof e?.value === 'string' && typeof e?.name === 'string') env.push([`${c.name ?? '?'}/${e.name}`, e.value]);
          }
        }
        this._addWorkload({
          key: `${o.namespace}/${kind}/${o.name}`, objectKind: kind, name: o.name, namespace: o.namespace, labels,
          serviceAccount: String(spec.serviceAccountName ?? spec.serviceAccount ?? 'default'),
          dataplane: this.dataplane(o.namespace, labels, stringRecord(meta.annotations)),
          sources: [o.ref], declared: true, vm: false, env, matchLabels: kind === 'Pod' ? undefined : stringRecord(o.m.spec?.selector?.matchLabels), services: [],
        });
      }
    }
    // VMs: a WorkloadEntry is one VM; a WorkloadGroup stands for the VMs that register with it.
    for (const o of this.ofKind('WorkloadEntry')) {
      this._addWorkload({
        key: `${o.namespace}/WorkloadEntry/${o.name}`, objectKind: 'WorkloadEntry', name: o.name, namespace: o.namespace,
        labels: stringRecord(o.m.spec?.labels), serviceAccount: String(o.m.spec?.serviceAccount ?? 'default'),
        dataplane: MeshGraphDataplane.SIDECAR, sources: [o.ref], declared: true, vm: true, env: [], services: [],
      });
    }
    for (const o of this.ofKind('WorkloadGroup')) {
      this._addWorkload({
        key: `${o.namespace}/WorkloadGroup/${o.name}`, objectKind: 'WorkloadGroup', name: o.name, namespace: o.namespace,
        labels: stringRecord(o.m.spec?.metadata?.labels), serviceAccount: String(o.m.spec?.template?.serviceAccount ?? 'default'),
        dataplane: MeshGraphDataplane.SIDECAR, sources: [o.ref], declared: true, vm: true, env: [], services: [],
      });
    }
  }

  /**
   * Flagger Canaries: the service Flagger creates, routing to the primary (generated from the target, with the
   * selector label renamed to `<value>-primary`) and to the target (the canary).
   */
  private _readCanaries(): void {
    for (const o of this.ofKind('Canary')) {
      const targetRef = o.m.spec?.targetRef ?? {};
      const targetName = typeof targetRef.name === 'string' ? targetRef.name : undefined;
      const target = targetName ? this._workloadsByName.get(`${o.namespace}/${targetRef.kind ?? 'Deployment'}/${targetName}`) : undefined;
      if (targetName && !target) this.notes.add(`${o.ref} targets ${targetRef.kind ?? 'Deployment'} ${o.namespace}/${targetName}, which is not in the input`);
      const serviceName = String(o.m.spec?.service?.name ?? targetName ?? o.name);
      let primary: WorkloadRecord | undefined;
      if (target) {
        const selectorLabel = FLAGGER_SELECTOR_LABELS.find((l) => target.matchLabels?.[l] !== undefined);
        const labels = { ...target.labels };
        if (selectorLabel) labels[selectorLabel] = `${target.matchLabels![selectorLabel]}-primary`;
        primary = {
          ...target, key: `${o.namespace}/${target.objectKind}/${target.name}-primary`, name: `${target.name}-primary`, labels,
          sources: [], declared: false, env: target.env, flaggerPrimaryOf: o.ref, services: [],
        };
        this._addWorkload(primary);
      }
      const service = this._service(o.namespace, serviceName);
      service.sources.push(o.ref);
      service.canary = { ref: o.ref, m: o.m, target, primary };
      const port = Number(o.m.spec?.service?.port);
      if (Number.isFinite(port)) service.ports.push({ port, targetPort: Number(o.m.spec?.service?.targetPort ?? port) || undefined, name: o.m.spec?.service?.portName });
      service.backends = [primary, target].filter((w): w is WorkloadRecord => w !== undefined);
    }
  }

  private _service(namespace: string, name: string): ServiceRecord {
    const key = `${namespace}/${name}`;
    let s = this.services.get(key);
    if (!s) {
      s = { key, name, namespace, sources: [], declared: true, hosts: [`${name}.${namespace}.svc.${this.settings.clusterDomain}`], ports: [], backends: [] };
      this.services.set(key, s);
      this._serviceByHost.set(s.hosts[0], s);
    }
    return s;
  }

  private _readServices(): void {
    for (const o of this.ofKind('Service')) {
      const s = this._service(o.namespace, o.name);
      s.sources.push(o.ref);
      if (s.canary) continue; // Flagger owns it: its backends are the primary and the canary.
      for (const p of Array.isArray(o.m.spec?.ports) ? o.m.spec.ports : []) {
        if (typeof p?.port === 'number') s.ports.push({ port: p.port, targetPort: typeof p.targetPort === 'number' ? p.targetPort : undefined, name: p.name });
      }
      if (o.m.spec?.type === 'ExternalName' && typeof o.m.spec?.externalName === 'string') s.externalName = o.m.spec.externalName;
      const selector = stringRecord(o.m.spec?.selector);
      if (Object.keys(selector).length > 0) s.backends = this.workloadIndex.select(o.namespace, selector).filter((w) => !w.flaggerPrimaryOf);
    }
  }

  private _readServiceEntries(): void {
    for (const o of this.ofKind('ServiceEntry')) {
      const hosts: string[] = (Array.isArray(o.m.spec?.hosts) ? o.m.spec.hosts : []).map((h: unknown) => String(h).toLowerCase());
      const selector = stringRecord(o.m.spec?.workloadSelector?.labels);
      if (Object.keys(selector).length > 0) {
        // A mesh service backed by VMs (WorkloadEntries) or pods: a service node named after the ServiceEntry.
        const s = this._service(o.namespace, o.name);
        s.sources.push(o.ref);
        for (const h of hosts) if (!s.hosts.includes(h)) s.hosts.push(h);
        for (const h of hosts) if (!this._serviceByHost.has(h)) this._serviceByHost.set(h, s);
        for (const p of Array.isArray(o.m.spec?.ports) ? o.m.spec.ports : []) {
          if (typeof p?.number === 'number') s.ports.push({ port: p.number, targetPort: typeof p.targetPort === 'number' ? p.targetPort : undefined, name: p.name });
        }
        s.backends = [...s.backends, ...this.workloadIndex.select(o.namespace, selector)];
        continue;
      }
      for (const h of hosts) {
        if (this._serviceByHost.has(h)) continue; // a ServiceEntry for an in-cluster service: the service's node
        const e = this.externals.get(h);
        if (e) e.sources.push(o.ref);
        else this.externals.set(h, { host: h, namespace: o.namespace, sources: [o.ref], declared: true });
      }
    }
  }

  /**
   * Gateway pods installed by Istio's `gateway` Helm chart through a Flux HelmRelease: their namespace, labels and
   * service account, as the chart derives them (`name` defaults to the release name; `app: <name>`, `istio: <name
   * without "istio-">`; the service account is named after the gateway).
   */
  private _readGatewayReleases(): LabelIndex<GatewayPods> {
    const index = new LabelIndex<GatewayPods>();
    for (const o of this.ofKind('HelmRelease')) {
      const spec = o.m.spec ?? {};
      if (spec.chart?.spec?.chart !== 'gateway') continue;
      const values = spec.values ?? {};
      const target = typeof spec.targetNamespace === 'string' ? spec.targetNamespace : undefined;
      const release = typeof spec.releaseName === 'string' ? spec.releaseName : target ? `${target}-${o.name}` : o.name;
      const name = typeof values.name === 'string' && values.name !== '' ? values.name : release;
      const labels = { app: name, istio: name.replace(/^istio-/, ''), ...stringRecord(values.labels) };
      const sa = typeof values.serviceAccount?.name === 'string' && values.serviceAccount.name !== '' ? values.serviceAccount.name : name;
      index.add({ key: `${target ?? o.namespace}/${o.ref}`, namespace: target ?? o.namespace, labels, serviceAccount: sa });
    }
    return index;
  }

  private _readGateways(): void {
    const releases = this._readGatewayReleases();
    for (const o of this.ofKind('Gateway')) {
      if (!String(o.m.apiVersion ?? '').startsWith('networking.istio.io/')) continue;
      const selector = stringRecord(o.m.spec?.selector);
      const servers = Array.isArray(o.m.spec?.servers) ? o.m.spec.servers : [];
      const hosts = [...new Set<string>(servers.flatMap((s: any) => (Array.isArray(s?.hosts) ? s.hosts.map(String) : [])))];
      const ports = [...new Set<string>(servers.map((s: any) => `${s?.port?.protocol ?? '?'} ${s?.port?.number ?? '?'}`))];
      const pods: GatewayPods[] = Object.keys(selector).length > 0 ? [...this.workloadIndex.selectAnyNamespace(selector), ...releases.selectAnyNamespace(selector)] : [];
      const pod = pods.sort((a, b) => compare(a.key, b.key))[0];
      const known = Object.entries(selector).find(([k, v]) => k === 'istio' && DEFAULT_GATEWAY_ACCOUNTS[v] !== undefined);
      const g: GatewayRecord = {
        key: `${o.namespace}/${o.name}`, name: o.name, namespace: o.namespace, selector, hosts, ports, sources: [o.ref], declared: true,
        podNamespace: pod?.namespace ?? (known ? this.settings.rootNamespace : undefined),
        serviceAccount: pod?.serviceAccount ?? (known ? DEFAULT_GATEWAY_ACCOUNTS[known[1]] : undefined),
      };
      this.gateways.set(g.key, g);
      if (g.podNamespace && g.serviceAccount) push(this._gatewaysByAccount, `${g.podNamespace}/${g.serviceAccount}`, g);
    }
  }

  /** Istio's precedence: workload-level over namespace-wide over mesh-wide (root namespace); ties go to the first name. */
  private _readPeerAuthentications(): void {
    for (const o of this.ofKind('PeerAuthentication')) {
      const ports: Record<string, MeshGraphMtlsMode> = {};
      for (const [port, v] of Object.entries(o.m.spec?.portLevelMtls ?? {})) {
        const mode = mtlsMode((v as any)?.mode);
        if (mode) ports[port] = mode;
      }
      const p: PeerAuthenticationRecord = {
        ref: o.ref, name: o.name, namespace: o.namespace, selector: nonEmpty(stringRecord(o.m.spec?.selector?.matchLabels)), mode: mtlsMode(o.m.spec?.mtls?.mode), ports,
      };
      if (!p.selector) {
        if (p.mode && !this._nsPeerAuthentication.has(p.namespace)) this._nsPeerAuthentication.set(p.namespace, p);
        continue;
      }
      for (const w of this.workloadIndex.select(p.namespace, p.selector)) {
        if (!this._workloadPeerAuthentication.has(w)) this._workloadPeerAuthentication.set(w, p);
      }
    }
  }

  private _readAuthorizationPolicies(): void {
    for (const o of this.ofKind('AuthorizationPolicy')) {
      const spec = o.m.spec ?? {};
      const action = ['ALLOW', 'DENY', 'CUSTOM', 'AUDIT'].includes(spec.action) ? spec.action : 'ALLOW';
      if (spec.targetRef !== undefined || spec.targetRefs !== undefined) {
        this.notes.add(`${o.ref} attaches with targetRef (waypoint or Gateway API): not drawn`);
        continue;
      }
      const p: AuthorizationPolicyRecord = {
        ref: o.ref, name: o.name, namespace: o.namespace, action, selector: nonEmpty(stringRecord(spec.selector?.matchLabels)),
        rules: Array.isArray(spec.rules) ? spec.rules : [], provider: typeof spec.provider?.name === 'string' ? spec.provider.name : undefined,
      };
      if (action === 'AUDIT') continue;
      this.authorizationPolicies.push(p);
      if (!p.selector) {
        if (p.namespace === this.settings.rootNamespace) this._meshWidePolicies.push(p);
        else push(this._nsPolicies, p.namespace, p);
        continue;
      }
      for (const w of this.workloadIndex.select(p.namespace, p.selector)) push(this._workloadPolicies, w, p);
    }
  }

  private _readSidecars(): void {
    for (const o of this.ofKind('Sidecar')) {
      const s: SidecarRecord = {
        ref: o.ref, name: o.name, namespace: o.namespace, selector: nonEmpty(stringRecord(o.m.spec?.workloadSelector?.labels)),
        egressHosts: (Array.isArray(o.m.spec?.egress) ? o.m.spec.egress : []).flatMap((e: any) => (Array.isArray(e?.hosts) ? e.hosts.map(String) : [])),
        registryOnly: o.m.spec?.outboundTrafficPolicy?.mode === 'REGISTRY_ONLY',
      };
      if (!s.selector) {
        if (!this._nsSidecar.has(s.namespace)) this._nsSidecar.set(s.namespace, s);
        continue;
      }
      for (const w of this.workloadIndex.select(s.namespace, s.selector)) if (!this._workloadSidecar.has(w)) this._workloadSidecar.set(w, s);
    }
  }
}
