import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf, hostsMatch, push, selectorString, stringMap } from '../label-index';
import { meshModel, refOf } from '../model';

/*
 * istioctl analyze messages about Gateways: IST0145 (conflicting gateways), IST0162 (gateway port not exposed by the
 * gateway's Service), IST0138 (one certificate on two Gateways).
 */

const NETWORKING = 'networking.istio.io';

/** Protocols whose servers on one port are told apart by SNI (one filter chain per host): overlapping hosts clash. */
const SNI_PROTOCOLS = new Set(['HTTPS', 'TLS']);
/** Protocols that are merged per host on one port (HTTP virtual hosts): several Gateways may share the port. */
const MERGED_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB']);

function hostPart(h: string): string {
  const slash = h.indexOf('/');
  return slash < 0 ? h : h.slice(slash + 1);
}

/**
 * IST0145: two Gateways with the same selector, port and overlapping hosts. Istio keeps one of the clashing servers and
 * drops the other's (for TLS, one filter chain per SNI name; for TCP, one listener per port). Servers that Istio merges
 * per host (HTTP and HTTP2 on one port, the common case of several Gateways sharing the ingress gateway) are not
 * reported, unlike istioctl, because they do not clash.
 */
export const ISTIO_CONFLICTING_GATEWAYS: IAnalysisRule = {
  id: 'istio-conflicting-gateways',
  code: 'IST0145',
  severity: FindingSeverity.ERROR,
  description: 'No two Gateways with the same selector serve overlapping hosts on one TLS/HTTPS port, or one TCP port.',
  check(ctx: AnalysisContext) {
    interface Entry { gateway: AnalyzedObject; hosts: string[]; protocol: string }
    // Per selector and port: servers that clash whatever their hosts (TCP...), and SNI servers by exact host / wildcard.
    const groups = new Map<string, { plain: Entry[]; sni: Entry[]; byHost: Map<string, Entry[]>; wildcard: Entry[] }>();
    const entries: Array<[Entry, string]> = [];
    for (const g of ctx.ofKind('Gateway', NETWORKING)) {
      const selector = selectorString(stringMap(g.manifest.spec?.selector));
      for (const server of arrayOf(g.manifest.spec?.servers)) {
        const port = server?.port?.number;
        const protocol = String(server?.port?.protocol ?? '').toUpperCase();
        if (port === undefined || MERGED_PROTOCOLS.has(protocol)) continue;
        const key = `${selector}~${port}`;
        let group = groups.get(key);
        if (!group) {
          group = { plain: [], sni: [], byHost: new Map(), wildcard: [] };
          groups.set(key, group);
        }
        const e: Entry = { gateway: g, hosts: arrayOf(server.hosts).filter((h): h is string => typeof h === 'string').map(hostPart), protocol };
        entries.push([e, key]);
        if (!SNI_PROTOCOLS.has(protocol)) group.plain.push(e);
        else {
          group.sni.push(e);
          for (const h of e.hosts) {
            if (h.startsWith('*')) group.wildcard.push(e);
            else push(group.byHost, h, e);
          }
        }
      }
    }
    for (const [e, key] of entries) {
      const group = groups.get(key)!;
      const clashing = new Set<AnalyzedObject>();
      const add = (list: readonly Entry[]) => {
        for (const other of list) if (other.gateway !== e.gateway) clashing.add(other.gateway);
      };
      add(group.plain);
      if (!SNI_PROTOCOLS.has(e.protocol)) add(group.sni);
      else {
        for (const h of e.hosts) {
          if (h.startsWith('*')) add(group.sni.filter((o) => o.hosts.some((x) => hostsMatch(h, x))));
          else add(group.byHost.get(h) ?? []);
        }
        add(group.wildcard.filter((o) => e.hosts.some((h) => o.hosts.some((x) => hostsMatch(h, x)))));
      }
      if (clashing.size === 0) continue;
      const [selector, port] = key.split('~');
      const names = [...clashing].map((c) => refOf(c)).join(',');
      ctx.error(e.gateway, `Conflict with gateways ${names} (workload selector ${selector}, port ${port}, hosts ${e.hosts.join(',')}) (Gateway ${refOf(e.gateway)}, ${e.protocol} server): `
        + 'the gateway proxies keep only one of the clashing servers. Fix: serve these hosts from one Gateway, or give one of them another port or other hosts.');
    }
  },
};

