import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkDurationInput } from './duration-input';
import { meshError } from './errors';

const UNITS: ReadonlyArray<[suffix: string, millis: number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]];

/**
 * Renders a cdk8s Duration as an Istio (Go `time.ParseDuration`) duration string in the largest
 * unit that represents it exactly: 1s → "1s", 3m → "3m", 90s → "90s", 1.5s → "1500ms", 1d → "24h".
 * Istio's CRDs reject durations under 1ms (CEL `duration(self) >= duration('1ms')`), and so does this.
 */
export function istioDuration(scope: IConstruct, field: string, duration: Duration, minMillis = 1): string {
  const raw = checkDurationInput(scope, field, duration).toMilliseconds({ integral: false });
  if (!Number.isFinite(raw) || raw < 0) {
    throw meshError(scope, field, 'must be a finite, non-negative duration', raw, 'pass a duration computed from valid numbers, e.g. Duration.seconds(5)');
  }
  const ms = Math.round(raw);
  if (Math.abs(raw - ms) > 1e-6) {
    throw meshError(scope, field, 'must be a whole number of milliseconds', `${raw}ms`, 'use Duration.millis() with an integer amount');
  }
  if (ms < minMillis) {
    throw meshError(scope, field, `must be at least ${minMillis}ms`, `${ms}ms`, `pass a duration of ${minMillis}ms or more`);
  }
  if (ms === 0) return '0s';
  const [suffix, unit] = UNITS.find(([, u]) => ms % u === 0)!; // 'ms' always divides
  return `${ms / unit}${suffix}`;
}
