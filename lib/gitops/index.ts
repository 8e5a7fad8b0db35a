export { type ISource, RegistryProvider, SourceKind } from './source';
export { GitRef, GitRefType, GitRepository, type GitRepositoryProps, type IGitRepository } from './git-repository';
export {
  Decryption, type HealthCheck, Kustomization, type KustomizationProps, type SopsDecryptionOptions, SubstituteFrom, type SubstituteFromOptions,
} from './kustomization';
export { HelmRepository, type HelmRepositoryProps } from './helm-repository';
export {
  CrdPolicy, DriftDetectionMode, type HelmInstallOptions, HelmRelease, type HelmReleaseProps, type HelmUpgradeOptions, ValuesFrom,
  type ValuesFromOptions,
} from './helm-release';
export { type IImageRepository, ImageRepository, type ImageRepositoryProps } from './image-repository';
export {
  DigestReflection, ImagePolicy, ImagePolicyChoice, type ImagePolicyProps, ImagePolicySetter, type ImageTagFilter, SortOrder,
} from './image-policy';
export { type CommitAuthor, ImageUpdateAutomation, type ImageUpdateAutomationProps } from './image-update-automation';
export { type ImageSetterMarker, type UpdateImageOptions } from './image-setter';
export { ClusterLayer } from './cluster-layer';
export { GitOpsCluster, type GitOpsClusterProps } from './gitops-cluster';
