import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf, push, stringMap } from '../label-index';
import { meshModel, nsOf, PodSet, refOf, ServiceInfo } from '../model';
import { manifestTopology } from '../topology';

/*
 * The product's own checks of TLS between proxies and of DestinationRule traffic policies, beyond istioctl: a client TLS
 * mode the server cannot speak (MESH0023), port-level traffic policies that drop the top-level settings (MESH0026),
 * PeerAuthentication port-level mTLS on a Service port instead of the workload's port (MESH0029).
 */

const NETWORKING = 'networking.istio.io';
const SECURITY = 'security.istio.io';

/** The workload ports a Service port reaches on a pod set: its numeric targetPort, or the container port named by it. */
function workloadPorts(s: ServiceInfo, pods: PodSet): Map<number, number> {
  const named = new Map<string, number>();
  for (const c of arrayOf(pods.spec?.containers)) {
    for (const p of arrayOf(c?.ports)) if (typeof p?.name === 'string' && Number.isFinite(Number(p?.containerPort))) named.set(p.name, Number(p.containerPort));
  }
  const out = new Map<number, number>();
  for (const p of s.ports) {
    const t = p.targetPort;
    const target = t === undefined || t === '' ? p.port : typeof t === 'number' ? t : /^\d+$/.test(String(t)) ? Number(t) : named.get(String(t));
    if (target !== undefined) out.set(p.port, target);
  }
  return out;
}

/** PeerAuthentications with a selector and port-level modes, by namespace and first selector pair. */
function portLevelIndex(ctx: AnalysisContext): Map<string, AnalyzedObject[]> {
  const out = new Map<string, AnalyzedObject[]>();
  for (const pa of ctx.ofKind('PeerAuthentication', SECURITY)) {
    const pairs = Object.entries(stringMap(pa.manifest.spec?.selector?.matchLabels));
    if (pairs.length > 0 && pa.manifest.spec?.portLevelMtls) push(out, `${nsOf(pa)}\u0000${pairs[0][0]}=${pairs[0][1]}`, pa);
  }
  return out;
}

/** Port-level mTLS modes of the PeerAuthentications selecting a pod set (workload port → mode). */
function portLevelModes(index: Map<string, AnalyzedObject[]>, pods: PodSet): Map<number, string> {
  const out = new Map<number, string>();
  for (const [k, v] of Object.entries(pods.labels)) {
    for (const pa of index.get(`${pods.namespace}\u0000${k}=${v}`) ?? []) {
      const selector = stringMap(pa.manifest.spec?.selector?.matchLabels);
      if (!Object.entries(selector).every(([sk, sv]) => pods.labels[sk] === sv)) continue;
      for (const [port, level] of Object.entries(pa.manifest.spec?.portLevelMtls ?? {})) {
        const mode = (level as any)?.mode;
        if (typeof mode === 'string' && mode !== 'UNSET') out.set(Number(port), mode);
      }
    }
  }
  return out;
}

/** A DestinationRule of the output, or the ones Flagger generates from a Canary's service.trafficPolicy. */
interface TrafficPolicySource {
  readonly at: AnalyzedObject;
  /** `DestinationRule ns/name` or `Canary ns/name`. */
  readonly label: string;
  readonly host: unknown;
  /** The field path of the top-level traffic policy. */
  readonly field: string;
  readonly trafficPolicy: any;
  readonly subsets: any[];
}

function trafficPolicySources(ctx: AnalysisContext): TrafficPolicySource[] {
  const out: TrafficPolicySource[] = ctx.ofKind('DestinationRule', NETWORKING).map((o) => ({
    at: o, label: `DestinationRule ${refOf(o)}`, host: o.manifest.spec?.host, field: 'trafficPolicy', trafficPolicy: o.manifest.spec?.trafficPolicy, subsets: arrayOf(o.manifest.spec?.subsets),
  }));
  for (const c of ctx.ofKind('Canary', 'flagger.app')) {
    const service = c.manifest.spec?.service;
    if (!service?.trafficPolicy || typeof service.trafficPolicy !== 'object') continue;
    out.push({
      at: c, label: `Canary ${refOf(c)} (the DestinationRules Flagger generates)`, host: service.name ?? c.manifest.spec?.targetRef?.name,
      field: 'spec.service.trafficPolicy', trafficPolicy: service.trafficPolicy, subsets: [],
    });
  }
  return out;
}

/**
 * A DestinationRule TLS mode the server cannot speak: ISTIO_MUTUAL to pods without a sidecar (the TLS handshake fails:
 * 503 UF), or DISABLE to pods whose sidecar accepts only mTLS (STRICT: the connection is reset). Every request fails.
 */
