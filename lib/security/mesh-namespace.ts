import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { AllowFromOptions, allowFromRule, AuthorizationAction, AuthorizationPolicy } from './authorization-policy';
import { PeerAuthentication, MtlsMode } from './peer-authentication';
import { IMeshPeer, MESH_ROOT_NAMESPACE, MeshIdentity } from '../core/mesh-peer';
import { egressGrantsFor, egressSequence } from './egress';
import { meshError } from '../private/errors';
import { checkIpOrCidr } from '../private/ip';
import { checkLabels, checkLabelValue } from '../private/labels';
import { peerKey } from '../private/peers';
import { platformFactsOf } from '../private/platform-facts';
import { relationsOf } from '../private/relations';
import { hasOwn, outputMap, ownEntries, withPlainKeys } from '../private/plain-keys';
import { constructTopology, registerTopologySource } from '../private/topology';
import { checkDnsLabel, checkInteger } from '../private/validate';

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

/**
 * A Pod Security Standards level, enforced on a namespace by the Pod Security admission controller
 * (`pod-security.kubernetes.io/enforce`).
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export class PodSecurityLevel {
  /** Non-root, no privilege escalation, capabilities dropped, seccomp RuntimeDefault. Injected pods pass it only with istio-cni. */
  public static readonly RESTRICTED = new PodSecurityLevel('restricted');
  /**
   * Prevents known privilege escalations (host namespaces, privileged, added capabilities beyond the default set).
   * Injected pods pass it only with istio-cni too: istio-init's NET_ADMIN/NET_RAW are not in the baseline set.
   */
  public static readonly BASELINE = new PodSecurityLevel('baseline');
  /** No restriction: what injected pods need when the mesh has no istio-cni (istio-init adds NET_ADMIN and NET_RAW). */
  public static readonly PRIVILEGED = new PodSecurityLevel('privileged');

  private constructor(
    /** The label value. */
    public readonly value: string,
  ) {}
}

/** Prefix of the Pod Security admission labels, managed by `podSecurity`. */
const POD_SECURITY_LABEL = 'pod-security.kubernetes.io/';

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
   * ALLOW policy (`allowFrom`) lets it. Opt out explicitly with `false` (or open one workload to everyone with
   * `AuthorizationPolicy.allowAll()`).
   * @default - true when the namespace injects sidecars and its mTLS mode is STRICT, by its own `mtls` or by the
   *   mesh-wide policy (MeshWideMtls, or any PeerAuthentication `default` of the root namespace), decided at synthesis
   *   so the order in which they are defined does not matter; false otherwise (PERMISSIVE namespaces take plaintext
   *   callers, which carry no identity an ALLOW rule could name)
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
   * Adds Kubernetes NetworkPolicies as defense in depth: `default-deny` (all ingress and egress) and `allow-mesh`:
   * ingress from the namespace itself, the mesh root namespace (istiod, Flagger, the east-west gateway, the mesh
   * Prometheus) and, when a MeshPlatform is part of the mesh, its ingress gateway and load tester namespaces, plus
   * its monitoring namespace on the proxies' metrics ports 15020 and 15090; egress to the namespace itself, the
   * root namespace (istiod on 15012, the egress gateway) and DNS (kube-dns, 53). Calls the mesh declares between a
   * workload of this namespace and one of another (`allowFrom`, `connectTo`, `exposeVia`) are admitted too. Extend
   * with `allowNetworkFrom()` / `allowNetworkTo()` / `allowNetworkToAddresses()` for undeclared peers.
   * Enforced only by a network plugin that implements NetworkPolicy. Opt out explicitly with `false`.
   * @default - true when the namespace injects sidecars, false otherwise
   */
  readonly networkPolicy?: boolean;
  /**
   * Pod Security admission level enforced on the namespace (`pod-security.kubernetes.io/enforce`); `warn` and
   * `audit` are always `restricted`, so what an opt-out lets through stays visible. With sidecar injection,
   * RESTRICTED and BASELINE need istio-cni (MeshPlatform installs it unless `cni: false`, which makes the
   * combination a synthesis error); a mesh installed otherwise without istio-cni needs `PodSecurityLevel.PRIVILEGED`.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * Extra labels of the Namespace (not the injection or Pod Security labels: see `injection` and `podSecurity`).
   * @default - only the injection and Pod Security labels
   */
  readonly labels?: Record<string, string>;
}

