/**
 * lib/private/object-order.ts against cdk8s: the charts in `app.charts` order and each chart's objects in the order
 * `new DependencyGraph(chart.node).topology()` gives, over generated trees with dependencies, nested charts and ids
 * that are array indexes; a dependency cycle fails with cdk8s's own error.
 */
import { ApiObject, App, Chart, DependencyGraph, Testing } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { analyze } from '../../lib';
import { constructTree, synthesisOrder } from '../../lib/private/object-order';
import { buildReferencePlatform } from '../../platform';

/** What cdk8s's synthesis walks: app.charts, then per chart the DependencyGraph topology of its own ApiObjects. */
function cdk8sOrder(app: App): string[][] {
  return app.charts.map((chart) => [chart.node.path, ...new DependencyGraph(chart.node).topology()
    .filter((x) => ApiObject.isApiObject(x) && Chart.of(x) === chart).map((x) => x.node.path)]);
}

function ourOrder(app: App): string[][] {
  return synthesisOrder(app).map(({ chart, objects }) => [chart.node.path, ...objects.map((o) => o.node.path)]);
}

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An app of charts (some nested, some with array-index ids), scopes and objects, with acyclic dependencies. */
function generatedApp(seed: number): App {
  const rnd = random(seed);
  const app = Testing.app();
  const all: IConstruct[] = [];
  const ids = ['a', 'b', '10', '2', '0', 'z', 'x1', '007'];
  let n = 0;
  const id = () => (rnd() < 0.3 ? ids[Math.floor(rnd() * ids.length)] + n++ : `c${n++}`);
  const grow = (scope: Construct, depth: number) => {
    const count = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < count; i++) {
      const r = rnd();
      let c: Construct;
      if (r < 0.5) c = new ApiObject(scope, id(), { apiVersion: 'v1', kind: 'ConfigMap' });
      else if (r < 0.65 && depth > 0) c = new Chart(scope, id());
      else c = new Construct(scope, id());
      all.push(c);
      if (depth > 0 && !ApiObject.isApiObject(c)) grow(c, depth - 1);
    }
  };
  const top = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < top; i++) {
    const chart = new Chart(app, rnd() < 0.5 ? String(Math.floor(rnd() * 20)) + `${i}` : `chart${i}`);
    all.push(chart);
    grow(chart, 3);
  }
  // Dependencies from later constructs to earlier ones only: acyclic.
  for (let i = 1; i < all.length; i++) {
    const deps = Math.floor(rnd() * 3);
    for (let d = 0; d < deps; d++) all[i].node.addDependency(all[Math.floor(rnd() * i)]);
  }
  return app;
}

describe('synthesisOrder', () => {
  test('generated trees with dependencies: the same charts and objects in the same order as cdk8s', () => {
    for (let seed = 1; seed <= 300; seed++) expect([seed, ourOrder(generatedApp(seed))]).toEqual([seed, cdk8sOrder(generatedApp(seed))]);
  });

  test('constructTree lists the constructs as findAll() does', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const app = generatedApp(seed);
      expect(constructTree(app).constructs).toEqual(app.node.findAll());
    }
  });

  test('top-level charts with array-index ids come first, ascending, as in app.charts', () => {
    const app = Testing.app();
    for (const name of ['b', '10', 'a', '2']) new ApiObject(new Chart(app, name), 'o', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(ourOrder(app).map((c) => c[0])).toEqual(['2', '10', 'b', 'a']);
    expect(ourOrder(app)).toEqual(cdk8sOrder(app));
  });

  test('an object that depends on a later one comes after it', () => {
    const chart = new Chart(Testing.app(), 'c');
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap' });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap' });
    a.addDependency(b);
    expect(synthesisOrder(chart.node.root as App)[0].objects.map((o) => o.node.id)).toEqual(['b', 'a']);
  });

  test("a dependency cycle fails with cdk8s's error", () => {
    const chart = new Chart(Testing.app(), 'c');
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap' });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap' });
    a.addDependency(b);
    b.addDependency(a);
    const app = chart.node.root as App;
    const message = (f: () => unknown) => {
      try {
        f();
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(message(() => cdk8sOrder(app))).toMatch(/^Dependency cycle detected: c\/a => c\/b => c\/a$/);
    expect(message(() => synthesisOrder(app))).toBe(message(() => cdk8sOrder(app)));
  });

  test('analyze() over the reference platform: its objects in cdk8s order, rendered as cdk8s renders them', () => {
    const app = Testing.app();
    buildReferencePlatform(app);
    const report = analyze(app);
    expect(report.objects.map((o) => o.path)).toEqual(cdk8sOrder(app).flatMap((c) => c.slice(1)));
    const byPath = new Map(app.node.findAll().filter(ApiObject.isApiObject).map((o) => [o.node.path, o]));
    // analyze() drops the namespace of cluster-scoped objects only; everything else is cdk8s's toJson().
    const rendered = report.objects.map((o) => JSON.stringify({ ...o.manifest, metadata: { ...o.manifest.metadata, namespace: undefined } }));
    const expected = report.objects.map((o) => {
      const m = byPath.get(o.path)!.toJson();
      return JSON.stringify({ ...m, metadata: { ...m.metadata, namespace: undefined } });
    });
    expect(rendered).toEqual(expected);
  });
});