export const MESH_CLIENT_TLS: IAnalysisRule = {
  id: 'mesh-client-tls',
  code: 'MESH0023',
  severity: FindingSeverity.ERROR,
  description: 'A DestinationRule (or a Canary\'s service.trafficPolicy) does not send ISTIO_MUTUAL to pods without a sidecar, nor plaintext (tls DISABLE) to pods whose mTLS mode is STRICT.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    const topology = manifestTopology(ctx);
    const peerAuthentications = portLevelIndex(ctx);
    for (const src of trafficPolicySources(ctx)) {
      const o = src.at;
      const host = src.host;
      const target = typeof host === 'string' ? model.resolveHost(host, nsOf(o)) : undefined;
      if (target?.kind !== 'service') continue;
      const service = target.service;
      const backends = model.backends(service).filter((p) => p.proxy !== 'gateway');
      if (backends.length === 0) continue;
      // [tls, where, the pods it applies to, the Service port it is limited to]
      const scopes: Array<[any, string, PodSet[], number | undefined]> = [];
      const policy = src.trafficPolicy && typeof src.trafficPolicy === 'object' ? src.trafficPolicy : {};
      scopes.push([policy.tls, `${src.field}.tls`, backends, undefined]);
      arrayOf(policy.portLevelSettings).forEach((p: any, i: number) => {
        if (p?.port?.number !== undefined) scopes.push([p.tls, `${src.field}.portLevelSettings[${i}].tls`, backends, Number(p.port.number)]);
      });
      src.subsets.forEach((s: any, i: number) => {
        if (!s?.trafficPolicy?.tls) return;
        const labels = stringMap(s.labels);
        scopes.push([s.trafficPolicy.tls, `subsets[${i}].trafficPolicy.tls (subset ${s.name})`, backends.filter((p) => Object.entries(labels).every(([k, v]) => p.labels[k] === v)), undefined]);
      });
      const overridden = new Set(arrayOf(policy.portLevelSettings).map((p: any) => Number(p?.port?.number)));
      for (const [tls, where, pods, port] of scopes) {
        const mode = tls?.mode;
        if (pods.length === 0) continue;
        if (mode === 'ISTIO_MUTUAL' && pods.every((p) => p.proxy === 'none')) {
          ctx.error(o, `${src.label} '${where}' sends Istio mTLS (ISTIO_MUTUAL) to "${host}", whose pods `
            + `${pods.map((p) => `${p.namespace}/${p.name}`).join(', ')} run no sidecar: they answer in plaintext, the TLS handshake fails and every request gets 503 (UF). `
            + `Fix: enable sidecar injection for ${pods[0].name}, or remove the tls setting (Istio's auto mTLS sends plaintext to pods without a sidecar).`);
        } else if (mode === 'DISABLE') {
          const strict: string[] = [];
          for (const p of pods.filter((x) => x.proxy === 'sidecar')) {
            const workload = topology.workloadMode(p.namespace, p.labels);
            const levels = portLevelModes(peerAuthentications, p);
            for (const [servicePort, workloadPort] of workloadPorts(service, p)) {
              if (port !== undefined ? servicePort !== port : overridden.has(servicePort)) continue;
              if ((levels.get(workloadPort) ?? workload.mode) === 'STRICT') strict.push(`${p.namespace}/${p.name} port ${workloadPort} (STRICT from ${levels.has(workloadPort) ? 'portLevelMtls' : workload.from})`);
            }
          }
          if (strict.length === 0) continue;
          ctx.error(o, `${src.label} '${where}' sends plaintext (tls mode DISABLE) to "${host}", whose sidecars accept only mTLS: `
            + `${strict.join(', ')}; every connection is reset (503 UC). Fix: remove the tls setting (auto mTLS) or use ISTIO_MUTUAL; if the server must `
            + 'accept plaintext, make it PERMISSIVE (a workload PeerAuthentication, or portLevelMtls on the workload port).');
        }
      }
    }
  },
};

const POLICY_FIELDS = ['connectionPool', 'outlierDetection', 'loadBalancer', 'tls'] as const;

function hasFailover(lb: any): boolean {
  const l = lb?.localityLbSetting;
  return !!l && l.enabled !== false && (arrayOf(l.failover).length > 0 || arrayOf(l.failoverPriority).length > 0 || arrayOf(l.distribute).length > 0);
}

/**
 * Istio applies a port-level traffic policy instead of the top-level one, not on top of it: connectionPool,
 * outlierDetection, loadBalancer and tls the port entry does not repeat are gone for that port. Without outlier detection
 * Istio does not apply locality failover: an error when failover is configured; otherwise a warning for each field lost.
 */
