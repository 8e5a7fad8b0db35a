/*
 * Istio AuthorizationPolicy evaluation for one caller identity against the policies that apply to one target, in
 * Istio's order: CUSTOM, then DENY, then ALLOW (with ALLOW policies present, a request no ALLOW rule matches is denied).
 * Only the caller is known, not the request, so a rule matches fully, partly (operations, JWT, IP, conditions) or not.
 */
import { summarizeConditions, summarizeOperations } from './summary';

/** Who calls. A peer may be known only by namespace, or only as "some authenticated workload". */
export interface CallerIdentity {
  /** False for plaintext callers (no sidecar, or mTLS disabled): no principal, no namespace. */
  readonly authenticated: boolean;
  readonly namespace?: string;
  readonly serviceAccount?: string;
}

/** An AuthorizationPolicy, read once. */
export interface AuthorizationPolicyRecord {
  readonly ref: string;
  readonly name: string;
  readonly namespace: string;
  readonly action: 'ALLOW' | 'DENY' | 'CUSTOM' | 'AUDIT';
  readonly selector?: Readonly<Record<string, string>>;
  readonly rules: readonly any[];
  /** CUSTOM: `provider.name`. */
  readonly provider?: string;
}

enum Match { NONE = 0, PARTIAL = 1, FULL = 2 }

interface Matched { readonly match: Match; readonly notes: readonly string[] }

const NONE: Matched = { match: Match.NONE, notes: [] };
const FULL: Matched = { match: Match.FULL, notes: [] };

