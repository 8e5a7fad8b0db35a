import { App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { BUILTIN_CODES } from './codes';
import { meshSettingsFromConfig } from './mesh-config';
import {
  AnalysisContext, AnalysisFacts, AnalyzedObject, CLUSTER_SCOPED_KINDS, definedOnly, Finding, FindingSeverity, IAnalysisRule, Manifest, MeshSettings,
  objectId, RelationFact,
} from './context';
import { BUILTIN_RULES } from './rules';
import { OutputLayout } from '../synth/output-layout';
import { EXTERNAL_CREDENTIAL, GATEWAY_WORKLOAD_NAMESPACE } from '../private/gateway-metadata';
import { IMeshPeer } from '../private/identity';
import { clusterDomainOf } from '../private/names';
import { constructTree, synthesisOrder } from '../private/object-order';
import { relationsOf } from '../private/relations';
import { withFastResolution } from '../private/resolution';
import { explainRenderError } from '../private/serialization';
import { collectWarnings } from '../private/warnings';

/** Options for `analyze()` and `analyzeManifests()`. */
export interface AnalyzeOptions {
  /**
   * Rules to run in addition to the built-in ones.
   * @default - only the built-in rules
   */
  readonly rules?: IAnalysisRule[];
  /**
   * Mesh settings (Istio MeshConfig: root namespace, trust domain, cluster domain).
   * @default - the istiod HelmRelease's meshConfig when the output has one, else Istio's defaults
   */
  readonly settings?: Partial<MeshSettings>;
}

/** The result of analysing an app. */
export interface AnalysisReport {
  readonly objects: readonly AnalyzedObject[];
  readonly findings: readonly Finding[];
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
  /** Findings of severity info (never blocking). */
  readonly infos: readonly Finding[];
  /** Findings dropped by a suppression annotation (`cdk8s-mesh.io/suppress`) on their object. */
  readonly suppressed: readonly Finding[];
}

/** A plain manifest to analyse, and where it comes from. */
export interface ManifestInput {
  readonly manifest: Manifest;
  /** Where it was read: a construct path, or `<file>` / `<file>#<document>` (default: the file, else the object's id). */
  readonly source?: string;
  /** The file it was read from. */
  readonly file?: string;
  /**
   * The cluster it belongs to: objects of different clusters are analysed apart.
   * @default - derived from the file's folders (`apps/<cluster>/`, `infrastructure/<cluster>/`, `clusters/<cluster>/`), else one cluster
   */
  readonly cluster?: string;
}

/** What `analyzeManifestReport()` returns. */
export interface ManifestAnalysisReport {
  /** Findings, per cluster in the order rules run. */
  readonly findings: readonly Finding[];
  /** Findings dropped by a suppression annotation on their object. */
  readonly suppressed: readonly Finding[];
  /** Rules that read the construct of an object (`apiObject`, `chart`), which plain manifests do not have: they were stopped. */
  readonly skippedRules: readonly string[];
  /** The clusters the objects were grouped into ('' for objects of no cluster). */
  readonly clusters: readonly string[];
  readonly objectCount: number;
}

/** Thrown when a rule reads the construct of an object read from YAML. */
export class ConstructNotAvailableError extends Error {}

/** The built-in rules, in the order they run. */
export function builtinRules(): readonly IAnalysisRule[] {
  return [...BUILTIN_RULES];
}

/**
 * Validates the construct tree (every `node.addValidation`, aggregated like `cdk8s` does), resolves every
 * object once, and runs the analysis rules over the whole output. Throws on construct validation errors;
 * rule findings are returned, not thrown, so callers decide (see `synthesize()`).
 */
export function analyze(app: App, options: AnalyzeOptions = {}): AnalysisReport {
  // One walk of the tree: the validations, then the charts and objects in the order cdk8s synthesizes them.
  const tree = validatedTree(app);
  const objects: AnalyzedObject[] = [];
  withFastResolution(() => {
    for (const { chart, objects: apiObjects } of synthesisOrder(app, tree)) {
      for (const apiObject of apiObjects) {
        let manifest: any;
        try {
          manifest = apiObject.toJson();
        } catch (err) {
          throw explainRenderError(apiObject, err);
        }
        objects.push({ manifest: withoutClusterNamespace(manifest), apiObject, chart, path: apiObject.node.path });
      }
    }
  });
  // Each cluster is its own world (the same object may exist in staging and production): rules run per cluster.
  const byCluster = new Map<string, AnalyzedObject[]>();
  const clusterOf = new Map<Chart, string>();
  for (const o of objects) {
    let cluster = clusterOf.get(o.chart);
    if (cluster === undefined) clusterOf.set(o.chart, (cluster = OutputLayout.of(o.chart).cluster ?? ''));
    group(byCluster, cluster, o);
  }
  const findings: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const clusterObjects of byCluster.values()) {
    const ctx = runRules(clusterObjects, options, constructFacts(clusterObjects), undefined, { clusterDomain: clusterDomainOf(clusterObjects[0].chart) });
    findings.push(...ctx.findings);
    suppressed.push(...ctx.suppressed);
  }
  for (const w of collectWarnings(app)) {
    const m = /^\[([^\]]*)\] ([\s\S]*)$/.exec(w)!;
    findings.push({ severity: FindingSeverity.WARNING, rule: 'construct', path: m[1], message: m[2] });
  }
  return {
    objects,
    findings,
    errors: findings.filter((f) => f.severity === FindingSeverity.ERROR),
    warnings: findings.filter((f) => f.severity === FindingSeverity.WARNING),
    infos: findings.filter((f) => f.severity === FindingSeverity.INFO),
    suppressed,
  };
}

