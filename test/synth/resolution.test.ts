/**
 * lib/private/resolution.ts (the one-walk rendering of ApiObjects used by analyze()) against cdk8s's own
 * ApiObject.toJson(): the same JSON, key order, holes and errors, and lazy producers run in the same order, over the
 * reference platform and over generated value trees.
 */
import { ApiObject, ApiObjectMetadataDefinition, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext, Testing } from 'cdk8s';
import { CDK8S_RENDERING, installedRenderingHash, withFastResolution } from '../../lib/private/resolution';
import { buildReferencePlatform } from '../../platform';

/** A dump that tells apart what deep equality may not: key order, holes, undefined, -0, NaN, array vs object. */
function dump(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'function') return `fn:${v.name}`;
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) {
    const items: string[] = [];
    for (let i = 0; i < v.length; i++) items.push(i in v ? dump(v[i]) : '<hole>');
    return `[${items.join(',')}]`;
  }
  const proto = Object.getPrototypeOf(v);
  const tag = proto === Object.prototype ? '' : `<${proto?.constructor?.name ?? 'null'}>`;
  return `${tag}{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${dump((v as any)[k])}`).join(',')}}`;
}

/** What rendering gives, or the error it throws. */
function outcome(f: () => unknown): string {
  try {
    return dump(f());
  } catch (e) {
    return `error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

