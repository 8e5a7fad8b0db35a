import { Finding, FindingSeverity, formatFinding } from '../analysis/context';

/**
 * Prints findings once each, errors first, as `error: [path] message (rule)`, to standard error. Returns the
 * number of errors. The one place the library writes to the console; constructs never do.
 */
export function printFindings(findings: readonly Finding[], stream: { write(s: string): unknown } = process.stderr): number {
  const seen = new Set<string>();
  let errors = 0;
  const ordered = [...findings].sort((a, b) => rank(a) - rank(b));
  for (const f of ordered) {
    const line = `${f.severity === FindingSeverity.ERROR ? 'error' : f.severity === FindingSeverity.INFO ? 'info' : 'warning'}: ${formatFinding(f)}`;
    if (seen.has(line)) continue;
    seen.add(line);
    if (f.severity === FindingSeverity.ERROR) errors++;
    stream.write(`${line}\n`);
  }
  return errors;
}

function rank(f: Finding): number {
  return f.severity === FindingSeverity.ERROR ? 0 : f.severity === FindingSeverity.WARNING ? 1 : 2;
}
