import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** The S1 sample application's front end (port 8080). */
export const WEB_FRONTEND_IMAGE = 'gcr.io/tetratelabs/web-frontend:1.0.0';
/** The S1 sample application's customers service, v1 (port 3000). */
export const CUSTOMERS_V1_IMAGE = 'gcr.io/tetratelabs/customers:1.0.0';
/** The S1 sample application's customers service, v2 (port 3000). */
export const CUSTOMERS_V2_IMAGE = 'gcr.io/tetratelabs/customers:2.0.0';
/** httpbin (S5, S7, S10), listening on 8080. */
export const HTTPBIN_IMAGE = 'docker.io/mccutchen/go-httpbin:v2.15.0';
/** The `sleep` client of S13 (a curl image that sleeps). */
export const SLEEP_IMAGE = 'docker.io/curlimages/curl:8.10.1';
/** The `sleep` client of S10. An older tag than SLEEP_IMAGE, kept so that dist/ does not change. */
export const S10_SLEEP_IMAGE = 'curlimages/curl:8.8.0';
/** podinfo, the S6 canary target (port 9898). */
/** The podinfo image repository, which the image automation watches. */
export const PODINFO_REPOSITORY = 'ghcr.io/stefanprodan/podinfo';
export const PODINFO_IMAGE = `${PODINFO_REPOSITORY}:6.9.0`;
/** The previous podinfo release, checkout v1 in S6's static split. */
export const PODINFO_PREVIOUS_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.8.0';

/** Image of one Bookinfo service (S14), e.g. `bookinfoImage('reviews', 'v2')`. */
export function bookinfoImage(service: string, version = 'v1'): string {
  return `docker.io/istio/examples-bookinfo-${service}-${version}:1.20.2`;
}

/** What `sampleWorkload()` adds to a MeshApp's props. */
export interface SampleWorkload {
  readonly securityContext: kplus.ContainerSecurityContextProps;
  readonly volumeMounts: kplus.VolumeMount[];
}

/**
 * The sample images run as root or as a named user: pods run as a numeric non-root user instead, with a
 * writable emptyDir on /tmp because the root filesystem is read-only. Spread it into a MeshApp's props;
 * the volume is a child of `scope` with id `<id>-tmp`.
 */
export function sampleWorkload(scope: Construct, id: string): SampleWorkload {
  return {
    securityContext: { user: 1000, group: 1000 },
    volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(scope, `${id}-tmp`, 'tmp') }],
  };
}
