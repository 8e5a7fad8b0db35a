import type { AnalysisContext, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf, stringMap } from '../label-index';
import { meshModel, nsOf, refOf } from '../model';

/*
 * istioctl analyze messages about DestinationRules: IST0174 (host of no service), IST0173 (subset selecting no pods).
 */

const NETWORKING = 'networking.istio.io';

/** IST0174: a DestinationRule for a host the mesh does not know applies to nothing. */
export const ISTIO_DESTINATION_RULE_HOST: IAnalysisRule = {
  id: 'istio-destination-rule-host',
  code: 'IST0174',
  severity: FindingSeverity.WARNING,
  description: 'Every DestinationRule host is a Service (of the output, or one Flagger or a HelmRelease creates) or a ServiceEntry host.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    for (const o of ctx.ofKind('DestinationRule', NETWORKING)) {
      const host = o.manifest.spec?.host;
      if (typeof host !== 'string' || model.resolveHost(host, nsOf(o))) continue;
      ctx.warning(o, `The host ${host} defined in the DestinationRule does not match any services in the mesh (DestinationRule ${refOf(o)}), so its policy applies to nothing. `
        + `Fix: check the spelling; use the fully qualified name "<service>.<namespace>.svc.cluster.local" for a Service of another namespace; `
        + 'add a ServiceEntry for a host outside the mesh.');
    }
  },
};

/** IST0173: traffic routed to a subset that selects no pods fails with 503 UH (no healthy upstream). */
export const ISTIO_SUBSET_PODS: IAnalysisRule = {
  id: 'istio-subset-pods',
  code: 'IST0173',
  severity: FindingSeverity.WARNING,
  description: 'Every DestinationRule subset selects some endpoints of its host: pods the Service selects (or the ServiceEntry\'s workloads and endpoints) with the subset labels.',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    for (const o of ctx.ofKind('DestinationRule', NETWORKING)) {
      const subsets = arrayOf(o.manifest.spec?.subsets);
      const target = typeof o.manifest.spec?.host === 'string' && subsets.length > 0 ? model.resolveHost(o.manifest.spec.host, nsOf(o)) : undefined;
      if (!target) continue;
      // The endpoints' labels: pods behind the Service, or the ServiceEntry's selected workloads and inline endpoints.
      let endpoints: Array<Readonly<Record<string, string>>>;
      if (target.kind === 'service') {
        if (!target.service.selector) continue; // endpoints managed elsewhere
        endpoints = model.backends(target.service).map((p) => p.labels);
      } else {
        const e = target.entry;
        const inline = arrayOf(e.object.manifest.spec?.endpoints).map((x: any) => stringMap(x?.labels));
        if (!e.workloadSelector && inline.length === 0) continue; // addresses resolved by DNS: no labels to select
        endpoints = [...(e.workloadSelector ? model.select(nsOf(e.object), e.workloadSelector).map((p) => p.labels) : []), ...inline];
      }
      for (const s of subsets) {
        const labels = stringMap(s?.labels);
        if (typeof s?.name !== 'string' || endpoints.some((l) => Object.entries(labels).every(([k, v]) => l[k] === v))) continue;
        ctx.warning(o, `The Subset ${s.name} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream) `
          + `(DestinationRule ${refOf(o)}, labels ${JSON.stringify(labels)}, host ${o.manifest.spec.host}). `
          + 'Fix: change the labels of the subset so that they select the pods, deploy the pods it must select, or remove the subset.');
      }
    }
  },
};

/** The DestinationRule rules. */
export const ISTIO_DESTINATION_RULE_RULES: readonly IAnalysisRule[] = [ISTIO_DESTINATION_RULE_HOST, ISTIO_SUBSET_PODS];
