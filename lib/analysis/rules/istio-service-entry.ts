import type { AnalysisContext, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf } from '../label-index';
import { refOf } from '../model';

/*
 * istioctl analyze messages about ServiceEntries: IST0134 (ServiceEntryAddressesRequired).
 */

/**
 * IST0134: a ServiceEntry port of protocol TCP (or unset) without `addresses`. Without an address Envoy cannot tell
 * this host's TCP connections from any other on the port: the sidecars bind a listener on 0.0.0.0:<port> that takes all
 * the port's TCP traffic (or, next to a Service on the port, the entry does not apply). Unless the DNS proxy allocates
 * addresses (MeshConfig proxyMetadata ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE "true").
 */
export const ISTIO_SERVICE_ENTRY_ADDRESSES: IAnalysisRule = {
  id: 'istio-service-entry-addresses',
  code: 'IST0134',
  severity: FindingSeverity.WARNING,
  description: 'A ServiceEntry with a TCP port (protocol TCP or unset) has addresses, unless the mesh\'s DNS proxy allocates them.',
  check(ctx: AnalysisContext) {
    if (ctx.settings.serviceEntryAddressAllocation) return;
    for (const o of ctx.ofKind('ServiceEntry', 'networking.istio.io')) {
      const spec = o.manifest.spec ?? {};
      if (spec.addresses !== undefined && spec.addresses !== null) continue;
      const tcp = arrayOf(spec.ports).filter((p: any) => p?.protocol === undefined || p?.protocol === '' || String(p?.protocol).toUpperCase() === 'TCP');
      if (tcp.length === 0) continue;
      const ports = tcp.map((p: any) => `${p?.number}${p?.name ? ` (${p.name})` : ''}`).join(', ');
      ctx.warning(o, `ServiceEntry addresses are required for this protocol (ServiceEntry ${refOf(o)}, TCP port${tcp.length > 1 ? 's' : ''} ${ports}, hosts `
        + `[${arrayOf(spec.hosts).join(' ')}]): without an address the sidecars cannot tell this host's TCP connections from others on the port, and bind `
        + 'all TCP traffic of the port to it. Fix: set the port\'s protocol (TLS, HTTPS, HTTP) when it is one, or set addresses (the host\'s IPs or CIDR), '
        + 'or enable address allocation in the mesh (proxyMetadata ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE "true").');
    }
  },
};

/** The ServiceEntry rules. */
export const ISTIO_SERVICE_ENTRY_RULES: readonly IAnalysisRule[] = [ISTIO_SERVICE_ENTRY_ADDRESSES];
