/*
 * What Flagger Canaries and VirtualService mirrors route, read from their specs (for build-mesh-graph.ts).
 */
import { clip, listShort, summarizeHttpMatches } from './summary';
import { MeshGraphCanary, MeshGraphCanaryStrategy, MeshGraphManifest } from './model';

/** `rule.mirror` + `mirrorPercentage`, and `rule.mirrors[]`: `[destination, percent]`. */
export function mirrorsOf(rule: any): [any, number][] {
  const out: [any, number][] = [];
  const pct = (p: any, legacy?: any) => (typeof p?.value === 'number' ? p.value : typeof legacy === 'number' ? legacy : 100);
  if (rule?.mirror) out.push([rule.mirror, pct(rule.mirrorPercentage, rule.mirrorPercent)]);
  for (const m of Array.isArray(rule?.mirrors) ? rule.mirrors : []) if (m?.destination) out.push([m.destination, pct(m.percentage)]);
  return out;
}

/** What a Canary does, from its `analysis` (`canaryAnalysis` in old versions). */
export function canaryInfo(ref: string, m: MeshGraphManifest, target: string): MeshGraphCanary {
  const a = m.spec?.analysis ?? m.spec?.canaryAnalysis ?? {};
  const match = Array.isArray(a.match) && a.match.length > 0 ? a.match.map((x: unknown) => summarizeHttpMatches([x])).filter((s: string) => s) : undefined;
  let weights: number[] | undefined;
  if (Array.isArray(a.stepWeights) && a.stepWeights.length > 0) {
    weights = a.stepWeights.map(Number).filter((n: number) => Number.isFinite(n));
  } else if (typeof a.stepWeight === 'number' && a.stepWeight > 0) {
    const max = typeof a.maxWeight === 'number' ? a.maxWeight : 100;
    weights = [];
    for (let w = a.stepWeight; w <= max && weights.length < 100; w += a.stepWeight) weights.push(w);
  }
  const strategy = match ? MeshGraphCanaryStrategy.AB_TESTING : weights ? MeshGraphCanaryStrategy.PROGRESSIVE : MeshGraphCanaryStrategy.BLUE_GREEN;
  return {
    canary: ref.replace(/^Canary /, ''), strategy, target,
    ...(weights && !match ? { weights } : {}),
    ...(typeof a.iterations === 'number' ? { iterations: a.iterations } : {}),
    ...(match ? { match } : {}),
    ...(a.mirror === true ? { mirror: true } : {}),
  };
}

export function canaryLabels(c: MeshGraphCanary): string[] {
  switch (c.strategy) {
    case MeshGraphCanaryStrategy.AB_TESTING:
      return ['canary A/B', clip(listShort(c.match ?? [], ' or '))];
    case MeshGraphCanaryStrategy.PROGRESSIVE: {
      const w = c.weights ?? [];
      return [w.length <= 1 ? `canary ${w[0] ?? 0}%` : `canary ${w[0]}%→${w[w.length - 1]}%`];
    }
    default:
      return [`canary blue/green${c.iterations !== undefined ? `, ${c.iterations} checks` : ''}`];
  }
}
