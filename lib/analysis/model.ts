import { AnalysisContext, AnalyzedObject, apiGroup, objectId } from './context';
import { arrayOf, hostsMatch, LabelIndex, podTemplateOf, POD_TEMPLATE_KINDS, push, stringMap, toFqdn } from './label-index';
import { manifestTopology } from './topology';

/*
 * The cluster the manifests describe once controllers have run: the analysis model. Besides the objects of the output
 * it holds what controllers create from them at run time, where rules need it:
 *
 * - Flagger: a Canary's Services `<svc>`, `<svc>-primary`, `<svc>-canary` and the primary pods (the target's selector
 *   label renamed to `<value>-primary`);
 * - Helm: the pods and Service of Istio's `gateway` chart and the `istiod` Service, for HelmReleases of the output;
 * - Istio's default install: the `istio-ingressgateway` / `istio-egressgateway` pods and Service in the root
 *   namespace, when a Gateway selects `istio: ingressgateway` and nothing in the output provides those pods;
 * - the injector: whether each pod set gets a sidecar.
 *
 * Built once per analysis (one pass over the objects, then index lookups).
 */

/** How a pod set came to be known. */
export type PodOrigin = 'manifest' | 'flagger' | 'flagger-primary' | 'helm' | 'istio-default' | 'gateway-api' | 'assumed';

/** Pods of one workload (a Deployment, the primary Flagger creates, a gateway installed by Helm...). */
export interface PodSet {
  /** `<namespace>/<kind>/<name>`. */
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  /** The pod spec, for pods of a workload object (and Flagger primaries, copied from their target). */
  readonly spec?: any;
  /** The workload object itself (origin 'manifest'). */
  readonly object?: AnalyzedObject;
  /** The object that implies it (the Canary, the HelmRelease; the workload object for origin 'manifest'). */
  readonly source?: AnalyzedObject;
  readonly origin: PodOrigin;
  /** 'sidecar': injected; 'gateway': the pod is an Envoy gateway; 'none': no proxy. */
  readonly proxy: 'sidecar' | 'gateway' | 'none';
  /** A VM (WorkloadEntry / WorkloadGroup). */
  readonly vm: boolean;
}

