export { ISTIO_VERSION, type PinnedChart, type PinnedHelmRepository, PLATFORM_CHARTS, PLATFORM_HELM_REPOSITORIES } from './chart-versions';
export { MeshPlatform, PROXY_CONFIG_HASH_ANNOTATION } from './mesh-platform';
export { type AuthorizationProviderOptions, type EastWestGateway, ExtAuthzProtocol, type MeshPlatformProps } from './mesh-platform-props';
