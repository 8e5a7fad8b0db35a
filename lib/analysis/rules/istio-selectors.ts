import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf, push, stringMap } from '../label-index';
import { meshModel, nsOf, PodSet, refOf } from '../model';

/*
 * istioctl analyze messages about resources of which one applies per workload: Sidecar (IST0110 ConflictingSidecarWorkloadSelectors,
 * IST0111 MultipleSidecarsWithoutWorkloadSelectors) and Telemetry (IST0159 ConflictingTelemetryWorkloadSelectors, IST0160
 * MultipleTelemetriesWithoutWorkloadSelectors). Istio applies one of them to a proxy, in an order nobody chooses. And
 * IST0157 (InvalidTelemetryProvider), IST0167 (IneffectivePolicy: a Sidecar for ambient pods).
 */

const NETWORKING = 'networking.istio.io';
const TELEMETRY = 'telemetry.istio.io';

interface Kind {
  readonly kind: string;
  readonly group: string;
  readonly plural: string;
  /** The selector of an object: undefined when it has none (istioctl: the field is absent). */
  readonly selector: (o: AnalyzedObject) => Record<string, string> | undefined;
  /** Objects that attach by targetRef are not selector-based. */
  readonly skip?: (o: AnalyzedObject) => boolean;
  readonly field: string;
}

const SIDECAR: Kind = {
  kind: 'Sidecar', group: NETWORKING, plural: 'Sidecars', field: 'workloadSelector.labels',
  // istioctl (and istiod) take a Sidecar whose workloadSelector has no labels for the namespace's default.
  selector: (o) => {
    const labels = stringMap(o.manifest.spec?.workloadSelector?.labels);
    return Object.keys(labels).length === 0 ? undefined : labels;
  },
};

const DATAPLANE_MODE = 'istio.io/dataplane-mode';

/** Namespaces labelled for ambient mode. */
function ambientNamespaces(ctx: AnalysisContext): Set<string> {
  return new Set(ctx.ofKind('Namespace', '').filter((o) => stringMap(o.manifest.metadata.labels)[DATAPLANE_MODE] === 'ambient').map((o) => o.manifest.metadata.name));
}

/** Pods in ambient mode: no sidecar, and the ambient label on the pod or (unless the pod opts out) on its namespace. */
function inAmbient(p: PodSet, ambient: ReadonlySet<string>): boolean {
  const mode = p.labels[DATAPLANE_MODE];
  return p.proxy !== 'sidecar' && (mode === 'ambient' || (ambient.has(p.namespace) && mode !== 'none'));
}
const TELEMETRY_KIND: Kind = {
  kind: 'Telemetry', group: TELEMETRY, plural: 'Telemetries', field: 'selector.matchLabels',
  selector: (o) => (o.manifest.spec?.selector === undefined || o.manifest.spec?.selector === null ? undefined : stringMap(o.manifest.spec.selector.matchLabels)),
  skip: (o) => o.manifest.spec?.targetRef !== undefined || o.manifest.spec?.targetRefs !== undefined,
};

/** Several objects of the kind selecting one pod set of their namespace: reported on each of them (as istioctl does). */
function conflictingSelectors(k: Kind, ctx: AnalysisContext, report: (o: AnalyzedObject, names: string, pod: string, ns: string) => void): void {
  const model = meshModel(ctx);
  const ambient = k === SIDECAR ? ambientNamespaces(ctx) : new Set<string>();
  const byPods = new Map<string, AnalyzedObject[]>();
  const pods = new Map<string, string>();
  for (const o of ctx.ofKind(k.kind, k.group)) {
    const selector = k.skip?.(o) ? undefined : k.selector(o);
    if (!selector || Object.keys(selector).length === 0) continue;
    for (const p of model.select(nsOf(o), selector)) {
      if (k === SIDECAR && inAmbient(p, ambient)) continue; // no sidecar to conflict on (istio-sidecar-ambient)
      push(byPods, p.key, o);
      pods.set(p.key, p.name);
    }
  }
  const reported = new Set<AnalyzedObject>();
  for (const [key, list] of byPods) {
    if (list.length < 2) continue;
    const names = list.map((o) => refOf(o)).join(',');
    for (const o of list) {
      if (reported.has(o)) continue;
      reported.add(o);
      report(o, names, pods.get(key)!, nsOf(o));
    }
  }
}

/** Several objects of the kind without selector in one namespace: reported on each. */
function multipleWithoutSelector(k: Kind, ctx: AnalysisContext, report: (o: AnalyzedObject, names: string, ns: string) => void): void {
  const byNamespace = new Map<string, AnalyzedObject[]>();
  const ambient = k === SIDECAR ? ambientNamespaces(ctx) : new Set<string>();
  for (const o of ctx.ofKind(k.kind, k.group)) {
    if (k.skip?.(o) || k.selector(o) !== undefined || ambient.has(nsOf(o))) continue;
    push(byNamespace, nsOf(o), o);
  }
  for (const [ns, list] of byNamespace) {
    if (list.length < 2) continue;
    const names = list.map((o) => refOf(o)).join(',');
    for (const o of list) report(o, names, ns);
  }
}

/** IST0110: two Sidecars select the same pods; the proxy gets one of them, which one is undefined. */
export const ISTIO_SIDECAR_SELECTORS: IAnalysisRule = {
  id: 'istio-sidecar-selectors',
  code: 'IST0110',
  severity: FindingSeverity.ERROR,
  description: 'No two Sidecars of a namespace select the same pods with their workloadSelector.',
  check(ctx: AnalysisContext) {
    conflictingSelectors(SIDECAR, ctx, (o, names, pod, ns) => ctx.error(o, `The Sidecars ${names} in namespace "${ns}" select the same workload pod "${pod}", `
      + `which can lead to undefined behavior (Sidecar ${refOf(o)}): the proxy gets the configuration of one of them only. `
      + 'Fix: make the workloadSelectors of the Sidecars of a namespace select disjoint pods, or merge the Sidecars into one.'));
  },
};

