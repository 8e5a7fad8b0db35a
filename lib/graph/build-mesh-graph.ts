import {
  MeshGraph, MeshGraphDataplane, MeshGraphEdge, MeshGraphEdgeKind, MeshGraphEdgeStatus,
  MeshGraphManifest, MeshGraphMtlsMode, MeshGraphNamespace, MeshGraphNode, MeshGraphNodeKind, MeshGraphOptions,
} from './private/model';
import { CallerIdentity, evaluateAuthorization } from './private/authorization';
import { Inventory } from './private/inventory';
import {
  egressAllows, ExternalRecord, GatewayRecord, GraphSettings, readObjects, ServiceRecord, SidecarRecord, WorkloadRecord,
} from './private/records';
import { EdgeDraft, merge, safeId, SEVERITY, sortedRecord } from './private/edges';
import { canaryInfo, canaryLabels, mirrorsOf } from './private/routes';
import { clip, listShort, summarizeHttpMatches, summarizeL4Matches } from './private/summary';

/**
 * Builds the mesh graph of one set of manifests (one cluster): gateways, services, versions, external hosts and the
 * callers AuthorizationPolicies name; routes (VirtualService, DestinationRule subsets, Flagger Canary), mirrors, and
 * calls with whether they get through (mTLS modes, AuthorizationPolicies, egress Sidecars). Pure and deterministic:
 * the input order does not matter, and the cost grows with the number of objects, not with their pairs.
 *
 * Calls are learned from container env values holding service URLs (`http://<svc>.<ns>.svc.cluster.local`), and
 * from the callers ALLOW and DENY rules name (principals `<trust domain>/ns/<ns>/sa/<sa>` mapped back to the workloads
 * and gateways running as that service account; namespaces). Trust domains are treated as aliases of each other.
 */
export function buildMeshGraph(manifests: readonly MeshGraphManifest[], options: MeshGraphOptions = {}): MeshGraph {
  const settings: GraphSettings = {
    rootNamespace: options.rootNamespace ?? 'istio-system',
    clusterDomain: options.clusterDomain ?? 'cluster.local',
    defaultNamespace: options.defaultNamespace ?? 'default',
  };
  return new GraphBuilder(new Inventory(readObjects(manifests, settings), settings)).build();
}

type Target =
  | { readonly kind: 'service'; readonly s: ServiceRecord }
  | { readonly kind: 'workload'; readonly w: WorkloadRecord }
  | { readonly kind: 'external'; readonly e: ExternalRecord }
  | { readonly kind: 'namespace'; readonly ns: string };

interface Caller {
  readonly key: string;
  readonly dataplane: MeshGraphDataplane;
  readonly identity: CallerIdentity;
  readonly workload?: WorkloadRecord;
}

interface Outcome {
  readonly status: MeshGraphEdgeStatus;
  readonly labels: readonly string[];
  readonly reasons: readonly string[];
}

interface PeerDraft {
  readonly key: string;
  readonly name: string;
  readonly namespace?: string;
  readonly sources: Set<string>;
}

const ALLOWED: Outcome = { status: MeshGraphEdgeStatus.ALLOWED, labels: [], reasons: [] };

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const wlKey = (w: WorkloadRecord) => `wl\u0000${w.key}`;
const svcKey = (s: ServiceRecord) => `svc\u0000${s.key}`;
const gwKey = (g: GatewayRecord) => `gw\u0000${g.key}`;
const extKey = (e: ExternalRecord) => `ext\u0000${e.host}`;
const nsKey = (ns: string) => `ns\u0000${ns}`;

class GraphBuilder {
  private readonly _edges: EdgeDraft[] = [];
  private readonly _peers = new Map<string, PeerDraft>();
  private readonly _routed = new Set<string>();
  /** Services whose requests a mesh VirtualService (or a Canary) routes: no implicit route to every workload. */
  private readonly _ruled = new Set<string>();

  constructor(private readonly _inv: Inventory) {}

  public build(): MeshGraph {
    this._virtualServices();
    this._canaries();
    this._implicitRoutes();
    this._evaluateRoutes();
    this._envCalls();
    this._sidecarEgress();
    this._policyCalls();
    const edges = this._collapseCallers(merge(this._edges));
    return this._assemble(edges);
  }

