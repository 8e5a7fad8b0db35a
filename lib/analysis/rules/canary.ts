import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { EXISTING_METRIC_TEMPLATES_ANNOTATION, FLAGGER_BUILTIN_METRICS, flaggerOwnedNames, parseFlaggerDuration, FLAGGER_DEFAULT_WEBHOOK_TIMEOUT_SECONDS } from '../../private/flagger';
import { arrayOf } from '../label-index';

const FLAGGER = 'flagger.app';

function canaries(ctx: AnalysisContext): ReadonlyArray<AnalyzedObject> {
  return ctx.ofKind('Canary', FLAGGER);
}

function where(m: { metadata: { name: string; namespace?: string } }): string {
  return `"${m.metadata.name}"${m.metadata.namespace ? ` in namespace "${m.metadata.namespace}"` : ''}`;
}

/**
 * Flagger creates and owns `<svc>`, `<svc>-primary`, `<svc>-canary` (Services, VirtualService, DestinationRules),
 * `<target>-primary` (Deployment) and `<hpa>-primary`. If dist/ also contains one of them, Flux and Flagger
 * overwrite each other's object forever.
 */
export const FLAGGER_RESERVED_NAMES: IAnalysisRule = {
  id: 'flagger-reserved-names',
  severity: FindingSeverity.ERROR,
  description: 'Nothing else emits the Services, VirtualService, DestinationRules, primary Deployment or primary HPA that Flagger creates for a Canary.',
  check(ctx: AnalysisContext) {
    for (const c of canaries(ctx)) {
      const spec = c.manifest.spec ?? {};
      const ns = c.manifest.metadata.namespace;
      const target: string | undefined = spec.targetRef?.name;
      const svc: string | undefined = spec.service?.name ?? target;
      const reserved: Array<[group: string, kind: string, name: string]> = [];
      if (svc) {
        const n = flaggerOwnedNames(svc);
        for (const name of [n.apex, n.primary, n.canary]) reserved.push(['', 'Service', name]);
        reserved.push(['networking.istio.io', 'VirtualService', n.apex]);
        for (const name of [n.primary, n.canary]) reserved.push(['networking.istio.io', 'DestinationRule', name]);
        // Flagger replaces the apex DestinationRule's role; one left behind would apply to the apex host too.
        reserved.push(['networking.istio.io', 'DestinationRule', n.apex]);
      }
      if (target) reserved.push(['apps', spec.targetRef?.kind ?? 'Deployment', `${target}-primary`]);
      if (spec.autoscalerRef?.name) reserved.push(['autoscaling', 'HorizontalPodAutoscaler', `${spec.autoscalerRef.name}-primary`]);
      for (const [group, kind, name] of reserved) {
        const clash = ctx.find(group, kind, ns, name);
        if (clash) {
          ctx.error(clash, `${kind} ${where(clash.manifest)} is created and owned by Flagger for the Canary ${where(c.manifest)} [${c.path}]. `
            + 'Fix: do not emit it (a MeshApp released by a CanaryRelease stops emitting it), or rename it.');
        }
      }
    }
  },
};

/** The Deployment a Canary targets must be selectable by Flagger and must leave scaling to it. */
export const FLAGGER_TARGET: IAnalysisRule = {
  id: 'flagger-target',
  severity: FindingSeverity.ERROR,
  description: "A Canary's target Deployment (when synthesized here) has no spec.replicas and selects pods by an `app`, `name` or `app.kubernetes.io/name` label.",
  check(ctx: AnalysisContext) {
    for (const c of canaries(ctx)) {
      const ref = c.manifest.spec?.targetRef;
      if (!ref || ref.kind !== 'Deployment') continue;
      const d = ctx.find('apps', 'Deployment', c.manifest.metadata.namespace, ref.name);
      if (!d) continue;
      if (d.manifest.spec?.replicas !== undefined) {
        ctx.error(d, `Deployment ${where(d.manifest)} is the target of the Canary ${where(c.manifest)} but sets spec.replicas=${d.manifest.spec.replicas}: `
          + 'Flagger scales it (to 0 after promotion) and Flux would scale it back. Fix: remove replicas and reference an HPA with autoscalerRef.');
      }
      const labels = Object.keys(d.manifest.spec?.selector?.matchLabels ?? {});
      const key = ['app', 'name', 'app.kubernetes.io/name'].find((k) => labels.includes(k));
      if (!key || labels.length !== 1) {
        ctx.error(d, `Deployment ${where(d.manifest)} is the target of the Canary ${where(c.manifest)} but selects ${JSON.stringify(d.manifest.spec?.selector?.matchLabels ?? {})}: `
          + 'Flagger needs a selector of one label, app (or name, app.kubernetes.io/name). Fix: select pods with { app: <name> } only.');
      }
    }
  },
};

