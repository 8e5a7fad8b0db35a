import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as source from '../../imports/source.toolkit.fluxcd.io';
import { meshError } from '../private/errors';
import { fluxDuration } from '../private/flux-duration';
import { checkDnsLabel, checkDnsSubdomain } from '../private/validate';
import { addWarning } from '../private/warnings';
import { checkRepositoryUrl, FLUX_NAMESPACE, fluxNamespaceOf, ISource, RegistryProvider, SourceKind } from './source';

/** Properties of a Flux HelmRepository. */
export interface HelmRepositoryProps {
  /**
   * The chart repository: `https://` (a repository with an index.yaml) or `oci://` (an OCI registry path, such
   * as "oci://ghcr.io/fluxcd/charts"; sets `type: oci`). Never put credentials in it: use `secretName`.
   */
  readonly url: string;
  /**
   * How often Flux fetches the repository index.
   * @default Duration.hours(1)
   */
  readonly interval?: Duration;
  /**
   * Timeout of index downloads and OCI operations.
   * @default - Flux's default, 60s
   */
  readonly timeout?: Duration;
  /**
   * Name of a Secret in the same namespace with the credentials (`username`/`password`, or a
   * kubernetes.io/dockerconfigjson Secret for OCI). The library never writes secret data.
   * @default - no credentials
   */
  readonly secretName?: string;
  /**
   * Cloud identity used to log in to an OCI registry (OCI URLs only).
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
 * A Flux HelmRepository (source.toolkit.fluxcd.io/v1): an HTTP(S) chart repository or an OCI registry that
 * HelmReleases install charts from.
 * @see https://fluxcd.io/flux/components/source/helmrepositories/
 */
export class HelmRepository extends Construct implements ISource {
  /** Refers to a HelmRepository that exists in the cluster already. */
  public static fromHelmRepositoryName(name: string, namespace: string = FLUX_NAMESPACE): ISource {
    return { kind: SourceKind.HELM_REPOSITORY, name, namespace };
  }

  public readonly apiVersion = source.HelmRepository.GVK.apiVersion;
  public readonly kind = SourceKind.HELM_REPOSITORY;
  public readonly name: string;
  public readonly namespace: string;
  /** Whether the repository is an OCI registry (`type: oci`). */
  public readonly oci: boolean;
  /** The repository URL. */
  public readonly url: string;
  /** The generated L1, for escape hatches. */
  public readonly resource: source.HelmRepository;

  constructor(scope: Construct, id: string, props: HelmRepositoryProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', fluxNamespaceOf(this, props.namespace));
    this.url = checkRepositoryUrl(this, 'url', props.url, ['https', 'http', 'oci'],
      'use https://<host>/<path> for a chart repository or oci://<registry>/<path> for an OCI registry');
    this.oci = this.url.startsWith('oci://');
    if (this.url.startsWith('http://')) {
      addWarning(this, 'gitops:plain-http-helm-repository',
        `'url' ${JSON.stringify(this.url)} is plain HTTP: charts can be tampered with in transit. Use https:// if the repository serves it`);
    }
    if (this.oci && /:[^/]*$/.test(new URL(this.url).pathname)) {
      throw meshError(this, 'url', 'must not include a tag or chart version (HelmReleases pick the version)', this.url,
        'drop the ":<tag>" suffix and set the version on the HelmRelease');
    }
    if (props.provider !== undefined && !this.oci) {
      throw meshError(this, 'provider', 'is only used for OCI repositories', props.provider,
        'remove provider, or use an oci:// URL');
    }

    this.resource = new source.HelmRepository(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        url: this.url,
        type: this.oci ? source.HelmRepositorySpecType.OCI : undefined,
        provider: props.provider as string as source.HelmRepositorySpecProvider | undefined,
        interval: fluxDuration(this, 'interval', props.interval ?? Duration.hours(1)),
        timeout: props.timeout && fluxDuration(this, 'timeout', props.timeout, { hours: false }),
        secretRef: props.secretName === undefined ? undefined : { name: checkDnsSubdomain(this, 'secretName', props.secretName) },
      },
    });
  }
}
