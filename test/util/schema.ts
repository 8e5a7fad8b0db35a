/**
 * Validates synthesized manifests against their upstream schemas:
 *  - custom resources against the openAPIV3Schema of the pinned CRD, as `npm run import` saved it
 *    next to the generated classes (imports/<group>.schema.json). Unknown fields are errors, the way
 *    the API server's strict field validation (kubectl's default) treats them, except under
 *    x-kubernetes-preserve-unknown-fields;
 *  - core kinds against kubernetes-models (maintained models generated from the Kubernetes OpenAPI).
 * CRD CEL rules (x-kubernetes-validations) are evaluated with @bufbuild/cel (+ the strings extension),
 * `self` bound to the value at the rule's place, as the API server does on create; transition rules
 * (those using oldSelf) only apply to updates and are skipped.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CelScalar, celFunc, celMethod, isCelError, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  [key: string]: unknown;
}

const importsDir = path.join(__dirname, '..', '..', 'imports');
/**
 * Compiled validators are cached as ajv standalone code, one module per CRD kind, so that each kind is compiled
 * once, not once per test file (jest gives every file its own module registry, so no in-memory cache survives).
 * A file's name carries a hash of this validator's source, the ajv version and the CRD schema file, so editing
 * either compiles afresh. Delete the directory to clear it.
 */
const cacheDir = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'cdk8s-mesh-schemas');

/**
 * CRD patterns are Go RE2. JavaScript has no inline flag groups such as (?i): strip them and apply
 * the flag to the whole pattern (every CRD pattern here uses them for the whole expression).
 * Self-contained: its source is copied into the cached validator modules.
 */
function goRegExp(pattern: string, flags: string): RegExp {
  let extra = '';
  const js = pattern.replace(/\(\?([ims]+)\)/g, (_m, f: string) => {
    extra += f;
    return '';
  });
  return new RegExp(js, flags + [...new Set(extra)].filter((f) => !flags.includes(f)).join(''));
}

interface Crd {
  readonly apiVersion: string;
  readonly kind: string;
  /** The openAPIV3Schema as imported (CEL rules are evaluated against it). */
  readonly schema: any;
  /** Names the cached validator: hash of the validator source, ajv version and schema file. */
  readonly cacheKey: string;
  validate?: ValidateFunction;
}

let crdIndex: Map<string, Crd> | undefined;
/** Every imported CRD kind by `apiVersion/kind`; nothing is compiled here. */
function crds(): Map<string, Crd> {
  if (crdIndex) return crdIndex;
  crdIndex = new Map();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const base = [fs.readFileSync(__filename, 'utf8'), require('ajv/package.json').version].join('\0');
  for (const file of fs.readdirSync(importsDir).filter((f) => f.endsWith('.schema.json')).sort()) {
    const text = fs.readFileSync(path.join(importsDir, file), 'utf8');
    const hash = crypto.createHash('sha256').update(base).update('\0').update(text).digest('hex').slice(0, 16);
    const schemas: Record<string, { apiVersion: string; schema: object }> = JSON.parse(text);
    for (const [kind, { apiVersion, schema }] of Object.entries(schemas)) {
      crdIndex.set(`${apiVersion}/${kind}`, { apiVersion, kind, schema, cacheKey: `${file.replace(/\.schema\.json$/, '')}.${kind}.${hash}` });
    }
  }
  return crdIndex;
}

let ajvInstance: Ajv | undefined;
function ajv(): Ajv {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ajvInstance ??= new (require('ajv').default as typeof Ajv)({
    strict: false, allErrors: true, validateFormats: false,
    code: { source: true, regExp: Object.assign(goRegExp, { code: 'goRegExp' }) },
  });
  return ajvInstance;
}

/** The compiled validator of a CRD kind: from the cache, else compiled now (and cached). */
function crdValidator(crd: Crd): ValidateFunction {
  if (crd.validate) return crd.validate;
  const file = path.join(cacheDir, `${crd.cacheKey}.js`);
  if (fs.existsSync(file)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return crd.validate = require(file);
    } catch {
      // unreadable (e.g. truncated by a crash): compile again below
    }
  }
  crd.validate = ajv().compile(closeObjects(withTypeMeta(structuredClone(crd.schema))));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const standalone: string = require('ajv/dist/standalone').default(ajv(), crd.validate);
    const prologue = '"use strict";';
    if (!standalone.startsWith(prologue)) throw new Error('unexpected ajv standalone output');
    const code = `${prologue}\nconst goRegExp = ${goRegExp.toString()};${standalone.slice(prologue.length)}\n`;
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written under a unique name, then renamed: parallel jest workers never read a partial file.
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  } catch {
    // no cache (read-only file system): this file keeps the compiled validator in memory
  }
  return crd.validate;
}

/** Istio's CRD schemas omit the type and object metadata that every object carries. */
function withTypeMeta(schema: any): any {
  const meta = {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', maxLength: 253 },
      namespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
      labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 63 } },
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
    },
  };
  return { ...schema, required: [...new Set(['apiVersion', 'kind', 'metadata', ...(schema.required ?? [])])],
    properties: { ...schema.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: meta } };
}

