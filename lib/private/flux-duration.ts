import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkDurationInput } from './duration-input';
import { meshError } from './errors';

/** Options of `fluxDuration`. */
export interface FluxDurationOptions {
  /**
   * Whether the field accepts an hour unit. Some Flux fields (GitRepository, HelmRepository and ImageRepository
   * `timeout`) only match `^([0-9]+(\.[0-9]+)?(ms|s|m))+$`: hours are then written as minutes.
   * @default true
   */
  readonly hours?: boolean;
  /**
   * The shortest duration the field accepts.
   * @default Duration.seconds(1)
   */
  readonly min?: Duration;
}

/**
 * Renders a cdk8s Duration as a Flux (Go `time.ParseDuration`) duration: whole seconds, largest units first,
 * zero parts left out: 30s → "30s", 90s → "1m30s", 10m → "10m", 1h → "1h", 1d → "24h", 5400s → "1h30m".
 * With `hours: false`, 1h → "60m". Throws `meshError` unless the duration is a whole number of seconds, at
 * least `min` (1s unless given).
 */
export function fluxDuration(scope: IConstruct, field: string, duration: Duration, options: FluxDurationOptions = {}): string {
  const ms = checkDurationInput(scope, field, duration).toMilliseconds({ integral: false });
  const minMs = (options.min ?? Duration.seconds(1)).toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || ms % 1000 !== 0) {
    throw meshError(scope, field, 'must be a whole number of seconds', `${ms}ms`,
      'use Duration.seconds(), Duration.minutes() or Duration.hours() with a whole amount (e.g. Duration.minutes(10))');
  }
  if (ms < minMs) {
    throw meshError(scope, field, `must be at least ${render(minMs / 1000, true)}`, render(ms / 1000, true),
      `pass a positive duration of ${render(minMs / 1000, true)} or more, e.g. Duration.minutes(1)`);
  }
  return render(ms / 1000, options.hours ?? true);
}

function render(totalSeconds: number, hours: boolean): string {
  if (totalSeconds <= 0) return `${totalSeconds}s`;
  const h = hours ? Math.floor(totalSeconds / 3600) : 0;
  const m = Math.floor((totalSeconds - h * 3600) / 60);
  const s = totalSeconds - h * 3600 - m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
