import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { AllowFromOptions, allowFromRule, AuthorizationAction, AuthorizationPolicy } from './authorization-policy';
import { PeerAuthentication, MtlsMode } from './peer-authentication';
import { IMeshPeer, MESH_ROOT_NAMESPACE, MeshIdentity } from '../core/mesh-peer';
import { egressGrantsFor, egressSequence } from './egress';
import { meshError } from '../private/errors';
import { checkLabels, checkLabelValue } from '../private/labels';
import { peerKey } from '../private/peers';
import { hasOwn, outputMap, ownEntries, withPlainKeys } from '../private/plain-keys';
import { registerTopologySource } from '../private/topology';
import { checkDnsLabel } from '../private/validate';

/**
 * Whether (and by which control plane) the pods of a namespace get an Envoy sidecar.
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/
 */
export class SidecarInjection {
  /** Label `istio-injection=enabled`: the default control plane injects every pod (pods can still opt out). */
  public static readonly ENABLED = new SidecarInjection({ 'istio-injection': 'enabled' }, true);
  /** Label `istio-injection=disabled`: the namespace is outside the mesh; not even a pod label can opt in. */
  public static readonly DISABLED = new SidecarInjection({ 'istio-injection': 'disabled' }, false);

  /** Label `istio.io/rev=<revision>`: the control plane of that revision (or revision tag) injects, e.g. for canary upgrades. */
  public static revision(revision: string): SidecarInjection {
    return new SidecarInjection({ 'istio.io/rev': revision }, true, revision);
  }

  private constructor(
    /** Labels set on the Namespace. */
    public readonly labels: Readonly<Record<string, string>>,
    /** Whether pods get a sidecar. */
    public readonly enabled: boolean,
    public readonly revisionName?: string,
  ) {}
}

/** Props for `MeshNamespace`. */
export interface MeshNamespaceProps {
  /**
   * Namespace name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Sidecar injection.
   * @default SidecarInjection.ENABLED
   */
  readonly injection?: SidecarInjection;
  /**
   * mTLS mode of the namespace (PeerAuthentication `default`).
   * @default - no namespace policy: the mesh-wide policy (MeshWideMtls), else Istio's PERMISSIVE, applies
   */
  readonly mtls?: MtlsMode;
  /**
   * Adds the AuthorizationPolicy `deny-all` (empty spec): nothing reaches a workload of the namespace unless an
   * ALLOW policy (`allowFrom`) lets it.
   * @default false
   */
  readonly denyAll?: boolean;
  /**
   * Adds the Sidecar `default` limiting what the proxies see and reach to `./*` and `istio-system/*`
   * (extend with `addEgressHosts()`, or `MeshApp.allowEgressTo()` from a workload of the namespace), with
   * outboundTrafficPolicy REGISTRY_ONLY.
   * @default false
   */
  readonly restrictEgress?: boolean;
  /**
   * Adds Kubernetes NetworkPolicies as defense in depth: `default-deny` (all ingress and egress) and
   * `allow-mesh` (same namespace, istio-system for the gateways and istiod, DNS to kube-dns). Extend with
   * `allowNetworkFrom()` / `allowNetworkTo()`. Needs a CNI that enforces NetworkPolicy.
   * @default false
   */
  readonly networkPolicy?: boolean;
  /**
   * Extra labels of the Namespace.
   * @default - only the injection label
   */
  readonly labels?: Record<string, string>;
}

/**
 * A Namespace and its mesh settings: sidecar injection, mTLS mode with workload and port exceptions,
 * default-deny authorization, egress limits and NetworkPolicies. Also an `IMeshPeer` (the whole namespace).
 * `StrictMtlsNamespace` is this with STRICT mTLS and deny-all by default; a namespace outside the mesh is
 * `new MeshNamespace(this, 'legacy', { injection: SidecarInjection.DISABLED })`.
 */
