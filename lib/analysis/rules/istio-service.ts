import type { AnalysisContext, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { push } from '../label-index';
import { meshModel, PodSet, refOf, ServiceInfo } from '../model';
import { arrayOf } from '../label-index';

/*
 * istioctl analyze messages about Services and the workloads they select: IST0116, IST0137 (a workload in conflicting
 * Services), IST0118 (port naming), IST0150 (ExternalName port naming).
 */

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** Workloads of the output with a sidecar, and the Services that select their pods. */
function meshedWorkloads(ctx: AnalysisContext): Array<{ pods: PodSet; services: ServiceInfo[] }> {
  const model = meshModel(ctx);
  const out: Array<{ pods: PodSet; services: ServiceInfo[] }> = [];
  for (const pods of model.podSets) {
    if (pods.origin !== 'manifest' || !WORKLOAD_KINDS.has(pods.kind) || pods.proxy !== 'sidecar' || pods.labels['gateway.istio.io/managed'] !== undefined) continue;
    const services = model.servicesOf(pods);
    if (services.length > 1) out.push({ pods, services });
  }
  return out;
}

/** IST0116: one port, two protocols across the Services of a workload: the sidecar cannot serve both. */
export const ISTIO_SERVICE_PROTOCOL_CONFLICT: IAnalysisRule = {
  id: 'istio-service-protocol-conflict',
  code: 'IST0116',
  severity: FindingSeverity.WARNING,
  description: 'The Services selecting a meshed workload do not use one port number with different protocols.',
  check(ctx: AnalysisContext) {
    for (const { pods, services } of meshedWorkloads(ctx)) {
      const byPort = new Map<number, Map<string, string[]>>();
      for (const s of services) {
        for (const p of s.ports) {
          const protocols = byPort.get(p.port) ?? new Map<string, string[]>();
          byPort.set(p.port, protocols);
          push(protocols, p.protocol ?? 'TCP', s.key);
        }
      }
      for (const [port, protocols] of byPort) {
        if (protocols.size < 2) continue;
        const names = [...protocols.values()].flat().sort();
        ctx.warning(pods.object!, `This deployment ${pods.name} is associated with multiple services using port ${port} but different protocols: [${names.join(' ')}] `
          + `(${[...protocols.keys()].join(', ')}) (${pods.kind} ${refOf(pods.object!)}). Fix: serve each protocol on its own port number.`);
      }
    }
  },
};

/** IST0137: one target port reached through two different Service ports: Istio cannot tell which port's config applies. */
export const ISTIO_SERVICE_TARGET_PORT_CONFLICT: IAnalysisRule = {
  id: 'istio-service-target-port-conflict',
  code: 'IST0137',
  severity: FindingSeverity.WARNING,
  description: 'The Services selecting a meshed workload map one targetPort from a single port number.',
  check(ctx: AnalysisContext) {
    for (const { pods, services } of meshedWorkloads(ctx)) {
      const byTarget = new Map<string, Map<number, string>>();
      for (const s of services) {
        for (const p of s.ports) {
          const target = p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '' ? String(p.port) : String(p.targetPort);
          const ports = byTarget.get(target) ?? new Map<number, string>();
          byTarget.set(target, ports);
          ports.set(p.port, s.key);
        }
      }
      for (const [target, ports] of byTarget) {
        if (ports.size < 2) continue;
        ctx.warning(pods.object!, `This deployment ${pods.name} is associated with multiple services [${[...new Set(ports.values())].sort().join(' ')}] using targetPort `
          + `"${target}" but different ports: [${[...ports.keys()].sort((a, b) => a - b).join(' ')}] (${pods.kind} ${refOf(pods.object!)}). `
          + 'Fix: expose the target port under the same port number in every Service that selects the workload.');
      }
    }
  },
};

/** Istio's protocol names (`protocol.Parse`), case-insensitive. */
const PROTOCOLS = new Set(['tcp', 'udp', 'grpc', 'grpc-web', 'http', 'http_proxy', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql']);
/** Ports Istio treats as TCP whatever their name (SMTP, DNS, MySQL, MongoDB). */
const WELL_KNOWN_PORTS = new Set([25, 53, 3306, 27017]);
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** Istio's `ConvertProtocol`: whether the protocol of a Service port is known without sniffing. */
export function portProtocolKnown(port: { port: number; name?: string; protocol?: string; appProtocol?: string }): boolean {
  if (port.protocol === 'UDP' || port.protocol === 'SCTP') return true;
  let name = String(port.appProtocol ?? port.name ?? '');
  if (port.appProtocol !== undefined && ['kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss'].includes(port.appProtocol)) return true;
  if (name.toLowerCase().startsWith('grpc-web')) return true;
  const dash = name.indexOf('-');
  if (dash >= 0) name = name.slice(0, dash);
  return PROTOCOLS.has(name.toLowerCase()) || WELL_KNOWN_PORTS.has(port.port);
}

/** Istio's own Services (istiod, its gateways): their port names are Istio's (istioctl `IsIstioControlPlane`). */
function isControlPlane(labels: Record<string, string>): boolean {
  return ['pilot', 'ingressgateway', 'egressgateway', 'eastwestgateway'].includes(labels.istio) || labels.app === 'istiod';
}

/** IST0118: a port whose protocol Istio cannot tell from its name or appProtocol is sniffed (and server-first protocols break). */
export const ISTIO_PORT_NAME: IAnalysisRule = {
  id: 'istio-port-name',
  code: 'IST0118',
  severity: FindingSeverity.INFO,
  description: 'Service ports declare their protocol: a name `<protocol>[-<suffix>]` (http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql, redis) or appProtocol.',
  check(ctx: AnalysisContext) {
    for (const o of ctx.ofKind('Service', '')) {
      const ns = o.manifest.metadata.namespace ?? 'default';
      if (SYSTEM_NAMESPACES.has(ns) || isControlPlane(o.manifest.metadata.labels ?? {}) || o.manifest.spec?.type === 'ExternalName') continue;
      for (const p of arrayOf(o.manifest.spec?.ports)) {
        if (portProtocolKnown({ port: Number(p?.port), name: p?.name, protocol: p?.protocol, appProtocol: p?.appProtocol })) continue;
        ctx.info(o, `Port name ${p?.name ?? '(none)'} (port: ${p?.port}, targetPort: ${p?.targetPort ?? p?.port}) doesn't follow the naming convention of Istio port `
          + `(Service ${refOf(o)}): Istio sniffs the protocol, which delays server-first protocols and can pick the wrong one. `
          + `Fix: name the port "<protocol>[-<suffix>]" (e.g. "http-${p?.name ?? 'web'}", "tcp-${p?.name ?? 'db'}") or set appProtocol.`);
      }
    }
  },
};

/**
 * IST0150: an ExternalName Service port named `tcp` or with a name Istio does not know. An ExternalName Service has no
 * cluster IP, so the sidecar can route its TCP traffic only by SNI (https/tls ports): a plain TCP port's traffic is not
 * forwarded to the external name as intended.
 */
export const ISTIO_EXTERNAL_NAME_PORT: IAnalysisRule = {
  id: 'istio-external-name-port',
  code: 'IST0150',
  severity: FindingSeverity.WARNING,
  description: 'Ports of ExternalName Services are named for a protocol Istio can route without an IP (https, tls, http, grpc...): not "tcp", not unnamed.',
  check(ctx: AnalysisContext) {
    for (const o of ctx.ofKind('Service', '')) {
      if (o.manifest.spec?.type !== 'ExternalName' || isControlPlane(o.manifest.metadata.labels ?? {})) continue;
      for (const p of arrayOf(o.manifest.spec?.ports)) {
        if (p?.name !== 'tcp' && portProtocolKnown({ port: Number(p?.port), name: p?.name, protocol: p?.protocol, appProtocol: p?.appProtocol })) continue;
        ctx.warning(o, `Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol `
          + `from being forwarded correctly (Service ${refOf(o)}, port ${p?.port} named ${p?.name === undefined ? '(none)' : `"${p.name}"`}, externalName `
          + `${o.manifest.spec?.externalName}): an ExternalName Service has no IP, so its TCP traffic can only be routed by SNI. `
          + `Fix: name the port "https-${p?.port ?? 'port'}" or "tls-${p?.port ?? 'port'}" when the protocol is TLS (or http-/grpc- for those), or set appProtocol.`);
      }
    }
  },
};

/** The Service rules. */
export const ISTIO_SERVICE_RULES: readonly IAnalysisRule[] = [ISTIO_SERVICE_PROTOCOL_CONFLICT, ISTIO_SERVICE_TARGET_PORT_CONFLICT, ISTIO_PORT_NAME, ISTIO_EXTERNAL_NAME_PORT];
