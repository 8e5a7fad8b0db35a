import { Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { GatewayServer, GatewayServerSpec, ServerProtocol } from './gateway-server';
import { GatewayTlsMode, HttpsServer, HttpsServerOptions, TlsPassthroughServerOptions } from './gateway-tls';
import { IMeshPeer, MeshIdentity } from '../core/mesh-peer';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { GATEWAY_WORKLOAD_NAMESPACE } from '../private/gateway-metadata';
import { checkLabels } from '../private/labels';
import { namespaceOf } from '../private/names';
import { outputMap } from '../private/plain-keys';
import { trustDomainOf } from '../private/peers';
import { checkDnsLabel, checkDnsSubdomain, checkInteger } from '../private/validate';

/**
 * An Istio Gateway that VirtualServices can bind to: one this app defines, or an existing one. Also a mesh peer
 * (its Envoy workload), so `app.allowFrom(gateway)` and `RequestAuthentication({ workload: gateway })` work.
 */
export interface IGateway extends IConstruct, IMeshPeer {
  /** Gateway name. */
  readonly name: string;
  /** Gateway namespace. */
  readonly namespace: string;
  /** `<namespace>/<name>`, the form VirtualService `spec.gateways` uses. */
  readonly ref: string;
  /** Hosts the gateway's servers accept, as written on the servers (may be `ns/host` or wildcards). */
  readonly hosts: string[];
  /** Labels selecting the gateway workload (the Envoy deployment). */
  readonly selector: Record<string, string>;
  /** Namespace of the gateway workload (not of the Gateway object). */
  readonly workloadNamespace: string;
  /** Service account of the gateway workload. */
  readonly serviceAccount: string;
  /** SPIFFE principal of the gateway workload, `cluster.local/ns/<workloadNamespace>/sa/<serviceAccount>`, for AuthorizationPolicy. */
  readonly principal: string;
  /**
   * The gateway's servers, which decide the route kind of a binding (`http`, `tls` or `tcp`); `undefined` when not
   * known (a gateway imported without `servers`: bindings then get `http` routes).
   */
  readonly servers?: GatewayServer[];
}

/** Options of `Gateway.addHttpServer()`. */
export interface HttpServerOptions {
  /**
   * Port number on the gateway workload.
   * @default 80
   */
  readonly port?: number;
  /**
   * Hosts the server accepts: `*`, `example.com`, `*.example.com`, optionally prefixed by a
   * namespace (`ns/host`, `./host`, `* /host`) restricting which VirtualServices may bind.
   * @default - the gateway's `hosts`
   */
  readonly hosts?: string[];
  /**
   * Server (and port) name, unique within the gateway.
   * @default - `http-<port>`, with a numeric suffix when taken
   */
  readonly name?: string;
  /**
   * Answer every request with a 301 redirect to HTTPS.
   * @default false
   */
  readonly httpsRedirect?: boolean;
}

/** Options of `Gateway.addTcpServer()`. */
export interface TcpServerOptions {
  /** Port number on the gateway workload (it must also be a port of the gateway's Service, e.g. 31400). */
  readonly port: number;
  /**
   * Hosts the server accepts. Plain TCP carries no host name, so hosts only decide which VirtualServices bind.
   * @default - the gateway's `hosts`
   */
  readonly hosts?: string[];
  /**
   * Server (and port) name, unique within the gateway.
   * @default - `tcp-<port>`
   */
  readonly name?: string;
}

/** A server of a gateway defined elsewhere, declared in `Gateway.fromName()` so bindings get the right route kind. */
export interface ImportedGatewayServer {
  /** Port number. */
  readonly port: number;
  /** Port protocol. */
  readonly protocol: ServerProtocol;
  /**
   * Hosts the server accepts.
   * @default - the import's `hosts`
   */
  readonly hosts?: string[];
  /**
   * The server passes TLS through (`tls.mode: PASSTHROUGH`, protocol TLS or HTTPS).
   * @default false
   */
  readonly passthrough?: boolean;
  /**
   * Server name.
   * @default - `<protocol>-<port>`, lower case
   */
  readonly name?: string;
}

/** Props of {@link Gateway}. */
export interface GatewayProps {
  /**
   * Gateway name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the Gateway object.
   * @default - the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * Labels of the gateway workload pods.
   * @default { istio: 'ingressgateway' }
   */
  readonly selector?: Record<string, string>;
  /**
   * Default hosts of the gateway's servers.
   * @default ['*']
   */
  readonly hosts?: string[];
  /**
   * The plain HTTP server `http-80` for `hosts`. `true` keeps it whatever other servers are added (an explicit choice to
   * serve plaintext beside HTTPS; `redirectHttp` still takes its hosts over); `false` leaves it out.
   * @default - present until an HTTPS, TLS or TCP server is added: plain HTTP on `hosts` is never served implicitly
   * beside TLS
   */
  readonly defaultHttpServer?: boolean;
  /**
   * The gateway workload, as its install defines it (e.g. `MeshPlatform.ingressGateway`): its pod labels become the
   * selector, and its namespace and ServiceAccount what authorization policies name. Excludes `selector`,
   * `workloadNamespace` and `serviceAccount`.
   * @default - the selector, workloadNamespace and serviceAccount props (istioctl's default install)
   */
  readonly workload?: IMeshPeer;
  /**
   * Namespace the gateway workload (Envoy deployment) runs in; used for authorization policies.
   * @default 'istio-system'
   */
  readonly workloadNamespace?: string;
  /**
   * Service account of the gateway workload; used for authorization policies.
   * @default 'istio-ingressgateway-service-account'
   */
  readonly serviceAccount?: string;
}

/** Options of `Gateway.fromName()`. */
export interface GatewayImportOptions {
  /** @default ['*'] (assumed to accept any host) */
  readonly hosts?: string[];
  /** @default { istio: 'ingressgateway' } */
  readonly selector?: Record<string, string>;
  /** @default 'istio-system' */
  readonly workloadNamespace?: string;
  /** @default 'istio-ingressgateway-service-account' */
  readonly serviceAccount?: string;
  /**
   * The gateway's servers, so that `exposeVia()` emits the routes they need (`tls` for passthrough, `tcp` for TCP).
   * @default - not known: bindings get `http` routes only
   */
  readonly servers?: ImportedGatewayServer[];
}

const DEFAULT_SELECTOR = { istio: 'ingressgateway' };
const DEFAULT_WORKLOAD_NAMESPACE = 'istio-system';
const DEFAULT_SERVICE_ACCOUNT = 'istio-ingressgateway-service-account';

/**
 * An Istio ingress Gateway (networking.istio.io/v1): which hosts and ports the ingress Envoy
 * accepts. VirtualServices bind to it by `ref`.
 *
 * @example
 * const gateway = new Gateway(chart, 'gateway'); // port 80 HTTP, hosts '*', selector istio=ingressgateway
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 */
export class Gateway extends Construct implements IGateway {
  /**
   * References a Gateway defined elsewhere, as `<namespace>/<name>` (or `<name>` in the scope's namespace).
   */
  public static fromName(scope: Construct, id: string, ref: string, options: GatewayImportOptions = {}): IGateway {
    return new ImportedMeshGateway(scope, id, ref, options);
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly selector: Record<string, string>;
  public readonly workloadNamespace: string;
  public readonly serviceAccount: string;
  /** The generated Gateway object (escape hatch). */
  public readonly resource: istio.Gateway;

  private readonly _defaultHosts: string[];
  private readonly _servers: GatewayServerSpec[] = [];
  /** The default `http-80` server while it is implicit (dropped by the first HTTPS, TLS or TCP server). */
  private _implicitHttp?: GatewayServerSpec;

  public constructor(scope: Construct, id: string, props: GatewayProps = {}) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', namespaceOf(this, props.namespace));
    const workload = gatewayWorkload(this, props);
    this.selector = checkSelector(this, 'selector', workload?.podSelector ?? props.selector ?? DEFAULT_SELECTOR);
    this.workloadNamespace = checkDnsLabel(this, 'workloadNamespace', workload?.namespace ?? props.workloadNamespace ?? DEFAULT_WORKLOAD_NAMESPACE);
    this.serviceAccount = checkDnsSubdomain(this, 'serviceAccount', workload?.serviceAccount ?? props.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT);
    this._defaultHosts = checkHosts(this, 'hosts', props.hosts ?? ['*']);

    this.resource = withApiFieldNames(new istio.Gateway(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._renderSpec() }),
    }));

    if (props.defaultHttpServer ?? true) this.addHttpServer();
    if (props.defaultHttpServer === undefined) this._implicitHttp = this._servers[0];
    this.node.addValidation({
      validate: () => this._servers.length === 0
        ? [`Gateway '${this.ref}' has no servers. Fix: call addHttpServer() (or addHttpsServer(), addTlsPassthroughServer(), addTcpServer()), or leave defaultHttpServer on`]
        : [],
    });
  }

  /** `<namespace>/<name>` */
  public get ref(): string {
    return `${this.namespace}/${this.name}`;
  }

  /** Every host of every server, deduplicated, in order. */
  public get hosts(): string[] {
    return [...new Set(this._servers.flatMap((s) => s.hosts))];
  }

  public get principal(): string {
    return `${trustDomainOf(this)}/ns/${this.workloadNamespace}/sa/${this.serviceAccount}`;
  }

  /** The gateway workload (Envoy) as a mesh peer: its service account in the workload namespace, selected by `selector`. */
  public meshIdentity(): MeshIdentity {
    return gatewayIdentity(this);
  }

  /** The servers added so far (copies). */
  public get servers(): GatewayServer[] {
    return this._servers.map((s) => publicServer(s));
  }

  /** Adds a plain HTTP server (listener); `httpsRedirect` turns it into an HTTP→HTTPS redirect. */
  public addHttpServer(options: HttpServerOptions = {}): GatewayServer {
    const port = options.port ?? 80;
    return this._addServer({
      name: options.name ?? this._defaultServerName('http', port),
      port,
      protocol: ServerProtocol.HTTP,
      hosts: options.hosts ?? this._defaultHosts,
      tls: options.httpsRedirect ? { httpsRedirect: true } : undefined,
    });
  }

  /**
   * Adds an HTTPS server terminating TLS (SIMPLE, MUTUAL or OPTIONAL_MUTUAL) with the key pair of `credential`,
   * usually `GatewayCredential.issue({ issuer })`: a cert-manager Certificate in the gateway workload's namespace,
   * where Istio reads `credentialName`. `redirectHttp` also adds the port-80 HTTP→HTTPS redirect.
   */
  public addHttpsServer(options: HttpsServerOptions): HttpsServer {
    const port = options.port ?? 443;
    const name = options.name ?? this._defaultServerName('https', port);
    const hosts = options.hosts ?? this._defaultHosts;
    const mode = options.mode ?? GatewayTlsMode.SIMPLE;
    const field = `addHttpsServer(${name})`;
    const mutual = mode !== GatewayTlsMode.SIMPLE;
    if (!mutual && options.clientCa) {
      throw meshError(this, `${field}.clientCa`, 'only applies to MUTUAL or OPTIONAL_MUTUAL', 'SIMPLE',
        'set mode: GatewayTlsMode.MUTUAL, or remove clientCa');
    }
    if (!mutual && options.clientSubjectAltNames) {
      throw meshError(this, `${field}.clientSubjectAltNames`, 'only applies to MUTUAL or OPTIONAL_MUTUAL', options.clientSubjectAltNames,
        'set mode: GatewayTlsMode.MUTUAL, or remove clientSubjectAltNames');
    }
    if (options.clientSubjectAltNames?.length === 0) {
      throw meshError(this, `${field}.clientSubjectAltNames`, 'must not be empty', [], 'list the accepted client SANs or remove the field');
    }
    this._markWorkloadNamespace();
    const target = { gatewayName: this.name, workloadNamespace: this.workloadNamespace, serverHosts: hosts, resource: this.resource };
    const credential = options.credential.bind(this, { ...target, serverName: name, field: `${field}.credential` });
    const clientCa = options.clientCa?.bind(this, { ...target, serverName: `${name}-client-ca`, field: `${field}.clientCa` });
    const tls: Record<string, unknown> = { mode: mode.value, credentialName: credential.secretName };
    if (clientCa) tls.caCertCredentialName = clientCa.secretName;
    if (options.clientSubjectAltNames) tls.subjectAltNames = [...options.clientSubjectAltNames];
    if (options.minProtocolVersion) tls.minProtocolVersion = options.minProtocolVersion.value;
    const server = this._addServer({ name, port, protocol: ServerProtocol.HTTPS, hosts, tls });
    let redirect: GatewayServer | undefined;
    if (options.redirectHttp) {
      this._releasePlaintextHosts(hosts);
      redirect = this.addHttpServer({ port: 80, hosts, httpsRedirect: true, name: this._defaultServerName('http-redirect', 80) });
    }
    return { ...server, credentialName: credential.secretName, certificate: credential.certificate, redirect };
  }

  /** Adds a TLS server in PASSTHROUGH mode: routes by SNI to backends that terminate TLS themselves. */
  public addTlsPassthroughServer(options: TlsPassthroughServerOptions): GatewayServer {
    const port = options.port ?? 443;
    const name = options.name ?? this._defaultServerName('tls', port);
    if (options.hosts.includes('*') || options.hosts.some((h) => h.endsWith('/*'))) {
      throw meshError(this, `addTlsPassthroughServer(${name}).hosts`, "must name the SNI hosts to route ('*' would pass every TLS connection to one backend)",
        options.hosts, "list hosts such as 'nginx.example.com'");
    }
    return this._addServer({ name, port, protocol: ServerProtocol.TLS, hosts: options.hosts, tls: { mode: 'PASSTHROUGH' }, passthrough: true });
  }

  /**
   * Adds a plain TCP server: bind apps with `exposeVia()`, which then emits a VirtualService `tcp` route matching
   * this port (weights with the `tcpRoutes` option).
   * @see https://istio.io/latest/docs/tasks/traffic-management/tcp-traffic-shifting/
   */
  public addTcpServer(options: TcpServerOptions): GatewayServer {
    const name = options.name ?? this._defaultServerName('tcp', options.port);
    return this._addServer({ name, port: options.port, protocol: ServerProtocol.TCP, hosts: options.hosts ?? this._defaultHosts });
  }

  /**
   * Validates and records a server. Used by the `add*Server()` methods.
   * @internal
   */
  public _addServer(spec: GatewayServerSpec): GatewayServer {
    // The implicit plain HTTP server is for gateways that serve HTTP only: TLS and TCP servers drop it.
    if (this._implicitHttp && spec.protocol !== ServerProtocol.HTTP) {
      this._servers.splice(this._servers.indexOf(this._implicitHttp), 1);
      this._implicitHttp = undefined;
    }
    const field = `servers[${this._servers.length}]`;
    checkDnsLabel(this, `${field}.name`, spec.name);
    checkInteger(this, `${field}.port`, spec.port, 1, 65535);
    const hosts = checkHosts(this, `${field}.hosts`, spec.hosts);
    const sameName = this._servers.find((s) => s.name === spec.name);
    if (sameName) {
      throw meshError(this, `${field}.name`, 'must be unique within the gateway', spec.name, 'pass a different name');
    }
    // HTTPS and TLS servers share a port: Istio tells them apart by SNI (one filter chain per host).
    const sni = (p: ServerProtocol) => p === ServerProtocol.HTTPS || p === ServerProtocol.TLS;
    const samePort = this._servers.find((s) => s.port === spec.port && s.protocol !== spec.protocol && !(sni(s.protocol) && sni(spec.protocol)));
    if (samePort) {
      throw meshError(this, `${field}.port`, `is already used by server '${samePort.name}' with protocol ${samePort.protocol.value} (one protocol per port)`, spec.port,
        'use another port number');
    }
    const clash = this._servers.find((s) => s.port === spec.port && s.hosts.some((h) => hosts.includes(h)));
    if (clash) {
      throw meshError(this, `${field}.hosts`, `overlaps server '${clash.name}' on port ${spec.port}`, hosts.filter((h) => clash.hosts.includes(h)),
        'merge the servers, or give them different hosts');
    }
    const stored: GatewayServerSpec = { ...spec, hosts: [...hosts] };
    this._servers.push(stored);
    return publicServer(stored);
  }

  /**
   * `redirectHttp` for `hosts`: plain HTTP servers on port 80 stop serving these hosts (a server left without hosts
   * is removed), so the redirect server takes them over.
   */
  private _releasePlaintextHosts(hosts: string[]): void {
    for (const s of [...this._servers]) {
      if (s.port !== 80 || s.protocol !== ServerProtocol.HTTP || s.tls) continue;
      const kept = s.hosts.filter((h) => !hosts.includes(h));
      if (kept.length === s.hosts.length) continue;
      const i = this._servers.indexOf(s);
      if (kept.length === 0) this._servers.splice(i, 1);
      else this._servers[i] = { ...s, hosts: kept };
      if (this._implicitHttp === s) this._implicitHttp = undefined;
    }
  }

  /** Records where the gateway pods run, for the synth-time check of credentialName Secrets (analysis rule). */
  private _markWorkloadNamespace(): void {
    if (!this.resource.node.metadata.some((m) => m.type === GATEWAY_WORKLOAD_NAMESPACE)) {
      this.resource.node.addMetadata(GATEWAY_WORKLOAD_NAMESPACE, this.workloadNamespace);
    }
  }

  private _defaultServerName(prefix: string, port: number): string {
    const base = `${prefix}-${port}`;
    let name = base;
    for (let i = 2; this._servers.some((s) => s.name === name); i++) name = `${base}-${i}`;
    return name;
  }

  private _renderSpec(): istio.GatewaySpec {
    return {
      selector: outputMap(this.selector),
      servers: this._servers.map((s) => ({
        name: s.name,
        port: { number: s.port, name: s.name, protocol: s.protocol.value },
        hosts: [...s.hosts],
        ...(s.tls ? { tls: s.tls as istio.GatewaySpecServersTls } : {}),
      })),
    };
  }
}

