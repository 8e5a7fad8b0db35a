import { Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { checkIpOrCidr, isIpAddress } from '../private/ip';
import { checkLabels } from '../private/labels';
import { namespaceOf } from '../private/names';
import { outputMap } from '../private/plain-keys';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';
import type { HttpRouteOptions } from './http-route';
import { renderTrafficPolicy } from './render-traffic-policy';
import { ClientTlsSettings, TlsMode, TrafficPolicy } from './traffic-policy';
import { ExternalRouteOptions, ExternalRoutes } from './external-routes';

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
   * Originate TLS only from these clients' sidecars (see `ExternalDestinationRuleOptions.client`); required with
   * `tls.credentialName`.
   * @default - every client that sees the service
   */
  readonly client?: IDestinationRuleClient;
  /**
   * DestinationRule name.
   * @default - `<service name>-tls`, with the client's and the host's names appended when needed to stay unique
   */
  readonly name?: string;
}

/** The client workloads a DestinationRule applies to: a MeshApp, or any workload with stable labels. */
export interface IDestinationRuleClient extends IConstruct {
  /** Namespace of the workloads (a DestinationRule's workloadSelector only selects in its own namespace). */
  readonly namespace: string;
  /** Labels that select the workloads' pods (MeshApp: `{ app: <name> }`). */
  readonly labels: Record<string, string>;
}

/** Options of `ServiceEntry.addDestinationRule()`. */
export interface ExternalDestinationRuleOptions {
  /**
   * What the calling proxies apply to this external host: connection pool, outlier detection, load balancer, TLS
   * origination (tls mode SIMPLE or MUTUAL), per port with `portLevelSettings`.
   */
  readonly trafficPolicy: TrafficPolicy;
  /**
   * DestinationRule host: one of the service's hosts, or a wildcard covering some of them.
   * @default - the service's only host (required when it has several)
   */
  readonly host?: string;
  /**
   * Apply only to these clients' sidecars: `workloadSelector` is their labels and the DestinationRule goes to their
   * namespace. Required when `tls.credentialName` is set: sidecars read a credential Secret only through a
   * DestinationRule with a workloadSelector, from their own namespace.
   * @default - every client that sees the service (no workloadSelector, in the service's namespace)
   */
  readonly client?: IDestinationRuleClient;
  /**
   * DestinationRule name.
   * @default - the service name, with the client's and the host's names appended when needed to stay unique
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
 * with egress restricted to the registry can reach it and telemetry names it. `addDestinationRule()` and
 * `originateTls()` give the host its DestinationRule (connection pool, outlier detection, load balancing, TLS
 * origination), `addRoute()` its VirtualService (timeouts, retries, port rewrite).
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
  private readonly _rules = new Map<string, ExternalRule>();
  private _routes?: ExternalRoutes;

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
   * TLS origination: the calling proxy opens TLS (SIMPLE, or MUTUAL with a client certificate) to the external host.
   * Set `tls.caCertificates` so the server is verified (synthesis warns otherwise, like Istio's IST0128). Adds the
   * TLS settings to the DestinationRule of this host (and client), so it combines with `addDestinationRule()`:
   * Istio applies one DestinationRule per host to a proxy. Idempotent per host, client and port.
   */
  public originateTls(options: TlsOriginationOptions): istio.DestinationRule {
    const field = 'originateTls';
    const mode = options.tls.mode;
    if (mode !== TlsMode.SIMPLE && mode !== TlsMode.MUTUAL) {
      throw meshError(this, `${field}.tls.mode`, 'must be SIMPLE or MUTUAL to originate TLS to an external service', mode.value,
        'use TlsMode.SIMPLE (verify the server) or TlsMode.MUTUAL (also present a client certificate)');
    }
    const host = this._ruleHost(field, options.host);
    if (options.port !== undefined && !this._ports.some((p) => p.number === options.port)) {
      throw meshError(this, `${field}.port`, 'is not a port of the service', options.port, `use one of ${this._ports.map((p) => p.number).join(', ')}`);
    }
    const policy: TrafficPolicy = options.port === undefined ? { tls: options.tls } : { portLevelSettings: [{ port: options.port, tls: options.tls }] };
    renderTrafficPolicy(this, `${field}.tls`, policy); // throw early
    const rule = this._rule(field, host, options.client, options.name, 'tls', options.port);
    const existing = rule.tls.get(options.port);
    if (existing && existing !== options.tls && JSON.stringify(existing) !== JSON.stringify(options.tls)) {
      throw meshError(this, `${field}.tls`, `differs from an earlier originateTls() for ${host}${options.port ? ` port ${options.port}` : ''}`, options.tls,
        'originate TLS once per host, client and port');
    }
    // Check the result before changing anything, so a refused call leaves the service as it was.
    this._checkRule({ ...rule, tls: new Map(rule.tls).set(options.port, options.tls) });
    rule.tls.set(options.port, options.tls);
    return this._register(rule);
  }

