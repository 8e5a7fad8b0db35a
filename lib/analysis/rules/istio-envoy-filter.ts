import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf } from '../label-index';
import { refOf } from '../model';

/*
 * istioctl analyze messages about EnvoyFilter patches (analyzer envoyfilter.EnvoyPatchAnalyzer): an operation that does
 * not apply to its applyTo (IST0152 REPLACE, IST0153 ADD, IST0154 REMOVE), and a relative operation without priority
 * (IST0151; IST0155 when a patch with proxyVersion targets the same filter), which may not apply at all.
 */

const ROUTES = new Set(['ROUTE_CONFIGURATION', 'HTTP_ROUTE']);
const RELATIVE = new Set(['INSERT_BEFORE', 'INSERT_AFTER', 'MERGE']);

/** Each patch of each EnvoyFilter, in order, as istioctl walks them (it stops at the first entry without a patch). */
function eachPatch(ctx: AnalysisContext, visit: (o: AnalyzedObject, index: number, patch: any, applyTo: string, operation: string) => void): void {
  for (const o of ctx.ofKind('EnvoyFilter', 'networking.istio.io')) {
    const patches = arrayOf(o.manifest.spec?.configPatches);
    for (let i = 0; i < patches.length; i++) {
      const p = patches[i];
      if (!p?.patch || typeof p.patch !== 'object') break;
      visit(o, i, p, String(p.applyTo ?? 'INVALID'), String(p.patch.operation ?? 'INVALID'));
    }
  }
}

/** IST0152, IST0153, IST0154: an operation Istio ignores (or rejects) for the applyTo. */
export const ISTIO_ENVOY_FILTER_OPERATION: IAnalysisRule = {
  id: 'istio-envoy-filter-operation',
  code: 'IST0152',
  severity: FindingSeverity.ERROR,
  description: 'EnvoyFilter patches use operations valid for their applyTo: REPLACE only on HTTP_FILTER/NETWORK_FILTER (IST0152), no ADD (IST0153) or REMOVE (IST0154) on ROUTE_CONFIGURATION/HTTP_ROUTE.',
  check(ctx: AnalysisContext) {
    eachPatch(ctx, (o, i, _patch, applyTo, operation) => {
      const at = `(EnvoyFilter ${refOf(o)} 'configPatches[${i}]', applyTo ${applyTo})`;
      if (operation === 'REPLACE' && applyTo !== 'NETWORK_FILTER' && applyTo !== 'HTTP_FILTER') {
        ctx.error(o, `The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER ${at}: the patch is not applied. `
          + 'Fix: use MERGE to change fields of this object, or REPLACE a filter (applyTo HTTP_FILTER or NETWORK_FILTER).');
      } else if ((operation === 'ADD' || operation === 'REMOVE') && ROUTES.has(applyTo)) {
        ctx.error(o, `The ${operation} operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE ${at}. `
          + `Fix: ${operation === 'ADD' ? 'use MERGE to change a route configuration, or add routes with a VirtualService' : 'remove routes with a VirtualService (or MERGE the route configuration)'}.`,
        { code: operation === 'ADD' ? 'IST0153' : 'IST0154' });
      }
    });
  },
};

/** The filter a patch is about: `patch.value.name`, else the listener filter it matches. */
function filterName(p: any): string {
  const value = p.patch?.value;
  if (value && typeof value === 'object') {
    if (value.name !== undefined) return String(value.name);
    const name = p.match?.listener?.filterChain?.filter?.name;
    if (typeof name === 'string') return name;
  }
  return '';
}

/**
 * IST0151 / IST0155: a relative operation (INSERT_BEFORE/AFTER, MERGE, and valid REPLACE/REMOVE) with no priority is
 * applied relative to whatever other EnvoyFilters did first, in an order nobody chooses: it may find nothing to patch.
 */
export const ISTIO_ENVOY_FILTER_RELATIVE: IAnalysisRule = {
  id: 'istio-envoy-filter-relative',
  code: 'IST0151',
  severity: FindingSeverity.WARNING,
  description: 'EnvoyFilters with relative patch operations (INSERT_BEFORE/AFTER, MERGE, REPLACE, REMOVE) set a priority (IST0151; IST0155 when another patch of the filter has a proxyVersion).',
  check(ctx: AnalysisContext) {
    const withProxyVersion = new Set<string>();
    eachPatch(ctx, (o, i, p, applyTo, operation) => {
      const name = filterName(p);
      const relative = RELATIVE.has(operation) || (operation === 'REPLACE' && (applyTo === 'NETWORK_FILTER' || applyTo === 'HTTP_FILTER'))
        || (operation === 'REMOVE' && !ROUTES.has(applyTo));
      const priority = Number(o.manifest.spec?.priority ?? 0);
      if (relative && priority === 0) {
        const versioned = withProxyVersion.has(name);
        const text = `This EnvoyFilter does not have a priority and has a relative patch operation${versioned ? ' (INSERT_BEFORE/AFTER, REPLACE, MERGE, REMOVE) and proxyVersion set' : ' set'} `
          + `which can cause the EnvoyFilter not to be applied${versioned ? ' during an upgrade' : ''} (EnvoyFilter ${refOf(o)} 'configPatches[${i}]', ${operation} on ${applyTo}${name ? ` ${name}` : ''}). `
          + 'Fix: set spec.priority (lower runs first), or use INSERT_FIRST or ADD, which do not depend on other patches.';
        ctx.warning(o, text, versioned ? { code: 'IST0155' } : {});
      }
      if (typeof p.match?.proxy?.proxyVersion === 'string' && p.match.proxy.proxyVersion !== '') withProxyVersion.add(name);
    });
  },
};

/** The EnvoyFilter rules. */
export const ISTIO_ENVOY_FILTER_RULES: readonly IAnalysisRule[] = [ISTIO_ENVOY_FILTER_OPERATION, ISTIO_ENVOY_FILTER_RELATIVE];
