import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { DEFAULT_TRUST_DOMAIN, MESH_ROOT_NAMESPACE } from '../private/identity';
import { CLUSTER_DOMAIN } from '../private/names';

/** How bad a finding is. */
export enum FindingSeverity {
  /** Synthesis fails and nothing is written; `npm run analyze` exits with 1. */
  ERROR = 'error',
  /** Printed after synthesis; an error when strict mode is on (MESH_STRICT=1). */
  WARNING = 'warning',
  /**
   * Worth knowing, not wrong (istioctl's Info level: e.g. a namespace without injection label, a port whose protocol is
   * sniffed). Never fails synthesis, not even in strict mode; `npm run analyze` prints it as `Info` and exits 0 unless
   * `--failure-threshold info`.
   */
  INFO = 'info',
}

/** One result of whole-output analysis. */
export interface Finding {
  readonly severity: FindingSeverity;
  /** The rule that produced it (`construct` for warnings recorded by constructs). */
  readonly rule: string;
  /**
   * The `istioctl analyze` message code the rule mirrors (e.g. `IST0101`), else the product's own code (`MESH0001`...).
   * Undefined for construct warnings and for rules that declare none.
   */
  readonly code?: string;
  /** Kind, name and namespace of the object the finding is about (unset when it is about no single object). */
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  /** The file the object was read from (analysis of plain manifests). */
  readonly file?: string;
  /** Construct path of the object (or, for plain manifests, `<file>` / `<file>#<document>`). */
  readonly path: string;
  /** What is wrong, including its `Fix: ...` sentence (kept whole for compatibility: see `fix`). */
  readonly message: string;
  /** The `Fix:` part of the message, alone, when the message has one. */
  readonly fix?: string;
}

/** An object of the analysed output, together with where it came from. */
export interface AnalyzedObject {
  /** The resolved manifest, exactly as it will be written (or as read). */
  readonly manifest: Manifest;
  /**
   * The construct of the object. Only objects of an App have one: for plain manifests (`analyzeManifests()`) reading it
   * throws. Rules must read only `manifest`, `path` and `file` (program-only knowledge reaches them as `ctx.facts`).
   */
  readonly apiObject: ApiObject;
  /** The chart of the object (objects of an App only, like `apiObject`). */
  readonly chart: Chart;
  /** Construct path of the ApiObject; for plain manifests where it was read (`<file>` or `<file>#<document>`). */
  readonly path: string;
  /** The file it was read from (plain manifests). */
  readonly file?: string;
}

/** The shape every Kubernetes manifest has. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>; readonly [key: string]: any;
  };
  readonly [key: string]: any;
}

/**
 * A rule over the whole analysed output. Rules see every object of one cluster, resolved, before anything is written.
 * Keep rules linear in the number of objects: use `ctx.ofKind()`, `ctx.find()` and `meshModel(ctx)` (indexed) rather
 * than nested scans. Rules read `manifest` and `path` of objects only, so that they run the same over an App and over
 * plain YAML (`npm run analyze`).
 */
export interface IAnalysisRule {
  /** Stable kebab-case id, shown with every finding (and accepted by the suppression annotation). */
  readonly id: string;
  /** One sentence: what the rule protects against. */
  readonly description: string;
  /** The `istioctl analyze` code the rule mirrors, else the product's own `MESHnnnn` code. */
  readonly code?: string;
  /** The severity of its findings (documentation; each finding carries its own). */
  readonly severity?: FindingSeverity;
  check(ctx: AnalysisContext): void;
}

/** Mesh-wide settings rules depend on (Istio's MeshConfig, as far as the analysis needs it). */
export interface MeshSettings {
  /** meshConfig.rootNamespace: where mesh-wide policies live. */
  readonly rootNamespace: string;
  /** meshConfig.trustDomain, in principals `<trustDomain>/ns/<ns>/sa/<sa>` (other trust domains are treated as aliases). */
  readonly trustDomain: string;
  /** The cluster DNS suffix (`svc.<clusterDomain>`). */
  readonly clusterDomain: string;
  /**
   * Whether the proxies' DNS proxy allocates addresses to ServiceEntries without `addresses` (meshConfig.defaultConfig.proxyMetadata
   * ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE, or PILOT_ENABLE_IP_AUTOALLOCATE, "true").
   */
  readonly serviceEntryAddressAllocation: boolean;
  /** Whether meshConfig.defaultProviders.accessLogging names a provider (Telemetry accessLogging without providers uses it). */
  readonly defaultAccessLogProviders: boolean;
}

