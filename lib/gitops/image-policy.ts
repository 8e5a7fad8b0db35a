import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as image from '../../imports/image.toolkit.fluxcd.io';
import { meshError } from '../private/errors';
import { fluxDuration } from '../private/flux-duration';
import { checkDnsLabel, checkDnsSubdomain } from '../private/validate';
import { addWarning } from '../private/warnings';
import { IImageRepository } from './image-repository';
import { checkSemverRange, fluxNamespaceOf } from './source';
import { ImageSetterMarker, markImage, UpdateImageOptions } from './image-setter';

/** Sort order of the alphabetical and numerical policies: which end of the sorted tags wins. */
export enum SortOrder {
  /** Ascending: the last tag wins (the highest number, "z" over "a"). */
  ASC = 'asc',
  /** Descending: the first tag wins (the lowest number, "a" over "z"). */
  DESC = 'desc',
}

/**
 * How an ImagePolicy picks the latest tag. Enum-like: `ImagePolicyChoice.semver('>=1.0.0')`,
 * `ImagePolicyChoice.alphabetical()`, `ImagePolicyChoice.numerical()`.
 * @see https://fluxcd.io/flux/components/image/imagepolicies/#policy
 */
export class ImagePolicyChoice {
  /** The highest tag that is a semver version inside `range` (e.g. ">=1.0.0", "~1.2", "1.x"). */
  public static semver(range: string): ImagePolicyChoice {
    return new ImagePolicyChoice('semver', (scope, field) => ({ semver: { range: checkSemverRange(scope, `${field}.semver.range`, range) } }));
  }

  /** The last tag in alphabetical order (e.g. RFC 3339 timestamps); DESC picks the first. */
  public static alphabetical(order: SortOrder = SortOrder.ASC): ImagePolicyChoice {
    return new ImagePolicyChoice('alphabetical', () => ({
      alphabetical: { order: order as string as image.ImagePolicySpecPolicyAlphabeticalOrder },
    }));
  }

  /** The highest tag read as a number (e.g. build numbers, Unix timestamps); DESC picks the lowest. */
  public static numerical(order: SortOrder = SortOrder.ASC): ImagePolicyChoice {
    return new ImagePolicyChoice('numerical', () => ({ numerical: { order: order as string as image.ImagePolicySpecPolicyNumericalOrder } }));
  }

  private constructor(
    /** semver, alphabetical or numerical. */
    public readonly type: string,
    private readonly _render: (scope: IConstruct, field: string) => image.ImagePolicySpecPolicy,
  ) {}

  /** @internal */
  public _toKube(scope: IConstruct, field: string): image.ImagePolicySpecPolicy {
    return this._render(scope, field);
  }
}

/**
 * Whether the ImagePolicy also resolves the digest of the chosen tag. Enum-like: `DigestReflection.NEVER`,
 * `DigestReflection.IF_NOT_PRESENT`, `DigestReflection.always(Duration.minutes(10))`.
 * @see https://fluxcd.io/flux/components/image/imagepolicies/#digest-reflection-policy
 */
export class DigestReflection {
  /** Do not resolve digests (Flux's default); the `digest` setter marker is then unavailable. */
  public static readonly NEVER = new DigestReflection(image.ImagePolicySpecDigestReflectionPolicy.NEVER);
  /** Resolve the digest once per tag. */
  public static readonly IF_NOT_PRESENT = new DigestReflection(image.ImagePolicySpecDigestReflectionPolicy.IF_NOT_PRESENT);
  /** Re-resolve the digest every `interval` (for mutable tags such as "latest"). */
  public static always(interval: Duration): DigestReflection {
    return new DigestReflection(image.ImagePolicySpecDigestReflectionPolicy.ALWAYS, interval);
  }

  private constructor(
    /** Never, IfNotPresent or Always. */
    public readonly policy: string,
    /** How often the digest is re-resolved (Always only). */
    public readonly interval?: Duration,
  ) {}
}

/** Which part of the chosen image a setter marker writes. */
export enum ImagePolicySetter {
  /** The whole reference, "<image>:<tag>" (with "@<digest>" when digests are reflected). */
  IMAGE = 'image',
  /** The image name without tag: "<image>". */
  NAME = 'name',
  /** The tag only. */
  TAG = 'tag',
  /** The digest only ("sha256:..."); needs digest reflection. */
  DIGEST = 'digest',
}

/** Which tags an ImagePolicy considers, and what part of them it compares. */
export interface ImageTagFilter {
  /**
   * Regular expression a tag must match (Go RE2 syntax; named groups as `(?P<name>...)` or `(?<name>...)`),
   * e.g. "^main-[a-f0-9]+-(?P<ts>[0-9]+)".
   */
  readonly pattern: string;
  /**
   * What the policy compares, built from the pattern's groups ("$ts", "${version}", "$1").
   * @default - the whole tag
   */
  readonly extract?: string;
}

/** Properties of a Flux ImagePolicy. */
export interface ImagePolicyProps {
  /** The ImageRepository whose tags the policy chooses from. */
  readonly imageRepository: IImageRepository;
  /** How the latest tag is chosen. */
  readonly policy: ImagePolicyChoice;
  /**
   * Only consider tags matching a pattern, and compare an extracted part of them.
   * @default - every tag, compared whole
   */
  readonly filterTags?: ImageTagFilter;
  /**
   * Whether the digest of the chosen tag is resolved too.
   * @default DigestReflection.NEVER
   */
  readonly digestReflection?: DigestReflection;
  /**
   * metadata.name. Setter markers name the policy as "<namespace>:<name>".
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * metadata.namespace; an ImageUpdateAutomation only uses policies in its own namespace.
   * @default - the chart's namespace, else "flux-system"
   */
  readonly namespace?: string;
}