/** Object schemas with declared properties reject undeclared ones (strict field validation). */
function closeObjects(schema: any): any {
  if (!schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(closeObjects);
  for (const [k, v] of Object.entries(schema)) {
    if (k !== 'enum' && k !== 'default' && k !== 'example') schema[k] = closeObjects(v);
  }
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    schema.additionalProperties = false;
  }
  return schema;
}

/**
 * The part of Kubernetes' CEL URL library the pinned CRDs use (url(), isURL(), getScheme(), ...).
 * A URL is carried as its string; url() fails on what the API server's parser rejects.
 */
function parseUrl(s: string): URL {
  const u = new URL(s);
  if (!/^[a-z][a-z0-9+.-]*:$/.test(u.protocol)) throw new Error(`invalid URL ${s}`);
  return u;
}
const k8sUrlLibrary = [
  celFunc('url', [CelScalar.STRING], CelScalar.STRING, (s: string) => (parseUrl(s), s)),
  celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s: string) => {
    try {
      parseUrl(s);
      return true;
    } catch {
      return false;
    }
  }),
  celMethod('getScheme', CelScalar.STRING, [], CelScalar.STRING, function (this: string) { return parseUrl(this).protocol.slice(0, -1); }),
  celMethod('getHost', CelScalar.STRING, [], CelScalar.STRING, function (this: string) { return parseUrl(this).host; }),
  celMethod('getHostname', CelScalar.STRING, [], CelScalar.STRING, function (this: string) { return parseUrl(this).hostname; }),
  celMethod('getPort', CelScalar.STRING, [], CelScalar.STRING, function (this: string) { return parseUrl(this).port; }),
  celMethod('getEscapedPath', CelScalar.STRING, [], CelScalar.STRING, function (this: string) { return parseUrl(this).pathname; }),
];
const celFuncs = [...strings, ...k8sUrlLibrary];

/** Evaluates every x-kubernetes-validations rule of `schema` and below against `value`. */
function celErrors(schema: any, value: unknown, at: string, out: string[]): void {
  if (!schema || value === undefined || value === null) return;
  for (const v of schema['x-kubernetes-validations'] ?? []) {
    if (/\boldSelf\b/.test(v.rule)) continue;
    const result = run(v.rule, { self: toCel(schema, value) }, { funcs: celFuncs });
    if (result !== true) {
      out.push(`${at || '/'} ${v.message ?? `failed rule: ${v.rule}`}${isCelError(result) ? ` (CEL error: ${result.message})` : ''}`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((x, i) => celErrors(schema.items, x, `${at}/${i}`, out));
  } else if (typeof value === 'object') {
    for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      celErrors(sub, x, `${at}/${k}`, out);
    }
  }
}

/** JSON → CEL values: objects become maps, integers (by schema) become CEL ints. */
function toCel(schema: any, value: unknown): any {
  if (Array.isArray(value)) return value.map((x) => toCel(schema?.items, x));
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([k, x]) => [k,
      toCel(schema?.properties?.[k] ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined), x)]));
  }
  if (typeof value === 'number' && Number.isInteger(value) && (schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'])) {
    return BigInt(value);
  }
  return value;
}

/** True when the manifest is a custom resource whose CRD was imported. */
export function isCustomResource(m: Manifest): boolean {
  return crds().has(`${m.apiVersion}/${m.kind}`);
}

/** Schema errors of one manifest (empty when valid). Throws for a kind that has no known schema. */
export function schemaErrors(m: Manifest): string[] {
  const id = `${m.kind}/${m.metadata?.namespace ?? '-'}/${m.metadata?.name ?? '?'}`;
  const crd = crds().get(`${m.apiVersion}/${m.kind}`);
  if (crd) {
    const validate = crdValidator(crd);
    if (validate(m)) {
      const cel: string[] = [];
      celErrors(crd.schema, m, '', cel);
      return cel.map((e) => `${id}: ${e}`);
    }
    return (validate.errors ?? []).map((e) => `${id}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${(e.params as any).additionalProperty})` : ''}`);
  }
  const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
  // The file jest.config.js maps kubernetes-models/<group>/<version>/<Kind> to. Only its absence means an unknown
  // kind: any other failure to load a model is reported as it is.
  const modelPath = [group, version, m.kind].filter(Boolean).join('/');
  if (!fs.existsSync(path.join(__dirname, '..', '..', 'node_modules', 'kubernetes-models', `${modelPath}.js`))) {
    throw new Error(`no schema known for ${m.apiVersion} ${m.kind} (${id}): import its CRD or check the apiVersion`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const model = require(`kubernetes-models/${modelPath}`)[m.kind];
  try {
    new model(m).validate();
    return [];
  } catch (e) {
    return [`${id}: ${(e as Error).message}`];
  }
}

/** Fails the test with every schema error of every manifest. */
export function expectValidManifests(manifests: readonly Manifest[]): void {
  const errors = manifests.flatMap(schemaErrors);
  expect(errors).toEqual([]);
}
