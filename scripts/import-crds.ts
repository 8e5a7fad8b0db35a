/**
 * Regenerates imports/ from the pinned upstream CRDs listed in scripts/crd-sources.json.
 *
 *   npm run import                         # fetch the pinned upstream URLs
 *   CRD_DIR=../shared/crds npm run import  # offline: read the same files from a directory
 *
 * For every API group it:
 *   1. parses the upstream YAML leniently (js-yaml; Flagger's crd.yaml has multi-line
 *      single-quoted scalars that the strict YAML 1.2 parser inside `cdk8s import` rejects),
 *   2. keeps the pinned kinds, each at its preferred served version (GA > beta > alpha),
 *      so every generated class is unsuffixed and maps to exactly one apiVersion,
 *   3. runs `cdk8s import <group>:=<file>` to generate imports/<group>.ts,
 *   4. writes imports/<group>.schema.json with each kind's openAPIV3Schema (used by the tests
 *      to validate synthesized objects against the upstream schema).
 *
 * Output is written to a staging directory and swapped into place only when every group
 * succeeded, so a failed import leaves imports/ untouched. Running it twice gives
 * byte-identical output.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';

interface Source {
  readonly name: string;
  readonly version: string;
  readonly file: string;
  readonly urls: string[];
  readonly kinds: Record<string, string[]>;
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema?: { openAPIV3Schema?: unknown };
}

interface Crd {
  apiVersion: string;
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'imports');
const pins: { sources: Source[] } = JSON.parse(fs.readFileSync(path.join(__dirname, 'crd-sources.json'), 'utf8'));

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
function versionRank(v: string): number[] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [0, 0, 0];
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), Number(m[3] ?? 0)];
}

function preferredVersion(crd: Crd): CrdVersion {
  const candidates = crd.spec.versions.filter((v) => v.served && !v.deprecated);
  if (candidates.length === 0) throw new Error(`CRD ${crd.metadata.name} has no served, non-deprecated version`);
  return [...candidates].sort((a, b) => {
    const ra = versionRank(a.name);
    const rb = versionRank(b.name);
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
    return 0;
  })[0];
}

async function readSource(src: Source): Promise<string> {
  const dir = process.env.CRD_DIR;
  if (dir) {
    const file = path.resolve(dir, src.file);
    if (!fs.existsSync(file)) throw new Error(`CRD_DIR=${dir} has no ${src.file} (${src.name} ${src.version})`);
    return fs.readFileSync(file, 'utf8');
  }
  const parts: string[] = [];
  for (const url of src.urls) {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (err) {
      // Node's fetch says only "fetch failed": name the URL, the cause and the offline way.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new Error(`cannot download ${src.name} ${src.version} CRDs from ${url} (${cause}). `
        + `Offline? Put the pinned files in a directory and run: CRD_DIR=<dir with ${src.file}> npm run import (this repository's CI uses CRD_DIR=../shared/crds).`);
    }
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}. Offline? Use CRD_DIR=<dir with ${src.file}> npm run import`);
    parts.push(await res.text());
  }
  return parts.join('\n---\n');
}

async function main(): Promise<void> {
  const byGroup = new Map<string, Crd[]>();
  for (const src of pins.sources) {
    const docs = yaml.loadAll(await readSource(src)) as Crd[];
    const crds = docs.filter((d) => d && d.kind === 'CustomResourceDefinition');
    for (const [group, kinds] of Object.entries(src.kinds)) {
      for (const kind of kinds) {
        const crd = crds.find((c) => c.spec.group === group && c.spec.names.kind === kind);
        if (!crd) throw new Error(`${src.name} ${src.version}: no CRD for ${group} ${kind}`);
        const version = preferredVersion(crd);
        const trimmed: Crd = { ...crd, spec: { ...crd.spec, versions: [{ ...version, storage: true }] } };
        byGroup.set(group, [...(byGroup.get(group) ?? []), trimmed]);
      }
    }
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-import-'));
  const staged = path.join(work, 'imports');
  fs.mkdirSync(staged);
  const cdk8s = path.join(root, 'node_modules', '.bin', 'cdk8s');
  try {
    for (const group of [...byGroup.keys()].sort()) {
      const crds = byGroup.get(group)!.sort((a, b) => a.spec.names.kind.localeCompare(b.spec.names.kind));
      const file = path.join(work, `${group}.yaml`);
      fs.writeFileSync(file, crds.map((c) => yaml.dump(c, { noRefs: true, lineWidth: -1 })).join('---\n'));
      execFileSync(cdk8s, ['import', file, '--no-save', '--language', 'typescript', '--output', staged, '--no-check-upgrade'], {
        cwd: work,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const schemas: Record<string, { apiVersion: string; schema: unknown }> = {};
      for (const c of crds) {
        const v = c.spec.versions[0];
        schemas[c.spec.names.kind] = { apiVersion: `${group}/${v.name}`, schema: v.schema?.openAPIV3Schema ?? {} };
      }
      fs.writeFileSync(path.join(staged, `${group}.schema.json`), JSON.stringify(schemas, null, 1) + '\n');
      console.log(`imports/${group}.ts  ${crds.map((c) => `${c.spec.names.kind}@${c.spec.versions[0].name}`).join(' ')}`);
    }
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.cpSync(staged, outDir, { recursive: true });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`import failed, imports/ left unchanged: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