  /**
   * The DestinationRule of an external host: connection pool, outlier detection, load balancer and TLS origination
   * for the proxies calling it (all of them, or one client's with `client`). Combines with `originateTls()` for the
   * same host and client. Once per host and client.
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
   */
  public addDestinationRule(options: ExternalDestinationRuleOptions): istio.DestinationRule {
    const field = 'addDestinationRule';
    const host = this._ruleHost(field, options.host);
    const tls = options.trafficPolicy.tls;
    if (tls && tls.mode !== TlsMode.SIMPLE && tls.mode !== TlsMode.MUTUAL && tls.mode !== TlsMode.DISABLE) {
      throw meshError(this, `${field}.trafficPolicy.tls.mode`, 'must be SIMPLE, MUTUAL or DISABLE towards an external service (it has no Istio workload certificate)',
        tls.mode.value, 'use TlsMode.SIMPLE (verify the server) or TlsMode.MUTUAL (also present a client certificate)');
    }
    (options.trafficPolicy.portLevelSettings ?? []).forEach((p, i) => {
      if (p.port !== undefined && !this._ports.some((sp) => sp.number === p.port)) {
        throw meshError(this, `${field}.trafficPolicy.portLevelSettings[${i}].port`, 'is not a port of the service', p.port,
          `use one of ${this._ports.map((sp) => sp.number).join(', ')}`);
      }
    });
    renderTrafficPolicy(this, `${field}.trafficPolicy`, options.trafficPolicy); // throw early
    const rule = this._rule(field, host, options.client, options.name, 'policy');
    if (rule.policy) {
      throw meshError(this, field, `was already called for host ${host}${rule.selector ? ` and client ${rule.client!.node.path}` : ''}`, options.name ?? rule.name,
        'pass the whole traffic policy in one addDestinationRule() call (Istio applies one DestinationRule per host to a proxy)');
    }
    this._checkRule({ ...rule, policy: options.trafficPolicy });
    rule.policy = options.trafficPolicy;
    return this._register(rule);
  }

