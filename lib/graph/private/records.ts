/*
 * The records the inventory (inventory.ts) reads manifests into, reading and sorting the objects, and the Sidecar
 * egress-host match.
 */
import { MeshGraphDataplane, MeshGraphManifest, MeshGraphMtlsMode } from './model';

/** The resolved options. */
export interface GraphSettings {
  readonly rootNamespace: string;
  readonly clusterDomain: string;
  readonly defaultNamespace: string;
}

/** Cluster-scoped kinds the graph reads (everything else it reads is namespaced). */
const CLUSTER_SCOPED = new Set(['Namespace']);

/** One object, read. */
export interface ObjectRecord {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly m: MeshGraphManifest;
  /** `Kind namespace/name`. */
  readonly ref: string;
}

export interface WorkloadRecord {
  /** Unique among workloads: `<namespace>/<objectKind>/<name>`. */
  readonly key: string;
  readonly objectKind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly dataplane: MeshGraphDataplane;
  readonly sources: string[];
  readonly declared: boolean;
  readonly vm: boolean;
  /** Env values of its containers: `[container/NAME, value]`. */
  readonly env: readonly [string, string][];
  /** Selector labels of the pod template (`spec.selector.matchLabels`). */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** Set for the primary Deployment Flagger generates. */
  readonly flaggerPrimaryOf?: string;
  /** Services whose backends include it, sorted by key (filled by the builder). */
  readonly services: ServiceRecord[];
}

export interface ServicePort {
  readonly port: number;
  readonly targetPort?: number;
  readonly name?: string;
}

export interface ServiceRecord {
  /** `<namespace>/<name>`. */
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly sources: string[];
  readonly declared: boolean;
  /** The hostnames it answers to (FQDNs; ServiceEntry hosts as written). */
  readonly hosts: string[];
  readonly ports: ServicePort[];
  /** Workloads that receive its traffic, sorted by key. */
  backends: WorkloadRecord[];
  /** Set for a Flagger Canary's service. */
  canary?: CanaryRecord;
  /** Kubernetes `ExternalName` target. */
  externalName?: string;
}

export interface CanaryRecord {
  readonly ref: string;
  readonly m: MeshGraphManifest;
  readonly target?: WorkloadRecord;
  readonly primary?: WorkloadRecord;
}

export interface ExternalRecord {
  readonly host: string;
  /** Namespace of the first ServiceEntry declaring it (for Sidecar egress `<ns>/<host>`); undefined when none does. */
  readonly namespace?: string;
  readonly sources: string[];
  readonly declared: boolean;
}

export interface GatewayRecord {
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly hosts: string[];
  readonly ports: string[];
  readonly sources: string[];
  readonly declared: boolean;
  /** Where the gateway pods run and as whom (from a workload its selector matches, else Istio's default names). */
  readonly podNamespace?: string;
  readonly serviceAccount?: string;
}

export interface PeerAuthenticationRecord {
  readonly ref: string;
  readonly name: string;
  readonly namespace: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly mode?: MeshGraphMtlsMode;
  readonly ports: Readonly<Record<string, MeshGraphMtlsMode>>;
}

export interface SidecarRecord {
  readonly ref: string;
  readonly name: string;
  readonly namespace: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly egressHosts: readonly string[];
  readonly registryOnly: boolean;
}

/** Pods that may run a Gateway: a workload of the input, or the pods of an Istio gateway HelmRelease. */
export interface GatewayPods {
  readonly key: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
}

export interface NamespaceRecord {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function stringRecord(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

export function nonEmpty(x: Readonly<Record<string, string>>): Readonly<Record<string, string>> | undefined {
  return Object.keys(x).length > 0 ? x : undefined;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every object the graph can read, `List`s flattened, sorted by kind/namespace/name (ties: by content) and de-duplicated. */
export function readObjects(manifests: readonly MeshGraphManifest[], settings: GraphSettings): ObjectRecord[] {
  const flat: MeshGraphManifest[] = [];
  const visit = (m: unknown) => {
    if (!m || typeof m !== 'object') return;
    const o = m as MeshGraphManifest;
    if (o.kind === 'List' && Array.isArray(o.items)) for (const item of o.items) visit(item);
    else flat.push(o);
  };
  for (const m of manifests) visit(m);
  const records: ObjectRecord[] = [];
  for (const m of flat) {
    const kind = m.kind;
    const name = m.metadata?.name;
    if (typeof kind !== 'string' || typeof name !== 'string' || name === '') continue;
    const namespace = CLUSTER_SCOPED.has(kind) ? '' : (typeof m.metadata?.namespace === 'string' && m.metadata.namespace !== '' ? m.metadata.namespace : settings.defaultNamespace);
    records.push({ kind, name, namespace, m, ref: CLUSTER_SCOPED.has(kind) ? `${kind} ${name}` : `${kind} ${namespace}/${name}` });
  }
  // Sort so that the input order never shows in the output; equal ids (a duplicate) are ordered by content.
  const content = new Map<ObjectRecord, string>();
  const contentOf = (r: ObjectRecord) => {
    let c = content.get(r);
    if (c === undefined) content.set(r, c = JSON.stringify(r.m));
    return c;
  };
  records.sort((a, b) => compare(a.kind, b.kind) || compare(a.namespace, b.namespace) || compare(a.name, b.name)
    || compare(String(a.m.apiVersion ?? ''), String(b.m.apiVersion ?? '')) || compare(contentOf(a), contentOf(b)));
  const out: ObjectRecord[] = [];
  for (const r of records) {
    const last = out[out.length - 1];
    if (last && last.kind === r.kind && last.namespace === r.namespace && last.name === r.name) continue;
    out.push(r);
  }
  return out;
}

/**
 * Whether a Sidecar's egress hosts (`<namespace>/<dnsName>`, namespace `*`, `.` for its own, `~` for none; dnsName
 * `*`, `*.suffix` or exact) let its workloads reach `host` declared in `namespace`.
 */
export function egressAllows(sidecar: SidecarRecord, namespace: string | undefined, host: string): boolean {
  return sidecar.egressHosts.some((entry) => {
    const [ns, dns] = entry.includes('/') ? entry.split('/', 2) : ['*', entry];
    const nsOk = ns === '*' || (ns === '.' && namespace === sidecar.namespace) || (namespace !== undefined && ns === namespace);
    if (!nsOk) return false;
    const d = dns.toLowerCase();
    if (d === '*') return true;
    if (d.startsWith('*.')) return host.endsWith(d.slice(1)) || host === d;
    return d === host;
  });
}