/** The defaults: Istio's. */
export const DEFAULT_MESH_SETTINGS: MeshSettings = {
  rootNamespace: MESH_ROOT_NAMESPACE, trustDomain: DEFAULT_TRUST_DOMAIN, clusterDomain: CLUSTER_DOMAIN, serviceEntryAddressAllocation: false,
  defaultAccessLogProviders: false,
};

/** A peer of a declared relation, as plain data. */
export interface PeerFact {
  readonly name: string;
  readonly namespace: string;
  readonly sidecar: boolean;
  readonly podSelector?: Readonly<Record<string, string>>;
}

/** `caller` calls `callee`, as the program declared it (e.g. `connectTo`, `allowFrom`, `exposeVia`). */
export interface RelationFact {
  readonly kind: 'allow' | 'call';
  readonly caller: PeerFact;
  readonly callee: PeerFact;
  /** Construct path of the construct that declared it. */
  readonly path: string;
  /** How it was declared, for messages. */
  readonly via: string;
}

/**
 * What the program knows and the manifests do not say. Filled by `analyze(app)` from the constructs; empty for plain
 * manifests, where rules fall back to what the manifests imply.
 */
export interface AnalysisFacts {
  /** Relations declared in the program. */
  readonly relations?: readonly RelationFact[];
  /** Where the pods of a Gateway run, by the Gateway's `objectId()`. */
  readonly gatewayWorkloadNamespaces?: ReadonlyMap<string, string>;
  /** Gateway credential Secrets managed outside the output, by the Gateway's `objectId()`. */
  readonly externalCredentials?: ReadonlyMap<string, readonly string[]>;
}

/** Options of an `AnalysisContext`. */
export interface AnalysisContextOptions {
  readonly settings?: Partial<MeshSettings>;
  readonly facts?: AnalysisFacts;
}

/**
 * The per-object suppression annotation: a comma-separated list of rule ids or codes whose findings about this object
 * are dropped, e.g. `cdk8s-mesh.io/suppress: "workload-probes,IST0102"`. It applies to the object it is on, never wider.
 */
export const SUPPRESS_ANNOTATION = 'cdk8s-mesh.io/suppress';

/** istioctl's own per-object suppression annotation (`IST` codes, or `*` for all of them), honoured too. */
export const ISTIO_SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

/** What a rule sees, with indexes and the means to report. */
export class AnalysisContext {
  /** Every object, charts in app order, objects in dependency order (plain manifests: in reading order). */
  public readonly objects: readonly AnalyzedObject[];
  public readonly settings: MeshSettings;
  public readonly facts: AnalysisFacts;
  private readonly _byKind = new Map<string, AnalyzedObject[]>();
  private readonly _byGroupKind = new Map<string, readonly AnalyzedObject[]>();
  private readonly _byId = new Map<string, AnalyzedObject>();
  private readonly _byPath = new Map<string, AnalyzedObject>();
  private readonly _findings: Finding[] = [];
  private readonly _suppressed: Finding[] = [];
  private _rule = 'analysis';
  private _code?: string;

  constructor(objects: readonly AnalyzedObject[], options: AnalysisContextOptions = {}) {
    this.objects = objects;
    this.settings = { ...DEFAULT_MESH_SETTINGS, ...definedOnly(options.settings ?? {}) };
    this.facts = options.facts ?? {};
    for (const o of objects) {
      const kind = o.manifest.kind;
      const list = this._byKind.get(kind);
      if (list) list.push(o);
      else this._byKind.set(kind, [o]);
      const id = objectId(o.manifest);
      if (!this._byId.has(id)) this._byId.set(id, o);
      if (!this._byPath.has(o.path)) this._byPath.set(o.path, o);
    }
  }

