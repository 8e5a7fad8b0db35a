/**
 * The reference platform: the product's scenarios (S1..S14) as charts, deployed to two clusters (staging and
 * production) that share the program and differ in their EnvironmentSettings. Not part of the library: it uses only the public API of lib/.
 */
import { Construct } from 'constructs';
import { buildClusterPlatform, ClusterPlatform } from './cluster';
import { PRODUCTION, STAGING } from './environments';

export * from './charts/bookinfo';
export * from './charts/canary';
export * from './charts/egress';
export * from './charts/image-automation';
export * from './charts/ingress-tls';
export * from './charts/issuers';
export * from './charts/mesh-security';
export * from './charts/namespaces';
export * from './charts/sample-app';
export * from './charts/tenant-cas';
export * from './charts/zero-trust';
export * from './cluster';
export * from './environments';

/** The reference platform: two clusters from one program. */
export interface ReferencePlatform {
  readonly staging: ClusterPlatform;
  readonly production: ClusterPlatform;
}

/**
 * Adds the reference platform to `scope` (the App): the staging and production clusters, each laid out for Flux
 * under dist/clusters/<name>, dist/infrastructure/<name>/{controllers,configs,mesh} and dist/apps/<name>.
 * Chart ids are folder names and feed object names: they are public contract.
 */
export function buildReferencePlatform(scope: Construct): ReferencePlatform {
  return {
    staging: buildClusterPlatform(scope, STAGING),
    production: buildClusterPlatform(scope, PRODUCTION),
  };
}