class ImportedMeshGateway extends Construct implements IGateway {
  public readonly name: string;
  public readonly namespace: string;
  public readonly hosts: string[];
  public readonly selector: Record<string, string>;
  public readonly workloadNamespace: string;
  public readonly serviceAccount: string;
  public readonly servers?: GatewayServer[];

  public constructor(scope: Construct, id: string, ref: string, options: GatewayImportOptions) {
    super(scope, id);
    const parts = ref.split('/');
    if (parts.length > 2 || parts.some((p) => p.length === 0)) {
      throw meshError(this, 'ref', "must be '<namespace>/<name>' or '<name>'", ref, "use e.g. 'istio-system/public-gateway'");
    }
    this.namespace = checkDnsLabel(this, 'ref', parts.length === 2 ? parts[0] : namespaceOf(this));
    this.name = checkDnsSubdomain(this, 'ref', parts[parts.length - 1]);
    const hosts = checkHosts(this, 'hosts', options.hosts ?? ['*']);
    this.servers = options.servers?.map((s, i) => importedServer(this, `servers[${i}]`, s, hosts));
    this.hosts = options.hosts || !this.servers ? hosts : [...new Set(this.servers.flatMap((s) => s.hosts))];
    this.selector = checkSelector(this, 'selector', options.selector ?? DEFAULT_SELECTOR);
    this.workloadNamespace = checkDnsLabel(this, 'workloadNamespace', options.workloadNamespace ?? DEFAULT_WORKLOAD_NAMESPACE);
    this.serviceAccount = checkDnsSubdomain(this, 'serviceAccount', options.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT);
  }

