import { Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { meshError } from '../private/errors';
import { checkIpOrCidr, isIpAddress } from '../private/ip';
import { namespaceOf } from '../private/names';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';
import { renderTrafficPolicy } from './render-traffic-policy';
import { ClientTlsSettings, TlsMode } from './traffic-policy';

/** How the proxy finds the endpoints of an external service. */
export class ServiceEntryResolution {
  /** Resolve the hosts (or endpoint names) through DNS; connect to the first address. Not for wildcard hosts. */
  public static readonly DNS = new ServiceEntryResolution('DNS');
  /** Resolve through DNS and balance across every returned address. */
  public static readonly DNS_ROUND_ROBIN = new ServiceEntryResolution('DNS_ROUND_ROBIN');
  /** Resolve the requested host per connection (wildcard hosts such as `*.foo.com`). */
  public static readonly DYNAMIC_DNS = new ServiceEntryResolution('DYNAMIC_DNS');
  /** Fixed IP endpoints (`endpoints`). */
  public static readonly STATIC = new ServiceEntryResolution('STATIC');
  /** Pass the connection to the original destination IP (wildcard hosts, or addresses). */
  public static readonly NONE = new ServiceEntryResolution('NONE');

  private constructor(public readonly value: string) {}
}

/** Whether the service is outside the mesh (no sidecar: plain TLS, no mTLS) or part of it. */
export class ServiceEntryLocation {
  public static readonly MESH_EXTERNAL = new ServiceEntryLocation('MESH_EXTERNAL');
  public static readonly MESH_INTERNAL = new ServiceEntryLocation('MESH_INTERNAL');

  private constructor(public readonly value: string) {}
}

/** Protocol of a ServiceEntry port. */
export class ExternalProtocol {
  public static readonly HTTP = new ExternalProtocol('HTTP');
  public static readonly HTTPS = new ExternalProtocol('HTTPS');
  public static readonly HTTP2 = new ExternalProtocol('HTTP2');
  public static readonly GRPC = new ExternalProtocol('GRPC');
  public static readonly TLS = new ExternalProtocol('TLS');
  public static readonly TCP = new ExternalProtocol('TCP');
  public static readonly MONGO = new ExternalProtocol('MONGO');

  private constructor(public readonly value: string) {}
}

/** Namespaces that see a ServiceEntry (or DestinationRule). */
export class ExportTo {
  /** Every namespace (Istio's default). */
  public static readonly ALL = new ExportTo('*');
  /** Only the namespace of the resource. */
  public static readonly SAME_NAMESPACE = new ExportTo('.');
  /** One namespace. */
  public static namespace(name: string): ExportTo {
    return new ExportTo(name);
  }

  private constructor(public readonly value: string) {}
}

/** A port of an external service. */
export interface ServiceEntryPort {
  /** Port number the application connects to. */
  readonly number: number;
  /** Protocol. */
  readonly protocol: ExternalProtocol;
  /**
   * Port name, unique within the service.
   * @default - `<protocol>-<number>` in lower case, e.g. "https-443"
   */
  readonly name?: string;
  /**
   * Port on the endpoint, when it differs (TLS origination: the app calls port 80, the proxy opens TLS to 443).
   * @default - the same as `number`
   */
  readonly targetPort?: number;
}

/** Properties of an ServiceEntry. */
export interface ServiceEntryProps {
  /** Hosts (`api.example.com`, `*.foo.com`). */
  readonly hosts: string[];
  /** Ports (at least one). */
  readonly ports: ServiceEntryPort[];
  /**
   * ServiceEntry name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the ServiceEntry.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * Endpoint resolution.
   * @default - ServiceEntryResolution.DNS, or NONE when a host is a wildcard or `endpoints` are IPs
   */
  readonly resolution?: ServiceEntryResolution;
  /**
   * Location.
   * @default ServiceEntryLocation.MESH_EXTERNAL
   */
  readonly location?: ServiceEntryLocation;
  /**
   * Endpoint addresses: IPs for STATIC, DNS names for DNS resolution.
   * @default - none: the hosts themselves are resolved
   */
  readonly endpoints?: string[];
  /**
   * Virtual IPs or CIDRs of the service (for TCP services without a Host header / SNI).
   * @default - none
   */
  readonly addresses?: string[];
  /**
   * Namespaces that see it.
   * @default - every namespace (Istio's default)
   */
  readonly exportTo?: ExportTo[];
}

/** Options of `ServiceEntry.originateTls()`. */
export interface TlsOriginationOptions {
  /** Client TLS towards the external host: mode SIMPLE (or MUTUAL), with `caCertificates` to verify it. */
  readonly tls: ClientTlsSettings;
  /**
   * DestinationRule host: one of the service's hosts, or a wildcard covering some of them (`*.example.com`).
   * @default - the service's only host (required when it has several)
   */
  readonly host?: string;
  /**
   * Apply TLS only on this port of the service (e.g. port 80 with targetPort 443: the app speaks plain HTTP).
   * @default - every port
   */
  readonly port?: number;
  /**
   * DestinationRule name.
   * @default - `<service name>-tls`, with the host (and port) appended when there are several
   */
  readonly name?: string;
}

/** What `MeshApp.allowEgressTo()` granted. */
export interface EgressGrant {
  /** The external service. */
  readonly service: ServiceEntry;
  /** Sidecar egress hosts (`<namespace>/<host>`), added to the namespace's Sidecar when it restricts egress. */
  readonly hosts: string[];
}

const HOST = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An endpoint address: an IP address (STATIC), a DNS name (DNS resolution) or a Unix socket (`unix:///path`). */
function checkEndpoint(scope: IConstruct, field: string, e: string): void {
  if (typeof e === 'string' && e.startsWith('unix://')) {
    if (!/^unix:\/\/\/[^\s]+$/.test(e)) throw meshError(scope, field, 'must be an absolute socket path', e, "use e.g. 'unix:///var/run/app.sock'");
    return;
  }
  if (typeof e === 'string' && (/^[0-9.]+$/.test(e) || e.includes(':') || e.includes('/'))) {
    checkIpOrCidr(scope, field, e, false);
    return;
  }
  if (typeof e !== 'string' || !DNS_NAME.test(e) || e.length > 253) {
    throw meshError(scope, field, 'must be an IP address, a DNS name or unix:///<path>', e, "use e.g. '203.0.113.10' or 'api.internal.example.com'");
  }
}

/**
 * A service outside the mesh (S13): a ServiceEntry (networking.istio.io/v1) for external hosts, so that proxies
 * with egress restricted to the registry can reach it, telemetry names it, and `originateTls()` can add TLS.
 * Workloads in a namespace whose Sidecar restricts egress reach it through `app.allowEgressTo(service)`.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
export class ServiceEntry extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly resolution: ServiceEntryResolution;
  public readonly location: ServiceEntryLocation;
  /** The generated ServiceEntry, for escape hatches. */
  public readonly resource: istio.ServiceEntry;
  private readonly _hosts: string[];
  private readonly _ports: (ServiceEntryPort & { readonly name: string })[];
  private readonly _exportTo?: string[];
  private readonly _tls = new Map<string, istio.DestinationRule>();

  constructor(scope: Construct, id: string, props: ServiceEntryProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', namespaceOf(this, props.namespace));
    if (props.hosts.length === 0) throw meshError(this, 'hosts', 'must list at least one host', [], "pass hosts: ['api.example.com']");
    props.hosts.forEach((h, i) => {
      if (!HOST.test(h) || h === '*' || h.length > 253) {
        throw meshError(this, `hosts[${i}]`, "must be a DNS name or a wildcard '*.<domain>' (lower case; '*' alone is not allowed)", h,
          "use e.g. 'api.example.com' or '*.foo.com'");
      }
    });
    checkUnique(this, 'hosts', props.hosts, (h) => h);
    this._hosts = [...props.hosts];

    if (props.ports.length === 0) throw meshError(this, 'ports', 'must list at least one port', [], 'pass ports: [{ number: 443, protocol: ExternalProtocol.TLS }]');
    this._ports = props.ports.map((p, i) => {
      checkInteger(this, `ports[${i}].number`, p.number, 1, 65535);
      if (p.targetPort !== undefined) checkInteger(this, `ports[${i}].targetPort`, p.targetPort, 1, 65535);
      const name = checkDnsLabel(this, `ports[${i}].name`, p.name ?? `${p.protocol.value.toLowerCase()}-${p.number}`);
      return { ...p, name };
    });
    checkUnique(this, 'ports[].number', this._ports, (p) => p.number);
    checkUnique(this, 'ports[].name', this._ports, (p) => p.name);

    const wildcard = this._hosts.some((h) => h.startsWith('*.'));
    const endpoints = props.endpoints ?? [];
    endpoints.forEach((e, i) => checkEndpoint(this, `endpoints[${i}]`, e));
    const addresses = (props.addresses ?? []).map((a, i) => checkIpOrCidr(this, `addresses[${i}]`, a));
    const ipEndpoints = endpoints.length > 0 && endpoints.every(isIpAddress);
    this.resolution = props.resolution ?? (wildcard || ipEndpoints ? (ipEndpoints ? ServiceEntryResolution.STATIC : ServiceEntryResolution.NONE) : ServiceEntryResolution.DNS);
    const dnsResolved = this.resolution === ServiceEntryResolution.DNS || this.resolution === ServiceEntryResolution.DNS_ROUND_ROBIN;
    if (dnsResolved && wildcard && endpoints.length === 0) {
      throw meshError(this, 'resolution', `${this.resolution.value} cannot resolve wildcard hosts without endpoints`, this._hosts.filter((h) => h.startsWith('*.')),
        'use ServiceEntryResolution.DYNAMIC_DNS or NONE for wildcard hosts, or list endpoints');
    }
    if (this.resolution === ServiceEntryResolution.STATIC && !ipEndpoints) {
      throw meshError(this, 'endpoints', 'must list IP addresses with resolution STATIC', endpoints, "pass endpoints: ['203.0.113.10'] or use DNS resolution");
    }
    this.location = props.location ?? ServiceEntryLocation.MESH_EXTERNAL;
    this._exportTo = props.exportTo?.map((e, i) => (e.value === '*' || e.value === '.' ? e.value : checkDnsLabel(this, `exportTo[${i}]`, e.value)));

    this.resource = new istio.ServiceEntry(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        hosts: [...this._hosts],
        addresses: addresses.length ? addresses : undefined,
        ports: this._ports.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol.value, targetPort: p.targetPort })),
        location: this.location.value as istio.ServiceEntrySpecLocation,
        resolution: this.resolution.value as istio.ServiceEntrySpecResolution,
        endpoints: endpoints.length ? endpoints.map((address) => ({ address })) : undefined,
        exportTo: this._exportTo ? [...this._exportTo] : undefined,
      },
    });
  }

  /** Hosts of the service. */
  public get hosts(): string[] {
    return [...this._hosts];
  }

  /** Ports of the service (names filled in). */
  public get ports(): ServiceEntryPort[] {
    return this._ports.map((p) => ({ ...p }));
  }

  /** Whether workloads in `namespace` see this ServiceEntry (its exportTo). */
  public isVisibleFrom(namespace: string): boolean {
    if (!this._exportTo) return true;
    return this._exportTo.some((e) => e === '*' || e === namespace || (e === '.' && namespace === this.namespace));
  }

  /**
   * Sidecar egress hosts (`<namespace>/<host>`) that let a proxy reach this service.
   */
  public get egressHosts(): string[] {
    return this._hosts.map((h) => `${this.namespace}/${h}`);
  }

  /**
   * TLS origination: a DestinationRule that makes the calling proxy open TLS (SIMPLE, or MUTUAL with a client
   * certificate) to the external host. Set `tls.caCertificates` so the server is verified (synthesis warns
   * otherwise, like Istio's IST0128). Idempotent per host and port.
   */
  public originateTls(options: TlsOriginationOptions): istio.DestinationRule {
    const field = 'originateTls';
    const mode = options.tls.mode;
    if (mode !== TlsMode.SIMPLE && mode !== TlsMode.MUTUAL) {
      throw meshError(this, `${field}.tls.mode`, 'must be SIMPLE or MUTUAL to originate TLS to an external service', mode.value,
        'use TlsMode.SIMPLE (verify the server) or TlsMode.MUTUAL (also present a client certificate)');
    }
    if (options.host === undefined && this._hosts.length > 1) {
      throw meshError(this, `${field}.host`, 'is required when the service has several hosts', this._hosts, `pass host: '${this._hosts[0]}' (or a covering wildcard)`);
    }
    const host = options.host ?? this._hosts[0];
    if (!HOST.test(host) || !this._hosts.some((h) => covers(host, h))) {
      throw meshError(this, `${field}.host`, 'must be one of the service\'s hosts or a wildcard covering one', host, `use one of ${this._hosts.join(', ')}`);
    }
    if (options.port !== undefined && !this._ports.some((p) => p.number === options.port)) {
      throw meshError(this, `${field}.port`, 'is not a port of the service', options.port, `use one of ${this._ports.map((p) => p.number).join(', ')}`);
    }
    const key = `${host}:${options.port ?? '*'}`;
    const existing = this._tls.get(key);
    if (existing) return existing;
    const suffix = this._tls.size === 0 && options.name === undefined ? '' : `-${host.replace(/^\*\./, 'wildcard.').replace(/\./g, '-')}${options.port ? `-${options.port}` : ''}`;
    const name = checkDnsSubdomain(this, `${field}.name`, options.name ?? `${this.name}-tls${suffix}`);
    const policy = options.port === undefined
      ? { tls: options.tls }
      : { portLevelSettings: [{ port: options.port, tls: options.tls }] };
    renderTrafficPolicy(this, `${field}.tls`, policy); // throw early
    const dr = new istio.DestinationRule(this, `Tls${key}`, {
      metadata: { name, namespace: this.namespace },
      spec: Lazy.any({
        produce: () => ({
          host,
          trafficPolicy: renderTrafficPolicy(this, `${field}.tls`, policy),
          exportTo: this._exportTo ? [...this._exportTo] : undefined,
        }),
      }) as unknown as istio.DestinationRuleSpec,
    });
    this._tls.set(key, dr);
    return dr;
  }
}

/** Whether host pattern `a` covers host `b` (`*.example.com` covers `api.example.com`). */
function covers(a: string, b: string): boolean {
  if (a === b) return true;
  if (!a.startsWith('*.')) return false;
  const suffix = a.slice(1); // ".example.com"
  return b.endsWith(suffix) && b.length > suffix.length;
}
