import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { workloads } from './workload-security';
import { arrayOf, push, selectorString, stringMap } from '../label-index';
import { meshModel, nsOf, refOf } from '../model';
import { parseImage, unpinnedImageProblem } from '../../private/image';

/*
 * Workload hygiene in the spirit of kube-score, one rule per check: resources, probes, pinned images, disruption
 * budgets, HPA ownership of replicas, selectors that match their pod template, Services that select pods.
 */

const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);
const SCALED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

export const WORKLOAD_RESOURCES: IAnalysisRule = {
  id: 'workload-resources',
  code: 'MESH0111',
  severity: FindingSeverity.WARNING,
  description: 'Containers request CPU and memory and limit memory (scheduling and eviction rely on them).',
  check(ctx) {
    for (const { o, kind, containers } of workloads(ctx)) {
      const bad: string[] = [];
      for (const { name, list, c } of containers) {
        if (list === 'ephemeralContainers') continue;
        const missing = [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']].filter(([k, r]) => c.resources?.[k]?.[r] === undefined).map(([k, r]) => `${k}.${r}`);
        if (missing.length > 0) bad.push(`container "${name}" has no ${missing.join(', ')}`);
      }
      if (bad.length === 0) continue;
      ctx.warning(o, `${kind} ${refOf(o)}: ${bad.join('; ')}: without requests the scheduler overcommits the node, without a memory limit one pod can `
        + 'starve the others. Fix: set resources.requests (cpu, memory) and resources.limits.memory on each container.');
    }
  },
};

export const WORKLOAD_PROBES: IAnalysisRule = {
  id: 'workload-probes',
  code: 'MESH0112',
  severity: FindingSeverity.WARNING,
  description: 'Long-running pods a Service sends traffic to have a readinessProbe on their serving containers.',
  check(ctx) {
    const model = meshModel(ctx);
    for (const { o, kind, spec } of workloads(ctx)) {
      if (!LONG_RUNNING.has(kind)) continue;
      const pods = model.podSetOf(o);
      const services = pods ? model.servicesOf(pods) : [];
      if (services.length === 0) continue;
      const containers = arrayOf(spec.containers);
      const serving = containers.filter((c: any) => arrayOf(c?.ports).length > 0);
      const missing = (serving.length > 0 ? serving : containers.slice(0, 1)).filter((c: any) => c?.readinessProbe === undefined);
      if (missing.length === 0) continue;
      ctx.warning(o, `${kind} ${refOf(o)} receives traffic from ${services.map((s) => `Service ${s.key}`).join(', ')} but container(s) `
        + `${missing.map((c: any) => `"${c?.name}"`).join(', ')} have no readinessProbe: requests reach pods that are still starting or failing. `
        + 'Fix: add a readinessProbe (and a livenessProbe that checks something else) to each serving container.');
    }
  },
};

export const WORKLOAD_IMAGE_PINNED: IAnalysisRule = {
  id: 'workload-image-pinned',
  code: 'MESH0113',
  severity: FindingSeverity.WARNING,
  description: 'Container images name a tag other than latest, or a digest: what runs is what was reviewed.',
  check(ctx) {
    for (const { o, kind, containers } of workloads(ctx)) {
      const bad: string[] = [];
      for (const { name, c } of containers) {
        const parsed = parseImage(c.image);
        if ('problem' in parsed) continue; // image-reference
        const problem = unpinnedImageProblem(parsed);
        if (problem) bad.push(`container "${name}" image "${c.image}" ${problem}`);
      }
      if (bad.length === 0) continue;
      ctx.warning(o, `${kind} ${refOf(o)}: ${bad.join('; ')}. Fix: pin a version tag ("app:1.2.3") or a digest ("app@sha256:..."), and let image automation bump it.`);
    }
  },
};

/** The replicas a workload runs with: the HPA's minReplicas when one scales it, else spec.replicas (default 1). */
function replicasOf(o: AnalyzedObject, hpas: Map<string, AnalyzedObject>): { replicas: number; from: string } {
  const hpa = hpas.get(`${nsOf(o)}/${o.manifest.kind}/${o.manifest.metadata.name}`);
  if (hpa) return { replicas: Number(hpa.manifest.spec?.minReplicas ?? 1), from: `HorizontalPodAutoscaler ${refOf(hpa)} minReplicas` };
  return { replicas: Number(o.manifest.spec?.replicas ?? 1), from: 'spec.replicas' };
}

function scaleTargets(ctx: AnalysisContext): Map<string, AnalyzedObject> {
  const out = new Map<string, AnalyzedObject>();
  for (const h of ctx.ofKind('HorizontalPodAutoscaler', 'autoscaling')) {
    const ref = h.manifest.spec?.scaleTargetRef;
    if (typeof ref?.name === 'string') out.set(`${nsOf(h)}/${ref.kind ?? 'Deployment'}/${ref.name}`, h);
  }
  return out;
}

/** A canonical key of a label set (sorted pairs). */
function labelSetKey(pairs: readonly [string, string][]): string {
  return [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('\u0001');
}

export const WORKLOAD_DISRUPTION_BUDGET: IAnalysisRule = {
  id: 'workload-disruption-budget',
  code: 'MESH0114',
  severity: FindingSeverity.WARNING,
  description: 'Workloads running more than one replica (spec.replicas or HPA minReplicas; a Canary\'s primary too) have a PodDisruptionBudget selecting their pods.',
  check(ctx) {
    const model = meshModel(ctx);
    const hpas = scaleTargets(ctx);
    // Budgets by namespace and exact matchLabels set: a budget selects a pod set when its matchLabels are a subset of
    // the pod labels, so the candidates are found by looking up the subsets of the pod labels (pod label sets are
    // small), never by scanning every budget sharing one common pair such as version=v1 (quadratic).
    const bySet = new Map<string, AnalyzedObject[]>();
    const expressionsOnly = new Map<string, AnalyzedObject[]>(); // budgets selecting with matchExpressions alone
    const byPair = new Map<string, AnalyzedObject[]>(); // fallback for pod sets with very many labels
    for (const b of ctx.ofKind('PodDisruptionBudget', 'policy')) {
      const pairs = Object.entries(stringMap(b.manifest.spec?.selector?.matchLabels));
      if (pairs.length === 0 && arrayOf(b.manifest.spec?.selector?.matchExpressions).length > 0) push(expressionsOnly, nsOf(b), b);
      if (pairs.length > 0) push(bySet, `${nsOf(b)}\u0000${labelSetKey(pairs)}`, b);
      for (const [k, v] of pairs) push(byPair, `${nsOf(b)}\u0000${k}=${v}`, b);
    }
    const covered = (ns: string, labels: Readonly<Record<string, string>>) => {
      const entries = Object.entries(labels);
      const candidates: AnalyzedObject[] = [...(expressionsOnly.get(ns) ?? [])];
      if (entries.length <= 10) {
        for (let mask = 1; mask < 1 << entries.length; mask++) {
          candidates.push(...(bySet.get(`${ns}\u0000${labelSetKey(entries.filter((_, i) => mask & (1 << i)))}`) ?? []));
        }
      } else {
        candidates.push(...entries.flatMap(([k, v]) => byPair.get(`${ns}\u0000${k}=${v}`) ?? []));
      }
      return candidates.some((b) => selectorMatches(b.manifest.spec?.selector, labels));
    };
    for (const p of model.podSets) {
      if (!SCALED.has(p.kind) || (p.origin !== 'manifest' && p.origin !== 'flagger-primary')) continue;
      const workload = p.origin === 'manifest' ? p.object! : ctx.find('apps', p.kind, p.namespace, p.name.replace(/-primary$/, ''));
      if (!workload) continue;
      const { replicas, from } = replicasOf(workload, hpas);
      if (replicas <= 1 || covered(p.namespace, p.labels)) continue;
      const what = p.origin === 'manifest' ? `${p.kind} ${refOf(workload)}` : `the primary ${p.kind} ${p.namespace}/${p.name} Flagger creates (pods ${selectorString(p.labels)})`;
      ctx.warning(p.object ?? p.source ?? workload, `${what} runs ${replicas} replicas (${from}) but no PodDisruptionBudget selects its pods: a node drain may evict `
        + 'them all at once. Fix: add a PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches the pod labels'
        + `${p.origin === 'flagger-primary' ? ' of the primary too (select a label Flagger keeps, such as app.kubernetes.io/name)' : ''}.`);
    }
  },
};

export const WORKLOAD_HPA_REPLICAS: IAnalysisRule = {
  id: 'workload-hpa-replicas',
  code: 'MESH0115',
  severity: FindingSeverity.WARNING,
  description: 'A workload scaled by a HorizontalPodAutoscaler does not set spec.replicas (every GitOps apply would reset the scale).',
  check(ctx) {
    for (const [key, hpa] of scaleTargets(ctx)) {
      const [ns, kind, name] = key.split('/');
      const target = ctx.find('apps', kind, ns, name);
      const replicas = target?.manifest.spec?.replicas;
      if (replicas === undefined) continue;
      ctx.warning(target!, `${kind} ${ns}/${name} sets spec.replicas=${replicas} but HorizontalPodAutoscaler ${refOf(hpa)} scales it: each apply (Flux reconciles `
        + 'every interval) resets the replicas the autoscaler chose. Fix: remove spec.replicas and let the HPA\'s minReplicas set the floor.');
    }
  },
};

/** Whether labels satisfy a LabelSelector (matchLabels and matchExpressions). */
export function selectorMatches(selector: any, labels: Readonly<Record<string, string>>): boolean {
  if (!Object.entries(stringMap(selector?.matchLabels)).every(([k, v]) => labels[k] === v)) return false;
  return arrayOf(selector?.matchExpressions).every((e: any) => {
    const values = arrayOf(e?.values);
    switch (e?.operator) {
      case 'In': return labels[e.key] !== undefined && values.includes(labels[e.key]);
      case 'NotIn': return labels[e.key] === undefined || !values.includes(labels[e.key]);
      case 'Exists': return labels[e.key] !== undefined;
      case 'DoesNotExist': return labels[e.key] === undefined;
      default: return true;
    }
  });
}

export const WORKLOAD_SELECTOR_LABELS: IAnalysisRule = {
  id: 'workload-selector-labels',
  code: 'MESH0116',
  severity: FindingSeverity.ERROR,
  description: 'A Deployment, StatefulSet, DaemonSet or ReplicaSet has a selector, and its pod template labels match it (the API server rejects it otherwise).',
  check(ctx) {
    for (const { o, kind } of workloads(ctx)) {
      if (!LONG_RUNNING.has(kind)) continue;
      const selector = o.manifest.spec?.selector;
      const labels = stringMap(o.manifest.spec?.template?.metadata?.labels);
      if (!selector || (Object.keys(stringMap(selector.matchLabels)).length === 0 && arrayOf(selector.matchExpressions).length === 0)) {
        ctx.error(o, `${kind} ${refOf(o)} has no spec.selector: apps/v1 requires one. Fix: select the pod template labels, e.g. { matchLabels: { app: ... } }.`);
      } else if (!selectorMatches(selector, labels)) {
        ctx.error(o, `${kind} ${refOf(o)}: spec.selector ${JSON.stringify(selector)} does not match its pod template labels ${JSON.stringify(labels)} `
          + '(the API server rejects it: "selector does not match template labels"). Fix: add the selected labels to spec.template.metadata.labels.');
      }
    }
  },
};

export const WORKLOAD_SERVICE_SELECTOR: IAnalysisRule = {
  id: 'workload-service-selector',
  code: 'MESH0117',
  severity: FindingSeverity.WARNING,
  description: 'Every Service with a selector selects pods of the output (a workload, the primary Flagger creates, a gateway HelmRelease).',
  check(ctx) {
    const model = meshModel(ctx);
    for (const s of model.services.values()) {
      if (s.origin !== 'manifest' || !s.selector || s.type === 'ExternalName' || model.backends(s).length > 0) continue;
      const near = model.podsIn(s.namespace).filter((p) => Object.entries(s.selector!).some(([k, v]) => p.labels[k] === v)).slice(0, 3);
      ctx.warning(s.object!, `Service ${s.key} selects ${selectorString(s.selector)}, which no pods of the output carry`
        + `${near.length > 0 ? ` (closest: ${near.map((p) => `${p.name} ${selectorString(p.labels)}`).join('; ')})` : ''}: it has no endpoints and calls to it fail. `
        + 'Fix: select the labels of the workload\'s pod template (check for typos and for the namespace).');
    }
  },
};

/** The workload hygiene rules. */
export const WORKLOAD_RELIABILITY_RULES: readonly IAnalysisRule[] = [
  WORKLOAD_RESOURCES, WORKLOAD_PROBES, WORKLOAD_IMAGE_PINNED, WORKLOAD_DISRUPTION_BUDGET, WORKLOAD_HPA_REPLICAS, WORKLOAD_SELECTOR_LABELS, WORKLOAD_SERVICE_SELECTOR,
];