/** IST0111: two Sidecars without workloadSelector in one namespace; the namespace default is one of them, undefined which. */
export const ISTIO_SIDECAR_DEFAULT: IAnalysisRule = {
  id: 'istio-sidecar-default',
  code: 'IST0111',
  severity: FindingSeverity.ERROR,
  description: 'At most one Sidecar without workloadSelector per namespace (the namespace default).',
  check(ctx: AnalysisContext) {
    multipleWithoutSelector(SIDECAR, ctx, (o, names, ns) => ctx.error(o, `The Sidecars ${names} in namespace "${ns}" have no workload selector, which can lead `
      + `to undefined behavior (Sidecar ${refOf(o)}): only one of them is the namespace's default. `
      + 'Fix: keep one Sidecar without workloadSelector per namespace (merge their egress hosts), and give the others a workloadSelector.'));
  },
};

/** IST0167: a Sidecar for pods in ambient mode (or the default Sidecar of an ambient namespace) configures no proxy. */
export const ISTIO_SIDECAR_AMBIENT: IAnalysisRule = {
  id: 'istio-sidecar-ambient',
  code: 'IST0167',
  severity: FindingSeverity.WARNING,
  description: 'No Sidecar selects pods in ambient mode, and no ambient namespace has a default Sidecar (there is no sidecar to configure).',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    const ambient = ambientNamespaces(ctx);
    for (const o of ctx.ofKind(SIDECAR.kind, SIDECAR.group)) {
      const selector = SIDECAR.selector(o);
      const reason = !selector
        ? (ambient.has(nsOf(o)) ? 'namespace is in ambient mode, the policy has no impact' : undefined)
        : (model.select(nsOf(o), selector).some((p) => inAmbient(p, ambient)) ? 'selected workload is in ambient mode, the policy has no impact' : undefined);
      if (!reason) continue;
      ctx.warning(o, `The policy has no impact: ${reason} (Sidecar ${refOf(o)}): ambient pods have no sidecar; their traffic goes through ztunnel and waypoints. `
        + 'Fix: remove the Sidecar (configure ambient egress with waypoints), or run these pods with sidecars (sidecar injection enabled for them).');
    }
  },
};

/** IST0159: two Telemetries select the same pods. */
export const ISTIO_TELEMETRY_SELECTORS: IAnalysisRule = {
  id: 'istio-telemetry-selectors',
  code: 'IST0159',
  severity: FindingSeverity.ERROR,
  description: 'No two Telemetries of a namespace select the same pods with their selector.',
  check(ctx: AnalysisContext) {
    conflictingSelectors(TELEMETRY_KIND, ctx, (o, names, pod, ns) => ctx.error(o, `The Telemetries ${names} in namespace "${ns}" select the same workload pod "${pod}", `
      + `which can lead to undefined behavior (Telemetry ${refOf(o)}). Fix: make the selectors of the Telemetries of a namespace select disjoint pods, or merge them.`));
  },
};

/** IST0160: two Telemetries without selector in one namespace. */
export const ISTIO_TELEMETRY_DEFAULT: IAnalysisRule = {
  id: 'istio-telemetry-default',
  code: 'IST0160',
  severity: FindingSeverity.ERROR,
  description: 'At most one Telemetry without selector per namespace (one mesh-wide in the root namespace).',
  check(ctx: AnalysisContext) {
    multipleWithoutSelector(TELEMETRY_KIND, ctx, (o, names, ns) => ctx.error(o, `The Telemetries ${names} in namespace "${ns}" have no workload selector, which can lead `
      + `to undefined behavior (Telemetry ${refOf(o)}): only one of them applies to the namespace${ns === ctx.settings.rootNamespace ? ' (the mesh, in the root namespace)' : ''}. `
      + 'Fix: merge them into one Telemetry, or give the others a selector.'));
  },
};

/** IST0157: access logging without providers uses the mesh's default providers; with none, the Telemetry logs nothing. */
export const ISTIO_TELEMETRY_PROVIDER: IAnalysisRule = {
  id: 'istio-telemetry-provider',
  code: 'IST0157',
  severity: FindingSeverity.WARNING,
  description: 'Telemetry accessLogging entries name providers, unless the MeshConfig has defaultProviders.accessLogging.',
  check(ctx: AnalysisContext) {
    if (ctx.settings.defaultAccessLogProviders) return;
    for (const o of ctx.ofKind('Telemetry', TELEMETRY)) {
      const empty = arrayOf(o.manifest.spec?.accessLogging).filter((l: any) => arrayOf(l?.providers).length === 0);
      if (empty.length === 0) continue;
      ctx.warning(o, `The Telemetry ${o.manifest.metadata.name} in namespace "${nsOf(o)}" with empty providers will be ignored (accessLogging without providers, `
        + 'and the MeshConfig has no defaultProviders.accessLogging): no access log is written. '
        + 'Fix: name a provider (providers: [{ name: envoy }], or one of meshConfig.extensionProviders), or set meshConfig.defaultProviders.accessLogging.');
    }
  },
};

/** The Sidecar and Telemetry selector rules. */
export const ISTIO_SELECTOR_RULES: readonly IAnalysisRule[] = [ISTIO_SIDECAR_SELECTORS, ISTIO_SIDECAR_DEFAULT, ISTIO_SIDECAR_AMBIENT, ISTIO_TELEMETRY_SELECTORS, ISTIO_TELEMETRY_DEFAULT, ISTIO_TELEMETRY_PROVIDER];
