/*
 * Container image references, as the container runtime parses them (github.com/distribution/reference):
 * `[registry[:port]/]path[:tag][@algorithm:digest]`, path components lower case, the name at most 255 characters,
 * the tag at most 128.
 */

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** A parsed image reference. */
export interface ImageReference {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** The parts of an image reference, or the reason it is not one. */
export function parseImage(ref: string): ImageReference | { readonly problem: string } {
  if (typeof ref !== 'string' || ref.length === 0) return { problem: 'must not be empty' };
  if (/\s/.test(ref)) return { problem: 'must not contain whitespace' };
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { problem: `has an invalid digest "${digest}" (expected e.g. sha256:<64 hex digits>)` };
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { problem: `has an invalid tag "${tag}" (letters, digits, '_', '.', '-', at most 128 characters, not starting with '.' or '-')` };
  }
  if (rest.length > 255) return { problem: `has a name of ${rest.length} characters (at most 255)` };
  const parts = rest.split('/');
  const first = parts[0];
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (hasDomain && !DOMAIN.test(first)) return { problem: `has an invalid registry "${first}"` };
  for (const component of hasDomain ? parts.slice(1) : parts) {
    if (!PATH_COMPONENT.test(component)) {
      return { problem: `has an invalid path component "${component}" (lower case letters and digits, separated by '.', '_', '__' or '-')` };
    }
  }
  return { name: rest, tag, digest };
}

/** Why the reference does not pin an image (no tag and no digest, or `latest`), or undefined when it does. */
export function unpinnedImageProblem(ref: ImageReference): string | undefined {
  if (ref.digest !== undefined) return undefined;
  if (ref.tag === undefined) return 'has no tag, so every pull may fetch another image (":latest")';
  if (ref.tag === 'latest') return 'uses the tag "latest", so every pull may fetch another image';
  return undefined;
}
