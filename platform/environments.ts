import { AcmeServer } from '../lib';

/**
 * What differs between the clusters of the reference platform. Everything else (the apps, their routing and
 * security) is the same program for every cluster.
 */
export interface EnvironmentSettings {
  /** Cluster name: the folders clusters/<name>, infrastructure/<name>, apps/<name> of dist/. */
  readonly name: string;
  /** DNS suffix of public hosts, e.g. tenanta.<suffix>. */
  readonly domain: string;
  /** Replicas of every fixed-size workload. */
  readonly replicas: number;
  /** HPA bounds of the canaried apps. */
  readonly autoscaling: { readonly minReplicas: number; readonly maxReplicas: number };
  /** The ACME directory the public certificates come from. */
  readonly acmeServer: AcmeServer;
  /** Whether the A/B-testing canary runs (the progressive canary runs everywhere). */
  readonly abTesting: boolean;
  /** The image tags Flux's automation may roll out to the canaried app (a semver range). */
  readonly imageSemver: string;
  /** The Istio network of the cluster (VMs join it through the east-west gateway). */
  readonly network: string;
}

/** The staging cluster: one replica, Let's Encrypt staging certificates, pre-releases, every canary. */
export const STAGING: EnvironmentSettings = {
  name: 'staging',
  domain: 'staging.example.com',
  replicas: 1,
  autoscaling: { minReplicas: 1, maxReplicas: 2 },
  acmeServer: AcmeServer.LETS_ENCRYPT_STAGING,
  abTesting: true,
  imageSemver: '>=6.0.0-0',
  network: 'staging-network',
};

/** The production cluster: two replicas, Let's Encrypt certificates, released versions of the current major only. */
export const PRODUCTION: EnvironmentSettings = {
  name: 'production',
  domain: 'example.com',
  replicas: 2,
  autoscaling: { minReplicas: 2, maxReplicas: 4 },
  acmeServer: AcmeServer.LETS_ENCRYPT,
  abTesting: false,
  imageSemver: '>=6.0.0 <7.0.0',
  network: 'production-network',
};