export class MeshNamespace extends Construct implements IMeshPeer {
  public readonly name: string;
  public readonly injection: SidecarInjection;
  public readonly resource: k8s.KubeNamespace;
  /** The namespace-wide PeerAuthentication `default`, when `mtls` is set. */
  public readonly peerAuthentication?: PeerAuthentication;
  /** The AuthorizationPolicy `deny-all`, when `denyAll` is set. */
  public readonly denyAllPolicy?: AuthorizationPolicy;
  /** The Sidecar `default`, when `restrictEgress` is set. */
  public readonly sidecar?: istio.Sidecar;
  /** The NetworkPolicies `default-deny` and `allow-mesh`, when `networkPolicy` is set. */
  public readonly networkPolicies?: k8s.KubeNetworkPolicy[];
  /** Position of this namespace among egress changes: grants made before it was defined come last in the Sidecar. */
  private readonly _egressSequence = egressSequence();
  private readonly _addedEgressHosts: Array<{ readonly hosts: readonly string[]; readonly sequence: number }> = [];
  private readonly _networkFrom = new Map<string, k8s.NetworkPolicyPeer>();
  private readonly _networkTo = new Map<string, k8s.NetworkPolicyPeer>();

  constructor(scope: Construct, id: string, props: MeshNamespaceProps = {}) {
    super(scope, id);
    this.name = checkDnsLabel(this, 'name', props.name ?? id);
    this.injection = props.injection ?? SidecarInjection.ENABLED;
    if (!this.injection.enabled) {
      for (const field of ['mtls', 'denyAll', 'restrictEgress'] as const) {
        if (props[field] !== undefined && props[field] !== false) {
          throw meshError(this, field, 'has no effect in a namespace without sidecar injection (nothing enforces it)', props[field] instanceof MtlsMode ? String(props[field]) : props[field],
            'enable injection (SidecarInjection.ENABLED) or drop the setting');
        }
      }
    }
    if (this.injection.revisionName !== undefined) checkLabelValue(this, 'injection.revision', this.injection.revisionName);
    const own = checkLabels(this, 'labels', props.labels ?? {});
    for (const [key, value] of ownEntries(own)) {
      if (hasOwn(this.injection.labels, key) || key === 'istio-injection' || key === 'istio.io/rev') {
        throw meshError(this, `labels.${key}`, 'is managed by \'injection\'', value, 'set \'injection\' instead (SidecarInjection.ENABLED, DISABLED or revision())');
      }
    }
    // Object spread copies own keys as data properties: `constructor` and `__proto__` stay plain keys.
    const labels: Record<string, string> = { ...own, ...this.injection.labels };
    this.resource = withPlainKeys(new k8s.KubeNamespace(this, 'Resource', {
      metadata: { name: this.name, labels: outputMap(labels) },
    }));
    if (props.mtls) {
      this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', { name: 'default', namespace: this.name, mode: props.mtls });
    }
    if (props.denyAll) {
      this.denyAllPolicy = new AuthorizationPolicy(this, 'DenyAll', { name: 'deny-all', namespace: this.name });
    }
    if (props.restrictEgress) {
      this.sidecar = new istio.Sidecar(this, 'Sidecar', {
        metadata: { name: 'default', namespace: this.name },
        spec: Lazy.any({
          produce: (): istio.SidecarSpec => ({
            egress: [{ hosts: this._renderEgressHosts() }],
            outboundTrafficPolicy: { mode: istio.SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY },
          }),
        }),
      });
    }
    if (props.networkPolicy) this.networkPolicies = this.createNetworkPolicies();
    registerTopologySource(this, () => ({
      namespaces: [{ name: this.name, labels }],
      sidecars: this.sidecar
        ? [{ name: 'default', namespace: this.name, egressHosts: this._renderEgressHosts(), outboundTrafficPolicy: 'REGISTRY_ONLY' }]
        : [],
    }));
  }

  /** The whole namespace as a peer (rendered as `source.namespaces: [<name>]`). */
  public meshIdentity(): MeshIdentity {
    return { name: `ns-${this.name}`, namespace: this.name, sidecar: this.injection.enabled };
  }