  private _edge(e: Omit<EdgeDraft, 'status' | 'reasons'> & Partial<Pick<EdgeDraft, 'status' | 'reasons'>>): void {
    this._edges.push({ status: MeshGraphEdgeStatus.ALLOWED, reasons: [], ...e });
  }

  private _note(text: string): void {
    this._inv.notes.add(text);
  }

  // ---------------------------------------------------------------- routes

  /** A service's workloads that a subset (or no subset: all) selects; notes an undefined or empty subset. */
  private _subsetBackends(s: ServiceRecord, subset: string | undefined, ref: string): WorkloadRecord[] {
    if (subset === undefined) return s.backends;
    const labels = this._inv.subsets(s).get(subset);
    if (!labels) {
      this._note(`${ref} routes to subset "${subset}" of ${s.key}, which no DestinationRule defines`);
      return [];
    }
    const selected = s.backends.filter((w) => Object.entries(labels).every(([k, v]) => w.labels[k] === v));
    if (selected.length === 0) this._note(`${ref}: subset "${subset}" of ${s.key} selects no workload`);
    return selected;
  }

  private _targetKey(t: ServiceRecord | ExternalRecord): string {
    return 'backends' in t ? svcKey(t) : extKey(t);
  }

  private _virtualServices(): void {
    for (const o of this._inv.ofKind('VirtualService')) {
      const spec = o.m.spec ?? {};
      if (spec.http?.some?.((r: any) => r?.delegate)) this._note(`${o.ref} delegates routes: delegated VirtualServices are not followed`);
      const gatewayRefs: string[] = Array.isArray(spec.gateways) && spec.gateways.length > 0 ? spec.gateways.map(String) : ['mesh'];
      const gateways = gatewayRefs.filter((g) => g !== 'mesh').map((g) => this._inv.gateway(g, o.namespace));
      const mesh = gatewayRefs.includes('mesh');
      const hosts: string[] = Array.isArray(spec.hosts) ? spec.hosts.map(String) : [];
      const sources = mesh
        ? hosts.filter((h) => h !== '*').map((h) => this._inv.resolveHost(h, o.namespace, true)).filter((x): x is ServiceRecord | ExternalRecord => x !== undefined)
        : [];
      for (const from of sources) this._ruled.add(this._targetKey(from));
      const hostLabel = listShort(hosts.filter((h) => h !== '*'), ', ');
      let matchedBefore = false;
      const rules: [any, string][] = [
        ...(Array.isArray(spec.http) ? spec.http : []).map((r: any): [any, string] => [r, summarizeHttpMatches(r?.match)]),
        ...[...(Array.isArray(spec.tls) ? spec.tls : []), ...(Array.isArray(spec.tcp) ? spec.tcp : [])].map((r: any): [any, string] => [r, summarizeL4Matches(r?.match)]),
      ];
      for (const [rule, match] of rules) {
        const routes = Array.isArray(rule?.route) ? rule.route : [];
        for (const d of routes) {
          const host = d?.destination?.host;
          if (typeof host !== 'string') continue;
          const target = this._inv.resolveHost(host, o.namespace, true);
          if (!target) {
            this._note(`${o.ref} routes to ${host}, which is not in the input`);
            continue;
          }
          const weighted = routes.length > 1 || (typeof d.weight === 'number' && d.weight < 100);
          const weight = weighted ? `${typeof d.weight === 'number' ? d.weight : 0}%` : '';
          const fault = rule?.fault?.abort ? 'abort' : rule?.fault?.delay ? 'delay' : '';
          const label = [[match, weight].filter((x) => x).join(' ') || (matchedBefore ? 'default' : ''), fault ? `(${fault} injected)` : ''].filter((x) => x).join(' ');
          const subset = typeof d.destination.subset === 'string' ? d.destination.subset : undefined;
          for (const g of gateways) {
            this._routed.add(`${gwKey(g)}\u0000${this._targetKey(target)}`);
            this._edge({ from: gwKey(g), to: this._targetKey(target), kind: MeshGraphEdgeKind.ROUTE, labels: [match || hostLabel].filter((x) => x), sources: [o.ref] });
          }
          if ('backends' in target && (subset !== undefined || weighted) && gateways.length > 0 && !sources.includes(target)) {
            for (const w of this._subsetBackends(target, subset, o.ref)) {
              this._edge({ from: svcKey(target), to: wlKey(w), kind: MeshGraphEdgeKind.VERSION, labels: [label].filter((x) => x), sources: [o.ref] });
            }
          }
          for (const from of sources) this._meshRoute(from, target, subset, label, MeshGraphEdgeKind.VERSION, o.ref);
        }
        for (const [m, pct] of mirrorsOf(rule)) {
          const target = typeof m?.host === 'string' ? this._inv.resolveHost(m.host, o.namespace, true) : undefined;
          if (!target) continue;
          const subset = typeof m.subset === 'string' ? m.subset : undefined;
          const label = `mirror ${pct}%`;
          for (const from of sources) this._meshRoute(from, target, subset, label, MeshGraphEdgeKind.MIRROR, o.ref);
          if (sources.length === 0 && 'backends' in target) {
            for (const w of this._subsetBackends(target, subset, o.ref)) {
              this._edge({ from: svcKey(target), to: wlKey(w), kind: MeshGraphEdgeKind.MIRROR, labels: [label], sources: [o.ref] });
            }
          }
        }
        if (match) matchedBefore = true;
      }
    }
  }