describe('withFastResolution', () => {
  test('is active for the installed cdk8s (if this fails after a cdk8s upgrade: check its toJson/resolve/sanitize and update CDK8S_RENDERING)', () => {
    expect(installedRenderingHash()).toBe(CDK8S_RENDERING);
    const seen: string[] = [];
    const chart = new Chart(Testing.app(), 'c');
    new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap' });
    withFastResolution(() => seen.push(ApiObject.prototype.toJson.name, ApiObjectMetadataDefinition.prototype.toJson.name));
    expect(seen).toEqual(['fastApiObjectToJson', 'fastMetadataToJson']);
  });

  test("puts cdk8s's methods back, also when the function throws", () => {
    const toJson = ApiObject.prototype.toJson;
    const metadata = ApiObjectMetadataDefinition.prototype.toJson;
    expect(() => withFastResolution(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(ApiObject.prototype.toJson).toBe(toJson);
    expect(ApiObjectMetadataDefinition.prototype.toJson).toBe(metadata);
  });

  test('another version of the rendering code (here: a wrapped toJson) keeps cdk8s rendering', () => {
    const toJson = ApiObject.prototype.toJson;
    ApiObject.prototype.toJson = function wrapped(this: ApiObject) {
      return toJson.call(this);
    };
    try {
      expect(installedRenderingHash()).not.toBe(CDK8S_RENDERING);
      withFastResolution(() => expect(ApiObject.prototype.toJson.name).toBe('wrapped'));
    } finally {
      ApiObject.prototype.toJson = toJson;
    }
  });

  test('every object of the reference platform renders the same as with cdk8s', () => {
    const app = Testing.app();
    buildReferencePlatform(app);
    const objects = app.node.findAll().filter(ApiObject.isApiObject);
    expect(objects.length).toBeGreaterThan(300);
    const expected = objects.map((o) => outcome(() => o.toJson()));
    const fast = withFastResolution(() => objects.map((o) => outcome(() => o.toJson())));
    expect(fast).toEqual(expected);
  });

  test('an app with its own resolvers is rendered by cdk8s, which passes them the key path', () => {
    const keys: string[] = [];
    const resolver: IResolver = {
      resolve(ctx: ResolutionContext) {
        keys.push(ctx.key.join('.'));
        if (ctx.value === 'secret') ctx.replaceValue('redacted');
      },
    };
    const chart = new Chart(new App({ resolvers: [resolver] }), 'c');
    const obj = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'secret' } });
    const expected = dump(obj.toJson());
    const seen = keys.length;
    expect(withFastResolution(() => dump(obj.toJson()))).toBe(expected);
    expect(expected).toContain('redacted');
    expect(keys.slice(seen)).toEqual(keys.slice(0, seen));
  });

  describe('generated value trees', () => {
    /** A small deterministic PRNG (mulberry32). */
    function random(seed: number): () => number {
      let a = seed;
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    class Union {
      constructor(public readonly value: unknown) {}
    }
    class Other {
      public readonly x = 1;
    }

    const KEYS = ['b', 'a', '10', '2', '0', '', 'Z', 'é', 'aa', 'a-b', 'value', 'resolve', '4294967295', '01'];

    /** A value tree; lazy producers log their id when they run. */
    function tree(rnd: () => number, depth: number, log: string[], ids: { n: number }, exotic: boolean): unknown {
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
      const r = rnd();
      if (depth <= 0 || r < 0.25) {
        return pick<unknown>(['', 'x', '0', 'yes', 0, -0, 1.5, NaN, true, false, null, undefined, 7, 'null']);
      }
      if (r < 0.35) {
        const id = `lazy${ids.n++}`;
        const inner = tree(rnd, depth - 1, log, ids, exotic);
        return Lazy.any({ produce: () => (log.push(id), inner) });
      }
      if (r < 0.42) {
        const inner = tree(rnd, depth - 1, log, ids, exotic);
        return { resolve: () => inner };
      }
      if (r < 0.48) return new Union(pick<unknown>(exotic ? [3, 'three', true, null, { a: 1 }] : [3, 'three', '']));
      if (r < 0.52 && exotic) return pick<unknown>([new Date(0), new Other(), Object.create(null), { constructor: 'x' }]);
      if (r < 0.72) {
        const n = Math.floor(rnd() * 4);
        const arr: unknown[] = [];
        for (let i = 0; i < n; i++) arr.push(tree(rnd, depth - 1, log, ids, exotic));
        if (rnd() < 0.2) arr.length += 1; // a hole at the end
        if (n > 1 && rnd() < 0.2) delete arr[0]; // a hole at the start
        return arr;
      }
      const obj: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) obj[pick(KEYS)] = tree(rnd, depth - 1, log, ids, exotic);
      if (exotic && rnd() < 0.1) Object.defineProperty(obj, '__proto__', { value: { p: 1 }, enumerable: true });
      return obj;
    }

    function compare(seed: number, exotic: boolean, env?: string): void {
      const rnd = random(seed);
      const log: string[] = [];
      const ids = { n: 0 };
      const chart = new Chart(Testing.app(), 'c', { namespace: rnd() < 0.5 ? 'ns' : undefined, labels: rnd() < 0.3 ? { chart: 'label' } : undefined });
      const objects: ApiObject[] = [];
      for (let i = 0; i < 5; i++) {
        const obj = new ApiObject(chart, `o${i}`, {
          apiVersion: 'example.com/v1',
          kind: 'Thing',
          metadata: {
            labels: tree(rnd, 2, log, ids, false) as any,
            annotations: rnd() < 0.5 ? {} : { b: 'x', a: Lazy.any({ produce: () => undefined }) },
            finalizers: rnd() < 0.5 ? [] : ['f'],
          },
          spec: tree(rnd, 5, log, ids, exotic),
          status: tree(rnd, 2, log, ids, exotic),
        });
        if (rnd() < 0.5) obj.metadata.addLabel('added', 'yes');
        if (rnd() < 0.3) obj.addJsonPatch(JsonPatch.add('/zz', { b: 1, a: 2 }));
        objects.push(obj);
      }
      const saved = process.env.CDK8S_DISABLE_SORT;
      if (env !== undefined) process.env.CDK8S_DISABLE_SORT = env;
      try {
        const expected = objects.map((o) => outcome(() => o.toJson()));
        const expectedLog = log.splice(0);
        const fast = withFastResolution(() => objects.map((o) => outcome(() => o.toJson())));
        expect(fast).toEqual(expected);
        if (!exotic) expect(log).toEqual(expectedLog);
      } finally {
        if (saved === undefined) delete process.env.CDK8S_DISABLE_SORT;
        else process.env.CDK8S_DISABLE_SORT = saved;
      }
    }

    test('plain JSON, lazy values, implicit tokens, number-or-string unions, holes: same JSON, producers in the same order', () => {
      for (let seed = 1; seed <= 300; seed++) compare(seed, false);
    });

    test('with CDK8S_DISABLE_SORT', () => {
      for (let seed = 1; seed <= 100; seed++) compare(seed, false, '1');
    });

    test("values cdk8s refuses or mangles (Date, class instances, null prototypes, a 'constructor' or '__proto__' key): the same result or error", () => {
      for (let seed = 1; seed <= 300; seed++) compare(seed, true);
    });
  });
});
