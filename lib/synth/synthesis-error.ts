import { Finding, formatFinding } from '../analysis/context';

/** Thrown when analysis finds errors (or warnings in strict mode). Nothing was written. */
export class SynthesisError extends Error {
  constructor(public readonly findings: readonly Finding[]) {
    super(`Synthesis failed with ${findings.length} finding(s); the output directory was left unchanged:\n  ${findings.map(formatFinding).join('\n  ')}`);
    this.name = 'SynthesisError';
  }
}