  /** A mesh VirtualService of `from` sends to `target`: its own versions, or another host. */
  private _meshRoute(from: ServiceRecord | ExternalRecord, target: ServiceRecord | ExternalRecord, subset: string | undefined, label: string,
    kind: MeshGraphEdgeKind, ref: string): void {
    const labels = [label].filter((x) => x);
    if (from === target && 'backends' in target) {
      for (const w of this._subsetBackends(target, subset, ref)) this._edge({ from: svcKey(target), to: wlKey(w), kind, labels, sources: [ref] });
      return;
    }
    this._edge({ from: this._targetKey(from), to: this._targetKey(target), kind, labels, sources: [ref] });
    if ('backends' in target && subset !== undefined) {
      for (const w of this._subsetBackends(target, subset, ref)) this._edge({ from: svcKey(target), to: wlKey(w), kind, labels, sources: [ref] });
    }
  }

  private _canaries(): void {
    for (const s of [...this._inv.services.values()].sort((a, b) => compare(a.key, b.key))) {
      const c = s.canary;
      if (!c) continue;
      this._ruled.add(svcKey(s));
      const info = canaryInfo(c.ref, c.m, c.target?.name ?? String(c.m.spec?.targetRef?.name ?? '?'));
      if (c.primary) this._edge({ from: svcKey(s), to: wlKey(c.primary), kind: MeshGraphEdgeKind.VERSION, labels: ['primary'], sources: [c.ref] });
      if (c.target) {
        this._edge({ from: svcKey(s), to: wlKey(c.target), kind: MeshGraphEdgeKind.VERSION, labels: canaryLabels(info), sources: [c.ref] });
        if (info.mirror) this._edge({ from: svcKey(s), to: wlKey(c.target), kind: MeshGraphEdgeKind.MIRROR, labels: ['mirror'], sources: [c.ref] });
      }
      const svc = c.m.spec?.service ?? {};
      const hosts: string[] = (Array.isArray(svc.hosts) ? svc.hosts.map(String) : []).filter((h: string) => h !== '*' && h !== s.name);
      const label = summarizeHttpMatches(svc.match) || listShort(hosts, ', ');
      for (const ref of Array.isArray(svc.gateways) ? svc.gateways.map(String) : []) {
        if (ref === 'mesh') continue;
        const g = this._inv.gateway(ref, s.namespace);
        this._routed.add(`${gwKey(g)}\u0000${svcKey(s)}`);
        this._edge({ from: gwKey(g), to: svcKey(s), kind: MeshGraphEdgeKind.ROUTE, labels: [label].filter((x) => x), sources: [c.ref] });
      }
    }
  }

  /** A service with no routing rule of its own spreads requests over every workload it selects. */
  private _implicitRoutes(): void {
    for (const s of [...this._inv.services.values()].sort((a, b) => compare(a.key, b.key))) {
      if (this._ruled.has(svcKey(s))) continue;
      for (const w of s.backends) this._edge({ from: svcKey(s), to: wlKey(w), kind: MeshGraphEdgeKind.VERSION, labels: [], sources: [...s.sources] });
      if (s.externalName) {
        const e = this._inv.resolveHost(s.externalName, s.namespace, true);
        if (e) this._edge({ from: svcKey(s), to: this._targetKey(e), kind: MeshGraphEdgeKind.VERSION, labels: ['ExternalName'], sources: [...s.sources] });
      }
    }
  }

