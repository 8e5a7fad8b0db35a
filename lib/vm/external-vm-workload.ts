import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { IExternalVersion, IExternalVersionHost } from '../core/external-version';
import { EastWestGatewayInfo, isIstiodExposed } from './istiod-exposure';
import { OnboardingFacts, renderOnboarding } from './private/onboarding';
import { addressSlug, checkAddress, checkLabels, ISTIO_PORT_PROTOCOLS, protocolOfPortName } from './private/checks';
import { VmReadinessProbe } from './vm-readiness-probe';
import { IMeshPeer, MeshIdentity } from '../core/mesh-peer';
import { ISTIO_VERSION } from '../platform/chart-versions';
import { AllowFromOptions, AuthorizationPolicy } from '../security/authorization-policy';
import { OutputLayout } from '../synth/output-layout';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { namespaceOf, serviceFqdn } from '../private/names';
import { principalsOf } from '../private/peers';
import { matches } from '../private/topology';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';
import { addWarning } from '../private/warnings';
import { meshScopeOf } from '../private/mesh-scope';

/** A port the VM serves. Name it with an Istio protocol prefix (`http`, `http-*`, `grpc-*`, `tcp-*`, ...) or set `appProtocol`. */
export interface VmPort {
  /** Service port name; also the key of the WorkloadEntry `ports` map. */
  readonly name: string;
  /** Service port. */
  readonly port: number;
  /**
   * Port the application listens on, on the VM.
   * @default - `port`
   */
  readonly targetPort?: number;
  /**
   * Istio protocol (http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql, redis), rendered as the Service port's appProtocol.
   * @default - the protocol of the name's prefix (required when the name has none)
   */
  readonly appProtocol?: string;
}

/** A VM that does not auto-register: a static WorkloadEntry. */
export interface VmStaticEntry {
  /** Address of the VM: an IPv4 or IPv6 address, or a DNS name; no port, prefix or scheme. */
  readonly address: string;
  /**
   * metadata.name of the WorkloadEntry.
   * @default - `<name>-<address>`, the address with '.' and ':' replaced by '-'
   */
  readonly name?: string;
  /**
   * Labels in addition to the workload's (`app`, `version`, ...), which it cannot change.
   * @default - the workload's labels only
   */
  readonly labels?: Record<string, string>;
  /**
   * Load-balancing weight.
   * @default - Istio's default (equal weights)
   */
  readonly weight?: number;
  /**
   * Locality, `<region>[/<zone>[/<subzone>]]`.
   * @default - none
   */
  readonly locality?: string;
  /**
   * Network of the VM; must be the east-west gateway's.
   * @default - the workload's network
   */
  readonly network?: string;
  /**
   * ServiceAccount the VM's proxy runs as (another existing identity).
   * @default - the workload's ServiceAccount
   */
  readonly serviceAccount?: string;
}

