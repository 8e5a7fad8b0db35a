import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** Where a chart's objects go in the output directory. */
export interface ChartOutput {
  /** Folder relative to outdir, '/'-separated. */
  readonly folder: string;
  /**
   * Objects are written flat into the folder, with no kustomization.yaml (Flux generates one for a folder
   * without it, e.g. the `clusters/<name>` folder `flux bootstrap` points at).
   */
  readonly flat: boolean;
  /** The layer folder the chart folder belongs to (it gets a kustomization.yaml listing its charts). */
  readonly group?: string;
  /** The cluster the chart is deployed to: analysis runs per cluster. */
  readonly cluster?: string;
}

interface GroupEntry { readonly folder: string; readonly cluster?: string }
interface ChartEntry { readonly folder: string; readonly flat: boolean; readonly cluster?: string }

const GROUPS = new WeakMap<IConstruct, GroupEntry>();
const CHARTS = new WeakMap<IConstruct, ChartEntry>();
const PRESERVED = new WeakMap<IConstruct, string[]>();
const ROOT_GROUPS = new WeakMap<IConstruct, string[]>();
const DOCUMENTS = new WeakMap<IConstruct, { scope: IConstruct; relPath: string; produce: () => string }[]>();

/**
 * How charts map to folders of the output directory. By default a chart goes to `<chart id>/`. Constructs that
 * lay out a GitOps repository (GitOpsCluster) register folders here; `synthesize()` and `analyze()` read them.
 */
export class OutputLayout {
  /** Charts created below `scope` go to `<folder>/<chart id>/`, listed by a `<folder>/kustomization.yaml`. */
  public static registerGroup(scope: IConstruct, folder: string, cluster?: string): void {
    GROUPS.set(scope, { folder, cluster });
    const root = scope.node.root;
    ROOT_GROUPS.set(root, [...(ROOT_GROUPS.get(root) ?? []), folder]);
  }

  /** Every group folder registered in the app `scope` belongs to, sorted (each gets a kustomization.yaml, even when empty). */
  public static groupFolders(scope: IConstruct): string[] {
    return [...new Set(ROOT_GROUPS.get(scope.node.root) ?? [])].sort();
  }

  /** Puts one chart into `folder` (flat: no kustomization.yaml, see ChartOutput). */
  public static registerChart(chart: Chart, folder: string, options: { flat?: boolean; cluster?: string } = {}): void {
    CHARTS.set(chart, { folder, flat: options.flat ?? false, cluster: options.cluster });
  }

  /** A folder inside outdir that another tool writes and every synth carries over (see writeOutputDirectory). */
  public static preserve(scope: IConstruct, folder: string): void {
    const root = scope.node.root;
    PRESERVED.set(root, [...(PRESERVED.get(root) ?? []), folder]);
  }

  /**
   * A document written next to the manifests of the chart `scope` is in (e.g. generated VM onboarding steps), at
   * `<chart folder>/<relPath>`, produced at synthesis. Not listed in any kustomization.yaml.
   */
  public static addDocument(scope: IConstruct, relPath: string, produce: () => string): void {
    const root = scope.node.root;
    const docs = DOCUMENTS.get(root) ?? [];
    DOCUMENTS.set(root, docs);
    docs.push({ scope, relPath, produce });
  }

  /**
   * The documents of the app `scope` belongs to, as [path inside outdir, producer, construct path], sorted by path.
   * Two documents with one path are an error.
   */
  public static documents(scope: IConstruct): [string, () => string][] {
    const byPath = new Map<string, { scope: IConstruct; produce: () => string }>();
    for (const d of DOCUMENTS.get(scope.node.root) ?? []) {
      const chart = Chart.of(d.scope);
      const rel = `${OutputLayout.of(chart).folder}/${d.relPath}`;
      const other = byPath.get(rel);
      if (other) throw new Error(`[${d.scope.node.path}] the document ${rel} is already written by ${other.scope.node.path}. Fix: give one of them another name.`);
      byPath.set(rel, d);
    }
    return [...byPath.entries()].map(([p, d]): [string, () => string] => [p, d.produce]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Where `chart` goes. */
  public static of(chart: Chart): ChartOutput {
    const own = CHARTS.get(chart);
    if (own) return own;
    for (let s = chart.node.scope; s; s = s.node.scope) {
      const group = GROUPS.get(s);
      if (group) return { folder: `${group.folder}/${chart.node.id}`, flat: false, group: group.folder, cluster: group.cluster };
      const owner = CHARTS.get(s);
      if (owner) return { folder: `${owner.folder}/${chart.node.id}`, flat: false, cluster: owner.cluster };
    }
    return { folder: chart.node.id, flat: false };
  }

  /** Every preserved folder of the app `scope` belongs to, sorted. */
  public static preservedFolders(scope: IConstruct): string[] {
    return [...new Set(PRESERVED.get(scope.node.root) ?? [])].sort();
  }

  private constructor() {}
}
