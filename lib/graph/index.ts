export * from './model';
export * from './build-mesh-graph';
export * from './render-mermaid';