/** IST0162: a Gateway port the Service in front of its pods does not expose cannot be reached from outside. */
export const ISTIO_GATEWAY_PORT: IAnalysisRule = {
  id: 'istio-gateway-port',
  code: 'IST0162',
  severity: FindingSeverity.WARNING,
  description: 'Every Gateway server port is a port (or target port) of a Service selecting the gateway pods (the gateway HelmRelease\'s Service, Istio\'s default, or one of the output).',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    for (const g of ctx.ofKind('Gateway', NETWORKING)) {
      const pods = model.gatewayPods(g).filter((p) => p.origin !== 'assumed');
      const services = pods.flatMap((p) => model.servicesOf(p));
      if (services.length === 0) continue; // the Service is not known: nothing to compare with
      const ports = new Set<number>();
      for (const s of services) {
        for (const p of s.ports) {
          if (p.protocol !== undefined && p.protocol !== 'TCP') continue;
          ports.add(p.port);
          if (typeof p.targetPort === 'number') ports.add(p.targetPort);
        }
      }
      const selector = selectorString(stringMap(g.manifest.spec?.selector));
      for (const server of arrayOf(g.manifest.spec?.servers)) {
        const port = Number(server?.port?.number);
        if (!Number.isFinite(port) || ports.has(port)) continue;
        ctx.warning(g, `The gateway is listening on a target port (port ${port}) that is not defined in the Service associated with its workload instances `
          + `(Pod selector ${selector}): Services ${services.map((s) => s.key).join(', ')} expose [${[...ports].sort((a, b) => a - b).join(' ')}] (Gateway ${refOf(g)}). `
          + 'If you need to access the gateway port through the gateway Service, it will not be available. '
          + 'Fix: add the port to the gateway Service (the gateway chart\'s values.service.ports), or listen on a port it exposes.');
      }
    }
  },
};

/**
 * IST0138: one certificate on servers of two Gateways of the same gateway pods. Clients (browsers) reuse an HTTP/2
 * connection for every host the certificate covers, but each Gateway's server is its own filter chain: requests for the
 * other Gateway's hosts on that connection get 404 (envoyproxy/envoy#6767).
 */
export const ISTIO_GATEWAY_DUPLICATE_CERTIFICATE: IAnalysisRule = {
  id: 'istio-gateway-duplicate-certificate',
  code: 'IST0138',
  severity: FindingSeverity.WARNING,
  description: 'No two Gateways of the same gateway pods (one selector a subset of the other) use one certificate (credentialName, or serverCertificate and privateKey).',
  check(ctx: AnalysisContext) {
    const byCertificate = new Map<string, AnalyzedObject[]>();
    const certificates = new Map<AnalyzedObject, string[]>();
    for (const g of ctx.ofKind('Gateway', NETWORKING)) {
      const keys = new Set<string>();
      for (const server of arrayOf(g.manifest.spec?.servers)) {
        const tls = server?.tls;
        if (!tls || typeof tls !== 'object') continue;
        if (typeof tls.credentialName === 'string' && tls.credentialName !== '') keys.add(`credentialName ${tls.credentialName}`);
        else if (typeof tls.serverCertificate === 'string' && tls.serverCertificate !== '' && typeof tls.privateKey === 'string' && tls.privateKey !== '') {
          keys.add(`serverCertificate ${tls.serverCertificate} privateKey ${tls.privateKey}`);
        }
      }
      certificates.set(g, [...keys]);
      for (const k of keys) push(byCertificate, k, g);
    }
    for (const [g, keys] of certificates) {
      const selector = stringMap(g.manifest.spec?.selector);
      const others = new Map<AnalyzedObject, string>();
      for (const k of keys) {
        for (const other of byCertificate.get(k) ?? []) {
          if (other === g || others.has(other)) continue;
          const theirs = stringMap(other.manifest.spec?.selector);
          if (Object.entries(selector).every(([sk, sv]) => theirs[sk] === sv)) others.set(other, k);
        }
      }
      for (const [other, k] of others) {
        ctx.warning(g, `Duplicate certificate in multiple gateways [${refOf(g)} ${refOf(other)}] may cause 404s if clients re-use HTTP2 connections `
          + `(Gateway ${refOf(g)}, ${k}): a browser reuses the connection for every host of the certificate, but each Gateway's hosts are another filter `
          + 'chain. Fix: serve these hosts from one Gateway (one server with all the hosts), or give each Gateway its own certificate.');
      }
    }
  },
};

/** The Gateway rules. */
export const ISTIO_GATEWAY_RULES: readonly IAnalysisRule[] = [ISTIO_CONFLICTING_GATEWAYS, ISTIO_GATEWAY_PORT, ISTIO_GATEWAY_DUPLICATE_CERTIFICATE];
