// The graph model: defined in the leaf layer (private/), public through this module.
export * from './private/model';
