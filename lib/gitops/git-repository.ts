import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as source from '../../imports/source.toolkit.fluxcd.io';
import { meshError } from '../private/errors';
import { fluxDuration } from '../private/flux-duration';
import { checkDnsLabel, checkDnsSubdomain } from '../private/validate';
import { checkRepositoryUrl, checkSemverRange, FLUX_NAMESPACE, fluxNamespaceOf, ISource, SourceKind } from './source';

/** Which kind of Git reference a `GitRef` is. */
export enum GitRefType {
  BRANCH = 'branch',
  TAG = 'tag',
  SEMVER = 'semver',
  COMMIT = 'commit',
}

/**
 * The Git reference a GitRepository checks out. Enum-like: exactly one of `GitRef.branch('main')`,
 * `GitRef.tag('v1.2.3')`, `GitRef.semver('>=1.0.0 <2.0.0')`, `GitRef.commit('<40 hex digits>')`.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/#reference
 */
export class GitRef {
  /** Follow the head of a branch. */
  public static branch(name: string): GitRef {
    return new GitRef(GitRefType.BRANCH, name);
  }

  /** Check out one tag. */
  public static tag(name: string): GitRef {
    return new GitRef(GitRefType.TAG, name);
  }

  /** Check out the highest tag matching a semver range, e.g. ">=1.0.0 <2.0.0". */
  public static semver(range: string): GitRef {
    return new GitRef(GitRefType.SEMVER, range);
  }

  /** Check out one commit (full 40-digit SHA-1 or 64-digit SHA-256). */
  public static commit(sha: string): GitRef {
    return new GitRef(GitRefType.COMMIT, sha);
  }

  private constructor(
    /** Which kind of reference this is. */
    public readonly type: GitRefType,
    /** The branch, tag, range or commit. */
    public readonly value: string,
  ) {}

  /** The branch name when this is a branch reference, else undefined. */
  public get branch(): string | undefined {
    return this.type === GitRefType.BRANCH ? this.value : undefined;
  }

  /** @internal */
  public _toKube(scope: IConstruct, field: string): source.GitRepositorySpecRef {
    switch (this.type) {
      case GitRefType.BRANCH:
        return { branch: checkGitRefName(scope, `${field}.branch`, this.value) };
      case GitRefType.TAG:
        return { tag: checkGitRefName(scope, `${field}.tag`, this.value) };
      case GitRefType.SEMVER:
        return { semver: checkSemverRange(scope, `${field}.semver`, this.value) };
      case GitRefType.COMMIT:
        if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(this.value)) {
          throw meshError(scope, `${field}.commit`, 'must be a full commit SHA (40 or 64 lower-case hex digits)', this.value,
            'pass the output of `git rev-parse <ref>`');
        }
        return { commit: this.value };
    }
  }
}

/**
 * A GitRepository that a Kustomization or an ImageUpdateAutomation can name: a `GitRepository` construct or
 * one that exists already (`GitRepository.fromGitRepositoryName()`).
 */
export interface IGitRepository extends ISource {
  /**
   * The reference the repository follows.
   * @default - unknown (an existing repository)
   */
  readonly ref?: GitRef;
}

/** Properties of a Flux GitRepository. */
export interface GitRepositoryProps {
  /**
   * Repository URL, `ssh://` or `https://`. Never put credentials in it: name a Secret in `secretName`.
   * For GitHub over SSH: `ssh://git@github.com/<org>/<repo>`.
   */
  readonly url: string;
  /**
   * What to check out.
   * @default GitRef.branch('main') (Flux itself would fall back to "master")
   */
  readonly ref?: GitRef;
  /**
   * How often Flux fetches the repository.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Timeout of Git operations such as clones.
   * @default - Flux's default, 60s
   */
  readonly timeout?: Duration;
  /**
   * Name of a Secret in the same namespace with the credentials (SSH: `identity`, `known_hosts`; HTTPS:
   * `username`/`password` or `bearerToken`). The library never writes secret data.
   * @default - no credentials (a public repository)
   */
  readonly secretName?: string;
  /**
   * `.sourceignore` lines (gitignore format) that replace Flux's default exclusions.
   * @default - Flux's default exclusions
   */
  readonly ignore?: string[];
  /**
   * Also check out the repository's submodules.
   * @default false
   */
  readonly recurseSubmodules?: boolean;
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
 * A Flux GitRepository (source.toolkit.fluxcd.io/v1): Flux fetches a Git repository at a branch, tag, semver
 * range or commit and serves it to Kustomizations, HelmReleases and ImageUpdateAutomations.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/
 */
export class GitRepository extends Construct implements IGitRepository {
  /**
   * Refers to a GitRepository that exists in the cluster already, e.g. the `flux-system` repository that
   * `flux bootstrap` creates.
   */
  public static fromGitRepositoryName(name: string, namespace: string = FLUX_NAMESPACE): IGitRepository {
    return { kind: SourceKind.GIT_REPOSITORY, name, namespace };
  }

  public readonly apiVersion = source.GitRepository.GVK.apiVersion;
  public readonly kind = SourceKind.GIT_REPOSITORY;
  public readonly name: string;
  public readonly namespace: string;
  public readonly ref: GitRef;
  /** The repository URL. */
  public readonly url: string;
  /** The generated L1, for escape hatches. */
  public readonly resource: source.GitRepository;

  constructor(scope: Construct, id: string, props: GitRepositoryProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', fluxNamespaceOf(this, props.namespace));
    this.url = checkRepositoryUrl(this, 'url', props.url, ['ssh', 'https'],
      'use https://<host>/<org>/<repo> or ssh://git@<host>/<org>/<repo>');
    this.ref = props.ref ?? GitRef.branch('main');
    const ignore = props.ignore?.map((line, i) => {
      if (/[\r\n]/.test(line)) {
        throw meshError(this, `ignore[${i}]`, 'must be a single line', line, 'pass one .sourceignore pattern per array entry');
      }
      return line;
    });

    this.resource = new source.GitRepository(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        url: this.url,
        ref: this.ref._toKube(this, 'ref'),
        interval: fluxDuration(this, 'interval', props.interval ?? Duration.minutes(1)),
        timeout: props.timeout && fluxDuration(this, 'timeout', props.timeout, { hours: false }),
        secretRef: props.secretName === undefined ? undefined : { name: checkDnsSubdomain(this, 'secretName', props.secretName) },
        ignore: ignore?.length ? ignore.join('\n') : undefined,
        recurseSubmodules: props.recurseSubmodules || undefined,
      },
    });
  }
}

/**
 * A Git branch or tag name (git check-ref-format).
 * @internal
 */
export function checkGitRefName(scope: IConstruct, field: string, name: string): string {
  const bad = name === '' || name === '@' || /[\x00-\x20\x7f~^:?*[\\]/.test(name) || name.includes('..') || name.includes('@{')
    || name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.includes('//') || name.startsWith('-')
    || name.split('/').some((c) => c.startsWith('.') || c.endsWith('.lock'));
  if (bad) {
    throw meshError(scope, field, 'must be a valid Git branch or tag name (see git check-ref-format)', name,
      'use a name like "main", "release/1.2" or "v1.2.3"');
  }
  return name;
}