  public get ref(): string {
    return `${this.namespace}/${this.name}`;
  }

  public get principal(): string {
    return `${trustDomainOf(this)}/ns/${this.workloadNamespace}/sa/${this.serviceAccount}`;
  }

  /** The gateway workload (Envoy) as a mesh peer: its service account in the workload namespace, selected by `selector`. */
  public meshIdentity(): MeshIdentity {
    return gatewayIdentity(this);
  }
}

function publicServer(s: GatewayServerSpec): GatewayServer {
  return { name: s.name, port: s.port, protocol: s.protocol, hosts: [...s.hosts], ...(s.passthrough ? { passthrough: true } : {}) };
}

/** A declared server of an imported gateway, validated. */
function importedServer(scope: IConstruct, field: string, s: ImportedGatewayServer, hosts: string[]): GatewayServer {
  checkInteger(scope, `${field}.port`, s.port, 1, 65535);
  if (s.passthrough && s.protocol !== ServerProtocol.TLS && s.protocol !== ServerProtocol.HTTPS) {
    throw meshError(scope, `${field}.passthrough`, `only applies to TLS or HTTPS servers (Istio passes TLS through by SNI), not ${s.protocol.value}`, true,
      'set protocol: ServerProtocol.TLS, or remove passthrough');
  }
  const name = checkDnsLabel(scope, `${field}.name`, s.name ?? `${s.protocol.value.toLowerCase()}-${s.port}`);
  const server: GatewayServer = { name, port: s.port, protocol: s.protocol, hosts: checkHosts(scope, `${field}.hosts`, s.hosts ?? hosts) };
  return s.passthrough ? { ...server, passthrough: true } : server;
}

