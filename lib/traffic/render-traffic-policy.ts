import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { meshError } from '../private/errors';
import { istioDuration } from '../private/istio-duration';
import { checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';
import type { ClientTlsSettings, ConnectionPoolSettings, OutlierDetection, TrafficPolicy } from './traffic-policy';

/*
 * Validation and rendering of TrafficPolicy into DestinationRule `trafficPolicy` JSON. Internal: not exported from
 * lib/index.ts.
 */

const INT32_MAX = 2_147_483_647;
const UINT32_MAX = 4_294_967_295;

/** Options for {@link renderTrafficPolicy}. @internal */
export interface RenderTrafficPolicyOptions {
  /**
   * The DestinationRule's top-level policy, when `policy` is a subset's: Istio merges a subset policy into it field by
   * field (and takes the DestinationRule's port-level setting of a port as that port's base).
   */
  readonly inherited?: TrafficPolicy;
}

/** The four fields a port-level setting replaces. */
type PolicyFields = Pick<TrafficPolicy, 'connectionPool' | 'outlierDetection' | 'loadBalancer' | 'tls'>;

function fieldsOf(p: PolicyFields | undefined): PolicyFields {
  const out: { -readonly [K in keyof PolicyFields]?: PolicyFields[K] } = {};
  if (!p) return out;
  if (p.connectionPool !== undefined) out.connectionPool = p.connectionPool;
  if (p.outlierDetection !== undefined) out.outlierDetection = p.outlierDetection;
  if (p.loadBalancer !== undefined) out.loadBalancer = p.loadBalancer;
  if (p.tls !== undefined) out.tls = p.tls;
  return out;
}

/**
 * What Istio applies on `port` for a DestinationRule's top-level `policy` as this library renders it: the port's
 * setting with the fields it leaves unset taken from the top level, else the top level.
 */
function effectiveOnPort(policy: TrafficPolicy | undefined, port: number): PolicyFields {
  const own = policy?.portLevelSettings?.find((p) => p.port === port);
  return { ...fieldsOf(policy), ...fieldsOf(own) };
}

/**
 * Validates a traffic policy and renders it as DestinationRule `trafficPolicy` JSON (also for
 * subsets). Errors name `field` (e.g. 'trafficPolicy', 'subsets[1].trafficPolicy').
 *
 * Port-level settings: Istio REPLACES the enclosing policy with a port's setting (a field the port leaves unset
 * gets Istio's default, not the enclosing value; pilot `GetPortLevelTrafficPolicy`). So that a port setting means
 * "these fields differ on this port", each one is rendered with the enclosing policy's other fields copied in (for a
 * subset: the subset's fields over the DestinationRule's policy for that port), and checks such as "failover needs
 * outlier detection" run on that merged policy.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-PortTrafficPolicy
 * @internal
 */
export function renderTrafficPolicy(scope: IConstruct, field: string, policy: TrafficPolicy, options: RenderTrafficPolicyOptions = {}): Record<string, unknown> {
  const inherited = options.inherited;
  const out = renderPortPolicy(scope, field, policy, { ...fieldsOf(inherited), ...fieldsOf(policy) });
  // A subset without its own setting for a port the DestinationRule sets: the subset's fields over that port's policy.
  const own = new Set((policy.portLevelSettings ?? []).map((p) => p.port));
  for (const p of inherited?.portLevelSettings ?? []) {
    if (own.has(p.port)) continue;
    checkFailover(scope, field, { ...effectiveOnPort(inherited, p.port), ...fieldsOf(policy) },
      ` (on port ${p.port}, where it applies over the DestinationRule's portLevelSettings)`);
  }
  if (policy.portLevelSettings !== undefined) {
    if (policy.portLevelSettings.length === 0) {
      throw meshError(scope, `${field}.portLevelSettings`, 'must not be empty', [], 'remove portLevelSettings or add a port');
    }
    out.portLevelSettings = policy.portLevelSettings.map((p, i) => {
      const f = `${field}.portLevelSettings[${i}]`;
      checkInteger(scope, `${f}.port`, p.port, 1, 65535);
      if (Object.keys(fieldsOf(p)).length === 0) {
        throw meshError(scope, f, 'sets nothing for its port', { port: p.port }, 'set connectionPool, outlierDetection, loadBalancer or tls, or remove the entry');
      }
      const merged: PolicyFields = { ...(inherited ? effectiveOnPort(inherited, p.port) : {}), ...fieldsOf(policy), ...fieldsOf(p) };
      return { port: { number: p.port }, ...renderPortPolicy(scope, f, merged, merged) };
    });
    checkUnique(scope, `${field}.portLevelSettings[].port`, policy.portLevelSettings, (p) => p.port);
  }
  return out;
}

/** Istio only fails over once outlier detection ejects the unhealthy local endpoints. */
function checkFailover(scope: IConstruct, field: string, effective: PolicyFields, where: string = ''): void {
  const locality = effective.loadBalancer?.locality;
  const od = effective.outlierDetection;
  if (locality?.needsOutlierDetection && (!od || ejectsNothing(od))) {
    throw meshError(scope, `${field}.outlierDetection`,
      `is required with locality ${locality._kind}${where}: Istio only fails over once outlier detection ejects the unhealthy local endpoints, `
      + 'without it traffic never leaves the local region', od,
      'add outlierDetection (e.g. { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30) }) to the same traffic policy');
  }
}

/** Renders the fields of `policy`; `effective` is what applies with it (for the failover check). */
function renderPortPolicy(scope: IConstruct, field: string, policy: PolicyFields, effective: PolicyFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (policy.connectionPool) out.connectionPool = renderConnectionPool(scope, `${field}.connectionPool`, policy.connectionPool);
  if (policy.loadBalancer) out.loadBalancer = policy.loadBalancer._render(scope, `${field}.loadBalancer`);
  checkFailover(scope, field, effective);
  if (policy.outlierDetection) out.outlierDetection = renderOutlier(scope, `${field}.outlierDetection`, policy.outlierDetection);
  if (policy.tls) out.tls = renderClientTls(scope, `${field}.tls`, policy.tls);
  return out;
}

function ejectsNothing(od: OutlierDetection): boolean {
  return od.consecutive5xxErrors === 0 && !od.consecutiveGatewayErrors && !od.consecutiveLocalOriginFailures;
}

function renderConnectionPool(scope: IConstruct, field: string, pool: ConnectionPoolSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (pool.tcp) {
    const t = pool.tcp;
    const f = `${field}.tcp`;
    const tcp: Record<string, unknown> = {};
    if (t.maxConnections !== undefined) tcp.maxConnections = checkInteger(scope, `${f}.maxConnections`, t.maxConnections, 1, INT32_MAX);
    if (t.connectTimeout) tcp.connectTimeout = istioDuration(scope, `${f}.connectTimeout`, t.connectTimeout);
    if (t.tcpKeepalive) {
      const k = t.tcpKeepalive;
      const ka: Record<string, unknown> = {};
      if (k.probes !== undefined) ka.probes = checkInteger(scope, `${f}.tcpKeepalive.probes`, k.probes, 1, UINT32_MAX);
      if (k.time) ka.time = wholeSeconds(scope, `${f}.tcpKeepalive.time`, k.time);
      if (k.interval) ka.interval = wholeSeconds(scope, `${f}.tcpKeepalive.interval`, k.interval);
      tcp.tcpKeepalive = ka;
    }
    if (t.idleTimeout) tcp.idleTimeout = istioDuration(scope, `${f}.idleTimeout`, t.idleTimeout);
    if (t.maxConnectionDuration) tcp.maxConnectionDuration = istioDuration(scope, `${f}.maxConnectionDuration`, t.maxConnectionDuration);
    out.tcp = tcp;
  }
  if (pool.http) {
    const h = pool.http;
    const f = `${field}.http`;
    const http: Record<string, unknown> = {};
    if (h.http1MaxPendingRequests !== undefined) http.http1MaxPendingRequests = checkInteger(scope, `${f}.http1MaxPendingRequests`, h.http1MaxPendingRequests, 1, INT32_MAX);
    if (h.http2MaxRequests !== undefined) http.http2MaxRequests = checkInteger(scope, `${f}.http2MaxRequests`, h.http2MaxRequests, 1, INT32_MAX);
    if (h.maxRequestsPerConnection !== undefined) {
      http.maxRequestsPerConnection = checkInteger(scope, `${f}.maxRequestsPerConnection`, h.maxRequestsPerConnection, 0, INT32_MAX);
    }
    if (h.maxRetries !== undefined) http.maxRetries = checkInteger(scope, `${f}.maxRetries`, h.maxRetries, 0, INT32_MAX);
    if (h.idleTimeout) http.idleTimeout = istioDuration(scope, `${f}.idleTimeout`, h.idleTimeout);
    if (h.maxConcurrentStreams !== undefined) http.maxConcurrentStreams = checkInteger(scope, `${f}.maxConcurrentStreams`, h.maxConcurrentStreams, 1, INT32_MAX);
    if (h.h2UpgradePolicy) http.h2UpgradePolicy = h.h2UpgradePolicy.value;
    if (h.useClientProtocol !== undefined) http.useClientProtocol = h.useClientProtocol;
    out.http = http;
  }
  return out;
}

function renderOutlier(scope: IConstruct, field: string, od: OutlierDetection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (od.consecutive5xxErrors !== undefined) out.consecutive5xxErrors = checkInteger(scope, `${field}.consecutive5xxErrors`, od.consecutive5xxErrors, 0, UINT32_MAX);
  if (od.consecutiveGatewayErrors !== undefined) {
    out.consecutiveGatewayErrors = checkInteger(scope, `${field}.consecutiveGatewayErrors`, od.consecutiveGatewayErrors, 0, UINT32_MAX);
  }
  if (od.consecutiveLocalOriginFailures !== undefined) {
    out.consecutiveLocalOriginFailures = checkInteger(scope, `${field}.consecutiveLocalOriginFailures`, od.consecutiveLocalOriginFailures, 0, UINT32_MAX);
    if (!od.splitExternalLocalOriginErrors) {
      throw meshError(scope, `${field}.consecutiveLocalOriginFailures`, 'only takes effect with splitExternalLocalOriginErrors: true',
        od.consecutiveLocalOriginFailures, 'set splitExternalLocalOriginErrors: true or remove consecutiveLocalOriginFailures');
    }
  }
  if (od.splitExternalLocalOriginErrors !== undefined) out.splitExternalLocalOriginErrors = od.splitExternalLocalOriginErrors;
  if (od.interval) out.interval = istioDuration(scope, `${field}.interval`, od.interval);
  if (od.baseEjectionTime) out.baseEjectionTime = istioDuration(scope, `${field}.baseEjectionTime`, od.baseEjectionTime);
  if (od.maxEjectionPercent !== undefined) {
    out.maxEjectionPercent = checkInteger(scope, `${field}.maxEjectionPercent`, od.maxEjectionPercent, 0, 100);
  }
  if (od.minHealthPercent !== undefined) out.minHealthPercent = checkInteger(scope, `${field}.minHealthPercent`, od.minHealthPercent, 0, 100);
  return out;
}

function renderClientTls(scope: IConstruct, field: string, tls: ClientTlsSettings): Record<string, unknown> {
  const mode = tls.mode.value;
  const certFields = (['caCertificates', 'credentialName', 'clientCertificate', 'privateKey'] as const).filter((k) => tls[k] !== undefined);
  if (mode === 'DISABLE') {
    const set = Object.keys(tls).filter((k) => k !== 'mode' && (tls as unknown as Record<string, unknown>)[k] !== undefined);
    if (set.length > 0) {
      throw meshError(scope, `${field}.${set[0]}`, 'has no effect with mode DISABLE', (tls as unknown as Record<string, unknown>)[set[0]],
        'remove it, or use TlsMode.SIMPLE / TlsMode.MUTUAL');
    }
  }
  if (mode === 'ISTIO_MUTUAL' && certFields.length > 0) {
    throw meshError(scope, `${field}.${certFields[0]}`, 'must not be set with ISTIO_MUTUAL (Istio uses the workload certificates)', tls[certFields[0]],
      'remove it, or use TlsMode.MUTUAL to present your own client certificate');
  }
  if ((tls.clientCertificate === undefined) !== (tls.privateKey === undefined)) {
    const missing = tls.clientCertificate === undefined ? 'clientCertificate' : 'privateKey';
    throw meshError(scope, `${field}.${missing}`, 'is required together with ' + (missing === 'privateKey' ? 'clientCertificate' : 'privateKey'), undefined,
      'set both clientCertificate and privateKey, or use credentialName');
  }
  if (tls.credentialName !== undefined) {
    checkDnsSubdomain(scope, `${field}.credentialName`, tls.credentialName);
    const clash = certFields.find((k) => k !== 'credentialName');
    if (clash) {
      throw meshError(scope, `${field}.${clash}`, 'cannot be combined with credentialName (the Secret provides the certificates)', tls[clash],
        'use either credentialName or file paths, not both');
    }
  }
  if (mode === 'MUTUAL' && tls.credentialName === undefined && tls.clientCertificate === undefined) {
    throw meshError(scope, `${field}.credentialName`, 'is required with mode MUTUAL (or clientCertificate + privateKey)', undefined,
      'set credentialName to the Secret holding tls.key, tls.crt and ca.crt');
  }
  const out: Record<string, unknown> = { mode };
  if (tls.sni !== undefined) out.sni = checkDnsSubdomain(scope, `${field}.sni`, tls.sni);
  if (tls.caCertificates !== undefined) out.caCertificates = tls.caCertificates;
  if (tls.credentialName !== undefined) out.credentialName = tls.credentialName;
  if (tls.clientCertificate !== undefined) out.clientCertificate = tls.clientCertificate;
  if (tls.privateKey !== undefined) out.privateKey = tls.privateKey;
  if (tls.subjectAltNames !== undefined) {
    if (tls.subjectAltNames.length === 0) {
      throw meshError(scope, `${field}.subjectAltNames`, 'must not be empty', [], 'list the accepted SANs or remove the field');
    }
    out.subjectAltNames = [...tls.subjectAltNames];
  }
  if (tls.insecureSkipVerify !== undefined) out.insecureSkipVerify = tls.insecureSkipVerify;
  return out;
}

function wholeSeconds(scope: IConstruct, field: string, d: Duration): string {
  const rendered = istioDuration(scope, field, d, 1000);
  if (d.toMilliseconds({ integral: false }) % 1000 !== 0) {
    throw meshError(scope, field, 'must be a whole number of seconds (the kernel keepalive settings are in seconds)', `${d.toMilliseconds({ integral: false })}ms`, 'round to whole seconds');
  }
  return rendered;
}
