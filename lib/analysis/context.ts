import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** How bad a finding is. */
export enum FindingSeverity {
  /** Synthesis fails and nothing is written. */
  ERROR = 'error',
  /** Printed after synthesis; an error when strict mode is on (MESH_STRICT=1). */
  WARNING = 'warning',
}

/** One result of whole-output analysis. */
export interface Finding {
  readonly severity: FindingSeverity;
  /** The rule that produced it (`construct` for warnings recorded by constructs). */
  readonly rule: string;
  /** Construct path of the object the finding is about. */
  readonly path: string;
  readonly message: string;
}

/** A synthesized object together with where it came from. */
export interface AnalyzedObject {
  /** The resolved manifest, exactly as it will be written. */
  readonly manifest: Manifest;
  readonly apiObject: ApiObject;
  readonly chart: Chart;
  /** Construct path of the ApiObject. */
  readonly path: string;
}

/** The shape every Kubernetes manifest has. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly [key: string]: any };
  readonly [key: string]: any;
}

/**
 * A rule over the whole synthesized output. Rules see every object of every chart, resolved,
 * before anything is written. Keep rules linear in the number of objects: use `ctx.ofKind()`
 * and `ctx.find()` (indexed) rather than nested scans.
 */
export interface IAnalysisRule {
  /** Stable kebab-case id, shown with every finding. */
  readonly id: string;
  /** One sentence: what the rule protects against. */
  readonly description: string;
  check(ctx: AnalysisContext): void;
}

/** What a rule sees, with indexes and the means to report. */
export class AnalysisContext {
  /** Every synthesized object, charts in app order, objects in dependency order. */
  public readonly objects: readonly AnalyzedObject[];
  private readonly _byKind = new Map<string, AnalyzedObject[]>();
  private readonly _byId = new Map<string, AnalyzedObject>();
  private readonly _findings: Finding[] = [];
  private _rule = 'analysis';

  constructor(objects: readonly AnalyzedObject[]) {
    this.objects = objects;
    for (const o of objects) {
      const kind = o.manifest.kind;
      const list = this._byKind.get(kind);
      if (list) list.push(o);
      else this._byKind.set(kind, [o]);
      const id = objectId(o.manifest);
      if (!this._byId.has(id)) this._byId.set(id, o);
    }
  }

  /** Objects of one kind (e.g. 'VirtualService'), optionally of one API group ('' for core). */
  public ofKind(kind: string, group?: string): readonly AnalyzedObject[] {
    const all = this._byKind.get(kind) ?? [];
    return group === undefined ? all : all.filter((o) => apiGroup(o.manifest.apiVersion) === group);
  }

  /** The object with this group, kind, namespace and name, if any (namespace undefined: cluster-scoped). */
  public find(group: string, kind: string, namespace: string | undefined, name: string): AnalyzedObject | undefined {
    return this._byId.get(`${group}/${kind}/${namespace ?? ''}/${name}`);
  }

  public error(at: AnalyzedObject | IConstruct | string, message: string): void {
    this.report(FindingSeverity.ERROR, at, message);
  }

  public warning(at: AnalyzedObject | IConstruct | string, message: string): void {
    this.report(FindingSeverity.WARNING, at, message);
  }

  public get findings(): readonly Finding[] {
    return [...this._findings];
  }

  /** @internal */
  public _run(rule: IAnalysisRule): void {
    this._rule = rule.id;
    rule.check(this);
  }

  /** @internal */
  public _add(finding: Finding): void {
    this._findings.push(finding);
  }

  private report(severity: FindingSeverity, at: AnalyzedObject | IConstruct | string, message: string): void {
    const path = typeof at === 'string' ? at : 'node' in at ? at.node.path : at.path;
    this._findings.push({ severity, rule: this._rule, path, message });
  }
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
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** `<group>/<kind>/<namespace>/<name>`: what identifies an object in a cluster. */
export function objectId(m: Manifest): string {
  return `${apiGroup(m.apiVersion)}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;
}
