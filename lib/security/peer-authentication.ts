import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as security from '../../imports/security.istio.io';
import { IMeshPeer } from '../core/mesh-peer';
import { meshError } from '../private/errors';
import { policyTarget } from '../private/peers';
import { outputMap, withPlainKeys } from '../private/plain-keys';
import { registerTopologySource } from '../private/topology';
import { checkDnsSubdomain, checkInteger } from '../private/validate';

/**
 * Mutual TLS mode of a PeerAuthentication (what a workload's sidecar ACCEPTS).
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication-MutualTLS-Mode
 */
export class MtlsMode {
  /** Only mTLS connections are accepted: workloads without a sidecar can no longer call in. */
  public static readonly STRICT = new MtlsMode('STRICT');
  /** mTLS and plaintext are both accepted: the migration state (and Istio's default). */
  public static readonly PERMISSIVE = new MtlsMode('PERMISSIVE');
  /** mTLS is off: connections are plaintext. */
  public static readonly DISABLE = new MtlsMode('DISABLE');
  /** Inherit the mode of the parent scope (namespace, then mesh). */
  public static readonly UNSET = new MtlsMode('UNSET');

  private constructor(public readonly value: 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET') {}

  public toString(): string {
    return this.value;
  }
}

/** Props for `PeerAuthentication`. */
export interface PeerAuthenticationProps {
  /**
   * metadata.name.
   * @default - 'default' for a namespace-wide (or mesh-wide) policy, '<workload>-mtls' for a workload policy
   */
  readonly name?: string;
  /**
   * Namespace of the policy; in the root namespace (istio-system) a policy without workload is mesh-wide.
   * @default - the workload's namespace, else the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * What the selected sidecars accept.
   * @default MtlsMode.STRICT
   */
  readonly mode?: MtlsMode;
  /**
   * The workload the policy applies to (its pod labels become the selector).
   * @default - every workload of the namespace
   */
  readonly workload?: IMeshPeer;
}

/**
 * A PeerAuthentication: which traffic the sidecars of a namespace, a workload or the whole mesh accept.
 * Port exceptions (portLevelMtls) are added with `addPortMtls()`.
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export class PeerAuthentication extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The workload the policy selects, if any. */
  public readonly workload?: IMeshPeer;
  public readonly resource: security.PeerAuthentication;
  private readonly _ports = new Map<number, MtlsMode>();
  private _mode: MtlsMode;

  constructor(scope: Construct, id: string, props: PeerAuthenticationProps = {}) {
    super(scope, id);
    this.workload = props.workload;
    const { identity, namespace } = policyTarget(this, props.workload, props.namespace, {
      noLabels: 'must be a workload with pod labels (a namespace or service-account peer cannot be selected)',
      noLabelsFix: 'pass a MeshApp or Gateway, or omit \'workload\' for a namespace-wide policy',
      noSidecar: 'has no sidecar, so a PeerAuthentication selecting it has no effect',
      noSidecarFix: 'enable sidecar injection for the workload, or drop this policy',
      namespaceWhy: ': a selector only matches pods of the policy\'s own namespace',
    });
    this.namespace = namespace;
    this.name = checkDnsSubdomain(this, 'name', props.name ?? (identity ? `${identity.name}-mtls` : 'default'));
    this._mode = props.mode ?? MtlsMode.STRICT;
    if (!identity && this.mode === MtlsMode.UNSET) {
      throw meshError(this, 'mode', 'UNSET has no parent to inherit from in a namespace-wide or mesh-wide policy', 'UNSET',
        'use MtlsMode.STRICT, PERMISSIVE or DISABLE');
    }
    this.resource = withPlainKeys(new security.PeerAuthentication(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._renderSpec() }),
    }));
    registerTopologySource(this, () => ({
      peerAuthentications: [{ name: this.name, namespace: this.namespace, selector: this.workload?.meshIdentity().podSelector, mode: this.mode.value }],
    }));
  }

  /** What the selected sidecars accept (UNSET: inherited, only port exceptions set). */
  public get mode(): MtlsMode {
    return this._mode;
  }

  /** @internal used by MeshNamespace when a workload exception follows a port exception. */
  public _setMode(mode: MtlsMode): void {
    this._mode = mode;
  }

  /** True when the policy applies to the whole namespace (no workload selector). */
  public get namespaceWide(): boolean {
    return this.workload === undefined;
  }

  /**
   * Overrides the mode for one port of the selected workload (portLevelMtls), e.g. a metrics port that must stay
   * plaintext. `port` is the container (target) port. Only workload policies can have port exceptions.
   * Returns this policy.
   */
  public addPortMtls(port: number, mode: MtlsMode): PeerAuthentication {
    if (!this.workload) {
      throw meshError(this, 'portLevelMtls', 'needs a workload selector (Istio ignores port-level modes in namespace-wide policies)', port,
        'pass \'workload\' to this PeerAuthentication, or use StrictMtlsNamespace.addPortException(workload, port, mode)');
    }
    checkInteger(this, `portLevelMtls[${port}]`, port, 1, 65535);
    if (mode === MtlsMode.UNSET) {
      throw meshError(this, `portLevelMtls[${port}]`, 'must not be UNSET (a port exception must name the mode it switches to)', 'UNSET',
        'use MtlsMode.STRICT, PERMISSIVE or DISABLE');
    }
    const existing = this._ports.get(port);
    if (existing && existing !== mode) {
      throw meshError(this, `portLevelMtls[${port}]`, `is already ${existing.value}`, mode.value, 'set one mode per port');
    }
    this._ports.set(port, mode);
    return this;
  }

  /** @internal */
  public _renderSpec(): security.PeerAuthenticationSpec {
    const identity = this.workload?.meshIdentity();
    const ports = [...this._ports.keys()].sort((a, b) => a - b);
    return {
      selector: identity ? { matchLabels: outputMap(identity.podSelector ?? {}) } : undefined,
      mtls: this.mode === MtlsMode.UNSET ? undefined : { mode: this.mode.value as security.PeerAuthenticationSpecMtlsMode },
      portLevelMtls: ports.length === 0 ? undefined
        : Object.fromEntries(ports.map((p) => [String(p), { mode: this._ports.get(p)!.value as security.PeerAuthenticationSpecPortLevelMtlsMode }])),
    };
  }

}
