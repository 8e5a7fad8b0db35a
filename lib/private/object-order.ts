import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';

/*
 * The order in which cdk8s synthesizes an app: its charts as `app.charts` lists them, and the objects of each chart as
 * `chart.toJson()` does (`new DependencyGraph(chart.node).topology()`, keeping the chart's own ApiObjects). cdk8s
 * builds one DependencyGraph for the app and one more per chart, each walking its whole subtree twice, copying every
 * vertex's edge sets and searching a route from every root for cycles. Here one walk of the tree gives every order.
 *
 * The result is the same, by construction:
 * - vertices are the constructs of the subtree, keyed by path like cdk8s's `nodes` object, so the roots come in that
 *   object's property order: paths that are array indexes ('0', '12') first, ascending, then the others in preorder;
 * - an edge goes from a construct to each of its `node.dependencies` whose path is in the subtree, first one first;
 * - the topology is the postorder of a depth-first walk from the roots, children in edge order, each vertex once.
 * A dependency cycle goes to cdk8s's own DependencyGraph, so that the error (or its behaviour) stays cdk8s's.
 * Leaf module: it imports nothing outside lib/private.
 */

/** A chart and its ApiObjects, in synthesis order. */
export interface OrderedChart {
  readonly chart: Chart;
  readonly objects: readonly ApiObject[];
}

/** The constructs of a tree, as `root.node.findAll()` lists them, and what ordering them needs. */
export interface ConstructTree {
  /** The constructs as `root.node.findAll()` lists them (preorder). */
  readonly constructs: readonly IConstruct[];
  /** Size of the subtree at each position (the subtree is `constructs[i .. i + size[i])`). */
  readonly size: readonly number[];
  /** The dependencies of the construct at each position (`node.dependencies`), undefined for none. */
  readonly deps: readonly (IConstruct[] | undefined)[];
  /** Where each chart is. */
  readonly charts: ReadonlyMap<IConstruct, number>;
}

/**
 * `app.charts`, and for each chart its ApiObjects in the order `chart.toJson()` renders them.
 * @param tree the app's `constructTree()`, when the caller has it already
 */
export function synthesisOrder(app: App, tree: ConstructTree = constructTree(app)): OrderedChart[] {
  const charts = topology(tree, 0, tree.constructs.length, app).filter((c): c is Chart => c instanceof Chart);
  return charts.map((chart) => {
    const start = tree.charts.get(chart)!;
    const objects = topology(tree, start, start + tree.size[start], chart)
      .filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === chart);
    return { chart, objects };
  });
}

/** `root.node.findAll()`, with each subtree's size and each construct's dependencies, in one walk. */
export function constructTree(root: IConstruct): ConstructTree {
  const constructs: IConstruct[] = [];
  const size: number[] = [];
  const deps: (IConstruct[] | undefined)[] = [];
  const charts = new Map<IConstruct, number>();
  const visit = (c: IConstruct): void => {
    const i = constructs.length;
    constructs.push(c);
    size.push(0);
    const own = c.node.dependencies;
    deps.push(own.length > 0 ? own : undefined);
    if (c instanceof Chart) charts.set(c, i);
    for (const child of c.node.children) visit(child);
    size[i] = constructs.length - i;
  };
  visit(root);
  return { constructs, size, deps, charts };
}

/** `new DependencyGraph(root.node).topology()` over the subtree `constructs[start .. end)`. */
function topology(tree: ConstructTree, start: number, end: number, root: IConstruct): IConstruct[] {
  const count = end - start;
  let byPath: Map<string, number> | undefined;
  let edges: number[][] | undefined;
  const inbound = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    for (const dep of tree.deps[start + i] ?? []) {
      if (byPath === undefined) {
        byPath = new Map();
        for (let j = 0; j < count; j++) byPath.set(tree.constructs[start + j].node.path, j);
      }
      const target = byPath.get(dep.node.path);
      if (target === undefined) continue; // outside the subtree: cdk8s drops it too
      edges ??= Array.from({ length: count }, () => []);
      if (!edges[i].includes(target)) edges[i].push(target);
      inbound[target] = 1;
    }
  }
  const roots: number[] = [];
  const indexKeys: number[] = [];
  for (let i = 0; i < count; i++) {
    if (inbound[i]) continue;
    if (isArrayIndexPath(tree.constructs[start + i])) indexKeys.push(i);
    else roots.push(i);
  }
  indexKeys.sort((a, b) => Number(tree.constructs[start + a].node.path) - Number(tree.constructs[start + b].node.path));
  const ordered = indexKeys.length > 0 ? [...indexKeys, ...roots] : roots;
  if (edges === undefined) return ordered.map((i) => tree.constructs[start + i]);

  // Postorder, iteratively; a vertex met again while its walk is open closes a cycle.
  const state = new Uint8Array(count); // 0 new, 1 open, 2 done
  const out: IConstruct[] = [];
  for (const r of ordered) {
    if (state[r] !== 0) continue;
    const stack: Array<[number, number]> = [[r, 0]];
    state[r] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const children: number[] = edges[top[0]];
      if (top[1] < children.length) {
        const c = children[top[1]++];
        if (state[c] === 1) return new DependencyGraph(root.node).topology(); // a cycle: cdk8s's error
        if (state[c] === 0) {
          state[c] = 1;
          stack.push([c, 0]);
        }
      } else {
        state[top[0]] = 2;
        out.push(tree.constructs[start + top[0]]);
        stack.pop();
      }
    }
  }
  // Vertices on a cycle have inbound edges and may not be reached from any root.
  if (out.length !== count) return new DependencyGraph(root.node).topology();
  return out;
}

/** Whether the construct's path is an array index, which JavaScript objects list first, in ascending order. */
function isArrayIndexPath(c: IConstruct): boolean {
  const path = c.node.path;
  const first = path.charCodeAt(0);
  return first >= 48 && first <= 57 && path.length <= 10 && /^(?:0|[1-9][0-9]*)$/.test(path) && Number(path) < 4294967295;
}
