import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as image from '../../imports/image.toolkit.fluxcd.io';
import { meshError } from '../private/errors';
import { fluxDuration } from '../private/flux-duration';
import { checkDnsLabel, checkDnsSubdomain } from '../private/validate';
import { FLUX_NAMESPACE, fluxNamespaceOf, RegistryProvider } from './source';

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
/** `[registry[:port]/]path`, the distribution reference grammar without tag and digest. */
const IMAGE_NAME = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

/** An ImageRepository an ImagePolicy can select tags from: an `ImageRepository` construct or an existing one. */
export interface IImageRepository {
  /** metadata.name of the ImageRepository. */
  readonly name: string;
  /** metadata.namespace of the ImageRepository. */
  readonly namespace: string;
}

/** Properties of a Flux ImageRepository. */
export interface ImageRepositoryProps {
  /** The image to scan, without tag or digest: "ghcr.io/stefanprodan/podinfo", "nginx". */
  readonly image: string;
  /**
   * How often Flux lists the image's tags.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;
  /**
   * Timeout of a tag listing.
   * @default - Flux's default, the interval
   */
  readonly timeout?: Duration;
  /**
   * Name of a kubernetes.io/dockerconfigjson Secret in the same namespace with registry credentials. The library
   * never writes secret data.
   * @default - anonymous, or the cloud identity of `provider`
   */
  readonly secretName?: string;
  /**
   * Cloud identity used to log in to the registry.
   * @default - RegistryProvider.GENERIC (Flux's default)
   */
  readonly provider?: RegistryProvider;
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
 * A Flux ImageRepository (image.toolkit.fluxcd.io/v1): image-reflector-controller scans a container image
 * repository for tags, which ImagePolicies then choose from.
 * @see https://fluxcd.io/flux/components/image/imagerepositories/
 */
export class ImageRepository extends Construct implements IImageRepository {
  /** Refers to an ImageRepository that exists in the cluster already. */
  public static fromImageRepositoryName(name: string, namespace: string = FLUX_NAMESPACE): IImageRepository {
    return { name, namespace };
  }

  public readonly name: string;
  public readonly namespace: string;
  /** The scanned image. */
  public readonly image: string;
  /** The generated L1, for escape hatches. */
  public readonly resource: image.ImageRepository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', fluxNamespaceOf(this, props.namespace));
    this.image = this._checkImage(props.image);

    this.resource = new image.ImageRepository(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        image: this.image,
        interval: fluxDuration(this, 'interval', props.interval ?? Duration.minutes(5)),
        timeout: props.timeout && fluxDuration(this, 'timeout', props.timeout, { hours: false }),
        secretRef: props.secretName === undefined ? undefined : { name: checkDnsSubdomain(this, 'secretName', props.secretName) },
        provider: props.provider as string as image.ImageRepositorySpecProvider | undefined,
      },
    });
  }

  private _checkImage(ref: string): string {
    const scheme = /^[a-z]+:\/\//i.exec(ref);
    if (scheme) {
      throw meshError(this, 'image', 'must not have a URL scheme', ref,
        `drop ${JSON.stringify(scheme[0])}: ${JSON.stringify(ref.slice(scheme[0].length))}`);
    }
    if (ref.includes('@')) {
      throw meshError(this, 'image', 'must not include a digest (the ImagePolicy picks the tag)', ref, `pass ${JSON.stringify(ref.split('@')[0])}`);
    }
    const lastSlash = ref.lastIndexOf('/');
    const colon = ref.indexOf(':', lastSlash + 1);
    if (colon >= 0) {
      throw meshError(this, 'image', 'must not include a tag (the ImagePolicy picks the tag)', ref, `pass ${JSON.stringify(ref.slice(0, colon))}`);
    }
    if (!IMAGE_NAME.test(ref)) {
      throw meshError(this, 'image', 'must be an image repository name ([registry[:port]/]path, lower-case path)', ref,
        'pass a name like "ghcr.io/org/app" or "nginx"');
    }
    return ref;
  }
}
