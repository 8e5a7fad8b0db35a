import type { IAnalysisRule } from '../../analysis';
import { DUPLICATE_OBJECT, SECRET_DATA } from './core';

/**
 * The built-in whole-output rules, in the order they run. Add a rule by writing it in a file of
 * this folder and listing it here.
 */
export const BUILTIN_RULES: readonly IAnalysisRule[] = [
  DUPLICATE_OBJECT,
  SECRET_DATA,
];