const HOST_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_HOST = new RegExp(`^(\\*|(\\*\\.)?${HOST_LABEL}(\\.${HOST_LABEL})*)$`);

/** Gateway server hosts: `[namespace/]dnsName`, dnsName `*`, `host.tld` or `*.host.tld`; namespace a label, `*` or `.`. */
function checkHosts(scope: IConstruct, field: string, hosts: string[]): string[] {
  if (hosts.length === 0) {
    throw meshError(scope, field, 'must list at least one host', hosts, "use ['*'] to accept any host");
  }
  hosts.forEach((h, i) => {
    const slash = h.indexOf('/');
    const ns = slash >= 0 ? h.slice(0, slash) : undefined;
    const dns = slash >= 0 ? h.slice(slash + 1) : h;
    const nsOk = ns === undefined || ns === '*' || ns === '.' || /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns);
    if (!nsOk || !DNS_HOST.test(dns) || dns.length > 253) {
      throw meshError(scope, `${field}[${i}]`, "must be '[namespace/]host' where host is '*', 'example.com' or '*.example.com' (lower case)", h,
        "use e.g. '*', 'shop.example.com', '*.example.com' or 'default/shop.example.com'");
    }
  });
  const dup = hosts.find((h, i) => hosts.indexOf(h) !== i);
  if (dup !== undefined) throw meshError(scope, field, 'lists a host twice', dup, 'remove the duplicate');
  return [...hosts];
}