/**
 * A Flux ImagePolicy (image.toolkit.fluxcd.io/v1): picks the latest image tag of an ImageRepository, which an
 * ImageUpdateAutomation writes into the manifests at its setter markers (`setterMarker()`).
 * @see https://fluxcd.io/flux/components/image/imagepolicies/
 */
export class ImagePolicy extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The digest reflection policy. */
  public readonly digestReflection: DigestReflection;
  /** The generated L1, for escape hatches. */
  public readonly resource: image.ImagePolicy;

  constructor(scope: Construct, id: string, props: ImagePolicyProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', fluxNamespaceOf(this, props.namespace));
    this.digestReflection = props.digestReflection ?? DigestReflection.NEVER;
    const repo = props.imageRepository;
    if (repo.namespace !== this.namespace) {
      addWarning(this, 'gitops:cross-namespace-image-repository',
        `ImageRepository ${repo.namespace}/${repo.name} is in another namespace: it must grant access with spec.accessFrom, `
        + `or Flux refuses the reference; simpler: put the ImagePolicy in ${JSON.stringify(repo.namespace)}`);
    }
    const reflection = this.digestReflection;
    const explicitReflection = props.digestReflection !== undefined && reflection !== DigestReflection.NEVER;

    this.resource = new image.ImagePolicy(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        imageRepositoryRef: {
          name: checkDnsSubdomain(this, 'imageRepository.name', repo.name),
          namespace: repo.namespace === this.namespace ? undefined : checkDnsLabel(this, 'imageRepository.namespace', repo.namespace),
        },
        policy: props.policy._toKube(this, 'policy'),
        filterTags: props.filterTags && this._checkFilter(props.filterTags),
        digestReflectionPolicy: explicitReflection ? reflection.policy as image.ImagePolicySpecDigestReflectionPolicy : undefined,
        interval: reflection.interval && fluxDuration(this, 'digestReflection.interval', reflection.interval),
      },
    });
  }

  /**
   * The Flux setter marker for this policy, e.g. `{"$imagepolicy": "flux-system:podinfo:tag"}`. Put it as a line
   * comment (`# ` + marker) after the YAML value it updates; ImageUpdateAutomation rewrites that value.
   * @see https://fluxcd.io/flux/guides/image-update/#configure-image-update-for-custom-resources
   */
  /**
   * Lets Flux's image automation update a workload's container image from this policy: puts the whole-image
   * setter marker on that `image:` line of the output. The next synth keeps a tag Flux committed there, as long
   * as the program names the same image repository.
   */
  public updateImageOf(workload: IConstruct, options: UpdateImageOptions = {}): ImageSetterMarker {
    return markImage(this, this.setterMarker(ImagePolicySetter.IMAGE), workload, options);
  }

  public setterMarker(setter: ImagePolicySetter = ImagePolicySetter.IMAGE): string {
    if (setter === ImagePolicySetter.DIGEST && this.digestReflection === DigestReflection.NEVER) {
      throw meshError(this, 'setterMarker', 'needs digest reflection for the digest setter (Flux only knows the digest when it resolves it)',
        setter, 'pass digestReflection: DigestReflection.IF_NOT_PRESENT (or always()) to the ImagePolicy');
    }
    const suffix = setter === ImagePolicySetter.IMAGE ? '' : `:${setter}`;
    return `{"$imagepolicy": "${this.namespace}:${this.name}${suffix}"}`;
  }

  private _checkFilter(filter: ImageTagFilter): image.ImagePolicySpecFilterTags {
    // Go RE2 → JavaScript: (?P<name>...) is (?<name>...); whole-pattern flags such as (?i) do not change the groups.
    const js = filter.pattern.replace(/\(\?P</g, '(?<').replace(/\(\?[imsU]+\)/g, '');
    let empty: RegExpExecArray;
    try {
      empty = new RegExp(`${js}|`).exec('')!; // matches the empty string, so it lists every group
    } catch (e) {
      throw meshError(this, 'filterTags.pattern', `must be a valid regular expression (${(e as Error).message})`, filter.pattern,
        'fix the expression, e.g. "^main-[a-f0-9]+-(?P<ts>[0-9]+)"');
    }
    if (filter.extract !== undefined) {
      const groups = Object.keys(empty.groups ?? {});
      for (const m of filter.extract.matchAll(/\$(?:\{(\w+)\}|(\w+))/g)) {
        const ref = m[1] ?? m[2];
        const ok = /^\d+$/.test(ref) ? Number(ref) < empty.length : groups.includes(ref);
        if (!ok) {
          throw meshError(this, 'filterTags.extract', `refers to group ${JSON.stringify(ref)}, which the pattern does not have`, filter.extract,
            `name the group in the pattern, e.g. (?P<${/^\d+$/.test(ref) ? 'ts' : ref}>[0-9]+), `
            + `or use one of: ${['$0', ...groups.map((g) => `$${g}`)].join(', ')}`);
        }
      }
    }
    return { pattern: filter.pattern, extract: filter.extract };
  }
}
