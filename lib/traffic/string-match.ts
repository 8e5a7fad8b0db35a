import { IConstruct } from 'constructs';
import { meshError } from '../private/errors';
import { checkRe2 } from '../private/re2';

/**
 * How a string is matched: exactly, by prefix, or by an RE2 regular expression (which must match
 * the whole value, e.g. '.*Firefox.*').
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch
 */
export class StringMatch {
  /** The value must equal `value`. */
  public static exact(value: string): StringMatch {
    return new StringMatch('exact', value);
  }

  /** The value must start with `value`. */
  public static prefix(value: string): StringMatch {
    return new StringMatch('prefix', value);
  }

  /** The whole value must match the RE2 expression `pattern` (no look-around, no back-references). */
  public static regex(pattern: string): StringMatch {
    return new StringMatch('regex', pattern);
  }

  private constructor(
    /** 'exact', 'prefix' or 'regex'. */
    public readonly kind: 'exact' | 'prefix' | 'regex',
    /** The string or pattern. */
    public readonly value: string,
  ) {}

  /** @internal */
  public _render(scope: IConstruct, field: string): Record<string, string> {
    if (this.value.length === 0) {
      throw meshError(scope, field, `${this.kind} match must not be empty`, this.value,
        this.kind === 'prefix' ? "use StringMatch.prefix('/') to match every path" : 'pass a value, or drop the condition');
    }
    if (this.kind === 'regex') {
      checkRe2(scope, field, this.value);
    } else if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(this.value)) {
      throw meshError(scope, field, `${this.kind} match contains a line break or control character, which no request header or path can contain, so it never matches`,
        this.value, 'remove the control characters (use StringMatch.regex() to match varying text)');
    }
    return { [this.kind]: this.value };
  }
}
