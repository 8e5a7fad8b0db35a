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
   * undefined are left out; null is refused, because cdk8s drops it from the output.
   * @default - the chart's defaults
   */
  readonly values?: Record<string, unknown>;
  /**
   * Values from ConfigMaps and Secrets, merged in order before `values`.
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

    const values = props.values === undefined ? undefined : checkValues(this, 'values', props.values) as Record<string, unknown>;
    const valuesFrom = props.valuesFrom?.map((v, i) => v._toKube(this, `valuesFrom[${i}]`));

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
      values: values && Object.keys(values).length ? values : undefined,
      valuesFrom: valuesFrom?.length ? valuesFrom : undefined,
      driftDetection: props.driftDetection === undefined ? undefined
        : { mode: props.driftDetection as string as helm.HelmReleaseSpecDriftDetectionMode },
    };

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

  /** @internal */
  public _toKube(): helm.HelmReleaseSpec {
    return { ...this._static, dependsOn: renderDependsOn(this._dependsOn, this.namespace) };
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
    out[k] = checkValues(scope, /^[A-Za-z_$][\w$]*$/.test(k) ? `${field}.${k}` : `${field}[${JSON.stringify(k)}]`, v, [...stack, obj]);
  }
  return out;
}