  /** Whether each gateway route gets through the target's mTLS and AuthorizationPolicies. */
  private _evaluateRoutes(): void {
    for (const e of this._edges) {
      if (e.kind !== MeshGraphEdgeKind.ROUTE) continue;
      const g = this._inv.gateways.get(e.from.split('\u0000')[1]);
      const service = this._inv.services.get(e.to.split('\u0000')[1]);
      if (!g || !service || !e.to.startsWith('svc')) continue;
      const o = this._evaluate(this._gatewayCaller(g), { kind: 'service', s: service });
      e.status = o.status;
      e.labels.push(...o.labels);
      e.reasons.push(...o.reasons);
    }
  }

  // ---------------------------------------------------------------- calls

  private _workloadCaller(w: WorkloadRecord): Caller {
    return { key: wlKey(w), dataplane: w.dataplane, identity: { authenticated: true, namespace: w.namespace, serviceAccount: w.serviceAccount }, workload: w };
  }

  private _gatewayCaller(g: GatewayRecord): Caller {
    return { key: gwKey(g), dataplane: MeshGraphDataplane.SIDECAR, identity: { authenticated: true, namespace: g.podNamespace, serviceAccount: g.serviceAccount } };
  }

  private _peer(namespace: string | undefined, serviceAccount: string | undefined, source: string): Caller {
    const key = `peer\u0000${namespace ?? ''}\u0000${serviceAccount ?? '*'}`;
    let p = this._peers.get(key);
    if (!p) {
      p = { key, name: serviceAccount ?? '*', namespace, sources: new Set() };
      this._peers.set(key, p);
    }
    p.sources.add(source);
    return { key, dataplane: MeshGraphDataplane.SIDECAR, identity: { authenticated: true, namespace, serviceAccount } };
  }

  private _call(caller: Caller, target: Target, source: string, port?: number): void {
    const to = target.kind === 'service' ? svcKey(target.s) : target.kind === 'workload' ? wlKey(target.w)
      : target.kind === 'external' ? extKey(target.e) : nsKey(target.ns);
    if (to === caller.key || (caller.workload && target.kind === 'service' && caller.workload.services.includes(target.s))) return;
    const o = this._evaluate(caller, target, port);
    this._edge({
      from: caller.key, to, kind: target.kind === 'external' ? MeshGraphEdgeKind.EGRESS : MeshGraphEdgeKind.CALL,
      status: o.status, labels: [...o.labels], reasons: [...o.reasons], sources: [source],
    });
  }