  /** Objects of one kind (e.g. 'VirtualService'), optionally of one API group ('' for core). */
  public ofKind(kind: string, group?: string): readonly AnalyzedObject[] {
    const all = this._byKind.get(kind) ?? [];
    if (group === undefined) return all;
    // Rules ask for the same kinds again and again: each kind and group is filtered once.
    const key = `${group}/${kind}`;
    let list = this._byGroupKind.get(key);
    if (list === undefined) this._byGroupKind.set(key, (list = all.filter((o) => apiGroup(o.manifest.apiVersion) === group)));
    return list;
  }

  /** The object with this group, kind, namespace and name, if any (namespace undefined: cluster-scoped). */
  public find(group: string, kind: string, namespace: string | undefined, name: string): AnalyzedObject | undefined {
    return this._byId.get(`${group}/${kind}/${namespace ?? ''}/${name}`);
  }

  /** The object at a construct path (or the `Resource` child of a construct at that path). */
  public objectAt(path: string): AnalyzedObject | undefined {
    return this._byPath.get(path) ?? this._byPath.get(`${path}/Resource`);
  }

  public error(at: AnalyzedObject | IConstruct | string, message: string, options: { code?: string } = {}): void {
    this.report(FindingSeverity.ERROR, at, message, options.code);
  }

  public warning(at: AnalyzedObject | IConstruct | string, message: string, options: { code?: string } = {}): void {
    this.report(FindingSeverity.WARNING, at, message, options.code);
  }

  public info(at: AnalyzedObject | IConstruct | string, message: string, options: { code?: string } = {}): void {
    this.report(FindingSeverity.INFO, at, message, options.code);
  }

  public get findings(): readonly Finding[] {
    return [...this._findings];
  }

  /** Findings dropped by a suppression annotation on their object. */
  public get suppressed(): readonly Finding[] {
    return [...this._suppressed];
  }

  /** @internal */
  public _run(rule: IAnalysisRule, code?: string): void {
    this._rule = rule.id;
    this._code = rule.code ?? code;
    rule.check(this);
  }

  /** @internal */
  public _add(finding: Finding): void {
    this._findings.push(finding);
  }

  private report(severity: FindingSeverity, at: AnalyzedObject | IConstruct | string, message: string, code?: string): void {
    const path = typeof at === 'string' ? at : 'node' in at ? at.node.path : at.path;
    const o = typeof at === 'object' && 'manifest' in at ? at : this.objectAt(path);
    const m = o?.manifest;
    const fix = /(?:^|\s)Fix: ([\s\S]*)$/.exec(message)?.[1];
    const finding: Finding = definedOnly({
      severity, rule: this._rule, code: code ?? this._code,
      kind: m?.kind, name: m?.metadata?.name, namespace: m?.metadata?.namespace, file: o?.file,
      path, message, fix,
    }) as Finding;
    if (m && suppresses(m, finding)) this._suppressed.push(finding);
    else this._findings.push(finding);
  }
}

/** Whether the object's suppression annotations name the finding's rule or code. */
function suppresses(m: Manifest, f: Finding): boolean {
  const annotations = m.metadata?.annotations ?? {};
  const ours = listOf(annotations[SUPPRESS_ANNOTATION]);
  if (ours.includes(f.rule) || (f.code !== undefined && ours.includes(f.code))) return true;
  const istio = listOf(annotations[ISTIO_SUPPRESS_ANNOTATION]);
  return f.code !== undefined && f.code.startsWith('IST') && (istio.includes(f.code) || istio.includes('*'));
}

function listOf(value: unknown): string[] {
  return typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}

/** The object without its undefined properties (findings compare equal to literals in tests). */
export function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Kinds that are not namespaced. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'ClusterIssuer', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass',
  'StorageClass', 'PersistentVolume', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'IngressClass',
]);

/** `[path] message (rule)` */
export function formatFinding(f: Finding): string {
  return `[${f.path}] ${f.message} (${f.rule})`;
}

/** API group of an apiVersion ('' for the core group). */
export function apiGroup(apiVersion: string): string {
  const i = typeof apiVersion === 'string' ? apiVersion.indexOf('/') : -1;
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** `<group>/<kind>/<namespace>/<name>`: what identifies an object in a cluster. */
export function objectId(m: Manifest): string {
  return `${apiGroup(m.apiVersion)}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;
}