/** Props of `ExternalVmWorkload`. */
export interface ExternalVmWorkloadProps {
  /**
   * The east-west gateway of the VMs' network (`platform.enableVmWorkloads()`): VMs reach istiod through it. For the
   * generated istioctl `--clusterID`, pass the platform's `clusterName` with it when it is not 'Kubernetes'.
   */
  readonly eastWestGateway: EastWestGatewayInfo;
  /**
   * metadata.name of the WorkloadGroup (istioctl's workload name).
   * @default - the construct id for a standalone workload; `<app>-<version>` with `versionOf`
   */
  readonly name?: string;
  /**
   * Namespace.
   * @default - the namespace of `versionOf`, else the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * Serve the VMs as a version of this app (e.g. a MeshApp): they carry its Service selector labels plus `version`,
   * its Service reaches them, and no Service of their own is created. The app must then add this workload with
   * `addExternalVersion()`.
   * @default - standalone: the workload gets its own Service `<app>`
   */
  readonly versionOf?: IExternalVersionHost;
  /**
   * The `app` label, and the name of the workload's own Service (standalone only).
   * @default - `name`
   */
  readonly app?: string;
  /**
   * The `version` label (and the subset name under `versionOf`).
   * @default 'vm'
   */
  readonly version?: string;
  /**
   * More labels of every VM (not `app` or `version`).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * ServiceAccount the VMs' proxies run as: their identity, `<trustDomain>/ns/<namespace>/sa/<name>`.
   * @default - `name`
   */
  readonly serviceAccountName?: string;
  /**
   * Create the ServiceAccount; `false` adopts an existing one (created by someone else, e.g. a MeshApp).
   * @default true
   */
  readonly createServiceAccount?: boolean;
  /**
   * Whether the VMs run the Istio proxy (istio-sidecar package). Without it there is no WorkloadGroup, no identity and
   * no mTLS: every VM is a static entry, reached in plain text.
   * @default true
   */
  readonly sidecar?: boolean;
  /**
   * Ports the VMs serve (the Service's, and the WorkloadEntries' `ports` map).
   * @default - none with `versionOf` (the app's Service ports and targetPorts apply); required for a standalone workload
   */
  readonly ports?: VmPort[];
  /**
   * Readiness probe run on each VM; an auto-registered VM gets traffic only while it succeeds.
   * @default - no probe (Ready once connected)
   */
  readonly probe?: VmReadinessProbe;
  /**
   * Network of the VMs; must be the east-west gateway's (the gateway serves that one network).
   * @default - the east-west gateway's network
   */
  readonly network?: string;
  /**
   * VMs that do not auto-register (more with `addStaticEntry()`).
   * @default - none: VMs register themselves (istioctl `--autoregister`)
   */
  readonly entries?: VmStaticEntry[];
}

/**
 * VMs in the mesh (Istio's VM integration): a WorkloadGroup (`app` and `version` labels, ServiceAccount, network,
 * readiness probe) from which VMs auto-register as WorkloadEntries, the ServiceAccount that is their identity, a
 * Service (standalone, or the app's with `versionOf`), optional static WorkloadEntries, and the generated onboarding
 * steps at `vm/<namespace>/<name>/ONBOARDING.md` of its chart's output folder.
 *
 * A peer like a MeshApp: `app.allowFrom(vm)`, `vm.allowFrom(app)`. Every WorkloadEntry names the ServiceAccount, so
 * callers use mTLS to the VMs' proxies (it works in a StrictMtlsNamespace).
 *
 *   const vm = new ExternalVmWorkload(chart, 'ratings', {
 *     eastWestGateway: platform.enableVmWorkloads(),
 *     serviceAccountName: 'bookinfo-ratings',
 *     ports: [{ name: 'http', port: 9080 }],
 *     probe: VmReadinessProbe.httpGet(9080, { path: '/health' }),
 *   });
 *
 * @see https://istio.io/latest/docs/setup/install/virtual-machine/
 */
export class ExternalVmWorkload extends Construct implements IMeshPeer, IExternalVersion {
  /** Name of the WorkloadGroup. */
  public readonly name: string;
  public readonly namespace: string;
  /** Value of the `app` label. */
  public readonly app: string;
  /** Value of the `version` label. */
  public readonly versionName: string;
  /** Network of the VMs. */
  public readonly network: string;
  /** Whether the VMs run the Istio proxy. */
  public readonly sidecar: boolean;
  /** Name of the ServiceAccount the proxies run as (undefined without sidecar). */
  public readonly serviceAccountName?: string;
  /** Host callers use: the workload's Service, or the app's with `versionOf`. */
  public readonly host: string;
  public readonly eastWestGateway: EastWestGatewayInfo;
  public readonly versionOf?: IExternalVersionHost;
  /** The WorkloadGroup (undefined without sidecar). */
  public readonly workloadGroup?: istio.WorkloadGroup;
  /** The ServiceAccount (undefined when adopted or without sidecar). */
  public readonly serviceAccount?: kplus.ServiceAccount;
  /** The workload's own Service (undefined with `versionOf`). */
  public readonly service?: kplus.Service;

  private readonly _labels: Record<string, string>;
  private readonly _ports: Array<Required<VmPort>>;
  private readonly _entries = new Map<string, { spec: VmStaticEntry; resource: istio.WorkloadEntry; name: string; serviceAccount?: string }>();
  private readonly _probe?: Record<string, unknown>;
  private _boundHost?: IExternalVersionHost;