/** Every analysis metric must be one Flagger knows: a builtin one, or one backed by a MetricTemplate. */
export const FLAGGER_METRICS: IAnalysisRule = {
  id: 'flagger-metrics',
  description: 'Canary metrics are builtin (request-success-rate, request-duration) or reference a MetricTemplate that is synthesized too.',
  check(ctx: AnalysisContext) {
    for (const c of canaries(ctx)) {
      const metrics: any[] = arrayOf(c.manifest.spec?.analysis?.metrics);
      metrics.forEach((m: any, i) => {
        if (!m || typeof m !== 'object') return;
        const at = `Canary ${where(c.manifest)} metric[${i}] "${m.name}"`;
        if (m.templateRef) {
          const ns = m.templateRef.namespace ?? c.manifest.metadata.namespace;
          const existing = String(c.manifest.metadata.annotations?.[EXISTING_METRIC_TEMPLATES_ANNOTATION] ?? '').split(',');
          if (!ctx.find(FLAGGER, 'MetricTemplate', ns, m.templateRef.name) && !existing.includes(`${ns}/${m.templateRef.name}`)) {
            ctx.error(c, `${at} references the MetricTemplate "${m.templateRef.name}" in namespace "${ns}", which is not synthesized. `
              + 'Fix: define it with new MetricTemplate(...) and use CanaryMetric.fromTemplate(template).');
          }
        } else if (m.query) {
          ctx.warning(c, `${at} uses an inline query, deprecated by Flagger. Fix: move the query to a MetricTemplate.`);
        } else if (!(FLAGGER_BUILTIN_METRICS as readonly string[]).includes(m.name)) {
          ctx.error(c, `${at} is neither builtin (${FLAGGER_BUILTIN_METRICS.join(', ')}) nor backed by a MetricTemplate. `
            + 'Fix: use CanaryMetric.requestSuccessRate(), requestDuration() or fromTemplate(template).');
        }
      });
    }
  },
};

/** Analysis settings Flagger accepts but cannot honour. */
export const FLAGGER_ANALYSIS: IAnalysisRule = {
  id: 'flagger-analysis',
  severity: FindingSeverity.ERROR,
  description: 'Canary analysis: rollout webhooks fit in the interval, weights are consistent, mirroring only with Istio.',
  check(ctx: AnalysisContext) {
    for (const c of canaries(ctx)) {
      const spec = c.manifest.spec ?? {};
      const a = spec.analysis ?? {};
      const at = `Canary ${where(c.manifest)}`;
      const interval = parseFlaggerDuration(a.interval);
      const rollout = (a.webhooks ?? []).filter((w: any) => w.type === 'rollout');
      const sum = rollout.reduce((s: number, w: any) => s + (parseFlaggerDuration(w.timeout) ?? FLAGGER_DEFAULT_WEBHOOK_TIMEOUT_SECONDS), 0);
      if (interval !== undefined && rollout.length > 0 && sum >= interval) {
        ctx.error(c, `${at}: the rollout webhooks' timeouts add up to ${sum}s, not less than the analysis interval ${a.interval}. `
          + 'Fix: lower the webhook timeouts or raise analysis.interval.');
      }
      if (a.mirror) {
        if (spec.provider !== undefined && spec.provider !== 'istio') {
          ctx.error(c, `${at} mirrors traffic with provider "${spec.provider}": Flagger mirrors only with Istio. Fix: use provider istio or drop mirror.`);
        }
      } else if (a.mirrorWeight !== undefined) {
        ctx.error(c, `${at} sets mirrorWeight without mirror: true. Fix: set mirror: true (CanaryStrategy.blueGreenMirroring() or progressive({ mirror, mirrorWeight })), or drop mirrorWeight.`);
      }
      if (a.stepWeight !== undefined && a.maxWeight !== undefined && a.stepWeight > a.maxWeight) {
        ctx.error(c, `${at}: stepWeight ${a.stepWeight} exceeds maxWeight ${a.maxWeight}. Fix: lower stepWeight or raise maxWeight.`);
      }
      for (const [k, v] of [['stepWeight', a.stepWeight], ['maxWeight', a.maxWeight], ['mirrorWeight', a.mirrorWeight], ['stepWeightPromotion', a.stepWeightPromotion]] as const) {
        if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 100)) {
          ctx.error(c, `${at}: ${k} must be an integer from 1 to 100, got ${v}. Fix: pass a percentage.`);
        }
      }
      if (a.iterations !== undefined && (!Number.isInteger(a.iterations) || a.iterations < 1)) {
        ctx.error(c, `${at}: iterations must be a positive integer, got ${a.iterations}. Fix: pass e.g. 10.`);
      }
      if (a.match && a.iterations === undefined) {
        ctx.error(c, `${at} has A/B match conditions without iterations: Flagger ignores them in a weighted canary. Fix: use CanaryStrategy.abTesting({ match, iterations }).`);
      }
    }
  },
};