/** Istio's string match for principals and namespaces: `*` any non-empty value, `x*` prefix, `*x` suffix, else exact. */
export function istioStringMatch(pattern: string, value: string): boolean {
  if (value === '') return false;
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

/** The trust domain of a principal pattern, or `cluster.local` when it has a wildcard there: trust domains count as aliases. */
function trustDomainOf(pattern: string): string {
  const td = pattern.split('/')[0];
  return td.includes('*') || td === '' ? 'cluster.local' : td;
}

function principalMatch(pattern: string, id: CallerIdentity): Matched {
  if (!id.authenticated) return NONE;
  if (pattern === '*') return FULL;
  const td = trustDomainOf(pattern);
  if (id.namespace !== undefined && id.serviceAccount !== undefined) {
    return istioStringMatch(pattern, `${td}/ns/${id.namespace}/sa/${id.serviceAccount}`) ? FULL : NONE;
  }
  if (id.namespace !== undefined) {
    const base = `${td}/ns/${id.namespace}/sa/`;
    // Matches whatever the service account: a prefix pattern ending at (or before) `/sa/`.
    if (istioStringMatch(pattern, `${base}\u0001`) && istioStringMatch(pattern, `${base}\u0002x`)) return FULL;
    const parsed = /^[^/]*\/ns\/([^/]+)\/sa\/(.+)$/.exec(pattern);
    if (parsed && istioStringMatch(parsed[1], id.namespace)) return { match: Match.PARTIAL, notes: [`sa ${parsed[2]}`] };
    return NONE;
  }
  return { match: Match.PARTIAL, notes: [`principal ${pattern}`] };
}

function namespaceMatch(pattern: string, id: CallerIdentity): Matched {
  if (!id.authenticated) return NONE;
  if (id.namespace !== undefined) return istioStringMatch(pattern, id.namespace) ? FULL : NONE;
  return pattern === '*' ? FULL : { match: Match.PARTIAL, notes: [`ns ${pattern}`] };
}

/** Any of `patterns` (positive field) / none of them (negative field). */
function anyOf(patterns: unknown, id: CallerIdentity, one: (p: string, id: CallerIdentity) => Matched, negate: boolean): Matched {
  const list = Array.isArray(patterns) ? patterns.map(String) : [];
  let best: Matched = NONE;
  for (const p of list) {
    const m = one(p, id);
    if (m.match > best.match) best = m;
  }
  if (!negate) return best;
  if (best.match === Match.FULL) return NONE;
  return best.match === Match.PARTIAL ? { match: Match.PARTIAL, notes: best.notes.map((n) => `not ${n}`) } : FULL;
}

/** Every field of one `from[].source` (ANDed). */
function sourceMatch(source: any, id: CallerIdentity): Matched {
  const results: Matched[] = [];
  const s = source ?? {};
  if (s.principals !== undefined) results.push(anyOf(s.principals, id, principalMatch, false));
  if (s.notPrincipals !== undefined) results.push(anyOf(s.notPrincipals, id, principalMatch, true));
  if (s.namespaces !== undefined) results.push(anyOf(s.namespaces, id, namespaceMatch, false));
  if (s.notNamespaces !== undefined) results.push(anyOf(s.notNamespaces, id, namespaceMatch, true));
  // `serviceAccounts: ["<ns>/<sa>"]` (Istio 1.24+): a principal in any trust domain.
  const sa = (p: string, who: CallerIdentity) => principalMatch(`*/ns/${p.split('/')[0]}/sa/${p.split('/').slice(1).join('/')}`, who);
  if (s.serviceAccounts !== undefined) results.push(anyOf(s.serviceAccounts, id, sa, false));
  if (s.notServiceAccounts !== undefined) results.push(anyOf(s.notServiceAccounts, id, sa, true));
  if (s.requestPrincipals !== undefined) results.push({ match: Match.PARTIAL, notes: ['JWT'] });
  if (s.notRequestPrincipals !== undefined) results.push({ match: Match.PARTIAL, notes: ['no JWT'] });
  for (const f of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) {
    if (s[f] !== undefined) results.push({ match: Match.PARTIAL, notes: [f.startsWith('not') ? 'not IP' : 'IP'] });
  }
  return all(results);
}

function all(results: readonly Matched[]): Matched {
  let match = Match.FULL;
  const notes: string[] = [];
  for (const r of results) {
    if (r.match < match) match = r.match;
    notes.push(...r.notes);
  }
  return match === Match.NONE ? NONE : { match, notes: match === Match.FULL ? [] : notes };
}

/** One rule: any of `from` (or none given), and `to`, and `when`. */
function ruleMatch(rule: any, id: CallerIdentity): Matched {
  const from = Array.isArray(rule?.from) && rule.from.length > 0 ? rule.from : undefined;
  let source: Matched = FULL;
  if (from) {
    source = NONE;
    for (const f of from) {
      const m = sourceMatch(f?.source, id);
      if (m.match > source.match) source = m;
    }
  }
  if (source.match === Match.NONE) return NONE;
  const parts: Matched[] = [source];
  const ops = summarizeOperations(rule?.to);
  if (ops) parts.push({ match: Match.PARTIAL, notes: [ops] });
  const when = summarizeConditions(rule?.when);
  if (when) parts.push({ match: Match.PARTIAL, notes: [when] });
  return all(parts);
}

/** The outcome of the policies that apply to one target workload, for one caller. */
export interface AuthorizationOutcome {
  readonly status: 'allowed' | 'conditional' | 'denied';
  /** Short edge labels (`GET`, `ext-authz opa`, `denied: deny-all`). */
  readonly labels: readonly string[];
  readonly reasons: readonly string[];
}

/** Evaluates the CUSTOM, DENY and ALLOW policies `policies` (all applying to the target) for `id`. */
export function evaluateAuthorization(policies: readonly AuthorizationPolicyRecord[], id: CallerIdentity): AuthorizationOutcome {
  const labels: string[] = [];
  const reasons: string[] = [];
  let conditional = false;
  for (const p of policies.filter((x) => x.action === 'CUSTOM')) {
    if (p.rules.some((r) => ruleMatch(r, id).match !== Match.NONE)) {
      conditional = true;
      labels.push(`ext-authz ${p.provider ?? '?'}`);
      reasons.push(`${p.ref} (CUSTOM) sends requests to the external authorizer ${p.provider ?? '(no provider)'}`);
    }
  }
  for (const p of policies.filter((x) => x.action === 'DENY')) {
    for (const r of p.rules) {
      const m = ruleMatch(r, id);
      if (m.match === Match.FULL) {
        return { status: 'denied', labels: [`denied: DENY ${p.name}`], reasons: [...reasons, `a rule of ${p.ref} (DENY) matches every request of this caller`] };
      }
      if (m.match === Match.PARTIAL) {
        conditional = true;
        labels.push(`deny ${m.notes.join(' ')}`);
        reasons.push(`${p.ref} (DENY) refuses some requests (${m.notes.join(' ')})`);
      }
    }
  }
  const allows = policies.filter((x) => x.action === 'ALLOW');
  if (allows.length > 0) {
    let full = false;
    const partial: string[] = [];
    for (const p of allows) {
      for (const r of p.rules) {
        const m = ruleMatch(r, id);
        if (m.match === Match.FULL) full = true;
        else if (m.match === Match.PARTIAL) partial.push(m.notes.join(' '));
      }
    }
    if (!full && partial.length === 0) {
      const denyAll = allows.find((p) => p.rules.length === 0 && p.selector === undefined);
      const why = denyAll ? 'deny-all' : 'no ALLOW rule';
      const names = allows.map((p) => p.ref).join(', ');
      return {
        status: 'denied',
        labels: [`denied: ${why}`],
        reasons: [...reasons, `ALLOW policies apply (${names}${denyAll ? `; ${denyAll.ref} allows nothing` : ''}) and none of their rules matches this caller`
          + (id.authenticated ? '' : ' (a plaintext caller has no principal or namespace)')],
      };
    }
    if (!full) {
      conditional = true;
      labels.push(...new Set(partial));
      reasons.push(`only some requests are allowed: ${[...new Set(partial)].join('; ')}`);
    }
  }
  return { status: conditional ? 'conditional' : 'allowed', labels, reasons };
}