  /**
   * Migration exception: one workload of the namespace accepts `mode` (e.g. PERMISSIVE while its callers still
   * lack sidecars). Creates (or updates) the PeerAuthentication `<workload>-mtls` and returns it.
   */
  public addWorkloadException(workload: IMeshPeer, mode: MtlsMode): PeerAuthentication {
    const pa = this.workloadPolicy(workload, mode);
    if (pa.mode !== mode) {
      throw meshError(this, 'addWorkloadException', `workload "${workload.meshIdentity().name}" already has mode ${pa.mode.value}`, mode.value,
        'declare one mode per workload');
    }
    return pa;
  }

  /**
   * Migration exception for one port of a workload (portLevelMtls), e.g. a plaintext metrics port.
   * `port` is the container port. Returns the workload's PeerAuthentication (mode inherited unless set by
   * `addWorkloadException`).
   */
  public addPortException(workload: IMeshPeer, port: number, mode: MtlsMode): PeerAuthentication {
    return this.workloadPolicy(workload, MtlsMode.UNSET).addPortMtls(port, mode);
  }

  /**
   * ALLOW `peer` to call every workload of the namespace (AuthorizationPolicy `allow-<peer>` without selector).
   * Use the MeshApp `allowFrom` verb to open a single workload. Idempotent per peer; returns the policy.
   */
  public allowFrom(peer: IMeshPeer, options: AllowFromOptions = {}): AuthorizationPolicy {
    this.requireMesh('allowFrom');
    const p = peer.meshIdentity();
    if (!p.sidecar) {
      throw meshError(this, 'allowFrom', `peer "${p.name}" has no sidecar, so it presents no mTLS identity an AuthorizationPolicy could match`, p.name,
        `enable sidecar injection for "${p.name}"`);
    }
    const id = `AllowFrom${peerKey(peer)}`;
    const policy = (this.node.tryFindChild(id) as AuthorizationPolicy | undefined)
      ?? new AuthorizationPolicy(this, id, { name: `allow-${p.name}`, namespace: this.name, action: AuthorizationAction.ALLOW });
return policy.addRule(allowFromRule(peer, options));
  }

  /**
   * Lets the namespace's proxies reach more hosts, in Sidecar `namespace/dnsName` form
   * (e.g. `istio-system/api.example.com`, `bar/*`, `~/*`). Needs `restrictEgress`. Returns the Sidecar.
   *
   * The Sidecar lists `./*` and `istio-system/*`, then the hosts added while the namespace exists (by this method and
   * by `MeshApp.allowEgressTo()` of workloads of the namespace, in call order), then the hosts granted by
   * `allowEgressTo()` before the namespace was defined. Grants are read when the Sidecar renders.
   */
  public addEgressHosts(...hosts: string[]): istio.Sidecar {
    if (!this.sidecar) {
      throw meshError(this, 'restrictEgress', 'must be true to add egress hosts (without a Sidecar resource egress is not limited)', false,
        'pass restrictEgress: true');
    }
    for (const host of hosts) {
      if (!/^(\.|~|\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)\/(\*|\*?[A-Za-z0-9.-]+)$/.test(host)) {
        throw meshError(this, 'egress.hosts', 'must be "<namespace>/<dnsName>" (namespace may be ".", "*" or "~")', host,
          `use e.g. "istio-system/${host.replace(/^.*\//, '') || 'api.example.com'}"`);
      }
    }
    this._addedEgressHosts.push({ hosts: [...hosts], sequence: egressSequence() });
    return this.sidecar;
  }

  /** Lets the peer's pods (a namespace, or a workload's pods) open connections into this namespace. Returns `allow-mesh`. */
  public allowNetworkFrom(peer: IMeshPeer): k8s.KubeNetworkPolicy {
    const policy = this.requireNetworkPolicy('allowNetworkFrom');
    this._networkFrom.set(peerKey(peer), networkPeer(peer.meshIdentity()));
    return policy;
  }