function checkSelector(scope: IConstruct, field: string, selector: Record<string, string>): Record<string, string> {
  if (Object.keys(selector).length === 0) {
    throw meshError(scope, field, 'must not be empty (an empty selector would pick every Envoy in the mesh)', selector, "use { istio: 'ingressgateway' }");
  }
  return checkLabels(scope, field, selector);
}

function gatewayIdentity(g: IGateway): MeshIdentity {
  return { name: g.name, namespace: g.workloadNamespace, serviceAccounts: [g.serviceAccount], sidecar: true, podSelector: { ...g.selector } };
}

/** The identity of the gateway workload given as `workload`, checked against the props it replaces. */
function gatewayWorkload(scope: Construct, props: GatewayProps): { podSelector: Record<string, string>; namespace: string; serviceAccount: string } | undefined {
  if (!props.workload) return undefined;
  const id = props.workload.meshIdentity();
  const clash = (['selector', 'workloadNamespace', 'serviceAccount'] as const).find((k) => props[k] !== undefined);
  if (clash) {
    throw meshError(scope, clash, "cannot be combined with 'workload', which defines the gateway's pods", props[clash],
      `remove '${clash}': the workload "${id.name}" gives the selector, namespace and ServiceAccount`);
  }
  if (!id.podSelector || Object.keys(id.podSelector).length === 0 || !id.serviceAccounts || id.serviceAccounts.length !== 1) {
    throw meshError(scope, 'workload', 'must be a gateway workload with pod labels and exactly one ServiceAccount', id.name,
      'pass the ingress gateway of the platform install (MeshPlatform.ingressGateway)');
  }
  return { podSelector: { ...id.podSelector }, namespace: id.namespace, serviceAccount: id.serviceAccounts[0] };
}
