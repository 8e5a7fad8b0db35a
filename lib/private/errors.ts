import { IConstruct } from 'constructs';

/**
 * The one error format of the library: which construct, which field, what value, and how to fix it.
 *
 *   [sample-app/customers] 'routes[0].destinations' weights must sum to 100, got 70+20=90. Fix: make the weights add up to 100.
 */
export function meshError(scope: IConstruct, field: string, problem: string, value: unknown, fix: string): Error {
  return new Error(`[${scope.node.path}] '${field}' ${problem}, got ${show(value)}. Fix: ${fix}`);
}

/** Renders a user value for an error message: strings quoted, objects as compact JSON. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