  /** Lets this namespace's pods open connections to the peer's pods. Returns `allow-mesh`. */
  public allowNetworkTo(peer: IMeshPeer): k8s.KubeNetworkPolicy {
    const policy = this.requireNetworkPolicy('allowNetworkTo');
    this._networkTo.set(peerKey(peer), networkPeer(peer.meshIdentity()));
    return policy;
  }

  /** The Sidecar's egress hosts: the defaults, then changes made while the namespace exists, then earlier grants (deduplicated). */
  private _renderEgressHosts(): string[] {
    const grants = egressGrantsFor(this, this.name);
    const sinceDefined = [...this._addedEgressHosts, ...grants.filter((g) => g.sequence > this._egressSequence)]
      .sort((a, b) => a.sequence - b.sequence);
    const before = grants.filter((g) => g.sequence < this._egressSequence);
    const out = ['./*', `${MESH_ROOT_NAMESPACE}/*`];
    for (const entry of [...sinceDefined, ...before]) {
      for (const host of entry.hosts) if (!out.includes(host)) out.push(host);
    }
    return out;
  }

  private workloadPolicy(workload: IMeshPeer, mode: MtlsMode): PeerAuthentication {
    this.requireMesh('peerAuthentication');
    const identity = workload.meshIdentity();
    if (identity.namespace !== this.name) {
      throw meshError(this, 'workload', `must run in namespace "${this.name}"`, `${identity.namespace}/${identity.name}`,
        `add the exception on the workload's own namespace ("${identity.namespace}")`);
    }
    const id = `Mtls${peerKey(workload)}`;
    const existing = this.node.tryFindChild(id) as PeerAuthentication | undefined;
    if (existing) {
      if (mode !== MtlsMode.UNSET && existing.mode === MtlsMode.UNSET) existing._setMode(mode);
      return existing;
    }
    return new PeerAuthentication(this, id, { workload, mode });
  }

  private requireMesh(field: string): void {
    if (!this.injection.enabled) {
      throw meshError(this, field, 'has no effect in a namespace without sidecar injection', this.name, 'enable injection (SidecarInjection.ENABLED)');
    }
  }

  private requireNetworkPolicy(field: string): k8s.KubeNetworkPolicy {
    if (!this.networkPolicies) {
      throw meshError(this, field, 'needs the namespace NetworkPolicies', 'networkPolicy: false', 'pass networkPolicy: true');
    }
    return this.networkPolicies[1];
  }

  private createNetworkPolicies(): k8s.KubeNetworkPolicy[] {
    const ns = (name: string): k8s.LabelSelector => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
    const deny = new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: this.name },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const allow = withPlainKeys(new k8s.KubeNetworkPolicy(this, 'AllowMesh', {
      metadata: { name: 'allow-mesh', namespace: this.name },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: Lazy.any({
          produce: () => [
            // pods of this namespace, and istio-system (ingress gateway; the mTLS identity is checked by Istio on top)
            { from: [{ podSelector: {} }, { namespaceSelector: ns(MESH_ROOT_NAMESPACE) }, ...this._networkFrom.values()] },
          ],
        }),
        egress: Lazy.any({
          produce: () => [
            // pods of this namespace; istio-system: istiod (xDS and certificates on 15012) and the egress gateway
            { to: [{ podSelector: {} }, { namespaceSelector: ns(MESH_ROOT_NAMESPACE) }, ...this._networkTo.values()] },
            // DNS: the sidecar's DNS proxy and the application resolve through kube-dns
            {
              to: [{ namespaceSelector: ns('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
              ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
            },
          ],
        }),
      },
    }));
    return [deny, allow];
  }
}

function networkPeer(identity: MeshIdentity): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': identity.namespace } },
    podSelector: identity.podSelector ? { matchLabels: outputMap(identity.podSelector) } : undefined,
  };
}