  /** Calls to the URLs in container env values. */
  private _envCalls(): void {
    for (const w of this._inv.workloads) {
      if (!w.declared && !w.flaggerPrimaryOf) continue; // a Flagger primary runs the target's containers
      for (const [where, value] of w.env) {
        const url = /^\s*(?:([a-z][a-z0-9+.-]*):\/\/)?([a-z0-9*.-]+)(?::(\d+))?(?:[/?#]\S*)?\s*$/i.exec(value);
        if (!url) continue;
        const [, scheme, host, portText] = url;
        const local = /\.svc(\.|$)/.test(host) || host.endsWith(`.${this._inv.settings.clusterDomain}`);
        if (!scheme && !local) continue;
        const target = this._inv.resolveHost(host, w.namespace, local || host.includes('.'));
        if (!target) continue;
        const port = portText ? Number(portText) : scheme === 'https' ? 443 : scheme === 'http' ? 80 : undefined;
        const source = `env ${where.split('/')[1]} of ${w.sources[0] ?? `${w.objectKind} ${w.namespace}/${w.name} (Flagger primary)`}`;
        this._call(this._workloadCaller(w), 'backends' in target ? { kind: 'service', s: target } : { kind: 'external', e: target }, source, port);
      }
    }
  }

  /**
   * Hosts outside the mesh that a Sidecar's egress hosts name one by one (`<ns>/api.example.com`, `<ns>/*.foo.com`;
   * not `<ns>/*`), reached by the workloads the Sidecar configures.
   */
  private _sidecarEgress(): void {
    const bySidecar = new Map<SidecarRecord, WorkloadRecord[]>();
    for (const w of this._inv.workloads) {
      if ((!w.declared && !w.flaggerPrimaryOf) || w.dataplane !== MeshGraphDataplane.SIDECAR) continue;
      const s = this._inv.sidecarFor(w);
      if (!s) continue;
      const list = bySidecar.get(s);
      if (list) list.push(w);
      else bySidecar.set(s, [w]);
    }
    for (const [s, workloads] of bySidecar) {
      for (const entry of s.egressHosts) {
        const [ns, dns] = entry.includes('/') ? entry.split('/', 2) : ['*', entry];
        const e = this._inv.externals.get(dns.toLowerCase());
        if (dns === '*' || !e || !e.declared) continue;
        if (!(ns === '*' || (ns === '.' && e.namespace === s.namespace) || ns === e.namespace)) continue;
        for (const w of workloads) this._call(this._workloadCaller(w), { kind: 'external', e }, s.ref);
      }
    }
  }

  /** Callers that ALLOW and DENY rules name, towards the workloads the policy selects. */
  private _policyCalls(): void {
    for (const p of this._inv.authorizationPolicies) {
      if (p.action !== 'ALLOW' && p.action !== 'DENY') continue;
      let targets: Target[];
      if (p.selector) {
        const selected = this._inv.workloadIndex.select(p.namespace, p.selector);
        const seen = new Set<string>();
        targets = [];
        for (const w of selected) {
          const t: Target = w.services.length > 0 ? { kind: 'service', s: w.services[0] } : { kind: 'workload', w };
          const k = t.kind === 'service' ? t.s.key : w.key;
          if (!seen.has(k)) {
            seen.add(k);
            targets.push(t);
          }
        }
      } else if (p.namespace === this._inv.settings.rootNamespace) {
        if (p.rules.length > 0) this._note(`${p.ref} applies mesh-wide: its callers are not drawn`);
        continue;
      } else {
        targets = [{ kind: 'namespace', ns: p.namespace }];
      }
      for (const rule of p.rules) {
        for (const from of Array.isArray(rule?.from) ? rule.from : []) {
          for (const caller of this._callersOf(from?.source ?? {}, p.ref)) {
            for (const t of targets) {
              // A gateway's pods allowed to call a service it routes to: the route edge already says so.
              if (caller.gateways && t.kind === 'service' && caller.gateways.some((g) => this._routed.has(`${gwKey(g)}\u0000${svcKey(t.s)}`))) continue;
              this._call(caller.caller(), t, p.ref);
            }
          }
        }
      }
    }
  }

  /**
   * The callers one `from.source` names: workloads and gateways by service account, else peers. Callers are made
   * when drawn (a peer node exists only if an edge starts at it).
   */
  private _callersOf(source: any, ref: string): { caller: () => Caller; gateways?: readonly GatewayRecord[] }[] {
    const out: { caller: () => Caller; gateways?: readonly GatewayRecord[] }[] = [];
    const peer = (ns: string | undefined, sa: string | undefined) => () => this._peer(ns, sa, ref);
    const account = (ns: string, sa: string) => {
      const workloads = this._inv.workloadsOfAccount(ns, sa).filter((w) => w.declared || w.flaggerPrimaryOf);
      const gateways = this._inv.gatewaysOfAccount(ns, sa);
      for (const w of workloads) out.push({ caller: () => this._workloadCaller(w) });
      if (gateways.length > 0) out.push({ caller: peer(ns, sa), gateways });
      else if (workloads.length === 0) out.push({ caller: peer(ns, sa) });
    };
    for (const p of Array.isArray(source.principals) ? source.principals.map(String) : []) {
      if (p === '*') {
        out.push({ caller: peer(undefined, undefined) });
        continue;
      }
      const exact = /^[^/*]*\/ns\/([^/*]+)\/sa\/([^/*]+)$/.exec(p);
      const anyAccount = /^[^/*]*\/ns\/([^/*]+)\/(?:sa\/)?\*$/.exec(p);
      if (exact) account(exact[1], exact[2]);
      else if (anyAccount) out.push({ caller: peer(anyAccount[1], undefined) });
      else this._note(`${ref}: the principal pattern "${p}" is not drawn`);
    }
    for (const sa of Array.isArray(source.serviceAccounts) ? source.serviceAccounts.map(String) : []) {
      const [ns, name] = sa.split('/', 2);
      if (ns && name) account(ns, name);
    }
    for (const ns of Array.isArray(source.namespaces) ? source.namespaces.map(String) : []) {
      if (ns === '*') out.push({ caller: peer(undefined, undefined) });
      else if (!ns.includes('*')) out.push({ caller: peer(ns, undefined) });
      else this._note(`${ref}: the namespace pattern "${ns}" is not drawn`);
    }
    return out;
  }

  // ---------------------------------------------------------------- evaluation

  /** Whether `caller`'s requests to `target` get through: its egress Sidecar, then mTLS, then the target's policies. */
  private _evaluate(caller: Caller, target: Target, port?: number): Outcome {
    const egress = this._egress(caller, target);
    if (egress) return egress;
    if (target.kind === 'external') {
      return target.e.declared ? ALLOWED
        : { status: MeshGraphEdgeStatus.ALLOWED, labels: ['passthrough'], reasons: [`no ServiceEntry declares ${target.e.host}: reached only while outboundTrafficPolicy is ALLOW_ANY`] };
    }
    if (target.kind === 'namespace') return this._evaluateBackend(caller, undefined, target.ns, port);
    const backends = target.kind === 'service' ? target.s.backends : [target.w];
    if (backends.length === 0) return ALLOWED;
    const outcomes = backends.map((w) => this._evaluateBackend(caller, w, w.namespace, port, target.kind === 'service' ? target.s : undefined));
    const signature = (o: Outcome) => `${o.status}\u0000${o.labels.join('\u0000')}`;
    const groups = new Map<string, { outcome: Outcome; names: string[] }>();
    outcomes.forEach((o, i) => {
      const g = groups.get(signature(o));
      if (g) g.names.push(backends[i].name);
      else groups.set(signature(o), { outcome: o, names: [backends[i].name] });
    });
    const status = outcomes.reduce((s, o) => (SEVERITY[o.status] > SEVERITY[s] ? o.status : s), MeshGraphEdgeStatus.ALLOWED);
    const reasons = [...new Set(outcomes.flatMap((o) => o.reasons))];
    if (groups.size === 1) return { status, labels: outcomes[0].labels, reasons };
    // The service's workloads disagree (e.g. a policy selects the canary but not the primary): say which gets what.
    const labels = [...groups.values()].map((g) => clip(`${listShort(g.names, ', ', 1)}: ${g.outcome.labels.join(', ') || 'allowed'}`));
    return { status, labels, reasons };
  }

  private _egress(caller: Caller, target: Target): Outcome | undefined {
    if (!caller.workload || caller.dataplane !== MeshGraphDataplane.SIDECAR || target.kind === 'namespace' || target.kind === 'workload') return undefined;
    const sidecar = this._inv.sidecarFor(caller.workload);
    if (!sidecar) return undefined;
    const [host, ns, declared] = target.kind === 'service' ? [target.s.hosts[0], target.s.namespace, true] : [target.e.host, target.e.namespace, target.e.declared];
    if (!declared && sidecar.registryOnly) {
      return { status: MeshGraphEdgeStatus.DENIED, labels: ['denied: not in registry'], reasons: [`${sidecar.ref} sets REGISTRY_ONLY and no ServiceEntry declares ${host}`] };
    }
    if (declared && sidecar.egressHosts.length > 0 && !egressAllows(sidecar, ns, host)) {
      return { status: MeshGraphEdgeStatus.DENIED, labels: ['denied: egress'], reasons: [`${host} is not among the egress hosts of ${sidecar.ref}`] };
    }
    return undefined;
  }

  /** One workload of the target (or, without one, the namespace as a whole). */
  private _evaluateBackend(caller: Caller, w: WorkloadRecord | undefined, namespace: string, port?: number, service?: ServiceRecord): Outcome {
    const dataplane = w ? w.dataplane : this._namespaceDataplane(namespace);
    if (dataplane === MeshGraphDataplane.NONE) {
      return { status: MeshGraphEdgeStatus.PLAINTEXT, labels: ['plaintext'], reasons: [`${w ? w.name : namespace} has no sidecar: plaintext, and its AuthorizationPolicies are not enforced`] };
    }
    const { mtls, ports } = w ? this._inv.workloadMtls(w) : { mtls: this._inv.namespaceMtls(namespace), ports: {} as Record<string, MeshGraphMtlsMode> };
    const targetPort = port === undefined ? undefined : (service?.ports.find((p) => p.port === port)?.targetPort ?? port);
    const mode = (targetPort !== undefined ? ports[String(targetPort)] : undefined) ?? mtls.mode;
    const meshed = caller.dataplane !== MeshGraphDataplane.NONE;
    if (!meshed && mode === MeshGraphMtlsMode.STRICT) {
      return { status: MeshGraphEdgeStatus.DENIED, labels: ['denied: STRICT mTLS'], reasons: [`${mtls.from} makes ${w ? w.name : namespace} STRICT and the caller has no sidecar`] };
    }
    const plaintext = !meshed || mode === MeshGraphMtlsMode.DISABLE;
    const policies = w ? this._inv.policiesFor(w) : this._inv.namespacePolicies(namespace);
    const authz = evaluateAuthorization(policies, plaintext ? { authenticated: false } : caller.identity);
    const reasons = [...authz.reasons];
    if (plaintext) reasons.unshift(meshed ? `${mtls.from} disables mTLS for ${w ? w.name : namespace}` : `the caller has no sidecar and ${w ? w.name : namespace} is ${mode}`);
    if (authz.status === 'denied') return { status: MeshGraphEdgeStatus.DENIED, labels: authz.labels, reasons };
    if (plaintext) return { status: MeshGraphEdgeStatus.PLAINTEXT, labels: ['plaintext', ...authz.labels], reasons };
    return { status: authz.status === 'conditional' ? MeshGraphEdgeStatus.CONDITIONAL : MeshGraphEdgeStatus.ALLOWED, labels: authz.labels, reasons };
  }

  private _namespaceDataplane(namespace: string): MeshGraphDataplane {
    return this._inv.dataplane(namespace, {}, {});
  }

  // ---------------------------------------------------------------- output

  /**
   * Every workload of a service calling the same target with the same outcome is drawn as one call from the service
   * (the app calls), not one per version.
   */
  private _collapseCallers(edges: EdgeDraft[]): EdgeDraft[] {
    // Per caller: signature (target, kind, status, labels) → edge; edges are already merged, so one per signature.
    const signature = (e: EdgeDraft) => [e.to, e.kind, e.status, ...e.labels].join('\u0000');
    const byFrom = new Map<string, Map<string, EdgeDraft>>();
    for (const e of edges) {
      if (e.kind !== MeshGraphEdgeKind.CALL && e.kind !== MeshGraphEdgeKind.EGRESS) continue;
      const map = byFrom.get(e.from) ?? new Map<string, EdgeDraft>();
      byFrom.set(e.from, map);
      map.set(signature(e), e);
    }
    const removed = new Set<EdgeDraft>();
    const added: EdgeDraft[] = [];
    for (const s of [...this._inv.services.values()].sort((a, b) => compare(a.key, b.key))) {
      if (s.backends.length === 0) continue;
      const first = [...(byFrom.get(wlKey(s.backends[0]))?.values() ?? [])].filter((e) => !removed.has(e));
      for (const e of first) {
        if (e.to === svcKey(s)) continue;
        const sig = signature(e);
        const same = s.backends.map((w) => {
          const x = byFrom.get(wlKey(w))?.get(sig);
          return x && !removed.has(x) ? x : undefined;
        });
        if (same.some((x) => x === undefined)) continue;
        for (const x of same) removed.add(x!);
        added.push({ ...e, from: svcKey(s), labels: [...e.labels], reasons: [...new Set(same.flatMap((x) => x!.reasons))], sources: [...new Set(same.flatMap((x) => x!.sources))] });
      }
    }
    return merge([...edges.filter((e) => !removed.has(e)), ...added]);
  }

  private _assemble(drafts: EdgeDraft[]): MeshGraph {
    const inv = this._inv;
    const nodes = new Map<string, { base: string; node: Omit<MeshGraphNode, 'id'> }>();
    for (const w of inv.workloads) {
      const { mtls, ports } = inv.workloadMtls(w);
      const custom = inv.policiesFor(w).filter((p) => p.action === 'CUSTOM').map((p) => `${p.namespace}/${p.name} (${p.provider ?? '?'})`);
      const version = w.labels.version ?? w.labels['app.kubernetes.io/version'];
      nodes.set(wlKey(w), {
        base: `wl_${w.namespace}_${w.name}`,
        node: {
          kind: MeshGraphNodeKind.WORKLOAD, name: w.name, namespace: w.namespace, sources: [...w.sources], declared: w.declared, labels: { ...w.labels },
          ...(version !== undefined ? { version } : {}), serviceAccount: w.serviceAccount, dataplane: w.dataplane,
          ...(w.dataplane !== MeshGraphDataplane.NONE ? { mtls } : {}),
          ...(Object.keys(ports).length > 0 ? { portMtls: sortedRecord(ports) } : {}),
          ...(custom.length > 0 ? { customAuthorization: custom.sort() } : {}),
        },
      });
    }
    for (const s of inv.services.values()) {
      nodes.set(svcKey(s), {
        base: `svc_${s.namespace}_${s.name}`,
        node: {
          kind: MeshGraphNodeKind.SERVICE, name: s.name, namespace: s.namespace, sources: [...new Set(s.sources)].sort(), declared: s.declared, hosts: [...s.hosts],
          ...(s.canary ? { canary: canaryInfo(s.canary.ref, s.canary.m, s.canary.target?.name ?? String(s.canary.m.spec?.targetRef?.name ?? '?')) } : {}),
        },
      });
    }
    for (const g of inv.gateways.values()) {
      nodes.set(gwKey(g), {
        base: `gw_${g.namespace}_${g.name}`,
        node: {
          kind: MeshGraphNodeKind.GATEWAY, name: g.name, namespace: g.namespace, sources: [...g.sources], declared: g.declared, hosts: [...g.hosts], ports: [...g.ports],
          dataplane: MeshGraphDataplane.SIDECAR, ...(g.serviceAccount ? { serviceAccount: g.serviceAccount } : {}),
        },
      });
    }
    for (const e of inv.externals.values()) {
      nodes.set(extKey(e), {
        base: `ext_${e.host}`,
        node: { kind: MeshGraphNodeKind.EXTERNAL, name: e.host, ...(e.namespace !== undefined ? { namespace: e.namespace } : {}), sources: [...e.sources].sort(), declared: e.declared },
      });
    }
    for (const p of this._peers.values()) {
      nodes.set(p.key, {
        base: p.namespace === undefined ? 'peer_any' : `peer_${p.namespace}_${p.name === '*' ? 'any' : p.name}`,
        node: {
          kind: MeshGraphNodeKind.PEER, name: p.name, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), sources: [...p.sources].sort(), declared: false,
          dataplane: MeshGraphDataplane.SIDECAR, ...(p.name !== '*' ? { serviceAccount: p.name } : {}),
        },
      });
    }
    // Namespaces: those holding nodes, and declared ones.
    const nsNames = new Set<string>(inv.namespaces.keys());
    for (const { node } of nodes.values()) if (node.namespace !== undefined) nsNames.add(node.namespace);
    for (const d of drafts) if (d.to.startsWith('ns\u0000')) nsNames.add(d.to.split('\u0000')[1]);
    const ids = new Map<string, string>();
    const used = new Set<string>(['outside_mesh']);
    const assign = (key: string, base: string) => {
      const safe = safeId(base);
      let id = safe;
      for (let i = 2; used.has(id); i++) id = `${safe}_${i}`;
      used.add(id);
      ids.set(key, id);
    };
    for (const name of [...nsNames].sort()) assign(nsKey(name), `ns_${name}`);
    for (const key of [...nodes.keys()].sort()) assign(key, nodes.get(key)!.base);

    const namespaces: MeshGraphNamespace[] = [...nsNames].sort().map((name) => ({
      id: ids.get(nsKey(name))!, name, mtls: inv.namespaceMtls(name), injection: inv.injection(name), denyAll: inv.denyAll(name), declared: inv.namespaces.has(name),
    }));
    const outNodes: MeshGraphNode[] = [...nodes.entries()].map(([key, { node }]) => ({ id: ids.get(key)!, ...node }))
      .sort((a, b) => compare(a.id, b.id));
    const edges: MeshGraphEdge[] = drafts.filter((d) => ids.has(d.from) && ids.has(d.to)).map((d) => ({
      from: ids.get(d.from)!, to: ids.get(d.to)!, kind: d.kind, status: d.status, labels: d.labels, reasons: [...new Set(d.reasons)], sources: [...new Set(d.sources)].sort(),
    })).sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.kind, b.kind));
    return { rootNamespace: inv.settings.rootNamespace, nodes: outNodes, edges, namespaces, notes: [...inv.notes].sort() };
  }
}
