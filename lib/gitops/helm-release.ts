import { Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as helm from '../../imports/helm.toolkit.fluxcd.io';
import { meshError } from '../private/errors';
import { fluxDuration } from '../private/flux-duration';
import { checkDnsLabel, checkDnsSubdomain, checkInteger } from '../private/validate';
import { addWarning } from '../private/warnings';
import { HealthCheck } from './kustomization';
import {
  checkNoCycle, checkSourcePath, fluxNamespaceOf, ISource, renderDependsOn, renderSourceRef, sortByNamespaceAndName, SourceKind,
} from './source';

const CHART_SOURCES = [SourceKind.HELM_REPOSITORY, SourceKind.GIT_REPOSITORY, SourceKind.BUCKET];
const EXACT_SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/**
 * What Helm does with the CRDs in a chart's `crds/` directory.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#crds
 */
export enum CrdPolicy {
  /** Neither create nor update CRDs. */
  SKIP = 'Skip',
  /** Create missing CRDs; never update existing ones. */
  CREATE = 'Create',
  /** Create missing CRDs and replace existing ones with the chart's (never deletes them). */
  CREATE_REPLACE = 'CreateReplace',
}

/**
 * How helm-controller treats changes made to the release's objects in the cluster.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#drift-detection
 */
export enum DriftDetectionMode {
  /** Detect drift and correct it (re-apply the release). */
  ENABLED = 'enabled',
  /** Detect drift and only report it (events, logs). */
  WARN = 'warn',
  /** Do not look for drift. */
  DISABLED = 'disabled',
}

/** Options of the Helm install action. */
export interface HelmInstallOptions {
  /**
   * What to do with the chart's `crds/` directory on install.
   * @default - Flux's default, CrdPolicy.CREATE
   */
  readonly crds?: CrdPolicy;
  /**
   * Create `targetNamespace` when it does not exist (it is not deleted on uninstall).
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * How often to retry a failed install (uninstalling between attempts); -1 retries forever.
   * @default - Flux's default, 0 (no retries)
   */
  readonly remediationRetries?: number;
}

/** Options of the Helm upgrade action. */
export interface HelmUpgradeOptions {
  /**
   * What to do with the chart's `crds/` directory on upgrade. Use CrdPolicy.CREATE_REPLACE for charts that ship
   * their CRDs there, or new CRD versions are never applied.
   * @default - Flux's default, CrdPolicy.SKIP
   */
  readonly crds?: CrdPolicy;
  /**
   * How often to retry a failed upgrade (rolling back between attempts); -1 retries forever.
   * @default - Flux's default, 0 (no retries)
   */
  readonly remediationRetries?: number;
}

/** Options of a `ValuesFrom` reference. */
export interface ValuesFromOptions {
  /**
   * The data key holding the values (a YAML document, or a single value when `targetPath` is set).
   * @default "values.yaml"
   */
  readonly valuesKey?: string;
  /**
   * Dot-notation path (e.g. "auth.password" or "ingress.hosts[0]") to merge a single value at.
   * @default - the values document is merged at the root
   */
  readonly targetPath?: string;
  /**
   * Carry on when the object or key does not exist.
   * @default false
   */
  readonly optional?: boolean;
}

/**
 * Helm values read from a ConfigMap or Secret in the HelmRelease's namespace, merged in list order before
 * `values`. Enum-like: `ValuesFrom.configMap('podinfo-values')`, `ValuesFrom.secret('db', { ... })`.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#values-references
 */
export class ValuesFrom {
  /** Values from a ConfigMap. */
  public static configMap(name: string, options: ValuesFromOptions = {}): ValuesFrom {
    return new ValuesFrom(helm.HelmReleaseSpecValuesFromKind.CONFIG_MAP, name, options);
  }

  /** Values from a Secret (the library never writes its data). */
  public static secret(name: string, options: ValuesFromOptions = {}): ValuesFrom {
    return new ValuesFrom(helm.HelmReleaseSpecValuesFromKind.SECRET, name, options);
  }

  private constructor(
    private readonly _kind: helm.HelmReleaseSpecValuesFromKind,
    /** Name of the ConfigMap or Secret. */
    public readonly name: string,
    private readonly _options: ValuesFromOptions,
  ) {}

  /** "ConfigMap" or "Secret". */
  public get kind(): string {
    return this._kind;
  }

  /** @internal */
  public _toKube(scope: IConstruct, field: string): helm.HelmReleaseSpecValuesFrom {
    const { valuesKey, targetPath, optional } = this._options;
    if (valuesKey !== undefined && (!/^[-._a-zA-Z0-9]+$/.test(valuesKey) || valuesKey.length > 253)) {
      throw meshError(scope, `${field}.valuesKey`, 'must be a ConfigMap/Secret data key (letters, digits, "-", "_", ".")', valuesKey,
        'pass the key name, e.g. "values.yaml"');
    }
    if (targetPath !== undefined && (!/^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$/.test(targetPath) || targetPath.length > 250)) {
      throw meshError(scope, `${field}.targetPath`, 'must be a dot-notation values path', targetPath,
        'pass a path such as "auth.password" or "ingress.hosts[0]"');
    }
    return {
      kind: this._kind,
      name: checkDnsSubdomain(scope, `${field}.name`, this.name),
      valuesKey,
      targetPath,
      optional: optional || undefined,
    };
  }
}

/** Properties of a Flux HelmRelease. */
export interface HelmReleaseProps {
  /**
   * Where the chart comes from: a HelmRepository (construct or `HelmRepository.fromHelmRepositoryName()`), or a
   * GitRepository/Bucket holding the chart's directory (the chart is then rebuilt on every new source revision).
   */
  readonly sourceRef: ISource;
  /** The chart name in a HelmRepository, or the chart's directory ("./charts/podinfo") in a GitRepository/Bucket. */
  readonly chart: string;
  /**
   * The exact chart version, e.g. "1.30.3" or "v1.21.1" (as the repository spells it). Ranges are refused: the
   * deployed version must only change through a commit. Required for a HelmRepository; must be left out for a
   * GitRepository/Bucket, where the source's ref pins the chart.
   * @default - none (only for GitRepository/Bucket sources)
   */
  readonly version?: string;
  /**
   * The Helm release name (at most 53 characters).
   * @default - Flux's default, "[<targetNamespace>-]<name>"
   */
  readonly releaseName?: string;
  /**
   * The namespace the chart's objects are installed into.
   * @default - the HelmRelease's namespace
   */
  readonly targetNamespace?: string;
  /**
   * The namespace where Helm stores the release's history Secrets.
   * @default - the HelmRelease's namespace
   */
  readonly storageNamespace?: string;
  /**
   * Options of the install action.
   * @default - Flux's defaults
   */
  readonly install?: HelmInstallOptions;
  /**
   * Options of the upgrade action.
   * @default - Flux's defaults
   */
  readonly upgrade?: HelmUpgradeOptions;
  /**
   * How often Flux reconciles the release (and corrects drift when enabled).
   * @default Duration.minutes(10)
   */
  readonly interval?: Duration;
  /**
   * Timeout of each Kubernetes operation of a Helm action (e.g. hook Jobs).
   * @default - Flux's default, 5m
   */
  readonly timeout?: Duration;
  /**
   * Helm values: a plain JSON object (strings, finite numbers, booleans, arrays, plain objects). Keys set to
   * undefined are left out; null is refused, because cdk8s drops it from the output. More with `addValues()`.
   * @default - the chart's defaults
   */
  readonly values?: Record<string, unknown>;
  /**
   * Values from ConfigMaps and Secrets, merged in order before `values`. More with `addValuesFrom()`.
   * @default - none
   */
  readonly valuesFrom?: ValuesFrom[];
  /**
   * HelmReleases that must be Ready before this one is installed or upgraded. More with `addDependsOn()`.
   * @default - none
   */
  readonly dependsOn?: HelmRelease[];
  /**
   * Whether helm-controller detects (and corrects) changes made in the cluster.
   * @default - Flux's default, DriftDetectionMode.DISABLED
   */
  readonly driftDetection?: DriftDetectionMode;
  /**
   * metadata.name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * metadata.namespace.
   * @default - the chart's namespace, else "flux-system"
   */
  readonly namespace?: string;
}

/**
 * A Flux HelmRelease (helm.toolkit.fluxcd.io/v2): helm-controller installs a pinned chart version with the
 * given values, upgrades it when the version or values change, and remediates failures.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/
 */
export class HelmRelease extends Construct implements HealthCheck {
  public readonly apiVersion = helm.HelmRelease.GVK.apiVersion;
  public readonly kind = helm.HelmRelease.GVK.kind;
  public readonly name: string;
  public readonly namespace: string;
  /** The chart name or path. */
  public readonly chart: string;
  /** The pinned chart version (undefined for GitRepository/Bucket sources). */
  public readonly version: string | undefined;
  /** The generated L1, for escape hatches. */
  public readonly resource: helm.HelmRelease;

  private readonly _dependsOn = new Set<HelmRelease>();
  private readonly _values: ValuesPart<Record<string, unknown>>[] = [];
  private readonly _valuesFrom: ValuesPart<ValuesFrom[]>[] = [];
  private readonly _static: Omit<helm.HelmReleaseSpec, 'dependsOn'>;

  constructor(scope: Construct, id: string, props: HelmReleaseProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', fluxNamespaceOf(this, props.namespace));
    const sourceRef = renderSourceRef(this, 'sourceRef', props.sourceRef, this.namespace, CHART_SOURCES);
    const fromRepository = props.sourceRef.kind === SourceKind.HELM_REPOSITORY;
    this.chart = fromRepository ? this._checkChartName(props.chart) : checkSourcePath(this, 'chart', props.chart);
    this.version = this._checkVersion(props.version, fromRepository);

    const targetNamespace = props.targetNamespace === undefined ? undefined : checkDnsLabel(this, 'targetNamespace', props.targetNamespace);
    const releaseName = props.releaseName === undefined ? undefined : this._checkReleaseName(props.releaseName);
    const defaultName = `${targetNamespace ? `${targetNamespace}-` : ''}${this.name}`;
    if (!releaseName && defaultName.length > 53) {
      addWarning(this, 'gitops:release-name-shortened',
        `the default Helm release name ${JSON.stringify(defaultName)} is longer than 53 characters, so Flux shortens it with a hash; `
        + 'set releaseName');
    }
    if (props.install?.createNamespace && !targetNamespace) {
      addWarning(this, 'gitops:create-namespace-without-target',
        'install.createNamespace has no effect without targetNamespace (the HelmRelease\'s own namespace must exist already)');
    }

    this._static = {
      chart: {
        spec: {
          chart: this.chart,
          version: this.version,
          sourceRef: { ...sourceRef, kind: sourceRef.kind as string as helm.HelmReleaseSpecChartSpecSourceRefKind },
          reconcileStrategy: fromRepository ? undefined : helm.HelmReleaseSpecChartSpecReconcileStrategy.REVISION,
        },
      },
      interval: fluxDuration(this, 'interval', props.interval ?? Duration.minutes(10)),
      timeout: props.timeout && fluxDuration(this, 'timeout', props.timeout),
      releaseName,
      targetNamespace,
      storageNamespace: props.storageNamespace === undefined ? undefined : checkDnsLabel(this, 'storageNamespace', props.storageNamespace),
      install: this._renderInstall(props.install),
      upgrade: this._renderUpgrade(props.upgrade),
      values: undefined, // rendered by _toKube(), from addValues()
      valuesFrom: undefined, // rendered by _toKube(), from addValuesFrom()
      driftDetection: props.driftDetection === undefined ? undefined
        : { mode: props.driftDetection as string as helm.HelmReleaseSpecDriftDetectionMode },
    };

    if (props.values !== undefined) this.addValues(props.values);
    if (props.valuesFrom !== undefined) this.addValuesFrom(props.valuesFrom);
    for (const d of props.dependsOn ?? []) this.addDependsOn(d);

    this.resource = new helm.HelmRelease(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._toKube() }) as helm.HelmReleaseSpec,
    });
  }

  /** The HelmReleases this one depends on, in rendering order. */
  public get dependsOn(): HelmRelease[] {
    return sortByNamespaceAndName(this._dependsOn);
  }

  /**
   * Makes Flux install/upgrade this release only after `other` is Ready (e.g. istiod after istio-base). Adding
   * the same one twice has no effect. Throws on a self-dependency or a cycle.
   */
  public addDependsOn(other: HelmRelease): this {
    checkNoCycle(this, 'dependsOn', this, other, (r) => r._dependsOn);
    this._dependsOn.add(other);
    return this;
  }

  /**
   * Deep-merges `values` into the release's Helm values (`spec.values`, rendered at synthesis with sorted keys).
   * Objects are merged key by key; strings, numbers, booleans and lists are leaves. Lists are replaced as a whole,
   * never merged element by element (as Helm does with a chart's lists), so a list set by two calls must be equal.
   * Setting a leaf that `values` or another call already set to a different value throws, naming both constructs:
   * values are never overridden silently (setting the same value again is fine).
   *
   * `values`, or any part of it, may be a `Lazy.any({ produce })` for values that depend on later calls; it is
   * produced at synthesis, and conflicts in what it produces are reported then.
   * @param values plain JSON data, as in `HelmReleaseProps.values`
   * @param owner the construct the values come from, named in conflict errors (default: this HelmRelease)
   */
  public addValues(values: Record<string, unknown>, owner: IConstruct = this): this {
    const lazy = containsLazy(values);
    const part = { owner, lazy, data: lazy ? values : checkRoot(this, 'values', values) };
    if (!lazy) this._mergeValues([...this._values.filter((p) => !p.lazy), part]);
    this._values.push(part);
    return this;
  }

  /**
   * Appends values references (`spec.valuesFrom`): Flux merges them in this order, then `values` on top. A
   * reference equal to one already added is kept once; two different references with the same `targetPath`
   * throw, naming both constructs (the later one would silently win).
   *
   * The list, or any entry, may be a `Lazy.any({ produce })` returning a `ValuesFrom` (list) for references that
   * depend on later calls; it is produced at synthesis, and conflicts in what it produces are reported then.
   * @param valuesFrom the references, in merge order
   * @param owner the construct the references come from, named in conflict errors (default: this HelmRelease)
   */
  public addValuesFrom(valuesFrom: ValuesFrom[], owner: IConstruct = this): this {
    const lazy = valuesFrom instanceof Lazy || (Array.isArray(valuesFrom) && valuesFrom.some((v) => v instanceof Lazy));
    const part = { owner, lazy, data: lazy ? valuesFrom : [valuesFrom].flat() };
    if (!lazy) this._mergeValuesFrom([...this._valuesFrom.filter((p) => !p.lazy), part]);
    this._valuesFrom.push(part);
    return this;
  }

  /** @internal */
  public _toKube(): helm.HelmReleaseSpec {
    const values = sortKeys(this._mergeValues(this._values)) as Record<string, unknown>;
    const valuesFrom = this._mergeValuesFrom(this._valuesFrom);
    return {
      ...this._static,
      values: Object.keys(values).length ? values : undefined,
      valuesFrom: valuesFrom.length ? valuesFrom : undefined,
      dependsOn: renderDependsOn(this._dependsOn, this.namespace),
    };
  }

  /** The deep merge of `parts` (lazy ones produced now); throws on two different values for one leaf. */
  private _mergeValues(parts: readonly ValuesPart<Record<string, unknown>>[]): Record<string, unknown> {
    const merged: Record<string, unknown> = {};
    const owners = new Map<string, IConstruct>();
    const merge = (into: Record<string, unknown>, from: Record<string, unknown>, owner: IConstruct, path: string[]): void => {
      for (const [k, v] of Object.entries(from)) {
        const at = [...path, k];
        if (!Object.prototype.hasOwnProperty.call(into, k)) {
          into[k] = structuredClone(v);
          owners.set(JSON.stringify(at), owner);
        } else if (isPlainObject(into[k]) && isPlainObject(v)) {
          merge(into[k] as Record<string, unknown>, v, owner, at);
        } else if (JSON.stringify(sortKeys(into[k])) !== JSON.stringify(sortKeys(v))) {
          let first: IConstruct | undefined;
          for (let n = at.length; !first && n > 0; n--) first = owners.get(JSON.stringify(at.slice(0, n)));
          const [a, b] = [pathOf(first ?? this), pathOf(owner)];
          const problem = a === b ? `is set twice by ${a}, to different values` : `is set by ${a} and by ${b}, to different values`;
          throw meshError(this, at.reduce(fieldOf, 'values'), problem, a === b ? [into[k], v] : { [a]: into[k], [b]: v },
            'set it in one place, or to the same value everywhere (values are merged, never overridden)');
        }
      }
    };
    for (const p of parts) merge(merged, p.lazy ? checkRoot(this, 'values', produce(p.data)) : p.data, p.owner, []);
    return merged;
  }

  /** The references of `parts` in order (lazy ones produced now), duplicates once; throws on two for one targetPath. */
  private _mergeValuesFrom(parts: readonly ValuesPart<ValuesFrom[]>[]): helm.HelmReleaseSpecValuesFrom[] {
    const out: Array<{ entry: helm.HelmReleaseSpecValuesFrom; owner: IConstruct }> = [];
    for (const p of parts) {
      const produced = p.lazy ? produce(p.data) : p.data;
      for (const v of produced === undefined ? [] : [produced].flat() as unknown[]) {
        const field = `valuesFrom[${out.length}]`;
        if (!(v instanceof ValuesFrom)) {
          throw meshError(this, field, 'must be a ValuesFrom', typeof v === 'object' ? v?.constructor?.name ?? v : v,
            'pass ValuesFrom.configMap() or ValuesFrom.secret()');
        }
        const entry = v._toKube(this, field);
        if (out.some((o) => JSON.stringify(o.entry) === JSON.stringify(entry))) continue;
        const clash = entry.targetPath === undefined ? undefined : out.find((o) => o.entry.targetPath === entry.targetPath);
        if (clash) {
          const [a, b] = [pathOf(clash.owner), pathOf(p.owner)];
          const problem = `is set by ${b} and is also the targetPath of ${clash.entry.kind}/${clash.entry.name} set by ${a}`
            + ' (the later one would silently win)';
          throw meshError(this, `${field}.targetPath`, problem, entry.targetPath, 'give each value one source: remove one of the references');
        }
        out.push({ entry, owner: p.owner });
      }
    }
    return out.map((o) => o.entry);
  }

  private _checkChartName(chart: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(chart) || chart.length > 2048) {
      throw meshError(this, 'chart', 'must be a chart name in the HelmRepository (letters, digits, "-", "_", ".")', chart,
        'pass the bare chart name such as "cert-manager"; put registry paths into the HelmRepository url and versions into version');
    }
    return chart;
  }

  private _checkVersion(version: string | undefined, fromRepository: boolean): string | undefined {
    if (!fromRepository) {
      if (version !== undefined) {
        throw meshError(this, 'version', 'is ignored by Flux for charts from a GitRepository or Bucket', version,
          'remove version: the source\'s ref (e.g. GitRef.tag()) pins the chart');
      }
      return undefined;
    }
    if (version === undefined) {
      throw meshError(this, 'version', 'must pin the chart version (without it Flux installs the latest)', version,
        'pass the exact version, e.g. version: "1.30.3"');
    }
    if (!EXACT_SEMVER.test(version)) {
      const exact = /v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?/.exec(version)?.[0];
      throw meshError(this, 'version', 'must be an exact version, not a range (the deployed version must only change through a commit)',
        version, `pin one version${exact ? ` such as ${JSON.stringify(exact)}` : ', e.g. "1.30.3"'}`
        + ` (list them with \`helm search repo ${this.chart} --versions\`)`);
    }
    return version;
  }

  private _checkReleaseName(name: string): string {
    checkDnsSubdomain(this, 'releaseName', name);
    if (name.length > 53) {
      throw meshError(this, 'releaseName', 'must be at most 53 characters (Helm\'s limit)', name, 'pass a shorter name');
    }
    return name;
  }

  private _renderInstall(o: HelmInstallOptions | undefined): helm.HelmReleaseSpecInstall | undefined {
    if (!o) return undefined;
    const out: helm.HelmReleaseSpecInstall = {
      crds: o.crds as string as helm.HelmReleaseSpecInstallCrds | undefined,
      createNamespace: o.createNamespace || undefined,
      remediation: o.remediationRetries === undefined ? undefined
        : { retries: checkInteger(this, 'install.remediationRetries', o.remediationRetries, -1) },
    };
    return Object.values(out).some((v) => v !== undefined) ? out : undefined;
  }

  private _renderUpgrade(o: HelmUpgradeOptions | undefined): helm.HelmReleaseSpecUpgrade | undefined {
    if (!o) return undefined;
    const out: helm.HelmReleaseSpecUpgrade = {
      crds: o.crds as string as helm.HelmReleaseSpecUpgradeCrds | undefined,
      remediation: o.remediationRetries === undefined ? undefined
        : { retries: checkInteger(this, 'upgrade.remediationRetries', o.remediationRetries, -1) },
    };
    return Object.values(out).some((v) => v !== undefined) ? out : undefined;
  }
}

