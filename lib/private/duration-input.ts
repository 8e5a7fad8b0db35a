import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { meshError, show } from './errors';

/**
 * Checks a value passed where a cdk8s `Duration` is expected, before anything reads it: from JavaScript or data
 * (JSON, YAML), a number (`30`), a string (`'30s'`) or another object arrives here and would otherwise crash with
 * "toMilliseconds is not a function", naming neither the construct nor the field. A Duration from another copy of
 * cdk8s is accepted (duck-typed). A negative amount cannot come from cdk8s (its factories throw where the
 * Duration is written), but can from such an object; it is refused here with the field.
 */
export function checkDurationInput(scope: IConstruct, field: string, value: unknown): Duration {
  const d = value as Duration | undefined;
  if (value === null || typeof value !== 'object' || typeof d?.toMilliseconds !== 'function') {
    throw meshError(scope, field, 'must be a cdk8s Duration', value, suggestion(value));
  }
  const ms = d.toMilliseconds({ integral: false });
  if (typeof ms === 'number' && ms < 0) {
    throw meshError(scope, field, 'must not be negative', `${ms}ms`, 'pass a positive duration, e.g. Duration.seconds(30)');
  }
  return d;
}

function suggestion(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return `pass Duration.seconds(${value}) (or Duration.millis(${value}) if milliseconds were meant), imported from 'cdk8s'`;
  }
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value) : null;
  if (m) {
    const factory = { ms: 'millis', s: 'seconds', m: 'minutes', h: 'hours' }[m[2] as 'ms' | 's' | 'm' | 'h'];
    return `pass Duration.${factory}(${m[1]}) instead of the string ${show(value)}, imported from 'cdk8s'`;
  }
  return 'pass a Duration from \'cdk8s\', e.g. Duration.seconds(30)';
}
