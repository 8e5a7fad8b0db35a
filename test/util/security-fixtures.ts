/** @deprecated Former home of the test fixtures: import TestWorkload from './fixtures' and find from './synth'. */
export { TestWorkload } from './fixtures';
export type { TestWorkloadProps } from './fixtures';
export { find } from './synth';