  constructor(scope: Construct, id: string, props: ExternalVmWorkloadProps) {
    super(scope, id);
    const host = props.versionOf;
    this.versionOf = host;
    this.sidecar = props.sidecar ?? true;
    this.versionName = checkDnsLabel(this, 'version', props.version ?? 'vm');
    if (host && props.app !== undefined) {
      throw meshError(this, 'app', 'cannot be set with versionOf (the VMs carry the app\'s Service selector labels)', props.app, `omit 'app'; the app label comes from ${host.node.path}`);
    }
    this.app = host ? (host.labels.app ?? host.name) : (props.app ?? props.name ?? id);
    this.name = checkDnsLabel(this, 'name', props.name ?? (host ? `${host.name}-${this.versionName}` : id));
    if (host && props.namespace !== undefined && props.namespace !== host.namespace) {
      throw meshError(this, 'namespace', `must be the namespace of versionOf "${host.name}" ("${host.namespace}"): a Service selects endpoints of its own namespace only`,
        props.namespace, "omit 'namespace'");
    }
    this.namespace = checkDnsLabel(this, 'namespace', host ? host.namespace : namespaceOf(this, props.namespace));

    // Labels: the Service selector's, then version, then extras that may not change either.
    if (!host && !/^[a-z]/.test(checkDnsLabel(this, 'app', this.app))) {
      throw meshError(this, 'app', 'must start with a letter (it names the Service, a DNS-1035 label)', this.app, `use a name like "vm-${this.app}"`);
    }
    const base: Record<string, string> = host ? { ...host.labels } : { app: this.app };
    for (const k of Object.keys(props.labels ?? {})) {
      if (k === 'version' || k in base) {
        throw meshError(this, `labels.${k}`, 'cannot be set here: it is what the Service and the DestinationRule subsets select on', props.labels![k],
          k === 'version' ? "use the 'version' prop" : host ? `omit it (it comes from ${host.node.path})` : "use the 'app' prop");
      }
    }
    this._labels = { ...base, version: this.versionName, ...props.labels };
    checkLabels(this, 'labels', this._labels);

    // Network: the east-west gateway serves one network; a VM elsewhere could reach neither istiod nor the pods.
    const gw = props.eastWestGateway;
    if (!gw) {
      throw meshError(this, 'eastWestGateway', 'is required: VMs reach istiod through the east-west gateway of their network', gw,
        'pass eastWestGateway: platform.enableVmWorkloads()');
    }
    this.eastWestGateway = gw;
    this.network = this._checkNetwork('network', props.network ?? gw.network);

    this._ports = this._checkPorts(props.ports ?? []);
    if (!host && this._ports.length === 0) {
      throw meshError(this, 'ports', 'must list at least one port for a standalone workload (its Service needs them)', props.ports ?? [],
        "pass ports: [{ name: 'http', port: 9080 }], or serve the VMs as a version of an app with 'versionOf'");
    }
    this.host = host ? host.host : serviceFqdn(this, this.app, this.namespace);

    if (!this.sidecar) {
      for (const k of ['serviceAccountName', 'createServiceAccount', 'probe'] as const) {
        if (props[k] !== undefined) {
          throw meshError(this, k, 'needs the Istio proxy on the VMs (sidecar: false)', k === 'probe' ? props.probe!.kind : props[k],
            `omit '${k}', or install the proxy (sidecar: true)`);
        }
      }
    } else {
      this.serviceAccountName = checkDnsSubdomain(this, 'serviceAccountName', props.serviceAccountName ?? this.name);
      if (props.createServiceAccount ?? true) {
        this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: { name: this.serviceAccountName, namespace: this.namespace } });
      }
      this._probe = props.probe?._render(this, 'probe');
      this.workloadGroup = withApiFieldNames(new istio.WorkloadGroup(this, 'WorkloadGroup', {
        metadata: { name: this.name, namespace: this.namespace },
        spec: {
          // Labels belong in metadata (istioctl warns about template labels); every WorkloadEntry gets them.
          metadata: { labels: { ...this._labels } },
          template: { serviceAccount: this.serviceAccountName, network: this.network, ports: this._portsMap() },
          probe: this._probe,
        } as unknown as istio.WorkloadGroupSpec,
      }));
    }

    if (!host) this.service = this._createService();
    for (const e of props.entries ?? []) this.addStaticEntry(e);

    this.node.addValidation({ validate: () => this._validate() });
    OutputLayout.addDocument(this, `vm/${this.namespace}/${this.name}/ONBOARDING.md`, () => renderOnboarding(this._onboardingFacts()));
  }

  /** Labels every VM carries (`app` or the app's selector labels, `version`, extras). A copy. */
  public get labels(): Record<string, string> {
    return { ...this._labels };
  }

  /** Labels of the DestinationRule subset for this version: `{ version: <version> }`. */
  public get subsetLabels(): Record<string, string> {
    return { version: this.versionName };
  }

  /** The ports (with targetPort and appProtocol filled in). A copy. */
  public get ports(): VmPort[] {
    return this._ports.map((p) => ({ ...p }));
  }

  /** The static WorkloadEntries. A copy. */
  public get workloadEntries(): istio.WorkloadEntry[] {
    return [...this._entries.values()].map((e) => e.resource);
  }

  /** ServiceAccount names of the VMs' proxies: the workload's and any other one a static entry names. */
  public get serviceAccountNames(): string[] {
    if (!this.sidecar) return [];
    return [...new Set([this.serviceAccountName!, ...[...this._entries.values()].flatMap((e) => (e.serviceAccount ? [e.serviceAccount] : []))])];
  }

  /** Principals of the VMs (`<trustDomain>/ns/<namespace>/sa/<serviceAccount>`), for AuthorizationPolicy `from`. */
  public get principals(): string[] {
    return principalsOf(this, this.meshIdentity());
  }

  /** The VMs as a mesh peer: their ServiceAccount(s), namespace, proxy, and labels as the selector. */
  public meshIdentity(): MeshIdentity {
    return { name: this.name, namespace: this.namespace, serviceAccounts: this.serviceAccountNames, sidecar: this.sidecar, podSelector: this.labels };
  }

  /**
   * Lets `peer` call the VMs: the ALLOW AuthorizationPolicy `<name>-allow-<peer>` selecting the VMs' labels (the
   * policy applies to their proxies), with the peer's principals, optionally only some operations. Idempotent per
   * peer; returns the policy. Same behaviour as MeshApp.allowFrom.
   */
  public allowFrom(peer: IMeshPeer, options: AllowFromOptions = {}): AuthorizationPolicy {
    return AuthorizationPolicy.allowFrom(this, peer, options);
  }

  /** Adds a VM that does not auto-register: a WorkloadEntry with the workload's labels, network and ServiceAccount. Returns it. */
  public addStaticEntry(entry: VmStaticEntry): istio.WorkloadEntry {
    const field = `entries[${this._entries.size}]`;
    const kind = checkAddress(this, `${field}.address`, entry.address);
    const address = kind === 'ipv6' ? entry.address.toLowerCase() : entry.address;
    const existing = [...this._entries.values()].find((e) => e.spec.address.toLowerCase() === address.toLowerCase());
    if (existing) throw meshError(this, `${field}.address`, `is already the address of the entry "${existing.name}"`, entry.address, 'list each VM once');
    const name = checkDnsSubdomain(this, `${field}.name`, entry.name ?? `${this.name}-${addressSlug(address)}`);
    checkUnique(this, `${field}.name`, [...[...this._entries.values()].map((e) => e.name), name], (n) => n);
    for (const [k, v] of Object.entries(entry.labels ?? {})) {
      if (k in this._labels && this._labels[k] !== v) {
        throw meshError(this, `${field}.labels.${k}`, `must not differ from the workload's label ${k}=${this._labels[k]} (the Service and subsets would no longer select this VM)`,
          v, `omit '${k}' from the entry's labels`);
      }
    }
    const labels = { ...this._labels, ...entry.labels };
    checkLabels(this, `${field}.labels`, labels);
    const network = this._checkNetwork(`${field}.network`, entry.network ?? this.network);
    if (entry.weight !== undefined) checkInteger(this, `${field}.weight`, entry.weight, 1, 4294967295);
    if (entry.locality !== undefined && !/^[^/\s]+(\/[^/\s]+){0,2}$/.test(entry.locality)) {
      throw meshError(this, `${field}.locality`, 'must be <region>[/<zone>[/<subzone>]]', entry.locality, 'use e.g. "us-east1/us-east1-b"');
    }
    let serviceAccount: string | undefined;
    if (this.sidecar) {
      serviceAccount = checkDnsSubdomain(this, `${field}.serviceAccount`, entry.serviceAccount ?? this.serviceAccountName!);
    } else if (entry.serviceAccount !== undefined) {
      throw meshError(this, `${field}.serviceAccount`, 'needs the Istio proxy on the VM (the workload has sidecar: false)', entry.serviceAccount,
        "omit 'serviceAccount' (without a proxy the VM has no mesh identity)");
    }
    const resource = withApiFieldNames(new istio.WorkloadEntry(this, `WorkloadEntry-${addressSlug(address)}`, {
      metadata: { name, namespace: this.namespace },
      spec: {
        address,
        labels,
        // Istio sends mTLS to a WorkloadEntry that names a ServiceAccount (tlsMode istio), plain text otherwise.
        serviceAccount,
        network,
        ports: this._portsMap(),
        weight: entry.weight,
        locality: entry.locality,
      },
    }));
    this._entries.set(name, { spec: { ...entry, address }, resource, name, serviceAccount });
    return resource;
  }

  /** Called by `host.addExternalVersion(this)`: records that `host` serves the VMs as the version `versionName`. */
  public bindVersionHost(host: IExternalVersionHost): void {
    if (this.versionOf !== host) {
      throw meshError(host, 'addExternalVersion', this.versionOf
        ? `cannot add ${this.node.path}: it was built as a version of ${this.versionOf.node.path}`
        : `cannot add ${this.node.path}: it is a standalone workload with its own Service "${this.app}"`, this.name,
      `construct it with versionOf: <this app> (${host.node.path})`);
    }
    if (this._boundHost) {
      throw meshError(host, 'addExternalVersion', 'was already called for this workload', this.name, 'add each external version once');
    }
    this._boundHost = host;
  }

  // ---- checks ----

  private _checkNetwork(field: string, network: string): string {
    const gw = this.eastWestGateway;
    if (network !== gw.network) {
      throw meshError(this, field, `has no east-west gateway: the gateway ${gw.namespace}/${gw.serviceName} serves network "${gw.network}", and a VM in another `
        + 'network could reach neither istiod nor the pods', network, `omit it (the VMs join "${gw.network}"), or pass the east-west gateway of that network`);
    }
    return network;
  }

  private _checkPorts(ports: VmPort[]): Array<Required<VmPort>> {
    checkUnique(this, 'ports.name', ports, (p) => p.name);
    checkUnique(this, 'ports.port', ports, (p) => p.port);
    return ports.map((p, i) => {
      const field = `ports[${i}]`;
      checkDnsLabel(this, `${field}.name`, p.name, 63);
      checkInteger(this, `${field}.port`, p.port, 1, 65535);
      const targetPort = checkInteger(this, `${field}.targetPort`, p.targetPort ?? p.port, 1, 65535);
      const prefix = protocolOfPortName(p.name);
      const appProtocol = p.appProtocol ?? prefix;
      if (appProtocol === undefined) {
        throw meshError(this, `${field}.name`, 'must start with an Istio protocol (http, http-*, grpc-*, tcp-*, ...) or the port needs appProtocol, so that Istio '
          + 'does not fall back to protocol sniffing', p.name, `rename it to "http-${p.name}" or "tcp-${p.name}", or set appProtocol`);
      }
      if (!(ISTIO_PORT_PROTOCOLS as readonly string[]).includes(appProtocol)) {
        throw meshError(this, `${field}.appProtocol`, `must be an Istio protocol (${ISTIO_PORT_PROTOCOLS.join(', ')})`, appProtocol, 'use e.g. "http" or "tcp"');
      }
      if (prefix !== undefined && p.appProtocol !== undefined && prefix !== p.appProtocol) {
        throw meshError(this, `${field}.appProtocol`, `contradicts the name's protocol prefix "${prefix}"`, p.appProtocol, 'drop appProtocol or rename the port');
      }
      return { name: p.name, port: p.port, targetPort, appProtocol };
    });
  }

  private _validate(): string[] {
    const errors: string[] = [];
    const host = this.versionOf;
    if (host && this._boundHost !== host) {
      errors.push(`'versionOf' ${host.node.path} never added this workload as a version, so no subset or route reaches the VMs. `
        + `Fix: call addExternalVersion(${this.node.id}) on ${host.node.path}.`);
    }
    if (host && host.versionNames.includes(this.versionName)) {
      errors.push(`'version' "${this.versionName}" is also a Kubernetes version of ${host.node.path}: the subset would select both. Fix: give the VMs another version name.`);
    }
    if (!this.sidecar && this._entries.size === 0) {
      errors.push('\'entries\' is empty: VMs without the Istio proxy cannot auto-register, so nothing would be selected. '
        + 'Fix: list the VMs with addStaticEntry({ address }), or install the proxy (sidecar: true).');
    }
    if (!host) {
      const selector = { app: this.app };
      for (const c of meshScopeOf(this).node.findAll()) {
        if (c === this || typeof (c as Partial<IMeshPeer>).meshIdentity !== 'function') continue;
        const id = (c as unknown as IMeshPeer).meshIdentity();
        if (id.namespace === this.namespace && id.podSelector && Object.keys(id.podSelector).length > 0 && matches(id.podSelector, selector)) {
          errors.push(`'app' "${this.app}": the Service ${this.namespace}/${this.app} of these VMs would also select the pods of ${c.node.path} (labels `
            + `${JSON.stringify(id.podSelector)}). Fix: serve the VMs as a version of that app (versionOf: <app>, then app.addExternalVersion(vm)), or use another 'app'.`);
        }
      }
    }
    if (this.sidecar && !isIstiodExposed(this, this.eastWestGateway)) {
      const gw = this.eastWestGateway;
      addWarning(this, 'vm:istiod-not-exposed', `no IstiodExposure for the east-west gateway ${gw.namespace}/${gw.serviceName} in this app: the VMs reach istiod `
        + 'only through it (ports 15012, 15017). Fix: new IstiodExposure(scope, id, { eastWestGateway }) once, or apply it elsewhere');
    }
    return errors;
  }

  // ---- rendering ----

  private _portsMap(): Record<string, number> | undefined {
    return this._ports.length === 0 ? undefined : Object.fromEntries(this._ports.map((p) => [p.name, p.targetPort]));
  }

  private _createService(): kplus.Service {
    const service = new kplus.Service(this, 'Service', {
      metadata: { name: checkDnsLabel(this, 'app', this.app), namespace: this.namespace },
      ports: this._ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: kplus.Protocol.TCP })),
    });
    // Select on app only (never version): the VMs of every version behind one Service, like a MeshApp.
    service.selectLabel('app', this.app);
    // cdk8s-plus ServicePort has no appProtocol (STYLE §6); Istio reads it before the port name.
    this._ports.forEach((p, i) => ApiObject.of(service).addJsonPatch(JsonPatch.add(`/spec/ports/${i}/appProtocol`, p.appProtocol)));
    return service;
  }

  private _onboardingFacts(): OnboardingFacts {
    const output = OutputLayout.of(Chart.of(this));
    const file = `workloadgroup-${this.name}.yaml`;
    const gw = this.eastWestGateway;
    return {
      path: this.node.path,
      name: this.name,
      namespace: this.namespace,
      labels: this.labels,
      sidecar: this.sidecar,
      serviceAccount: this.serviceAccountName,
      principals: this.principals,
      network: this.network,
      clusterName: gw.clusterName ?? 'Kubernetes',
      gatewayNamespace: gw.namespace,
      gatewayService: gw.serviceName,
      revision: gw.revision,
      istioVersion: ISTIO_VERSION,
      host: this.host,
      ports: this.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort!, protocol: p.appProtocol! })),
      manifest: output.flat ? `${output.folder}/${file}` : `${output.folder}/${this.namespace}/${file}`,
      probe: this._probe !== undefined,
      entries: [...this._entries.values()].map((e) => ({ name: e.name, address: e.spec.address })),
      versionOf: this.versionOf?.host,
    };
  }
}
