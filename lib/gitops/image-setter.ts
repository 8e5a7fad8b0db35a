import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { meshError } from '../private/errors';
import { addFieldComment, FieldPath } from '../synth/field-comments';

/** Options of `ImagePolicy.updateImageOf()`. */
export interface UpdateImageOptions {
  /**
   * The container whose image Flux updates.
   * @default - the first container of the pod template
   */
  readonly containerName?: string;
}

/** What `ImagePolicy.updateImageOf()` marked. */
export interface ImageSetterMarker {
  /** The object whose YAML carries the marker. */
  readonly apiObject: ApiObject;
  /** The marker comment, e.g. `{"$imagepolicy": "flux-system:web"}`. */
  readonly marker: string;
}

/** Image name without tag or digest: `ghcr.io/org/app:1.2.3@sha256:…` → `ghcr.io/org/app`. */
export function imageRepository(image: string): string {
  const noDigest = image.replace(/@.*$/, '');
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * Puts Flux's whole-image setter marker on a workload's container image, so an ImageUpdateAutomation commits new
 * tags into the output; the next synth keeps the committed tag as long as the program names the same image
 * repository (the committed tag is the source of truth for that field). A container `image` field holds the
 * whole reference, so only the whole-image setter fits it (`:tag`/`:name` markers are for split Helm values).
 * @internal
 */
export function markImage(policy: IConstruct, marker: string, workload: IConstruct, options: UpdateImageOptions = {}): ImageSetterMarker {
  const apiObject = ApiObject.isApiObject(workload) ? workload : ApiObject.of(workload);
  const locate = (manifest: any): FieldPath | undefined => {
    const spec = manifest?.kind === 'CronJob' ? manifest?.spec?.jobTemplate?.spec?.template?.spec : manifest?.spec?.template?.spec;
    const containers: any[] | undefined = spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) return undefined;
    const i = options.containerName === undefined ? 0 : containers.findIndex((c) => c?.name === options.containerName);
    if (i < 0 || typeof containers[i]?.image !== 'string') return undefined;
    const base = manifest.kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : ['spec', 'template', 'spec'];
    return [...base, 'containers', i, 'image'];
  };
  const json = apiObject.toJson();
  if (locate(json) === undefined) {
    throw meshError(policy, `updateImageOf(${workload.node.path})`, 'must name a workload with a pod template and a container of that name',
      options.containerName ?? '(first container)', 'pass a Deployment, StatefulSet, DaemonSet, Job or CronJob, and an existing containerName');
  }
  addFieldComment(apiObject, {
    locate,
    text: marker,
    keepCommitted: (committed, current) => imageRepository(committed) === imageRepository(current),
  });
  return { apiObject, marker };
}