/**
 * A Namespace and its mesh settings: sidecar injection, mTLS mode with workload and port exceptions,
 * default-deny authorization, egress limits and NetworkPolicies. Also an `IMeshPeer` (the whole namespace).
 * Secure by default, each with an explicit opt-out: Pod Security `restricted` (`podSecurity`), NetworkPolicy
 * default-deny plus `allow-mesh` for injected namespaces (`networkPolicy: false`), and `deny-all` once the
 * namespace is STRICT, by its own mode or the mesh-wide one (`denyAll: false`).
 * `StrictMtlsNamespace` is this with STRICT mTLS and deny-all always; a namespace outside the mesh is
 * `new MeshNamespace(this, 'legacy', { injection: SidecarInjection.DISABLED })`.
 */
export class MeshNamespace extends Construct implements IMeshPeer {
  public readonly name: string;
  public readonly injection: SidecarInjection;
  /** The enforced Pod Security level. */
  public readonly podSecurity: PodSecurityLevel;
  public readonly resource: k8s.KubeNamespace;
  /** The namespace-wide PeerAuthentication `default`, when `mtls` is set. */
  public readonly peerAuthentication?: PeerAuthentication;
  /** The Sidecar `default`, when `restrictEgress` is set. */
  public readonly sidecar?: istio.Sidecar;
  /** The NetworkPolicies `default-deny` and `allow-mesh`, unless `networkPolicy` is false. */
  public readonly networkPolicies?: k8s.KubeNetworkPolicy[];
  private readonly _denyAllSetting?: boolean;
  private _denyAll?: AuthorizationPolicy;
  /** Position of this namespace among egress changes: grants made before it was defined come last in the Sidecar. */
  private readonly _egressSequence = egressSequence();
  private readonly _addedEgressHosts: Array<{ readonly hosts: readonly string[]; readonly sequence: number }> = [];
  private readonly _networkFrom = new Map<string, IMeshPeer>();
  private readonly _networkTo = new Map<string, IMeshPeer>();
  private readonly _networkToAddresses = new Map<string, AddressRule>();
  private readonly _networkFromAddresses = new Map<string, AddressRule>();

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
    this.podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    if (!(this.podSecurity instanceof PodSecurityLevel)) {
      throw meshError(this, 'podSecurity', 'must be a PodSecurityLevel', props.podSecurity, 'pass PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED');
    }
    const own = checkLabels(this, 'labels', props.labels ?? {});
    for (const [key, value] of ownEntries(own)) {
      if (hasOwn(this.injection.labels, key) || key === 'istio-injection' || key === 'istio.io/rev') {
        throw meshError(this, `labels.${key}`, 'is managed by \'injection\'', value, 'set \'injection\' instead (SidecarInjection.ENABLED, DISABLED or revision())');
      }
      if (key.startsWith(POD_SECURITY_LABEL)) {
        throw meshError(this, `labels.${key}`, 'is managed by \'podSecurity\'', value,
          'set \'podSecurity\' instead (PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED)');
      }
    }
    const podSecurityLabels: Record<string, string> = {
      [`${POD_SECURITY_LABEL}enforce`]: this.podSecurity.value,
      [`${POD_SECURITY_LABEL}warn`]: PodSecurityLevel.RESTRICTED.value,
      [`${POD_SECURITY_LABEL}audit`]: PodSecurityLevel.RESTRICTED.value,
    };
    // Object spread copies own keys as data properties: `constructor` and `__proto__` stay plain keys.
    const labels: Record<string, string> = { ...own, ...podSecurityLabels, ...this.injection.labels };
    this.resource = withPlainKeys(new k8s.KubeNamespace(this, 'Resource', {
      metadata: { name: this.name, labels: outputMap(labels) },
    }));
    if (props.mtls) {
      this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', { name: 'default', namespace: this.name, mode: props.mtls });
    }
    this._denyAllSetting = props.denyAll;
    if (props.denyAll) this._createDenyAll();
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
    if (props.networkPolicy ?? this.injection.enabled) this.networkPolicies = this.createNetworkPolicies();
    this.node.addValidation({ validate: () => this._finalize() });
    registerTopologySource(this, () => ({
      namespaces: [{ name: this.name, labels }],
      sidecars: this.sidecar
        ? [{ name: 'default', namespace: this.name, egressHosts: this._renderEgressHosts(), outboundTrafficPolicy: 'REGISTRY_ONLY' }]
        : [],
    }));
  }

  /**
   * The AuthorizationPolicy `deny-all`: with `denyAll: true` from the start; by default it is added at synthesis when
   * the namespace turns out STRICT (see `denyAll`), and this is undefined until then.
   */
  public get denyAllPolicy(): AuthorizationPolicy | undefined {
    return this._denyAll;
  }

  /**
   * Whether the namespace gets `deny-all`: `denyAll` when set, else whether it injects sidecars and its mode (own
   * `mtls`, else the mesh-wide policy) is STRICT, as the constructs of the mesh define it now.
   */
  public get deniesByDefault(): boolean {
    if (this._denyAllSetting !== undefined) return this._denyAllSetting;
    return this.injection.enabled && constructTopology(this).namespaceMode(this.name).mode === 'STRICT';
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
   * `port` is the container port: Istio matches portLevelMtls against the port the pod listens on, so an exception
   * on a Service port that maps to another container port never applies. For a workload whose ports are known (a
   * MeshApp), a Service port is an error naming its container port, and so is a port the pods do not listen on.
   * Returns the workload's PeerAuthentication (mode inherited unless set by `addWorkloadException`).
   */
  public addPortException(workload: IMeshPeer, port: number, mode: MtlsMode): PeerAuthentication {
    const policy = this.workloadPolicy(workload, MtlsMode.UNSET);
    checkContainerPort(this, workload, port);
    return policy.addPortMtls(port, mode);
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
    // The peer's pods are selected when the policy renders: a CanaryRelease defined later relabels them (`-primary`).
    this._networkFrom.set(peerKey(peer), peer);
    return policy;
  }

  /** Lets this namespace's pods open connections to the peer's pods. Returns `allow-mesh`. */
  public allowNetworkTo(peer: IMeshPeer): k8s.KubeNetworkPolicy {
    const policy = this.requireNetworkPolicy('allowNetworkTo');
    this._networkTo.set(peerKey(peer), peer);
    return policy;
  }

  /**
   * Lets this namespace's pods open TCP connections to addresses outside the mesh's pods on the given ports: what a
   * sidecar needs to reach the external hosts of ServiceEntries directly (e.g. `['0.0.0.0/0'], [443]` for hosts
   * without fixed addresses), or a VM's or a database's address. Addresses are IPs or CIDR prefixes. Idempotent
   * per address and port list. Returns `allow-mesh`.
   */
  public allowNetworkToAddresses(addresses: string[], ports: number[]): k8s.KubeNetworkPolicy {
    return this._allowAddresses('allowNetworkToAddresses', this._networkToAddresses, addresses, ports);
  }

  /**
   * Lets addresses outside the mesh's pods open TCP connections to this namespace's pods on the given (container)
   * ports, e.g. VMs of the same network that reach pods directly, or a load balancer that preserves client addresses.
   * Addresses are IPs or CIDR prefixes. Idempotent per address and port list. Returns `allow-mesh`.
   */
  public allowNetworkFromAddresses(addresses: string[], ports: number[]): k8s.KubeNetworkPolicy {
    return this._allowAddresses('allowNetworkFromAddresses', this._networkFromAddresses, addresses, ports);
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
      throw meshError(this, field, 'needs the namespace NetworkPolicies', 'networkPolicy: false',
        'drop networkPolicy: false (or pass networkPolicy: true for a namespace without injection)');
    }
    return this.networkPolicies[1];
  }

  private _createDenyAll(): AuthorizationPolicy {
    this._denyAll ??= new AuthorizationPolicy(this, 'DenyAll', { name: 'deny-all', namespace: this.name });
    return this._denyAll;
  }

  /**
   * Synthesis-time decisions, once the whole mesh is defined: the default `deny-all` of a namespace that is STRICT
   * through the mesh-wide policy (cdk8s has no prepare phase: node validation runs before any object renders), and
   * the Pod Security level the platform's CNI setting allows.
   */
  private _finalize(): string[] {
    if (this._denyAllSetting === undefined && this.deniesByDefault) this._createDenyAll();
    const errors: string[] = [];
    const platform = platformFactsOf(this);
    if (this.injection.enabled && this.podSecurity !== PodSecurityLevel.PRIVILEGED && platform && !platform.cniEnabled) {
      errors.push(meshError(this, 'podSecurity', `refuses every pod of the namespace: without istio-cni (MeshPlatform ${platform.path} has cni: false) `
        + 'each injected pod gets the istio-init container, which adds NET_ADMIN and NET_RAW, and neither "baseline" nor "restricted" allows them',
      this.podSecurity.value, 'install istio-cni (drop cni: false from the MeshPlatform), or pass podSecurity: PodSecurityLevel.PRIVILEGED '
        + 'to this namespace, or injection: SidecarInjection.DISABLED').message.replace(/^\[[^\]]*\] /, ''));
    }
    return errors;
  }

  private _allowAddresses(field: string, into: Map<string, AddressRule>, addresses: string[], ports: number[]): k8s.KubeNetworkPolicy {
    const policy = this.requireNetworkPolicy(field);
    if (!Array.isArray(addresses) || addresses.length === 0) {
      throw meshError(this, `${field}.addresses`, 'must list at least one address', addresses, 'pass e.g. ["203.0.113.0/24"]');
    }
    if (!Array.isArray(ports) || ports.length === 0) {
      throw meshError(this, `${field}.ports`, 'must list at least one port (opening every port to an address is not a default)', ports,
        'pass the ports the connections go to, e.g. [443]');
    }
    const cidrs = addresses.map((a, i) => {
      checkIpOrCidr(this, `${field}.addresses[${i}]`, a);
      return a.includes('/') ? a : `${a}/${a.includes(':') ? 128 : 32}`;
    });
    ports.forEach((p, i) => checkInteger(this, `${field}.ports[${i}]`, p, 1, 65535));
    const key = JSON.stringify([cidrs, ports]);
    if (!into.has(key)) into.set(key, { cidrs, ports: [...ports] });
    return policy;
  }

  private createNetworkPolicies(): k8s.KubeNetworkPolicy[] {
    const deny = new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: this.name },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const allow = withPlainKeys(new k8s.KubeNetworkPolicy(this, 'AllowMesh', {
      metadata: { name: 'allow-mesh', namespace: this.name },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: Lazy.any({ produce: () => this._renderNetworkIngress() }),
        egress: Lazy.any({
          produce: () => [
            // pods of this namespace; istio-system: istiod (xDS and certificates on 15012) and the egress gateway
            { to: uniquePeers([{ podSelector: {} }, { namespaceSelector: ns(MESH_ROOT_NAMESPACE) }, ...this._networkPeers('to', [MESH_ROOT_NAMESPACE])]) },
            // DNS: the sidecar's DNS proxy and the application resolve through kube-dns
            {
              to: [{ namespaceSelector: ns('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
              ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
            },
            ...[...this._networkToAddresses.values()].map((a) => ({ to: ipBlocks(a), ports: tcpPorts(a.ports) })),
          ],
        }),
      },
    }));
    return [deny, allow];
  }

  /**
   * The peers of the other namespaces this namespace's pods take connections from (`from`) or open them to (`to`):
   * those given to `allowNetworkFrom/To()`, then the calls the mesh declares (`allowFrom`, `connectTo`, `exposeVia`)
   * between a workload of this namespace and one of another, so that a declared call is not cut by the
   * NetworkPolicy. Peers of namespaces admitted as a whole (`covered`) are left out. Read at synthesis.
   */
  private _networkPeers(direction: 'from' | 'to', covered: readonly string[]): k8s.NetworkPolicyPeer[] {
    const explicit = [...(direction === 'from' ? this._networkFrom : this._networkTo).values()];
    const declared = relationsOf(this)
      .map((r) => (direction === 'from' ? [r.callee, r.caller] : [r.caller, r.callee]))
      .filter(([mine, other]) => mine.meshIdentity().namespace === this.name && other.meshIdentity().namespace !== this.name)
      .map(([, other]) => other);
    return [...explicit, ...declared]
      .filter((peer) => !covered.includes(peer.meshIdentity().namespace))
      .map(networkPeer);
  }

  /**
   * Who may open connections into the namespace: itself, the root namespace (istiod, Flagger, east-west gateway, mesh
   * Prometheus), the platform's ingress gateway and load tester namespaces, `allowNetworkFrom()` peers (selected as they
   * are at synthesis), and the platform's Prometheus on the proxies' metrics ports. Istio checks the mTLS identity on top.
   */
  private _renderNetworkIngress(): k8s.NetworkPolicyIngressRule[] {
    const platform = platformFactsOf(this);
    const namespaces = [MESH_ROOT_NAMESPACE, ...(platform ? [platform.ingressGatewayNamespace, platform.loadTesterNamespace] : [])]
      .filter((n) => n !== this.name);
    const rules: k8s.NetworkPolicyIngressRule[] = [{
      from: uniquePeers([{ podSelector: {} }, ...namespaces.map((n) => ({ namespaceSelector: ns(n) })), ...this._networkPeers('from', namespaces)]),
    }];
    if (platform && platform.monitoringNamespace !== this.name) {
      // Prometheus scrapes the sidecars: 15020 (merged app and agent metrics) and 15090 (Envoy's own).
      rules.push({
        from: [{ namespaceSelector: ns(platform.monitoringNamespace) }],
        ports: tcpPorts([15020, 15090]),
      });
    }
    for (const a of this._networkFromAddresses.values()) rules.push({ from: ipBlocks(a), ports: tcpPorts(a.ports) });
    return rules;
  }
}

