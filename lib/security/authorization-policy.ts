import { Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as security from '../../imports/security.istio.io';
import { IMeshPeer, MeshIdentity } from '../core/mesh-peer';
import { meshError } from '../private/errors';
import { peerKey, policyTarget, principalsOf } from '../private/peers';
import { recordRelation } from '../private/relations';
import { registerTopologySource } from '../private/topology';
import { checkIpOrCidr, isEveryAddress } from '../private/ip';
import { outputMap, withPlainKeys } from '../private/plain-keys';
import { checkDnsSubdomain, checkInteger } from '../private/validate';

/**
 * What an AuthorizationPolicy does with the requests its rules match.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#AuthorizationPolicy-Action
 */
export class AuthorizationAction {
  /** Allow matching requests. Once any ALLOW policy selects a workload, everything else is denied. */
  public static readonly ALLOW = new AuthorizationAction('ALLOW');
  /** Deny matching requests (evaluated before ALLOW). */
  public static readonly DENY = new AuthorizationAction('DENY');
  /** Audit matching requests (needs an audit provider such as Stackdriver in the mesh config). */
  public static readonly AUDIT = new AuthorizationAction('AUDIT');

  /** Delegate the decision to an external authorizer declared in meshConfig.extensionProviders. */
  public static custom(provider: string): AuthorizationAction {
    return new AuthorizationAction('CUSTOM', provider);
  }

  private constructor(public readonly value: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM', public readonly provider?: string) {}

  public toString(): string {
    return this.provider ? `CUSTOM(${this.provider})` : this.value;
  }
}

/** Raw source of a rule (`from[].source`): every set field must match (AND), values within a field are ORed. */
export interface RequestSource {
  /** @default - any principal */
  readonly principals?: string[];
  /** @default - no exclusion */
  readonly notPrincipals?: string[];
  /** @default - any namespace */
  readonly namespaces?: string[];
  /** @default - no exclusion */
  readonly notNamespaces?: string[];
  /** Source IPs or CIDRs (as seen by the proxy). @default - any */
  readonly ipBlocks?: string[];
  /** @default - no exclusion */
  readonly notIpBlocks?: string[];
  /** Original client IPs (X-Forwarded-For / PROXY protocol). @default - any */
  readonly remoteIpBlocks?: string[];
  /** @default - no exclusion */
  readonly notRemoteIpBlocks?: string[];
  /** End-user principals `<iss>/<sub>` from a validated JWT (`*` = any authenticated request). @default - any */
  readonly requestPrincipals?: string[];
  /** @default - no exclusion */
  readonly notRequestPrincipals?: string[];
}

/** Raw operation of a rule (`to[].operation`). */
export interface RequestOperation {
  /** @default - any host */
  readonly hosts?: string[];
  /** @default - no exclusion */
  readonly notHosts?: string[];
  /** HTTP methods in upper case. @default - any method */
  readonly methods?: string[];
  /** @default - no exclusion */
  readonly notMethods?: string[];
  /** Paths: exact, prefix (`/api/*`), suffix (`*.js`) or `*`. @default - any path */
  readonly paths?: string[];
  /** @default - no exclusion */
  readonly notPaths?: string[];
  /** Destination (container) ports. @default - any port */
  readonly ports?: number[];
  /** @default - no exclusion */
  readonly notPorts?: number[];
}

/**
 * A `when` condition, e.g. `{ key: 'request.auth.claims[iss]', values: ['https://accounts.google.com'] }`.
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 */
export interface RequestCondition {
  readonly key: string;
  /** @default - no required value (then `notValues` must be set) */
  readonly values?: string[];
  /** @default - no excluded value */
  readonly notValues?: string[];
}

/** One rule: a request matches when it matches any `from`, any `to` and every `when`. */
export interface AuthorizationRule {
  /**
   * Typed sources: each peer becomes its own `from` entry (principals of its service accounts, or its namespace).
   * @default - none
   */
  readonly fromPeers?: IMeshPeer[];
  /** Raw sources, for what peers cannot say (IP blocks, JWT principals, exclusions). @default - none */
  readonly from?: RequestSource[];
  /** @default - any operation */
  readonly to?: RequestOperation[];
  /** @default - no condition */
  readonly when?: RequestCondition[];
  /**
   * Says that this ALLOW rule is meant to let in requests from any source, with or without a mesh identity (a public
   * endpoint). Without it, an ALLOW rule that matches every caller is refused: no source and every path, a source of
   * exclusions only (`notNamespaces`, ...), or `0.0.0.0/0` / `::/0` IP blocks. Not rendered.
   * @default false
   */
  readonly openToAnyone?: boolean;
}

/** Props for `AuthorizationPolicy`. */
/** Props of `AuthorizationPolicy.allowAll()`. */
export interface AllowAllProps {
  /**
   * metadata.name.
   * @default - `<workload>-allow-all`, or `allow-all` for the whole namespace
   */
  readonly name?: string;
  /**
   * Namespace; in the root namespace without workload, the whole mesh is opened.
   * @default - the workload's namespace, else the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * Workload whose pods are opened.
   * @default - every workload of the namespace
   */
  readonly workload?: IMeshPeer;
}

export interface AuthorizationPolicyProps {
  /**
   * metadata.name.
   * @default - the construct id (must then be a DNS-1123 subdomain)
   */
  readonly name?: string;
  /**
   * Namespace; a policy without workload in the root namespace (istio-system) applies to the whole mesh.
   * @default - the workload's namespace, else the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * Workload whose pods the policy selects (by its pod labels).
   * @default - every workload of the namespace
   */
  readonly workload?: IMeshPeer;
  /**
   * @default AuthorizationAction.ALLOW
   */
  readonly action?: AuthorizationAction;
  /**
   * Rules; more can be added with `addRule()`. An ALLOW policy without rules matches nothing and so denies
   * everything (the `deny-all` pattern).
   * @default - no rules
   */
  readonly rules?: AuthorizationRule[];
}

/**
 * Flat options of the `allowFrom` verbs: what the peer may do (the fields of an operation: hosts, methods, paths,
 * ports and their `not*` forms), and under which conditions.
 */
export interface AllowFromOptions extends RequestOperation {
  /** @default - no condition */
  readonly when?: RequestCondition[];
}

/**
 * The ALLOW rule of an `allowFrom` verb: the peer as source, the operation fields of the options (when any is set) and
 * the conditions. One place for every `allowFrom` (MeshApp, Gateway, MeshNamespace, ExternalVmWorkload).
 * @internal
 */
export function allowFromRule(peer: IMeshPeer, options: AllowFromOptions): AuthorizationRule {
  const { when, ...operation } = options;
  const hasOperation = Object.values(operation).some((v) => v !== undefined);
  return { fromPeers: [peer], to: hasOperation ? [operation] : undefined, when };
}

const METHOD = /^[A-Z]+$/;
const CONDITION_KEY = new RegExp('^(request\\.headers\\[[^\\]]+\\]|request\\.auth\\.claims\\[[^\\]]+\\](\\[[^\\]]+\\])*|request\\.auth\\.(principal|audiences|presenter)'
  + '|source\\.(ip|namespace|principal)|remote\\.ip|destination\\.(ip|port)|connection\\.sni|experimental\\.envoy\\.filters\\..+)$');

/**
 * An Istio AuthorizationPolicy with typed peers and validated rules. The `allowFrom` verbs of MeshApp and
 * Gateway create these through `AuthorizationPolicy.allowFrom()`.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export class AuthorizationPolicy extends Construct {
  /**
   * ALLOW `peer` to call `target` (optionally only some operations, under conditions): the AuthorizationPolicy
   * `<target>-allow-<peer>` in the target's namespace, selecting the target's pods, with the peer's principals
   * (or namespace). Idempotent per peer: calling again adds the operations as another rule of the same policy.
   * The policy is created as a child of `target`.
   */
  public static allowFrom(target: IMeshPeer & IConstruct, peer: IMeshPeer, options: AllowFromOptions = {}): AuthorizationPolicy {
    const t = target.meshIdentity();
    const p = peer.meshIdentity();
    if (!p.sidecar) {
      throw meshError(target, 'allowFrom', `peer "${p.name}" has no sidecar, so it presents no mTLS identity an AuthorizationPolicy could match`,
        p.name, `enable sidecar injection for "${p.name}" (a sidecar-less caller is rejected by every ALLOW policy and, under STRICT mTLS, by the server sidecar)`);
    }
    const id = `AllowFrom${peerKey(peer)}`;
    let policy = target.node.tryFindChild(id) as AuthorizationPolicy | undefined;
    if (!policy) {
      policy = new AuthorizationPolicy(target, id, {
        name: `${t.name}-allow-${p.name}`,
        workload: target,
        action: AuthorizationAction.ALLOW,
      });
      recordRelation(policy, 'allow', peer, target);
    }
    policy.addRule(allowFromRule(peer, options));
    return policy;
  }

  /**
   * The explicit opt-out of `deny-all`: an ALLOW policy with one empty rule (`rules: [{}]`), which matches every
   * request, so every caller, with or without a mesh identity (plaintext callers in a PERMISSIVE namespace too),
   * reaches the workload (`workload`) or every workload of the namespace. ALLOW policies add up, so this opens the
   * scope whatever other ALLOW policies and `deny-all` say; DENY and CUSTOM policies still apply. Takes no other
   * rules. Example: `AuthorizationPolicy.allowAll(chart, 'public', { workload: app })`.
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/ (allow-all)
   */
  public static allowAll(scope: Construct, id: string, props: AllowAllProps = {}): AuthorizationPolicy {
    const policy = new AuthorizationPolicy(scope, id, { ...props, name: props.name ?? (props.workload ? `${props.workload.meshIdentity().name}-allow-all` : 'allow-all') });
    policy._allowsAll = true;
    policy._rules.push({ openToAnyone: true });
    return policy;
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly action: AuthorizationAction;
  /** The workload the policy selects, if any. */
  public readonly workload?: IMeshPeer;
  public readonly resource: security.AuthorizationPolicy;
  private readonly _rules: AuthorizationRule[] = [];
  private readonly _ruleKeys = new Set<string>();
  private _allowsAll = false;

  constructor(scope: Construct, id: string, props: AuthorizationPolicyProps = {}) {
    super(scope, id);
    this.workload = props.workload;
    const { namespace } = policyTarget(this, props.workload, props.namespace, {
      noLabels: 'must be a workload with pod labels (a namespace or service-account peer cannot be selected)',
      noLabelsFix: 'pass a MeshApp or Gateway, or omit \'workload\' for a namespace-wide policy',
      noSidecar: 'has no sidecar, so nothing would enforce an AuthorizationPolicy on it',
      noSidecarFix: 'enable sidecar injection for the workload (policies are enforced by its Envoy)',
    });
    this.namespace = namespace;
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.action = props.action ?? AuthorizationAction.ALLOW;
    if (this.action.value === 'CUSTOM') checkDnsSubdomainLike(this, this.action.provider!);
    for (const rule of props.rules ?? []) this.addRule(rule);
    this.resource = withPlainKeys(new security.AuthorizationPolicy(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._renderSpec() }),
    }));
    registerTopologySource(this, () => ({
      authorizationPolicies: [{
        name: this.name, namespace: this.namespace, selector: this.workload?.meshIdentity().podSelector, action: this.action.value, ruleCount: this._rules.length,
      }],
    }));
  }

  /** Adds a rule (validated now, rendered at synthesis). An identical rule is added once. Returns this policy. */
  public addRule(rule: AuthorizationRule): AuthorizationPolicy {
    const index = this._rules.length;
    const field = `rules[${index}]`;
    if (this._allowsAll) {
      throw meshError(this, field, 'cannot be added to an allow-all policy (its empty rule already matches every request)', rule,
        'drop the rule, or use a policy of its own (new AuthorizationPolicy / allowFrom) instead of allowAll()');
    }
    const hasSomething = (rule.fromPeers?.length ?? 0) + (rule.from?.length ?? 0) + (rule.to?.length ?? 0) + (rule.when?.length ?? 0) > 0;
    if (!hasSomething) {
      throw meshError(this, field, 'is empty (an empty rule matches every request)', rule,
        'give the rule from, fromPeers, to or when; for an allow-everything policy use AuthorizationPolicy.allowAll()');
    }
    for (const [i, peer] of (rule.fromPeers ?? []).entries()) {
      const p = peer.meshIdentity();
      if (!p.sidecar) {
        throw meshError(this, `${field}.fromPeers[${i}]`, `peer "${p.name}" has no sidecar, so it presents no mTLS identity`, p.name,
          `enable sidecar injection for "${p.name}", or match it by 'from[].ipBlocks' (weaker)`);
      }
    }
    if (this.action.value === 'CUSTOM') this.checkCustomRule(field, rule);
    for (const [i, s] of (rule.from ?? []).entries()) this.checkSource(`${field}.from[${i}]`, s);
    for (const [i, o] of (rule.to ?? []).entries()) this.checkOperation(`${field}.to[${i}]`, o);
    for (const [i, c] of (rule.when ?? []).entries()) this.checkCondition(`${field}.when[${i}]`, c);
    if (this.action === AuthorizationAction.ALLOW && !rule.openToAnyone) this.checkNotOpen(field, rule);
    const key = JSON.stringify({ ...rule, fromPeers: rule.fromPeers?.map(peerKey) });
    if (!this._ruleKeys.has(key)) {
      this._ruleKeys.add(key);
      this._rules.push(rule);
    }
    return this;
  }

  /** Whether this is an allow-all policy (`AuthorizationPolicy.allowAll()`). */
  public get allowsAll(): boolean {
    return this._allowsAll;
  }

  /** The rules added so far (a copy). */
  public get rules(): AuthorizationRule[] {
    return [...this._rules];
  }

  /** @internal */
  public _renderSpec(): security.AuthorizationPolicySpec {
    const identity = this.workload?.meshIdentity();
    const isDenyAll = this.action === AuthorizationAction.ALLOW && !identity && this._rules.length === 0;
    if (isDenyAll) return {}; // the canonical deny-all: an empty spec
    return {
      selector: identity ? { matchLabels: outputMap(identity.podSelector ?? {}) } : undefined,
      action: this.action.value as security.AuthorizationPolicySpecAction,
      provider: this.action.provider ? { name: this.action.provider } : undefined,
      rules: this._rules.length === 0 ? undefined : this._rules.map((r) => this.renderRule(r)),
    };
  }

  private renderRule(rule: AuthorizationRule): security.AuthorizationPolicySpecRules {
    const from: security.AuthorizationPolicySpecRulesFrom[] = [
      ...(rule.fromPeers ?? []).map((peer) => ({ source: this.peerSource(peer.meshIdentity()) })),
      ...(rule.from ?? []).map((s) => ({ source: { ...s } })),
    ];
    return {
      from: from.length === 0 ? undefined : from,
      to: rule.to?.map((o) => ({
        operation: {
          hosts: o.hosts, notHosts: o.notHosts, methods: o.methods, notMethods: o.notMethods, paths: o.paths, notPaths: o.notPaths,
          ports: o.ports?.map(String), notPorts: o.notPorts?.map(String),
        },
      })),
      when: rule.when?.map((c) => ({ key: c.key, values: c.values, notValues: c.notValues })),
    };
  }

  private peerSource(p: MeshIdentity): security.AuthorizationPolicySpecRulesFromSource {
    const principals = principalsOf(this, p);
    if (p.serviceAccounts !== undefined && principals.length === 0) {
      throw meshError(this, 'fromPeers', `peer "${p.name}" has no service account, so it has no principal to allow`, p.name,
        'give the workload a ServiceAccount (MeshApp creates one per workload identity)');
    }
    return principals.length > 0 ? { principals } : { namespaces: [p.namespace] };
  }


  /** Istio evaluates CUSTOM policies before authentication results exist: no principals, JWT or claims. */
  private checkCustomRule(field: string, rule: AuthorizationRule): void {
    const authField = rule.fromPeers?.some((p) => p.meshIdentity().serviceAccounts !== undefined) ? 'fromPeers'
      : rule.from?.some((s) => s.principals || s.notPrincipals || s.requestPrincipals || s.notRequestPrincipals) ? 'from.principals'
        : rule.when?.some((c) => c.key.startsWith('request.auth.') || c.key === 'source.principal') ? 'when.key' : undefined;
    if (authField) {
      throw meshError(this, `${field}.${authField}`, 'uses an authentication field, which a CUSTOM policy does not support', this.action.toString(),
        'match on namespaces, IP blocks, hosts, paths or headers in the CUSTOM policy and put identity checks in an ALLOW or DENY policy');
    }
  }

  /** An ALLOW rule that lets every caller in must say so (`openToAnyone`). */
  private checkNotOpen(field: string, rule: AuthorizationRule): void {
    const fix = 'name the callers (fromPeers, from.principals or from.namespaces), or set openToAnyone: true on the rule if it is meant to be public';
    if ((rule.fromPeers?.length ?? 0) === 0 && (rule.from?.length ?? 0) === 0 && (rule.when?.length ?? 0) === 0) {
      const everyPath = (rule.to ?? []).length === 0 ? 0 : (rule.to ?? []).findIndex((o) => o.paths === undefined || o.paths.includes('*'));
      if (everyPath >= 0) {
        throw meshError(this, rule.to ? `${field}.to[${everyPath}].paths` : `${field}.from`, 'opens every path to any caller, in or outside the mesh: the ALLOW rule has no source',
          rule.to ? (rule.to[everyPath].paths ?? rule.to[everyPath]) : 'no source and no operation', fix);
      }
    }
    for (const [i, s] of (rule.from ?? []).entries()) {
      const set = Object.entries(s).filter(([, v]) => v !== undefined).map(([k]) => k);
      if (set.length > 0 && set.every((k) => k.startsWith('not'))) {
        throw meshError(this, `${field}.from[${i}]`, `only excludes (${set.join(', ')}), so it matches every other caller, including ones without a mesh identity`,
          s, fix);
      }
      for (const k of ['ipBlocks', 'remoteIpBlocks'] as const) {
        const j = (s[k] ?? []).findIndex(isEveryAddress);
        if (j >= 0) throw meshError(this, `${field}.from[${i}].${k}[${j}]`, 'covers every address, so the source matches any caller', s[k]![j], fix);
      }
    }
  }

  private checkSource(field: string, s: RequestSource): void {
    const keys = Object.entries(s).filter(([, v]) => v !== undefined);
    if (keys.length === 0) throw meshError(this, field, 'is empty (matches every source)', s, 'set at least one field, or drop the source');
    for (const [k, v] of keys) {
      if (!Array.isArray(v) || v.length === 0) throw meshError(this, `${field}.${k}`, 'must be a non-empty list', v, `list at least one value, or omit '${k}'`);
    }
    for (const ns of [...(s.namespaces ?? []), ...(s.notNamespaces ?? [])]) {
      if (ns !== '*' && !/^\*?[a-z0-9-]+\*?$/.test(ns)) throw meshError(this, `${field}.namespaces`, 'must be namespace names (optionally with a leading or trailing *)', ns, 'use a name like "istio-system"');
    }
    for (const k of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const) {
      (s[k] ?? []).forEach((ip, j) => checkIpOrCidr(this, `${field}.${k}[${j}]`, ip));
    }
    for (const rp of [...(s.requestPrincipals ?? []), ...(s.notRequestPrincipals ?? [])]) {
      if (rp !== '*' && !rp.includes('/') && !rp.startsWith('*') && !rp.endsWith('*')) {
        throw meshError(this, `${field}.requestPrincipals`, 'must be "<issuer>/<subject>" or "*"', rp, 'use "https://accounts.example.com/user-1" or "*" (any valid JWT)');
      }
    }
  }

  private checkOperation(field: string, o: RequestOperation): void {
    const keys = Object.entries(o).filter(([, v]) => v !== undefined);
    if (keys.length === 0) throw meshError(this, field, 'is empty (matches every operation)', o, 'set at least one field, or drop the operation');
    for (const [k, v] of keys) {
      if (!Array.isArray(v) || v.length === 0) throw meshError(this, `${field}.${k}`, 'must be a non-empty list', v, `list at least one value, or omit '${k}'`);
    }
    for (const m of [...(o.methods ?? []), ...(o.notMethods ?? [])]) {
      if (!METHOD.test(m)) throw meshError(this, `${field}.methods`, 'must be HTTP methods in upper case', m, `use ${JSON.stringify(m.toUpperCase())}`);
    }
    for (const p of [...(o.paths ?? []), ...(o.notPaths ?? [])]) {
      if (!(p.startsWith('/') || p.startsWith('*'))) throw meshError(this, `${field}.paths`, 'must start with "/" or "*"', p, `use ${JSON.stringify('/' + p)}`);
    }
    for (const port of [...(o.ports ?? []), ...(o.notPorts ?? [])]) checkInteger(this, `${field}.ports`, port, 1, 65535);
  }

  private checkCondition(field: string, c: RequestCondition): void {
    if (!CONDITION_KEY.test(c.key)) {
      throw meshError(this, `${field}.key`, 'is not an Istio authorization condition', c.key,
        'use request.headers[<name>], request.auth.claims[<claim>], request.auth.principal|audiences|presenter, source.ip|namespace|principal, remote.ip, destination.ip|port or connection.sni');
    }
    if ((c.values?.length ?? 0) + (c.notValues?.length ?? 0) === 0) {
      throw meshError(this, `${field}.values`, 'needs values or notValues', c, 'list the values the key must (or must not) have');
    }
  }
}

function checkDnsSubdomainLike(scope: IConstruct, provider: string): void {
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(provider)) {
    throw meshError(scope, 'action.provider', 'must be the name of an extension provider from meshConfig.extensionProviders', provider,
      'pass the provider name, e.g. AuthorizationAction.custom("ext-authz-grpc")');
  }
}