/** Values or references given to `addValues()`/`addValuesFrom()`, lazy when they contain a `Lazy`. */
interface ValuesPart<T> {
  readonly owner: IConstruct;
  readonly lazy: boolean;
  readonly data: T;
}

const pathOf = (c: IConstruct): string => c.node.path || '<root>';
const fieldOf = (field: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`);
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether `value` is or contains a cdk8s `Lazy` (cycles are reported later, by checkValues). */
function containsLazy(value: unknown, seen = new Set<object>()): boolean {
  if (value instanceof Lazy) return true;
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((v) => containsLazy(v, seen));
}

/** `value` with every `Lazy` in it produced (recursively). */
function produce(value: unknown): unknown {
  if (value instanceof Lazy) return produce(value.produce());
  if (Array.isArray(value)) return value.map(produce);
  if (isPlainObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, produce(v)]));
  }
  return value;
}

/** A deep copy with object keys in code-unit order, so that the output does not depend on the order of calls. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
  return out;
}

/** Checked plain JSON values (see checkValues) of an object of Helm values; undefined counts as no values. */
function checkRoot(scope: IConstruct, field: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw meshError(scope, field, 'must be an object of Helm values', value, 'pass an object such as { replicaCount: 2 }');
  }
  return checkValues(scope, field, value) as Record<string, unknown>;
}

/**
 * A deep copy of plain JSON Helm values; throws `meshError` on anything YAML would not carry faithfully
 * (null, NaN/Infinity, functions, symbols, bigints, class instances, cycles, holes in arrays).
 */
function checkValues(scope: IConstruct, field: string, value: unknown, stack: object[] = []): unknown {
  const fix = 'pass plain JSON data: strings, finite numbers, booleans, arrays and plain objects';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) {
        throw meshError(scope, field, 'must be a finite number', value, `${fix} (write "${value}" as a string if the chart wants the text)`);
      }
      return value;
    case 'undefined':
      throw meshError(scope, field, 'must not be undefined inside an array', value, 'remove the entry from the array');
    case 'function':
    case 'symbol':
    case 'bigint':
      throw meshError(scope, field, `must be JSON data, not a ${typeof value}`,
        `${typeof value} ${String((value as { name?: string }).name ?? value)}`, fix);
  }
  if (value === null) {
    throw meshError(scope, field, 'must not be null (cdk8s drops null from the output, so the chart default would silently stay)', value,
      'remove the key to keep the chart default, or set an empty value ("", [] or {}) to override it');
  }
  const obj = value as object;
  if (stack.includes(obj)) throw meshError(scope, field, 'must not contain a reference cycle', '[circular]', fix);
  if (Array.isArray(obj)) {
    const out: unknown[] = [];
    for (let i = 0; i < obj.length; i++) out.push(checkValues(scope, `${field}[${i}]`, obj[i], [...stack, obj]));
    return out;
  }
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    throw meshError(scope, field, 'must be a plain object', proto?.constructor?.name ?? 'object', `${fix} (convert it, e.g. date.toISOString())`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out[k] = checkValues(scope, fieldOf(field, k), v, [...stack, obj]);
  }
  return out;
}
