import { Duration, Testing } from 'cdk8s';
import { fluxDuration } from '../../lib/private/flux-duration';

describe('fluxDuration', () => {
  const scope = Testing.chart();

  test('renders Go durations in the largest exact units, zero parts left out', () => {
    const cases: Array<[Duration, string]> = [
      [Duration.seconds(30), '30s'], [Duration.seconds(90), '1m30s'], [Duration.minutes(10), '10m'], [Duration.hours(1), '1h'],
      [Duration.seconds(5400), '1h30m'], [Duration.seconds(3661), '1h1m1s'], [Duration.days(1), '24h'], [Duration.millis(2000), '2s'],
    ];
    expect(cases.map(([d]) => fluxDuration(scope, 'interval', d))).toEqual(cases.map(([, s]) => s));
    for (const [, s] of cases) expect(s).toMatch(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/);
  });

  test('writes hours as minutes for fields without an hour unit', () => {
    expect(fluxDuration(scope, 'timeout', Duration.hours(2), { hours: false })).toBe('120m');
    expect(fluxDuration(scope, 'timeout', Duration.seconds(3601), { hours: false })).toBe('60m1s');
  });

  test('throws on fractions of a second and on durations below the minimum', () => {
    expect(() => fluxDuration(scope, 'interval', Duration.millis(1001)))
      .toThrow(/^\[test\] 'interval' must be a whole number of seconds, got "1001ms"\. Fix:/);
    expect(() => fluxDuration(scope, 'interval', Duration.seconds(30), { min: Duration.minutes(1) }))
      .toThrow(/^\[test\] 'interval' must be at least 1m, got "30s"\. Fix: pass a positive duration of 1m or more/);
  });
});
