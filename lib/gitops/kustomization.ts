import { Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as kustomize from '../../imports/kustomize.toolkit.fluxcd.io';
import { meshError } from '../private/errors';
import { fluxDuration } from '../private/flux-duration';
import { checkDnsLabel, checkDnsSubdomain } from '../private/validate';
import {
  checkNoCycle, checkSourcePath, fluxNamespaceOf, ISource, renderDependsOn, renderSourceRef, sortByNamespaceAndName, SourceKind,
} from './source';

const KUSTOMIZATION_SOURCES = [SourceKind.GIT_REPOSITORY, SourceKind.OCI_REPOSITORY, SourceKind.BUCKET, SourceKind.EXTERNAL_ARTIFACT];
const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/**
 * An object whose health a Kustomization checks before it reports Ready. `HelmRelease`, `Kustomization`,
 * `GitRepository` and `HelmRepository` constructs have these fields, so they can be passed as they are.
 */
export interface HealthCheck {
  /** apiVersion of the object, e.g. "apps/v1" or "helm.toolkit.fluxcd.io/v2". */
  readonly apiVersion: string;
  /** Kind of the object, e.g. "Deployment". */
  readonly kind: string;
  /** metadata.name of the object. */
  readonly name: string;
  /**
   * metadata.namespace of the object.
   * @default - none (a cluster-scoped object)
   */
  readonly namespace?: string;
}

/** Options of a `SubstituteFrom` reference. */
export interface SubstituteFromOptions {
  /**
   * Carry on when the ConfigMap/Secret does not exist (its variables are then unset).
   * @default false
   */
  readonly optional?: boolean;
}

/**
 * A ConfigMap or Secret (in the Kustomization's namespace) whose data keys become post-build variables.
 * Enum-like: `SubstituteFrom.configMap('cluster-vars')`, `SubstituteFrom.secret('cluster-secrets')`.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution
 */
export class SubstituteFrom {
  /** Variables from a ConfigMap. */
  public static configMap(name: string, options: SubstituteFromOptions = {}): SubstituteFrom {
    return new SubstituteFrom(kustomize.KustomizationSpecPostBuildSubstituteFromKind.CONFIG_MAP, name, options.optional ?? false);
  }

  /** Variables from a Secret (its data is never written by the library). */
  public static secret(name: string, options: SubstituteFromOptions = {}): SubstituteFrom {
    return new SubstituteFrom(kustomize.KustomizationSpecPostBuildSubstituteFromKind.SECRET, name, options.optional ?? false);
  }

  private constructor(
    private readonly _kind: kustomize.KustomizationSpecPostBuildSubstituteFromKind,
    /** Name of the ConfigMap or Secret. */
    public readonly name: string,
    /** Whether a missing object is tolerated. */
    public readonly optional: boolean,
  ) {}

  /** "ConfigMap" or "Secret". */
  public get kind(): string {
    return this._kind;
  }

  /** @internal */
  public _toKube(scope: IConstruct, field: string): kustomize.KustomizationSpecPostBuildSubstituteFrom {
    return { kind: this._kind, name: checkDnsSubdomain(scope, `${field}.name`, this.name), optional: this.optional || undefined };
  }
}

/** Options of SOPS decryption. */
export interface SopsDecryptionOptions {
  /**
   * Secret in the Kustomization's namespace with the private keys (age, GPG) or cloud KMS credentials.
   * @default - no Secret: keys come from the controller's cloud identity (KMS)
   */
  readonly secretName?: string;
}

/**
 * How a Kustomization decrypts secrets before it applies them. Enum-like: `Decryption.sops({ secretName })`.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#decryption
 */
export class Decryption {
  /** Decrypt SOPS-encrypted manifests. */
  public static sops(options: SopsDecryptionOptions = {}): Decryption {
    return new Decryption(options.secretName);
  }

  private constructor(
    /** Name of the Secret with the keys, if any. */
    public readonly secretName: string | undefined,
  ) {}

  /** @internal */
  public _toKube(scope: IConstruct, field: string): kustomize.KustomizationSpecDecryption {
    return {
      provider: kustomize.KustomizationSpecDecryptionProvider.SOPS,
      secretRef: this.secretName === undefined ? undefined : { name: checkDnsSubdomain(scope, `${field}.secretName`, this.secretName) },
    };
  }
}

/** Properties of a Flux Kustomization. */
export interface KustomizationProps {
  /** The source with the manifests: a GitRepository (construct or `GitRepository.fromGitRepositoryName()`). */
  readonly sourceRef: ISource;
  /**
   * Directory inside the source with a kustomization.yaml or plain YAML files. Starts with "./"; no ".." segments.
   * @default "./" (the source root)
   */
  readonly path?: string;
  /**
   * Delete objects that were removed from the source.
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Wait for every applied object to become ready (then `healthChecks` are not allowed: Flux ignores them).
   * @default true
   */
  readonly wait?: boolean;
  /**
   * How often Flux re-applies the source (drift correction).
   * @default Duration.minutes(10)
   */
  readonly interval?: Duration;
  /**
   * How soon Flux retries a failed reconciliation.
   * @default Duration.minutes(1)
   */
  readonly retryInterval?: Duration;
  /**
   * Timeout of build, apply and health checks.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Objects whose health decides whether the Kustomization is Ready; needs `wait: false`. More with `addHealthCheck()`.
   * @default - none
   */
  readonly healthChecks?: HealthCheck[];
  /**
   * Kustomizations that must be Ready before this one is applied. More with `addDependsOn()`.
   * @default - none
   */
  readonly dependsOn?: Kustomization[];
  /**
   * Post-build variables: `${name}` in the manifests is replaced by the value. Names match `^[_a-zA-Z][_a-zA-Z0-9]*$`.
   * @default - none
   * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution
   */
  readonly substitute?: Record<string, string>;
  /**
   * ConfigMaps and Secrets whose data become post-build variables; later entries override earlier ones, and
   * `substitute` overrides them all.
   * @default - none
   */
  readonly substituteFrom?: SubstituteFrom[];
  /**
   * Decrypt SOPS-encrypted Secrets before applying them.
   * @default - no decryption
   */
  readonly decryption?: Decryption;
  /**
   * Put every namespaced object into this namespace (overrides the manifests' own).
   * @default - the namespaces in the manifests
   */
  readonly targetNamespace?: string;
  /**
   * Recreate objects whose immutable fields changed (e.g. a Deployment selector) instead of failing.
   * @default false
   */
  readonly force?: boolean;
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
 * A Flux Kustomization (kustomize.toolkit.fluxcd.io/v1): applies the manifests under a path of a source,
 * prunes what was removed, and waits for health.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
export class Kustomization extends Construct implements HealthCheck {
  public readonly apiVersion = kustomize.Kustomization.GVK.apiVersion;
  public readonly kind = kustomize.Kustomization.GVK.kind;
  public readonly name: string;
  public readonly namespace: string;
  /** The source with the manifests. */
  public readonly sourceRef: ISource;
  /** The path inside the source. */
  public readonly path: string;
  /** Whether Flux waits for every applied object. */
  public readonly wait: boolean;
  /** The generated L1, for escape hatches. */
  public readonly resource: kustomize.Kustomization;

  private readonly _dependsOn = new Set<Kustomization>();
  private readonly _healthChecks = new Map<string, HealthCheck>();
  private readonly _static: Omit<kustomize.KustomizationSpec, 'dependsOn' | 'healthChecks'>;

  constructor(scope: Construct, id: string, props: KustomizationProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', fluxNamespaceOf(this, props.namespace));
    this.sourceRef = props.sourceRef;
    this.path = checkSourcePath(this, 'path', props.path ?? './');
    this.wait = props.wait ?? true;

    const substitute = props.substitute === undefined ? undefined : this._checkSubstitute(props.substitute);
    const substituteFrom = props.substituteFrom?.map((s, i) => s._toKube(this, `substituteFrom[${i}]`));
    const seen = new Set<string>();
    for (const [i, s] of (props.substituteFrom ?? []).entries()) {
      const key = `${s.kind}/${s.name}`;
      if (seen.has(key)) {
        throw meshError(this, `substituteFrom[${i}]`, 'must not list the same object twice', key, `remove the second ${key}`);
      }
      seen.add(key);
    }

    this._static = {
      sourceRef: {
        ...renderSourceRef(this, 'sourceRef', props.sourceRef, this.namespace, KUSTOMIZATION_SOURCES),
        kind: props.sourceRef.kind as string as kustomize.KustomizationSpecSourceRefKind,
      },
      path: this.path,
      prune: props.prune ?? true,
      wait: this.wait,
      interval: fluxDuration(this, 'interval', props.interval ?? Duration.minutes(10)),
      retryInterval: fluxDuration(this, 'retryInterval', props.retryInterval ?? Duration.minutes(1)),
      timeout: fluxDuration(this, 'timeout', props.timeout ?? Duration.minutes(5)),
      postBuild: substitute || substituteFrom?.length
        ? { substitute, substituteFrom: substituteFrom?.length ? substituteFrom : undefined }
        : undefined,
      decryption: props.decryption?._toKube(this, 'decryption'),
      targetNamespace: props.targetNamespace === undefined ? undefined : checkDnsLabel(this, 'targetNamespace', props.targetNamespace),
      force: props.force || undefined,
    };

    for (const h of props.healthChecks ?? []) this.addHealthCheck(h);
    for (const d of props.dependsOn ?? []) this.addDependsOn(d);

    this.resource = new kustomize.Kustomization(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._toKube() }) as kustomize.KustomizationSpec,
    });
  }

  /** The Kustomizations this one depends on, in rendering order. */
  public get dependsOn(): Kustomization[] {
    return sortByNamespaceAndName(this._dependsOn);
  }

  /** The health checks, in rendering order. */
  public get healthChecks(): HealthCheck[] {
    return [...this._healthChecks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, h]) => ({ ...h }));
  }

  /**
   * Makes Flux apply this Kustomization only after `other` is Ready. Adding the same one twice has no effect.
   * Throws on a self-dependency or a cycle.
   */
  public addDependsOn(other: Kustomization): this {
    checkNoCycle(this, 'dependsOn', this, other, (k) => k._dependsOn);
    this._dependsOn.add(other);
    return this;
  }

  /**
   * Adds an object whose health decides whether this Kustomization is Ready (needs `wait: false`). Adding the
   * same object twice has no effect.
   */
  public addHealthCheck(check: HealthCheck): this {
    const i = this._healthChecks.size;
    const field = `healthChecks[${i}]`;
    if (this.wait) {
      throw meshError(this, 'healthChecks', 'are ignored by Flux when wait is true (it then checks every applied object)',
        `${check.kind}/${check.name}`, 'pass wait: false to check only the listed objects, or drop the health checks');
    }
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(check.apiVersion)) {
      throw meshError(this, `${field}.apiVersion`, 'must be an apiVersion like "apps/v1" or "v1"', check.apiVersion,
        'pass the apiVersion of the object to check');
    }
    if (!/^[A-Z][A-Za-z0-9]*$/.test(check.kind)) {
      throw meshError(this, `${field}.kind`, 'must be a Kubernetes kind in PascalCase', check.kind,
        'pass a kind such as "Deployment" or "HelmRelease"');
    }
    checkDnsSubdomain(this, `${field}.name`, check.name);
    if (check.namespace !== undefined) checkDnsLabel(this, `${field}.namespace`, check.namespace);
    const ref: HealthCheck = { apiVersion: check.apiVersion, kind: check.kind, name: check.name, namespace: check.namespace };
    this._healthChecks.set(`${ref.apiVersion}\u0000${ref.kind}\u0000${ref.namespace ?? ''}\u0000${ref.name}`, ref);
    return this;
  }

  /** @internal */
  public _toKube(): kustomize.KustomizationSpec {
    const healthChecks = this.healthChecks;
    return {
      ...this._static,
      dependsOn: renderDependsOn(this._dependsOn, this.namespace),
      healthChecks: healthChecks.length ? healthChecks : undefined,
    };
  }

  private _checkSubstitute(vars: Record<string, string>): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(vars)) {
      if (!VARIABLE_NAME.test(key)) {
        throw meshError(this, 'substitute', 'keys must be variable names matching ^[_a-zA-Z][_a-zA-Z0-9]*$', key,
          `rename the variable, e.g. ${JSON.stringify(key.replace(/[^_a-zA-Z0-9]/g, '_').replace(/^([0-9])/, '_$1') || '_var')}`);
      }
      if (typeof value !== 'string') {
        throw meshError(this, `substitute.${key}`, 'must be a string', value, `quote the value, e.g. ${JSON.stringify(String(value))}`);
      }
      out[key] = value;
    }
    return Object.keys(out).length ? out : undefined;
  }
}
