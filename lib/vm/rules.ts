import { isIP } from 'node:net';
import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../analysis/context';
import { FindingSeverity } from '../analysis/context';
import { matches } from '../private/topology';

/*
 * Whole-output rules about VM endpoints (WorkloadEntries and the ServiceEntries that select them). The lead
 * registers them in lib/analysis/rules/index.ts.
 */

const DNS_RESOLUTIONS = new Set(['DNS', 'DNS_ROUND_ROBIN']);

function selectorOf(o: AnalyzedObject): Record<string, string> | undefined {
  const labels = o.manifest.spec?.workloadSelector?.labels;
  return labels && Object.keys(labels).length > 0 ? labels : undefined;
}

/**
 * A ServiceEntry whose endpoints come from a `workloadSelector` but whose resolution is NONE (the default) forwards
 * each connection to the address it was sent to: Istio ignores the selector, silently (istio/istio#49345).
 */
export const SERVICE_ENTRY_WORKLOAD_SELECTOR: IAnalysisRule = {
  id: 'service-entry-workload-selector',
  severity: FindingSeverity.ERROR,
  description: 'A ServiceEntry with a workloadSelector has resolution STATIC or DNS: with NONE (the default) Istio ignores the selected workloads.',
  check(ctx: AnalysisContext) {
    for (const o of ctx.ofKind('ServiceEntry', 'networking.istio.io')) {
      const selector = selectorOf(o);
      if (!selector) continue;
      const resolution: string = o.manifest.spec?.resolution ?? 'NONE';
      if (resolution !== 'NONE') continue;
      const ns = o.manifest.metadata.namespace ?? 'default';
      ctx.error(o, `ServiceEntry ${ns}/${o.manifest.metadata.name} selects workloads ${JSON.stringify(selector)} but has resolution NONE`
        + `${o.manifest.spec?.resolution === undefined ? ' (the default)' : ''}: Istio forwards each connection to its original destination and ignores the selected `
        + 'WorkloadEntries and pods. Fix: set resolution STATIC (endpoints with IP addresses) or DNS (WorkloadEntries addressed by DNS names).');
    }
  },
};

/**
 * Istio hands a WorkloadEntry whose address is a DNS name only to ServiceEntries with resolution DNS (or
 * DNS_ROUND_ROBIN): a Kubernetes Service selecting its labels, and a STATIC ServiceEntry, never get it as an endpoint.
 */
export const WORKLOAD_ENTRY_DNS_ADDRESS: IAnalysisRule = {
  id: 'workload-entry-dns-address',
  severity: FindingSeverity.ERROR,
  description: 'A WorkloadEntry addressed by a DNS name is selected by a ServiceEntry with resolution DNS; Kubernetes Services ignore it.',
  check(ctx: AnalysisContext) {
    const entries = ctx.ofKind('WorkloadEntry', 'networking.istio.io').filter((o) => {
      const address = o.manifest.spec?.address;
      return typeof address === 'string' && address !== '' && !address.startsWith('unix://') && isIP(address) === 0;
    });
    if (entries.length === 0) return;
    const services = ctx.ofKind('Service', '');
    const serviceEntries = ctx.ofKind('ServiceEntry', 'networking.istio.io');
    for (const e of entries) {
      const ns = e.manifest.metadata.namespace ?? 'default';
      const labels: Record<string, string> = e.manifest.spec?.labels ?? {};
      const inNs = (o: AnalyzedObject) => (o.manifest.metadata.namespace ?? 'default') === ns;
      const dnsSelected = serviceEntries.some((se) => {
        const selector = selectorOf(se);
        return selector !== undefined && inNs(se) && DNS_RESOLUTIONS.has(se.manifest.spec?.resolution) && matches(labels, selector);
      });
      if (dnsSelected) continue;
      const svc = services.find((s) => inNs(s) && s.manifest.spec?.selector && Object.keys(s.manifest.spec.selector).length > 0 && matches(labels, s.manifest.spec.selector));
      const by = svc ? `the Service ${ns}/${svc.manifest.metadata.name} selects its labels but ignores it` : 'nothing selects it';
      ctx.error(e, `WorkloadEntry ${ns}/${e.manifest.metadata.name} has the DNS name "${e.manifest.spec.address}" as address: Istio gives such an entry only to a `
        + `ServiceEntry with resolution DNS, and ${by}, so no traffic reaches the VM. Fix: use the VM's IP address, or select the entry from a ServiceEntry `
        + 'with resolution DNS (workloadSelector on its labels).');
    }
  },
};

/** The VM rules, in the order they run. */
export const VM_RULES: readonly IAnalysisRule[] = [SERVICE_ENTRY_WORKLOAD_SELECTOR, WORKLOAD_ENTRY_DNS_ADDRESS];