/** One port of a Service. */
export interface ServicePortInfo {
  readonly port: number;
  readonly targetPort?: number | string;
  readonly name?: string;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

/** A Kubernetes Service, from the output or created by a controller. */
export interface ServiceInfo {
  /** `<namespace>/<name>`. */
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  /** `<name>.<namespace>.svc.<clusterDomain>`. */
  readonly host: string;
  readonly ports: readonly ServicePortInfo[];
  /** Pod selector; undefined for a Service without one (endpoints managed elsewhere, ExternalName). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly type?: string;
  readonly object?: AnalyzedObject;
  readonly source?: AnalyzedObject;
  readonly origin: PodOrigin;
}

/** A host a ServiceEntry adds to the registry. */
export interface ServiceEntryHost {
  readonly host: string;
  readonly object: AnalyzedObject;
  readonly ports: readonly ServicePortInfo[];
  readonly workloadSelector?: Readonly<Record<string, string>>;
}

/** What an Istio host name resolves to. */
export type HostTarget = { readonly kind: 'service'; readonly service: ServiceInfo } | { readonly kind: 'serviceEntry'; readonly entry: ServiceEntryHost };

/** Flagger's default `-selector-labels`, in the order it looks for them. */
export const FLAGGER_SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'];

/** The Service ports of Istio's `gateway` Helm chart (values.yaml) and of a network gateway (`networkGateway` set). */
const GATEWAY_CHART_PORTS: ServicePortInfo[] = [
  { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' }, { name: 'http2', port: 80, targetPort: 80, protocol: 'TCP' },
  { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' },
];
const NETWORK_GATEWAY_PORTS: ServicePortInfo[] = [
  { name: 'status-port', port: 15021, targetPort: 15021 }, { name: 'tls', port: 15443, targetPort: 15443 },
  { name: 'tls-istiod', port: 15012, targetPort: 15012 }, { name: 'tls-webhook', port: 15017, targetPort: 15017 },
];
/** Istio's default install (istioctl default profile): the ingress gateway Service. */
const DEFAULT_INGRESS_PORTS: ServicePortInfo[] = [
  { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' }, { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
  { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
];
const ISTIOD_PORTS: ServicePortInfo[] = [
  { name: 'grpc-xds', port: 15010, protocol: 'TCP' }, { name: 'https-dns', port: 15012, protocol: 'TCP' },
  { name: 'https-webhook', port: 443, targetPort: 15017, protocol: 'TCP' }, { name: 'http-monitoring', port: 15014, protocol: 'TCP' },
];
const DEFAULT_GATEWAYS: Record<string, { name: string; ports: ServicePortInfo[] }> = {
  ingressgateway: { name: 'istio-ingressgateway', ports: DEFAULT_INGRESS_PORTS },
  egressgateway: { name: 'istio-egressgateway', ports: [{ name: 'http2', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }] },
};
const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const CACHE = new WeakMap<AnalysisContext, MeshModel>();

/** The model of the analysed output, built once per analysis. */
export function meshModel(ctx: AnalysisContext): MeshModel {
  let model = CACHE.get(ctx);
  if (!model) {
    model = new MeshModel(ctx);
    CACHE.set(ctx, model);
  }
  return model;
}

/** The namespace of a namespaced object ('default' when unset). */
export function nsOf(o: AnalyzedObject): string {
  return o.manifest.metadata?.namespace ?? 'default';
}

/** `<namespace>/<name>` of an object. */
export function refOf(o: AnalyzedObject): string {
  return `${nsOf(o)}/${o.manifest.metadata?.name}`;
}

/** The model: pods, services and hosts of one cluster, with indexes. */
export class MeshModel {
  public readonly podSets: PodSet[] = [];
  public readonly services = new Map<string, ServiceInfo>();
  /** Namespaces known to exist: Namespace objects, namespaces objects are in, Kubernetes' own. */
  public readonly namespaces = new Set<string>(BUILTIN_NAMESPACES);
  private readonly _pods = new LabelIndex<PodSet>();
  private readonly _podsByAccount = new Map<string, PodSet[]>();
  private readonly _podsByObject = new Map<AnalyzedObject, PodSet>();
  private readonly _servicesByHost = new Map<string, ServiceInfo>();
  private readonly _servicesBySelectorPair = new Map<string, ServiceInfo[]>();
  private readonly _entriesByHost = new Map<string, ServiceEntryHost>();
  private readonly _wildcardEntries: ServiceEntryHost[] = [];
  private readonly _subsets = new Map<string, Array<{ rule: AnalyzedObject; labels: Record<string, string> }>>();

  constructor(private readonly ctx: AnalysisContext) {
    this.namespaces.add(ctx.settings.rootNamespace);
    for (const o of ctx.objects) {
      if (o.manifest.kind === 'Namespace') this.namespaces.add(o.manifest.metadata?.name);
      else if (o.manifest.metadata?.namespace) this.namespaces.add(o.manifest.metadata.namespace);
    }
    this._readWorkloads();
    this._readCanaries();
    this._readHelmReleases();
    this._readDefaultGateways();
    this._readGatewayApi();
    this._readPrometheus();
    this._readServices();
    this._readControlPlane();
    this._readServiceEntries();
    this._readDestinationRules();
  }

  /** Pod sets of `namespace` whose labels include `selector` (every pod set of the namespace for an empty one). */
  public select(namespace: string, selector: Readonly<Record<string, string>> | undefined): PodSet[] {
    return this._pods.select(namespace, selector);
  }

  /** Pod sets of any namespace whose labels include a non-empty `selector`. */
  public selectAnyNamespace(selector: Readonly<Record<string, string>>): PodSet[] {
    return this._pods.selectAnyNamespace(selector);
  }

  /** Pod sets of a namespace. */
  public podsIn(namespace: string): readonly PodSet[] {
    return this._pods.inNamespace(namespace);
  }

  /** Pod sets running as a service account. */
  public podsOfAccount(namespace: string, serviceAccount: string): readonly PodSet[] {
    return this._podsByAccount.get(`${namespace}/${serviceAccount}`) ?? [];
  }

  /** The pod set of a workload object of the output. */
  public podSetOf(o: AnalyzedObject): PodSet | undefined {
    return this._podsByObject.get(o);
  }

  /** The pods a Service sends traffic to. */
  public backends(s: ServiceInfo): PodSet[] {
    return s.selector && Object.keys(s.selector).length > 0 ? this.select(s.namespace, s.selector) : [];
  }

  /** The Services (of its namespace) that select a pod set (candidates from an index of selector pairs). */
  public servicesOf(p: PodSet): ServiceInfo[] {
    const out = new Set<ServiceInfo>();
    for (const [k, v] of Object.entries(p.labels)) {
      for (const s of this._servicesBySelectorPair.get(`${p.namespace}\u0000${k}=${v}`) ?? []) {
        if (Object.entries(s.selector!).every(([sk, sv]) => p.labels[sk] === sv)) out.add(s);
      }
    }
    return [...out].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * The pods of an Istio Gateway: what the program says (App analysis), else the pod sets its selector matches in any
   * namespace (Istio's default), else none.
   */
  public gatewayPods(gateway: AnalyzedObject): PodSet[] {
    const selector = stringMap(gateway.manifest.spec?.selector);
    const known = this.ctx.facts.gatewayWorkloadNamespaces?.get(objectId(gateway.manifest));
    const selected = Object.keys(selector).length > 0 ? this.selectAnyNamespace(selector) : [...this.podsIn(nsOf(gateway))];
    if (known === undefined) return selected;
    const there = selected.filter((p) => p.namespace === known);
    if (there.length > 0) return there;
    return [{
      key: `${known}/Gateway/${gateway.manifest.metadata.name}`, kind: 'Gateway', name: gateway.manifest.metadata.name, namespace: known, labels: selector,
      annotations: {}, serviceAccount: 'default', source: gateway, origin: 'assumed', proxy: 'gateway', vm: false,
    }];
  }

  /** What an Istio host used in `namespace` names: a Service, else a ServiceEntry host (exact, then wildcard). */
  public resolveHost(host: string, namespace: string): HostTarget | undefined {
    if (typeof host !== 'string' || host === '') return undefined;
    const fqdn = toFqdn(host, namespace, this.ctx.settings.clusterDomain);
    const service = this._servicesByHost.get(fqdn);
    if (service) return { kind: 'service', service };
    const entry = this._entriesByHost.get(fqdn) ?? this._wildcardEntries.find((e) => hostsMatch(e.host, fqdn));
    if (entry) return { kind: 'serviceEntry', entry };
    if (fqdn.startsWith('*')) {
      for (const s of this.services.values()) if (hostsMatch(fqdn, s.host)) return { kind: 'service', service: s };
      for (const e of this._entriesByHost.values()) if (hostsMatch(fqdn, e.host)) return { kind: 'serviceEntry', entry: e };
    }
    return undefined;
  }

  /** The DestinationRule subsets defined for a host used in `namespace`: name → labels (the first definition wins). */
  public subset(host: string, namespace: string, subset: string): { rule: AnalyzedObject; labels: Record<string, string> } | undefined {
    return this._subsets.get(`${toFqdn(host, namespace, this.ctx.settings.clusterDomain)}|${subset}`)?.[0];
  }

  /** Whether a namespace is known to exist. */
  public namespaceExists(ns: string): boolean {
    return this.namespaces.has(ns);
  }


  private _addPods(p: PodSet): void {
    this.podSets.push(p);
    this._pods.add(p);
    push(this._podsByAccount, `${p.namespace}/${p.serviceAccount}`, p);
    if (p.object) this._podsByObject.set(p.object, p);
  }

  private _addService(s: ServiceInfo): void {
    if (this.services.has(s.key)) return;
    this.services.set(s.key, s);
    this._servicesByHost.set(s.host, s);
    for (const [k, v] of Object.entries(s.selector ?? {})) push(this._servicesBySelectorPair, `${s.namespace}\u0000${k}=${v}`, s);
  }

  private _readWorkloads(): void {
    const topology = manifestTopology(this.ctx);
    for (const kind of POD_TEMPLATE_KINDS) {
      for (const o of this.ctx.ofKind(kind)) {
        if (!['', 'apps', 'batch'].includes(apiGroup(o.manifest.apiVersion))) continue;
        // Pods of a controller of the output are counted with their controller.
        if (kind === 'Pod' && arrayOf(o.manifest.metadata?.ownerReferences).length > 0) continue;
        const t = podTemplateOf(o.manifest);
        if (!t) continue;
        const [meta, spec] = t;
        const ns = nsOf(o);
        const labels = stringMap(meta.labels);
        const annotations = stringMap(meta.annotations);
        const gateway = annotations['inject.istio.io/templates'] === 'gateway' || labels['istio.io/gateway-name'] !== undefined;
        this._addPods({
          key: `${ns}/${kind}/${o.manifest.metadata.name}`, kind, name: o.manifest.metadata.name, namespace: ns, labels, annotations,
          serviceAccount: String(spec?.serviceAccountName ?? spec?.serviceAccount ?? 'default'), spec, object: o, source: o, origin: 'manifest',
          proxy: gateway ? 'gateway' : topology.injected(ns, { labels, annotations }) ? 'sidecar' : 'none', vm: false,
        });
      }
    }
    for (const o of this.ctx.ofKind('WorkloadEntry', 'networking.istio.io')) {
      this._addPods({
        key: `${nsOf(o)}/WorkloadEntry/${o.manifest.metadata.name}`, kind: 'WorkloadEntry', name: o.manifest.metadata.name, namespace: nsOf(o),
        labels: stringMap(o.manifest.spec?.labels), annotations: {}, serviceAccount: String(o.manifest.spec?.serviceAccount ?? 'default'),
        object: o, source: o, origin: 'manifest', proxy: 'sidecar', vm: true,
      });
    }
    for (const o of this.ctx.ofKind('WorkloadGroup', 'networking.istio.io')) {
      this._addPods({
        key: `${nsOf(o)}/WorkloadGroup/${o.manifest.metadata.name}`, kind: 'WorkloadGroup', name: o.manifest.metadata.name, namespace: nsOf(o),
        labels: stringMap(o.manifest.spec?.metadata?.labels), annotations: {}, serviceAccount: String(o.manifest.spec?.template?.serviceAccount ?? 'default'),
        object: o, source: o, origin: 'manifest', proxy: 'sidecar', vm: true,
      });
    }
  }

  /** Flagger: the primary pods and the three Services of every Canary (those not in the output). */
  private _readCanaries(): void {
    for (const c of this.ctx.ofKind('Canary', 'flagger.app')) {
      const ns = nsOf(c);
      const spec = c.manifest.spec ?? {};
      const ref = spec.targetRef ?? {};
      if (typeof ref.name !== 'string') continue;
      const targetObject = this.ctx.find('apps', ref.kind ?? 'Deployment', ns, ref.name);
      const target = targetObject ? this._podsByObject.get(targetObject) : undefined;
      const matchLabels = stringMap(targetObject?.manifest.spec?.selector?.matchLabels);
      const label = FLAGGER_SELECTOR_LABELS.find((l) => matchLabels[l] !== undefined) ?? 'app';
      const value = matchLabels[label] ?? ref.name;
      if (target) {
        this._addPods({
          ...target, key: `${ns}/${target.kind}/${target.name}-primary`, name: `${target.name}-primary`, labels: { ...target.labels, [label]: `${value}-primary` },
          object: undefined, source: c, origin: 'flagger-primary',
        });
      }
      const service = typeof spec.service?.name === 'string' ? spec.service.name : ref.name;
      const port = Number(spec.service?.port);
      const ports: ServicePortInfo[] = Number.isFinite(port) && port > 0
        ? [{ port, targetPort: spec.service?.targetPort ?? port, name: spec.service?.portName ?? 'http', appProtocol: spec.service?.appProtocol }] : [];
      const primary = { [label]: `${value}-primary` };
      for (const [name, selector] of [[service, primary], [`${service}-primary`, primary], [`${service}-canary`, { [label]: value }]] as const) {
        if (this.ctx.find('', 'Service', ns, name)) continue;
        this._addService({
          key: `${ns}/${name}`, name, namespace: ns, host: `${name}.${ns}.svc.${this.ctx.settings.clusterDomain}`, ports, selector,
          source: c, origin: 'flagger',
        });
      }
    }
  }

  /** Helm: Istio's gateway chart (pods and Service) and istiod's Service, for Flux HelmReleases of the output. */
  private _readHelmReleases(): void {
    for (const o of this.ctx.ofKind('HelmRelease', 'helm.toolkit.fluxcd.io')) {
      const spec = o.manifest.spec ?? {};
      const chart = spec.chart?.spec?.chart;
      const values = spec.values ?? {};
      const target = typeof spec.targetNamespace === 'string' ? spec.targetNamespace : undefined;
      const ns = typeof values.namespace === 'string' && values.namespace !== '' ? values.namespace : target ?? nsOf(o);
      const release = typeof spec.releaseName === 'string' ? spec.releaseName : target ? `${target}-${o.manifest.metadata.name}` : o.manifest.metadata.name;
      if (chart === 'gateway') {
        const name = typeof values.name === 'string' && values.name !== '' ? values.name : release;
        const extra = stringMap(values.labels);
        const selector = { app: extra.app ?? name, istio: extra.istio ?? name.replace(/^istio-/, '') };
        const sa = typeof values.serviceAccount?.name === 'string' && values.serviceAccount.name !== '' ? values.serviceAccount.name : name;
        this.namespaces.add(ns);
        this._addPods({
          key: `${ns}/HelmRelease/${name}`, kind: 'Deployment', name, namespace: ns, labels: { ...extra, ...selector }, annotations: {},
          serviceAccount: sa, source: o, origin: 'helm', proxy: 'gateway', vm: false,
        });
        if (values.service?.type !== 'None') {
          const ports = values.networkGateway ? NETWORK_GATEWAY_PORTS : Array.isArray(values.service?.ports) ? values.service.ports.map(portInfo) : GATEWAY_CHART_PORTS;
          this._addService({ key: `${ns}/${name}`, name, namespace: ns, host: `${name}.${ns}.svc.${this.ctx.settings.clusterDomain}`, ports, selector, source: o, origin: 'helm' });
        }
      } else if (chart === 'istiod') {
        const revision = typeof values.revision === 'string' && values.revision !== '' ? values.revision : undefined;
        const name = revision ? `istiod-${revision}` : 'istiod';
        const selector = { app: 'istiod', istio: 'pilot', ...(revision ? { 'istio.io/rev': revision } : {}) };
        this.namespaces.add(ns);
        this._addPods({
          key: `${ns}/HelmRelease/${name}`, kind: 'Deployment', name, namespace: ns, labels: selector, annotations: {}, serviceAccount: name,
          source: o, origin: 'helm', proxy: 'none', vm: false,
        });
        this._addService({ key: `${ns}/${name}`, name, namespace: ns, host: `${name}.${ns}.svc.${this.ctx.settings.clusterDomain}`, ports: ISTIOD_PORTS, selector, source: o, origin: 'helm' });
      }
    }
  }

  /** Istio's default ingress and egress gateways in the root namespace, when a Gateway selects them and nothing provides them. */
  private _readDefaultGateways(): void {
    const root = this.ctx.settings.rootNamespace;
    for (const g of this.ctx.ofKind('Gateway', 'networking.istio.io')) {
      const selector = stringMap(g.manifest.spec?.selector);
      const istio = selector.istio;
      const d = istio ? DEFAULT_GATEWAYS[istio] : undefined;
      if (!d || this.selectAnyNamespace({ istio }).length > 0) continue;
      const labels = { app: d.name, istio };
      if (!Object.entries(selector).every(([k, v]) => (labels as Record<string, string>)[k] === v)) continue;
      this._addPods({
        key: `${root}/Deployment/${d.name}`, kind: 'Deployment', name: d.name, namespace: root, labels, annotations: {},
        serviceAccount: `${d.name}-service-account`, origin: 'istio-default', proxy: 'gateway', vm: false,
      });
      this._addService({ key: `${root}/${d.name}`, name: d.name, namespace: root, host: `${d.name}.${root}.svc.${this.ctx.settings.clusterDomain}`, ports: d.ports, selector: labels, origin: 'istio-default' });
    }
  }

  /** Istio deploys a proxy for each Kubernetes Gateway (Gateway API) of class istio: pods labelled with the Gateway's name. */
  private _readGatewayApi(): void {
    for (const o of this.ctx.ofKind('Gateway', 'gateway.networking.k8s.io')) {
      const cls = o.manifest.spec?.gatewayClassName;
      if (cls !== 'istio' && cls !== 'istio-waypoint' && cls !== 'istio-remote') continue;
      const name = o.manifest.metadata.name;
      const ns = nsOf(o);
      this._addPods({
        key: `${ns}/Gateway/${name}`, kind: 'Gateway', name, namespace: ns, labels: { 'gateway.networking.k8s.io/gateway-name': name, 'istio.io/gateway-name': name },
        annotations: {}, serviceAccount: `${name}-${cls}`, source: o, origin: 'gateway-api', proxy: 'gateway', vm: false,
      });
    }
  }

  /**
   * The Prometheus operator runs the pods of each Prometheus object (labels app.kubernetes.io/name=prometheus,
   * operator.prometheus.io/name=<name>), including the one the kube-prometheus-stack chart creates (`<fullname>-prometheus`).
   */
  private _readPrometheus(): void {
    const topology = manifestTopology(this.ctx);
    const add = (name: string, ns: string, source: AnalyzedObject) => {
      const labels = { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': name, 'prometheus': name, 'app.kubernetes.io/instance': name };
      this._addPods({
        key: `${ns}/Prometheus/${name}`, kind: 'StatefulSet', name: `prometheus-${name}`, namespace: ns, labels, annotations: {}, serviceAccount: name,
        source, origin: 'helm', proxy: topology.injected(ns, { labels }) ? 'sidecar' : 'none', vm: false,
      });
    };
    for (const o of this.ctx.ofKind('Prometheus', 'monitoring.coreos.com')) add(o.manifest.metadata.name, nsOf(o), o);
    for (const o of this.ctx.ofKind('HelmRelease', 'helm.toolkit.fluxcd.io')) {
      const spec = o.manifest.spec ?? {};
      const values = spec.values ?? {};
      if (spec.chart?.spec?.chart !== 'kube-prometheus-stack' || values.prometheus?.enabled === false) continue;
      const target = typeof spec.targetNamespace === 'string' ? spec.targetNamespace : undefined;
      const release = typeof spec.releaseName === 'string' ? spec.releaseName : target ? `${target}-${o.manifest.metadata.name}` : o.manifest.metadata.name;
      const chartName = typeof values.nameOverride === 'string' && values.nameOverride !== '' ? values.nameOverride : 'kube-prometheus-stack';
      const full = (typeof values.fullnameOverride === 'string' && values.fullnameOverride !== '' ? values.fullnameOverride
        : release.includes(chartName) ? release : `${release}-${chartName}`).slice(0, 26).replace(/-+$/, '');
      add(values.cleanPrometheusOperatorObjectNames ? full : `${full}-prometheus`, typeof values.namespaceOverride === 'string' ? values.namespaceOverride : target ?? nsOf(o), o);
    }
  }

  /**
   * What every cluster with Istio has, when the output does not install it: the API server's Service
   * (`kubernetes.default`) and istiod's in the root namespace.
   */
  private _readControlPlane(): void {
    const cd = this.ctx.settings.clusterDomain;
    this._addService({ key: 'default/kubernetes', name: 'kubernetes', namespace: 'default', host: `kubernetes.default.svc.${cd}`, ports: [{ name: 'https', port: 443, targetPort: 6443 }], origin: 'istio-default' });
    if ([...this.services.values()].some((s) => s.origin === 'helm' && s.name.startsWith('istiod'))) return;
    const root = this.ctx.settings.rootNamespace;
    const selector = { app: 'istiod', istio: 'pilot' };
    this._addPods({ key: `${root}/Deployment/istiod`, kind: 'Deployment', name: 'istiod', namespace: root, labels: selector, annotations: {}, serviceAccount: 'istiod', origin: 'istio-default', proxy: 'none', vm: false });
    this._addService({ key: `${root}/istiod`, name: 'istiod', namespace: root, host: `istiod.${root}.svc.${cd}`, ports: ISTIOD_PORTS, selector, origin: 'istio-default' });
  }

  private _readServices(): void {
    for (const o of this.ctx.ofKind('Service', '')) {
      const ns = nsOf(o);
      const name = o.manifest.metadata.name;
      const selector = stringMap(o.manifest.spec?.selector);
      this._addService({
        key: `${ns}/${name}`, name, namespace: ns, host: `${name}.${ns}.svc.${this.ctx.settings.clusterDomain}`, ports: arrayOf(o.manifest.spec?.ports).map(portInfo),
        selector: Object.keys(selector).length > 0 ? selector : undefined, type: o.manifest.spec?.type, object: o, source: o, origin: 'manifest',
      });
    }
  }

  private _readServiceEntries(): void {
    for (const o of this.ctx.ofKind('ServiceEntry', 'networking.istio.io')) {
      const selector = stringMap(o.manifest.spec?.workloadSelector?.labels);
      const ports = arrayOf(o.manifest.spec?.ports).map((p: any) => ({ port: Number(p?.number), targetPort: p?.targetPort, name: p?.name, protocol: p?.protocol }));
      for (const h of arrayOf(o.manifest.spec?.hosts)) {
        if (typeof h !== 'string') continue;
        const entry: ServiceEntryHost = { host: h.toLowerCase(), object: o, ports, workloadSelector: Object.keys(selector).length > 0 ? selector : undefined };
        if (entry.host.startsWith('*')) this._wildcardEntries.push(entry);
        if (!this._entriesByHost.has(entry.host)) this._entriesByHost.set(entry.host, entry);
      }
    }
  }

  private _readDestinationRules(): void {
    for (const o of this.ctx.ofKind('DestinationRule', 'networking.istio.io')) {
      const host = o.manifest.spec?.host;
      if (typeof host !== 'string') continue;
      const fqdn = toFqdn(host, nsOf(o), this.ctx.settings.clusterDomain);
      for (const s of arrayOf(o.manifest.spec?.subsets)) {
        if (typeof s?.name === 'string') push(this._subsets, `${fqdn}|${s.name}`, { rule: o, labels: stringMap(s.labels) });
      }
    }
  }
}

function portInfo(p: any): ServicePortInfo {
  return { port: Number(p?.port), targetPort: p?.targetPort, name: p?.name, protocol: p?.protocol, appProtocol: p?.appProtocol };
}
