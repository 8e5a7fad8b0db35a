/*
 * Short, readable summaries of match conditions (VirtualService HTTPMatchRequest, Flagger analysis.match,
 * AuthorizationPolicy operations) for edge labels. A summary is one line of at most MAX_SUMMARY characters.
 */

export const MAX_SUMMARY = 42;

/** Cuts `text` to `max` characters with an ellipsis. */
export function clip(text: string, max: number = MAX_SUMMARY): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `a, b or c, +2` style lists: the first `keep` items and a count of the rest. */
export function listShort(items: readonly string[], separator: string, keep: number = 2): string {
  if (items.length <= keep) return items.join(separator);
  return `${items.slice(0, keep).join(separator)}${separator}+${items.length - keep} more`;
}

/** An Istio StringMatch (`{exact}`, `{prefix}`, `{regex}`) after `name`: `name=v`, `name=v*`, `name~v`. */
function stringMatch(name: string, m: any, bare = false): string | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const eq = bare ? '' : '=';
  if (typeof m.exact === 'string') return `${name}${eq}${m.exact}`;
  if (typeof m.prefix === 'string') return `${name}${eq}${m.prefix}*`;
  if (typeof m.regex === 'string') {
    // A cookie match rendered as a regex (`^(.*?;\s*)?(name=value)(;.*)?$`): show the cookie.
    const cookie = /\(([\w.-]+=[^()]*)\)/.exec(m.regex);
    if (name.toLowerCase() === 'cookie' && cookie) return `cookie ${cookie[1]}`;
    return `${name}~${simplifyRegex(m.regex)}`;
  }
  return undefined;
}

/** Drops anchors and leading/trailing `.*` that add nothing to a reader: `^.*Firefox.*$` → `Firefox`. */
function simplifyRegex(re: string): string {
  const s = re.replace(/^\^/, '').replace(/\$$/, '').replace(/^\.\*/, '').replace(/\.\*$/, '');
  return s.length > 0 ? s : re;
}

/** One HTTPMatchRequest (its conditions are ANDed): `GET /api*`, `end-user=jason`, `cookie canary=always`. */
export function summarizeHttpMatch(m: any): string {
  if (!m || typeof m !== 'object') return '';
  const parts: string[] = [];
  const method = stringMatch('', m.method, true);
  if (method) parts.push(method);
  const uri = stringMatch('', m.uri, true);
  if (uri) parts.push(m.uri?.regex !== undefined ? `uri~${simplifyRegex(m.uri.regex)}` : uri);
  const authority = stringMatch('host', m.authority);
  if (authority) parts.push(authority);
  const scheme = stringMatch('', m.scheme, true);
  if (scheme) parts.push(scheme);
  for (const name of Object.keys(m.headers ?? {}).sort()) {
    const s = stringMatch(name, m.headers[name]);
    parts.push(s ?? `has ${name}`);
  }
  for (const name of Object.keys(m.queryParams ?? {}).sort()) {
    const s = stringMatch(name, m.queryParams[name]);
    parts.push(`?${s ?? name}`);
  }
  for (const name of Object.keys(m.withoutHeaders ?? {}).sort()) parts.push(`no ${name}`);
  if (typeof m.port === 'number') parts.push(`:${m.port}`);
  if (m.sourceLabels && typeof m.sourceLabels === 'object') {
    parts.push(`from ${Object.entries(m.sourceLabels).map(([k, v]) => `${k}=${v}`).sort().join(',')}`);
  }
  if (typeof m.sourceNamespace === 'string') parts.push(`from ns ${m.sourceNamespace}`);
  return clip(parts.join(' '));
}

/** Several HTTPMatchRequests (ORed): `a or b or +3 more`; empty when there is no condition. */
export function summarizeHttpMatches(matches: unknown): string {
  if (!Array.isArray(matches)) return '';
  const each = matches.map(summarizeHttpMatch).filter((s) => s.length > 0);
  return each.length === 0 ? '' : listShort([...new Set(each)], ' or ');
}

/** A TLS or TCP route match (`sniHosts`, `port`, `destinationSubnets`). */
export function summarizeL4Matches(matches: unknown): string {
  if (!Array.isArray(matches)) return '';
  const each = matches.map((m: any) => {
    const parts: string[] = [];
    if (Array.isArray(m?.sniHosts)) parts.push(`sni ${listShort(m.sniHosts, ',')}`);
    if (typeof m?.port === 'number') parts.push(`:${m.port}`);
    if (Array.isArray(m?.destinationSubnets)) parts.push(`to ${listShort(m.destinationSubnets, ',')}`);
    return parts.join(' ');
  }).filter((s) => s.length > 0);
  return each.length === 0 ? '' : clip(listShort([...new Set(each)], ' or '));
}

/** AuthorizationPolicy `to[].operation` (ORed): `GET /api/*`, `not DELETE`, `:8080`. */
export function summarizeOperations(to: unknown): string {
  if (!Array.isArray(to)) return '';
  const each = to.map((t: any) => {
    const op = t?.operation ?? {};
    const parts: string[] = [];
    const list = (field: string, prefix = '') => {
      if (Array.isArray(op[field]) && op[field].length > 0) parts.push(`${prefix}${listShort(op[field].map(String), ',', 3)}`);
    };
    list('methods');
    list('paths');
    list('hosts');
    list('ports', ':');
    list('notMethods', 'not ');
    list('notPaths', 'not ');
    list('notHosts', 'not ');
    list('notPorts', 'not :');
    return parts.join(' ');
  }).filter((s) => s.length > 0);
  return each.length === 0 ? '' : clip(listShort([...new Set(each)], ' or '));
}

/** AuthorizationPolicy `when` conditions: `when request.auth.claims[groups]`. */
export function summarizeConditions(when: unknown): string {
  if (!Array.isArray(when) || when.length === 0) return '';
  return clip(`when ${listShort(when.map((c: any) => String(c?.key ?? '?')), ', ')}`);
}