  /**
   * Adds an HTTP route for calls to an external host (HTTP, HTTP2 or GRPC ports of the service): timeouts, retries,
   * faults, header changes, and a destination port that differs from the port the app calls (`match: [{ port: 80 }]`,
   * `destinations: [{ port: 443 }]`). Routes go to one VirtualService per host, in the order they are added.
   * Returns that VirtualService.
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
   */
  public addRoute(route: HttpRouteOptions, options: ExternalRouteOptions = {}): istio.VirtualService {
    this._routes ??= new ExternalRoutes(this, {
      name: this.name, namespace: this.namespace, hosts: this._hosts, exportTo: this._exportTo, kind: 'the ServiceEntry',
      ports: this._ports.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol.value })),
    });
    return this._routes.add(route, options);
  }

  // ---- DestinationRules ----

  private _ruleHost(field: string, explicit: string | undefined): string {
    if (explicit === undefined && this._hosts.length > 1) {
      throw meshError(this, `${field}.host`, 'is required when the service has several hosts', this._hosts, `pass host: '${this._hosts[0]}' (or a covering wildcard)`);
    }
    const host = explicit ?? this._hosts[0];
    if (!HOST.test(host) || !this._hosts.some((h) => covers(host, h))) {
      throw meshError(this, `${field}.host`, 'must be one of the service\'s hosts or a wildcard covering one', host, `use one of ${this._hosts.join(', ')}`);
    }
    return host;
  }

  /** The DestinationRule of (host, client): the existing one, else a new one that `_register()` adds once it is checked. */
  private _rule(field: string, host: string, client: IDestinationRuleClient | undefined, name: string | undefined, kind: 'tls' | 'policy', port?: number): ExternalRule {
    let selector: Record<string, string> | undefined;
    let namespace = this.namespace;
    if (client) {
      selector = checkLabels(this, `${field}.client.labels`, client.labels);
      if (Object.keys(selector).length === 0) {
        throw meshError(this, `${field}.client.labels`, 'must not be empty (an empty workloadSelector would select every workload of the namespace)', {},
          'pass a client whose labels select its pods, e.g. a MeshApp');
      }
      namespace = checkDnsLabel(this, `${field}.client.namespace`, client.namespace);
      if (!this.isVisibleFrom(namespace)) {
        throw meshError(this, `${field}.client`, `is in namespace ${JSON.stringify(namespace)}, which the ServiceEntry is not exported to`, this._exportTo,
          `add ExportTo.namespace(${JSON.stringify(namespace)}) to the ServiceEntry's exportTo`);
      }
    }
    const key = `${host}|${namespace}|${selector ? JSON.stringify(Object.entries(selector).sort()) : ''}`;
    const existing = this._rules.get(key);
    if (existing) {
      if (name !== undefined && name !== existing.name) {
        throw meshError(this, `${field}.name`, `differs from the name of the DestinationRule already made for host ${host}`, name,
          `leave name out, or use ${JSON.stringify(existing.name)}`);
      }
      return existing;
    }
    const others = [...this._rules.values()].filter((r) => r.namespace === namespace);
    const overlapping = others.find((r) => r.host !== host && (covers(r.host, host) || covers(host, r.host))
      && JSON.stringify(r.selector ? Object.entries(r.selector).sort() : null) === JSON.stringify(selector ? Object.entries(selector).sort() : null));
    if (overlapping) {
      throw meshError(this, `${field}.host`, `overlaps the DestinationRule ${overlapping.name} for ${overlapping.host}: Istio applies only the most specific `
        + 'DestinationRule host to a request, so one would hide the other\'s settings', host, `use host ${JSON.stringify(overlapping.host)} for both`);
    }
    const parts = [this.name, kind === 'tls' ? 'tls' : undefined, selector ? slug(client!.node.id) : undefined,
      others.length > 0 ? slug(host.replace(/^\*\./, 'wildcard.')) : undefined];
    const ruleName = checkDnsSubdomain(this, `${field}.name`, name ?? parts.filter((p) => p !== undefined).join('-'));
    if ([...this._rules.values()].some((r) => r.namespace === namespace && r.name === ruleName)) {
      throw meshError(this, `${field}.name`, `is already the name of another DestinationRule of this service in namespace ${namespace}`, ruleName, 'pass a distinct name');
    }
    // Construct ids are stable: `Tls<host>:<port or *>` as originateTls() always named it, `DestinationRule<host>` else.
    const id = (kind === 'tls' ? `Tls${host}:${port ?? '*'}` : `DestinationRule${host}`) + (client ? `-${client.node.addr}` : '');
    return { key, id, host, namespace, selector, client, name: ruleName, field, tls: new Map() };
  }

  /** Creates the DestinationRule of a new rule (nothing for an existing one) and returns it. */
  private _register(rule: ExternalRule): istio.DestinationRule {
    if (!rule.resource) {
      rule.resource = withApiFieldNames(new istio.DestinationRule(this, rule.id, {
        metadata: { name: rule.name, namespace: rule.namespace },
        spec: Lazy.any({ produce: () => this._renderRule(rule) }) as unknown as istio.DestinationRuleSpec,
      }));
      this._rules.set(rule.key, rule);
    }
    return rule.resource;
  }

  /** The traffic policy of a rule: addDestinationRule()'s, with originateTls()'s TLS settings added. */
  private _rulePolicy(rule: ExternalRule): TrafficPolicy {
    const base = rule.policy ?? {};
    const topTls = rule.tls.get(undefined);
    if (topTls && base.tls) {
      throw meshError(this, `${rule.policy ? 'addDestinationRule' : 'originateTls'}.trafficPolicy.tls`, `is set twice for host ${rule.host}: by originateTls() and by addDestinationRule()`,
        base.tls.mode.value, 'set TLS in one place');
    }
    const ports = [...(base.portLevelSettings ?? [])];
    for (const [port, tls] of rule.tls) {
      if (port === undefined) continue;
      const i = ports.findIndex((p) => p.port === port);
      if (i >= 0 && ports[i].tls) {
        throw meshError(this, `addDestinationRule.trafficPolicy.portLevelSettings[${i}].tls`, `is set twice for port ${port}: by originateTls() and by addDestinationRule()`,
          ports[i].tls!.mode.value, 'set TLS in one place');
      }
      if (i >= 0) ports[i] = { ...ports[i], tls };
      else ports.push({ port, tls });
    }
    return { ...base, tls: topTls ?? base.tls, portLevelSettings: ports.length ? ports : undefined };
  }

  /** Throws when the combined policy of a rule is wrong (credentialName without a workload selector, ...). */
  private _checkRule(rule: ExternalRule): void {
    const policy = this._rulePolicy(rule);
    renderTrafficPolicy(this, rule.field === 'originateTls' ? 'originateTls' : 'addDestinationRule.trafficPolicy', policy);
    const withCredential = [policy.tls, ...(policy.portLevelSettings ?? []).map((p) => p.tls)].find((t) => t?.credentialName !== undefined);
    if (withCredential && !rule.selector) {
      throw meshError(this, `${rule.field}.client`, `is required with tls.credentialName (${withCredential.credentialName}): a sidecar only reads a credential `
        + 'Secret through a DestinationRule with a workloadSelector, from its own namespace; without one the DestinationRule only works on gateways', undefined,
      'pass client: <the MeshApp that calls the service> (its namespace must hold the Secret, and its ServiceAccount must be allowed to list Secrets there)');
    }
  }

  private _renderRule(rule: ExternalRule): Record<string, unknown> {
    const policy = this._rulePolicy(rule);
    this._checkRule(rule);
    return {
      host: rule.host,
      trafficPolicy: renderTrafficPolicy(this, rule.field === 'originateTls' ? 'originateTls' : 'addDestinationRule.trafficPolicy', policy),
      workloadSelector: rule.selector ? { matchLabels: outputMap(rule.selector) } : undefined,
      // A DestinationRule with a workloadSelector may only be exported to its own namespace.
      exportTo: rule.selector ? ['.'] : (this._exportTo ? [...this._exportTo] : undefined),
    };
  }
}

/** One DestinationRule of a ServiceEntry: per host and client. */
interface ExternalRule {
  readonly key: string;
  /** Construct id of the DestinationRule. */
  readonly id: string;
  readonly host: string;
  readonly namespace: string;
  readonly selector?: Record<string, string>;
  readonly client?: IDestinationRuleClient;
  readonly name: string;
  /** The call that created it, for error fields. */
  readonly field: string;
  policy?: TrafficPolicy;
  /** originateTls() settings by port (undefined: every port). */
  readonly tls: Map<number | undefined, ClientTlsSettings>;
  /** Set once registered. */
  resource?: istio.DestinationRule;
}

function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Whether host pattern `a` covers host `b` (`*.example.com` covers `api.example.com`). */
function covers(a: string, b: string): boolean {
  if (a === b) return true;
  if (!a.startsWith('*.')) return false;
  const suffix = a.slice(1); // ".example.com"
  return b.endsWith(suffix) && b.length > suffix.length;
}
