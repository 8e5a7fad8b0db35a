import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyzeManifests } from '../../lib/analysis/analyze';

/*
 * `npm run analyze` reads any YAML: a field of the wrong shape (a string where a list is expected, null in a list...) is
 * for the API server to reject, never a crash of the analysis. Every field of every fixture, down to three levels, is
 * replaced with values of other shapes.
 */

const ROOT = path.join(__dirname, '..', 'fixtures', 'analyze');
const OTHER_SHAPES: unknown[] = [null, 'x', 7, true, [], [null], ['x'], {}];

function* fields(o: any, at: string[] = []): Generator<string[]> {
  if (at.length >= 3 || !o || typeof o !== 'object') return;
  for (const k of Object.keys(o)) {
    const p = [...at, k];
    if (p[0] === 'apiVersion' || p[0] === 'kind' || (p[0] === 'metadata' && (p.length === 1 || p[1] === 'name' || p[1] === 'namespace'))) continue;
    yield p;
    yield* fields(o[k], p);
  }
}

test.each(fs.readdirSync(ROOT).sort())('%s: no rule throws on fields of another shape', (dir) => {
  for (const kind of ['fail', 'pass']) {
    const docs = parseAllDocuments(fs.readFileSync(path.join(ROOT, dir, `${kind}.yaml`), 'utf8')).map((d) => d.toJS()).filter((v) => v && typeof v === 'object');
    docs.forEach((doc, i) => {
      for (const p of fields(doc)) {
        for (const value of OTHER_SHAPES) {
          const copy = structuredClone(docs);
          let o = copy[i];
          for (const k of p.slice(0, -1)) o = o[k];
          o[p[p.length - 1]] = value;
          expect(() => analyzeManifests(copy.map((manifest: any) => ({ manifest })))).not.toThrow();
        }
      }
    });
  }
});