export const PORT_LEVEL_TRAFFIC_POLICY: IAnalysisRule = {
  id: 'port-level-traffic-policy',
  code: 'MESH0026',
  description: 'DestinationRule (and Canary service.trafficPolicy) portLevelSettings repeat the top-level connectionPool, outlierDetection, loadBalancer and tls they mean to keep (Istio replaces them per port); locality failover keeps its outlier detection.',
  check(ctx: AnalysisContext) {
    for (const src of trafficPolicySources(ctx)) {
      const o = src.at;
      const policies: Array<[any, string]> = [[src.trafficPolicy, src.field]];
      src.subsets.forEach((s: any, i: number) => policies.push([s?.trafficPolicy, `subsets[${i}].trafficPolicy`]));
      for (const [policy, where] of policies) {
        if (!policy || typeof policy !== 'object') continue;
        arrayOf(policy.portLevelSettings).forEach((p: any, i: number) => {
          const lost = POLICY_FIELDS.filter((f) => policy[f] !== undefined && p?.[f] === undefined);
          if (lost.length === 0) return;
          const at = `${where}.portLevelSettings[${i}] (port ${p?.port?.number ?? p?.port?.name})`;
          const failoverLost = (hasFailover(p?.loadBalancer) && p?.outlierDetection === undefined)
            || (hasFailover(policy.loadBalancer) && policy.outlierDetection !== undefined && (lost.includes('loadBalancer') || lost.includes('outlierDetection')));
          const text = `${src.label} '${at}' replaces the whole '${where}' for this port: its ${lost.join(', ')} `
            + `${lost.length > 1 ? 'do' : 'does'} not apply to the port (Istio does not merge port-level settings with the top-level ones)`;
          const fix = `Fix: repeat ${lost.map((f) => `${f}`).join(', ')} in the port's entry, or drop the port entry if the top-level policy is what the port needs.`;
          if (failoverLost) {
            ctx.error(o, `${text}, so the port has locality failover without outlier detection, and Istio applies no failover without it: `
              + `when a zone fails, its endpoints keep receiving traffic. ${fix}`);
          } else {
            ctx.warning(o, `${text}. ${fix}`);
          }
        });
      }
    }
  },
};

/**
 * PeerAuthentication portLevelMtls is keyed by the port the workload listens on (the container port), not the Service
 * port: a Service port that maps to another target port never matches, and the port keeps the workload's mode.
 */
export const PEER_AUTHENTICATION_PORT: IAnalysisRule = {
  id: 'peer-authentication-port',
  code: 'MESH0029',
  description: 'PeerAuthentication portLevelMtls names workload (container) ports, not Service ports that map to another target port.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    const topology = manifestTopology(ctx);
    for (const o of ctx.ofKind('PeerAuthentication', SECURITY)) {
      const levels = Object.entries(o.manifest.spec?.portLevelMtls ?? {});
      const selector = stringMap(o.manifest.spec?.selector?.matchLabels);
      if (levels.length === 0 || Object.keys(selector).length === 0) continue;
      const pods = model.select(nsOf(o), selector).filter((p) => p.spec);
      if (pods.length === 0) continue;
      const containerPorts = new Set<number>();
      const servicePorts = new Map<number, number>();
      for (const p of pods) {
        for (const c of arrayOf(p.spec.containers)) for (const cp of arrayOf(c?.ports)) containerPorts.add(Number(cp?.containerPort));
        for (const s of model.servicesOf(p)) for (const [sp, wp] of workloadPorts(s, p)) servicePorts.set(sp, wp);
      }
      const own = o.manifest.spec?.mtls?.mode;
      const mode = typeof own === 'string' && own !== 'UNSET' ? own : topology.namespaceMode(nsOf(o)).mode;
      for (const [key, value] of levels) {
        const port = Number(key);
        const workloadPort = servicePorts.get(port);
        if (containerPorts.has(port) || workloadPort === undefined || workloadPort === port) continue;
        const portMode = (value as any)?.mode;
        const text = `PeerAuthentication ${refOf(o)} 'portLevelMtls.${key}' (${portMode}) names Service port ${port}, which sends to workload port `
          + `${workloadPort}; portLevelMtls is matched against the port the workload listens on, so this entry never applies and port ${workloadPort} keeps `
          + `mode ${mode}. Fix: key the entry by the container port: portLevelMtls: { ${workloadPort}: { mode: ${portMode} } }.`;
        if (portMode === mode) ctx.warning(o, text);
        else ctx.error(o, text);
      }
    }
  },
};