/**
 * Runs the same rules as `analyze()` over plain manifests (any YAML: dist/, a Helm render, `kubectl get -o yaml`).
 * Objects are grouped per cluster (see `ManifestInput.cluster`); `List` objects are expanded; documents that are not
 * Kubernetes objects (no kind or name, kustomize configuration) are skipped. Findings about an object carry its file.
 */
export function analyzeManifests(manifests: readonly ManifestInput[], options: AnalyzeOptions = {}): Finding[] {
  return [...analyzeManifestReport(manifests, options).findings];
}

/** `analyzeManifests()`, with what was suppressed and skipped. */
export function analyzeManifestReport(manifests: readonly ManifestInput[], options: AnalyzeOptions = {}): ManifestAnalysisReport {
  const byCluster = new Map<string, AnalyzedObject[]>();
  let objectCount = 0;
  for (const input of expandLists(manifests)) {
    const m = input.manifest;
    if (!isObject(m)) continue;
    objectCount++;
    const path = input.source ?? input.file ?? objectId(m);
    group(byCluster, input.cluster ?? (input.file !== undefined ? clusterOfFile(input.file) : undefined) ?? '', plainObject(withoutClusterNamespace(m), path, input.file));
  }
  const findings: Finding[] = [];
  const suppressed: Finding[] = [];
  const skipped = new Set<string>();
  for (const objects of byCluster.values()) {
    const ctx = runRules(objects, options, {}, skipped);
    findings.push(...ctx.findings);
    suppressed.push(...ctx.suppressed);
  }
  return { findings, suppressed, skippedRules: [...skipped], clusters: [...byCluster.keys()], objectCount };
}

/**
 * The cluster a file of a GitOps layout belongs to: `<cluster>` in `.../apps/<cluster>/...`, `.../infrastructure/<cluster>/...`
 * or `.../clusters/<cluster>/...` (the dist/ layout of `synthesize()` with GitOpsClusters); undefined otherwise.
 */
export function clusterOfFile(file: string): string | undefined {
  const parts = file.split(/[\\/]+/);
  for (let i = 0; i + 2 < parts.length; i++) {
    if (['apps', 'infrastructure', 'clusters'].includes(parts[i]) && parts[i + 1] !== '' && parts[i + 1] !== '.') return parts[i + 1];
  }
  return undefined;
}

/** The rules of one cluster over its objects. */
function runRules(objects: readonly AnalyzedObject[], options: AnalyzeOptions, facts: AnalysisFacts, skipped?: Set<string>,
  defaults: Partial<MeshSettings> = {}): AnalysisContext {
  const ctx = new AnalysisContext(objects, { settings: { ...defaults, ...meshSettingsOf(objects), ...definedOnly(options.settings ?? {}) }, facts });
  for (const rule of [...BUILTIN_RULES, ...(options.rules ?? [])]) {
    try {
      ctx._run(rule, BUILTIN_CODES[rule.id]);
    } catch (e) {
      // A rule about the construct tree (e.g. what cdk8s's serializer does) has nothing to check in plain manifests.
      if (!(e instanceof ConstructNotAvailableError) || !skipped) throw e;
      skipped.add(rule.id);
    }
  }
  return ctx;
}

/** The mesh settings the istiod HelmRelease of the output configures (meshConfig, global.proxy.clusterDomain). */
function meshSettingsOf(objects: readonly AnalyzedObject[]): Partial<MeshSettings> {
  const istiod = objects.find((o) => o.manifest.kind === 'HelmRelease' && o.manifest.spec?.chart?.spec?.chart === 'istiod');
  const values = istiod?.manifest.spec?.values;
  return values !== null && typeof values === 'object' && !Array.isArray(values) ? meshSettingsFromConfig(values) : {};
}

