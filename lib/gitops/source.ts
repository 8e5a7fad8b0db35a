import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { meshError } from '../private/errors';

/**
 * The namespace Flux is installed in by `flux bootstrap`.
 * @internal
 */
export const FLUX_NAMESPACE = 'flux-system';

/** The Flux source kinds that Kustomizations and HelmReleases can read from. */
export enum SourceKind {
  /** source.toolkit.fluxcd.io/v1 GitRepository. */
  GIT_REPOSITORY = 'GitRepository',
  /** source.toolkit.fluxcd.io/v1 HelmRepository (charts for HelmReleases only). */
  HELM_REPOSITORY = 'HelmRepository',
  /** source.toolkit.fluxcd.io/v1 OCIRepository. */
  OCI_REPOSITORY = 'OCIRepository',
  /** source.toolkit.fluxcd.io/v1 Bucket. */
  BUCKET = 'Bucket',
  /** source.toolkit.fluxcd.io/v1 ExternalArtifact (Kustomizations only). */
  EXTERNAL_ARTIFACT = 'ExternalArtifact',
}

/**
 * A Flux source object that a Kustomization or HelmRelease names in `sourceRef`: a `GitRepository` or
 * `HelmRepository` construct, or one that exists in the cluster already (`GitRepository.fromGitRepositoryName()`,
 * `HelmRepository.fromHelmRepositoryName()`).
 */
export interface ISource {
  /** The source kind. */
  readonly kind: SourceKind;
  /** metadata.name of the source. */
  readonly name: string;
  /** metadata.namespace of the source. */
  readonly namespace: string;
}

/**
 * Cloud provider whose workload identity the Flux controller uses to log in to a registry (an OCI
 * HelmRepository, an ImageRepository) instead of a `secretRef`.
 */
export enum RegistryProvider {
  /** No cloud identity: anonymous, or the credentials in `secretRef`. */
  GENERIC = 'generic',
  /** Amazon ECR through IRSA / EKS pod identity. */
  AWS = 'aws',
  /** Azure Container Registry through workload identity. */
  AZURE = 'azure',
  /** Google Artifact Registry / GCR through workload identity. */
  GCP = 'gcp',
}

/**
 * `sourceRef` of a Flux object: kind and name, plus the namespace when the source lives elsewhere (Flux
 * resolves a missing namespace to the referring object's own). Throws unless the kind is one of `allowed`.
 * @internal
 */
export function renderSourceRef(scope: IConstruct, field: string, source: ISource, namespace: string, allowed: readonly SourceKind[]) {
  if (!allowed.includes(source.kind)) {
    throw meshError(scope, `${field}.kind`, `must be one of ${allowed.join(', ')}`, source.kind,
      `pass a ${allowed.join(' or ')} as ${field}`);
  }
  return {
    kind: source.kind,
    name: source.name,
    namespace: source.namespace === namespace ? undefined : source.namespace,
  };
}

/**
 * `dependsOn` entries (Kustomizations, HelmReleases): sorted by namespace then name, the namespace left out
 * when it is the dependent's own.
 * @internal
 */
export function renderDependsOn(deps: Iterable<{ readonly name: string; readonly namespace: string }>, namespace: string) {
  const list = sortByNamespaceAndName(deps).map((d) => ({ name: d.name, namespace: d.namespace === namespace ? undefined : d.namespace }));
  return list.length ? list : undefined;
}

/**
 * A sorted copy: by namespace, then name (code-unit order, the same on every machine).
 * @internal
 */
export function sortByNamespaceAndName<T extends { readonly name: string; readonly namespace: string }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));
}

/**
 * Throws when `to` already depends on `from` (directly or through others): Flux would wait forever.
 * `edges` lists what a node depends on.
 * @internal
 */
export function checkNoCycle<T extends IConstruct>(scope: IConstruct, field: string, from: T, to: T, edges: (t: T) => Iterable<T>): void {
  if (from === to) {
    throw meshError(scope, field, 'cannot contain the object itself', to.node.path, 'remove the self-dependency');
  }
  const path: T[] = [];
  const seen = new Set<T>();
  const visit = (n: T): boolean => {
    if (n === from) return true;
    if (seen.has(n)) return false;
    seen.add(n);
    for (const next of edges(n)) {
      path.push(next);
      if (visit(next)) return true;
      path.pop();
    }
    return false;
  };
  if (visit(to)) {
    const cycle = [from, to, ...path].map((n) => n.node.path).join(' -> ');
    throw meshError(scope, field, 'would create a dependency cycle (Flux would wait forever)', cycle,
      `remove one dependency of the cycle ${cycle}`);
  }
}

/** Code-unit order: the same on every machine (no locale). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A path inside a source artifact: must start with "./", no ".." segments, not absolute.
 * @internal
 */
export function checkSourcePath(scope: IConstruct, field: string, path: string): string {
  const fix = 'pass a path relative to the repository root, such as "./apps/staging"';
  if (path.startsWith('/')) {
    throw meshError(scope, field, 'must be relative to the source root, not absolute', path, `${fix} (drop the leading "/")`);
  }
  if (!path.startsWith('./')) {
    throw meshError(scope, field, 'must start with "./"', path, `${fix}, e.g. ${JSON.stringify(`./${path.replace(/^\.?\/*/, '')}`)}`);
  }
  if (path.split('/').some((seg) => seg === '..')) {
    throw meshError(scope, field, 'must not contain ".." segments (Flux confines paths to the source root)', path, fix);
  }
  if (/[\s\\]/.test(path) || path.includes('//')) {
    throw meshError(scope, field, 'must not contain whitespace, backslashes or empty segments', path, fix);
  }
  return path;
}

/**
 * The namespace of a Flux object: explicit, else the chart's, else flux-system.
 * @internal
 */
export function fluxNamespaceOf(scope: IConstruct, explicit?: string): string {
  return explicit ?? Chart.of(scope).namespace ?? FLUX_NAMESPACE;
}

/**
 * A URL with one of `schemes`, a host, and no credentials (user info other than a bare SSH user).
 * The error message masks credentials so they do not end up in CI logs.
 * @internal
 */
export function checkRepositoryUrl(scope: IConstruct, field: string, url: string, schemes: readonly string[], fix: string): string {
  const masked = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const scheme = parsed?.protocol.slice(0, -1);
  if (!parsed || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || !scheme || !schemes.includes(scheme) || !parsed.hostname || /\s/.test(url)) {
    const scp = schemes.includes('ssh') ? /^[\w.-]+@([\w.-]+):(.+)$/.exec(url) : null;
    throw meshError(scope, field, `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`, masked,
      scp ? `write the scp-style address as ${JSON.stringify(`ssh://${url.split('@')[0]}@${scp[1]}/${scp[2]}`)}` : fix);
  }
  if (parsed.password || (parsed.username && scheme !== 'ssh')) {
    throw meshError(scope, field, 'must not contain credentials', masked,
      'remove them from the URL, store them in a Secret, and pass its name as secretName');
  }
  return url;
}

/**
 * A semver range in the syntax Flux accepts (Masterminds/semver): ">=1.0.0 <2.0.0", "~1.2", "1.x", "*".
 * @internal
 */
export function checkSemverRange(scope: IConstruct, field: string, range: string): string {
  if (!/^[\sA-Za-z0-9.*^~<>=!|,+-]+$/.test(range) || !/[0-9*xX]/.test(range) || range.trim() !== range) {
    throw meshError(scope, field, 'must be a semver range', range, 'use a range such as ">=1.0.0 <2.0.0", "~1.2" or "1.x"');
  }
  return range;
}