/** The Service and container ports of a workload that exposes them (MeshApp: `service`, `deployments`). */
interface WorkloadPorts {
  readonly service?: { readonly ports?: ReadonlyArray<{ readonly port: number; readonly targetPort?: number }> };
  readonly deployments?: Readonly<Record<string, { readonly containers: ReadonlyArray<{ readonly ports: ReadonlyArray<{ readonly number: number }> }> }>>;
}

/** Refuses a port exception the pods of `workload` would never match (a Service port, or no port they listen on). */
function checkContainerPort(scope: MeshNamespace, workload: IMeshPeer, port: number): void {
  const w = workload as unknown as WorkloadPorts;
  const deployments = w.deployments && typeof w.deployments === 'object' ? Object.values(w.deployments) : [];
  const containerPorts = new Set<number>();
  for (const d of deployments) for (const c of d.containers ?? []) for (const p of c.ports ?? []) containerPorts.add(p.number);
  if (containerPorts.size === 0 || containerPorts.has(port)) return;
  const name = workload.meshIdentity().name;
  const servicePort = (w.service?.ports ?? []).find((p) => p.port === port && p.targetPort !== undefined);
  if (servicePort) {
    throw meshError(scope, 'addPortException.port', `is a Service port of "${name}"; portLevelMtls matches the container port, so the exception would never apply`,
      port, `pass the container port ${servicePort.targetPort} (the Service port's targetPort)`);
  }
  throw meshError(scope, 'addPortException.port', `is not a port the pods of "${name}" listen on, so the exception would never apply`, port,
    `pass one of the container ports ${[...containerPorts].sort((a, b) => a - b).join(', ')}`);
}

/** Addresses (CIDR prefixes) and TCP ports a NetworkPolicy rule admits. */
interface AddressRule {
  readonly cidrs: string[];
  readonly ports: number[];
}

function ipBlocks(a: AddressRule): k8s.NetworkPolicyPeer[] {
  return a.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

function tcpPorts(ports: readonly number[]): k8s.NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}

function ns(name: string): k8s.LabelSelector {
  return { matchLabels: { 'kubernetes.io/metadata.name': name } };
}

function networkPeer(peer: IMeshPeer): k8s.NetworkPolicyPeer {
  const identity: MeshIdentity = peer.meshIdentity();
  return {
    namespaceSelector: ns(identity.namespace),
    podSelector: identity.podSelector ? { matchLabels: outputMap(identity.podSelector) } : undefined,
  };
}

/** Peers in order, without repeats (a peer namespace that is already allowed as a whole). */
function uniquePeers(peers: k8s.NetworkPolicyPeer[]): k8s.NetworkPolicyPeer[] {
  const seen = new Set<string>();
  return peers.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
