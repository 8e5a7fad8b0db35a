export { ISTIO_VERSION, type PinnedChart, type PinnedHelmRepository, PLATFORM_CHARTS, PLATFORM_HELM_REPOSITORIES } from './chart-versions';
export {
  type AuthorizationProviderOptions, type EastWestGateway, ExtAuthzProtocol, MeshPlatform, type MeshPlatformProps, PROXY_CONFIG_HASH_ANNOTATION,
} from './mesh-platform';
