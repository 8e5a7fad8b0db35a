/**
 * Validates synthesized manifests against their upstream schemas:
 *  - custom resources against the openAPIV3Schema of the pinned CRD, as `npm run import` saved it
 *    next to the generated classes (imports/<group>.schema.json). Unknown fields are errors, the way
 *    the API server's strict field validation (kubectl's default) treats them, except under
 *    x-kubernetes-preserve-unknown-fields;
 *  - core kinds against kubernetes-models (maintained models generated from the Kubernetes OpenAPI).
 * CEL rules (x-kubernetes-validations) are not evaluated here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  [key: string]: unknown;
}

const importsDir = path.join(__dirname, '..', '..', 'imports');
/**
 * CRD patterns are Go RE2. JavaScript has no inline flag groups such as (?i): strip them and apply
 * the flag to the whole pattern (every CRD pattern here uses them for the whole expression).
 */
const goRegExp = Object.assign((pattern: string, flags: string) => {
  let extra = '';
  const js = pattern.replace(/\(\?([ims]+)\)/g, (_m, f: string) => {
    extra += f;
    return '';
  });
  return new RegExp(js, flags + [...new Set(extra)].filter((f) => !flags.includes(f)).join(''));
}, { code: 'goRegExp' });
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
const crdValidators = new Map<string, ValidateFunction>();

for (const file of fs.readdirSync(importsDir).filter((f) => f.endsWith('.schema.json'))) {
  const schemas: Record<string, { apiVersion: string; schema: object }> = JSON.parse(fs.readFileSync(path.join(importsDir, file), 'utf8'));
  for (const [kind, { apiVersion, schema }] of Object.entries(schemas)) {
    crdValidators.set(`${apiVersion}/${kind}`, ajv.compile(closeObjects(withTypeMeta(structuredClone(schema)))));
  }
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

/** True when the manifest is a custom resource whose CRD was imported. */
export function isCustomResource(m: Manifest): boolean {
  return crdValidators.has(`${m.apiVersion}/${m.kind}`);
}

/** Schema errors of one manifest (empty when valid). Throws for a kind that has no known schema. */
export function schemaErrors(m: Manifest): string[] {
  const id = `${m.kind}/${m.metadata?.namespace ?? '-'}/${m.metadata?.name ?? '?'}`;
  const crd = crdValidators.get(`${m.apiVersion}/${m.kind}`);
  if (crd) {
    if (crd(m)) return [];
    return (crd.errors ?? []).map((e) => `${id}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${(e.params as any).additionalProperty})` : ''}`);
  }
  const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
  let model: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    model = require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${m.kind}`)[m.kind];
  } catch {
    throw new Error(`no schema known for ${m.apiVersion} ${m.kind} (${id}): import its CRD or check the apiVersion`);
  }
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