/** What the constructs of one cluster know and its manifests do not say. */
function constructFacts(objects: readonly AnalyzedObject[]): AnalysisFacts {
  const gatewayWorkloadNamespaces = new Map<string, string>();
  const externalCredentials = new Map<string, string[]>();
  for (const o of objects) {
    if (o.manifest.kind !== 'Gateway') continue;
    const values = (type: string) => o.apiObject.node.metadata.filter((m) => m.type === type).map((m) => String(m.data));
    const ns = values(GATEWAY_WORKLOAD_NAMESPACE)[0];
    if (ns !== undefined) gatewayWorkloadNamespaces.set(objectId(o.manifest), ns);
    const external = values(EXTERNAL_CREDENTIAL);
    if (external.length > 0) externalCredentials.set(objectId(o.manifest), external);
  }
  const peer = (p: IMeshPeer) => {
    const id = p.meshIdentity();
    return { name: id.name, namespace: id.namespace, sidecar: id.sidecar, podSelector: id.podSelector };
  };
  const relations: RelationFact[] = objects.length === 0 ? [] : relationsOf(objects[0].apiObject)
    .map((r) => ({ kind: r.kind, caller: peer(r.caller), callee: peer(r.callee), path: r.path, via: r.via }));
  return { relations, gatewayWorkloadNamespaces, externalCredentials };
}

/** An object read from YAML: it has no construct (reading `apiObject` or `chart` throws, see `AnalyzedObject`). */
function plainObject(manifest: Manifest, path: string, file: string | undefined): AnalyzedObject {
  const noConstruct = (field: string) => () => {
    throw new ConstructNotAvailableError(`[${path}] ${field} is not available for plain manifests: analysis rules must read only manifest, path and file`);
  };
  const o = definedOnly({ manifest, path, file });
  Object.defineProperty(o, 'apiObject', { get: noConstruct('apiObject'), enumerable: false });
  Object.defineProperty(o, 'chart', { get: noConstruct('chart'), enumerable: false });
  return o as AnalyzedObject;
}

function* expandLists(inputs: readonly ManifestInput[]): Iterable<ManifestInput> {
  for (const input of inputs) {
    const m: any = input.manifest;
    if (m && typeof m === 'object' && typeof m.kind === 'string' && m.kind.endsWith('List') && Array.isArray(m.items)) {
      for (let i = 0; i < m.items.length; i++) {
        yield { ...input, manifest: m.items[i], source: `${input.source ?? input.file ?? 'list'}#items[${i}]` };
      }
    } else {
      yield input;
    }
  }
}

/** A Kubernetes object: apiVersion, kind and a name (kustomize's own configuration files are not). */
function isObject(m: unknown): m is Manifest {
  const x = m as Manifest;
  return !!x && typeof x === 'object' && typeof x.apiVersion === 'string' && typeof x.kind === 'string' && typeof x.metadata?.name === 'string'
    && !x.apiVersion.startsWith('kustomize.config.k8s.io/');
}

function group<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A chart's namespace is stamped on every object; cluster-scoped objects must not carry it. */
function withoutClusterNamespace(m: Manifest): Manifest {
  if (!CLUSTER_SCOPED_KINDS.has(m.kind) || m.metadata?.namespace === undefined) return m;
  const { namespace: _ns, ...metadata } = m.metadata;
  return { ...m, metadata: metadata as Manifest['metadata'] };
}

/**
 * The validated tree. A validation may add constructs (a MeshNamespace adds its default `deny-all` once the whole tree
 * says whether the namespace is STRICT), so the tree is walked again after the validations, and what they added is
 * validated in turn, until nothing more is added.
 */
function validatedTree(app: App): ReturnType<typeof constructTree> {
  let tree = constructTree(app);
  let pending: readonly IConstruct[] = tree.constructs;
  for (let round = 0; pending.length > 0; round++) {
    if (round === 10) throw new Error('Validation kept adding constructs after 10 rounds: a validation must not add constructs on every run');
    validateTree(pending);
    const before = new Set(tree.constructs);
    const after = constructTree(app);
    pending = after.constructs.length === before.size && after.constructs.every((c) => before.has(c)) ? [] : after.constructs.filter((c) => !before.has(c));
    tree = after;
  }
  return tree;
}

function validateTree(constructs: readonly IConstruct[]): void {
  const errors: string[] = [];
  for (const c of constructs) {
    for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
  }
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
}
