import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { apiGroup, FindingSeverity } from '../context';
import { parseImage } from '../../private/image';
import { labelValueProblem, MAX_ANNOTATIONS_BYTES, qualifiedNameProblem } from '../../private/labels';
import { ownEntries } from '../../private/plain-keys';
import { arrayOf } from '../label-index';

/*
 * Rules over every object of the output, whoever created it (a construct of this library or a raw ApiObject): what
 * the API server would refuse, checked before anything is written.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kinds whose names are only checked as path segments by the API server (RBAC: `system:aggregate-to-edit`). */
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
/** etcd's default request limit: the API server refuses larger objects. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
/** Findings of one kind per object, at most (the rest are counted). */
const MAX_PER_OBJECT = 5;

function describe(o: AnalyzedObject): string {
  const m = o.manifest;
  return `${m.kind} "${m.metadata?.name}"`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value) : String(value);
}

/** Why `name` is not a valid metadata.name of `kind`, or undefined. */
export function objectNameProblem(kind: string, name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'is missing';
  if (PATH_SEGMENT_NAMED.has(kind)) {
    return name === '.' || name === '..' || /[/%]/.test(name) ? "must not be '.' or '..' nor contain '/' or '%'" : undefined;
  }
  if (kind === 'Service') {
    return DNS_1035_LABEL.test(name) && name.length <= 63 ? undefined
      : 'must be a DNS-1035 label (lower case letters, digits and \'-\', starting with a letter, at most 63 characters)';
  }
  if (kind === 'Namespace') {
    return DNS_LABEL.test(name) && name.length <= 63 ? undefined
      : 'must be a DNS-1123 label (lower case letters, digits and \'-\', starting and ending alphanumeric, at most 63 characters)';
  }
  return DNS_SUBDOMAIN.test(name) && name.length <= 253 ? undefined
    : 'must be a DNS-1123 subdomain (lower case letters, digits, \'-\' and \'.\', starting and ending alphanumeric, at most 253 characters)';
}

/** Every object has a name the API server accepts for its kind. */
export const OBJECT_NAME: IAnalysisRule = {
  id: 'object-name',
  severity: FindingSeverity.ERROR,
  description: 'Every object\'s metadata.name is valid for its kind (DNS-1123 subdomain; label for Namespace, DNS-1035 label for Service), and its namespace a DNS-1123 label.',
  check(ctx: AnalysisContext) {
    for (const o of ctx.objects) {
      const name = o.manifest.metadata?.name;
      const problem = objectNameProblem(o.manifest.kind, name);
      if (problem) {
        ctx.error(o, `${o.manifest.kind} 'metadata.name' ${problem}, got ${show(name)}. `
          + `Fix: name it like ${JSON.stringify(suggest(name))} (Kubernetes refuses the object otherwise).`);
      }
      const ns = o.manifest.metadata?.namespace;
      if (ns !== undefined && objectNameProblem('Namespace', ns)) {
        ctx.error(o, `${describe(o)} 'metadata.namespace' ${objectNameProblem('Namespace', ns)}, got ${show(ns)}. `
          + `Fix: use a namespace name like ${JSON.stringify(suggest(ns))}.`);
      }
    }
  },
};

function suggest(name: unknown): string {
  const s = String(name ?? '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return s || 'my-name';
}

/** The label maps and annotation maps of an object: metadata, pod template and selector. */
function labelMaps(m: any): Array<{ field: string; map: unknown; annotations: boolean }> {
  const out: Array<{ field: string; map: unknown; annotations: boolean }> = [];
  const add = (field: string, meta: any) => {
    if (meta?.labels !== undefined) out.push({ field: `${field}.labels`, map: meta.labels, annotations: false });
    if (meta?.annotations !== undefined) out.push({ field: `${field}.annotations`, map: meta.annotations, annotations: true });
  };
  add('metadata', m.metadata);
  add('spec.template.metadata', m.spec?.template?.metadata);
  add('spec.jobTemplate.spec.template.metadata', m.spec?.jobTemplate?.spec?.template?.metadata);
  if (m.spec?.selector?.matchLabels !== undefined) out.push({ field: 'spec.selector.matchLabels', map: m.spec.selector.matchLabels, annotations: false });
  return out;
}

/** Labels and annotations the API server accepts: qualified-name keys, label values of at most 63 characters. */
export const LABEL_SYNTAX: IAnalysisRule = {
  id: 'label-syntax',
  severity: FindingSeverity.ERROR,
  description: 'Labels, selectors and annotations have Kubernetes syntax (qualified-name keys, label values of at most 63 characters).',
  check(ctx: AnalysisContext) {
    for (const o of ctx.objects) {
      let reported = 0;
      for (const { field, map, annotations } of labelMaps(o.manifest)) {
        if (map === null || typeof map !== 'object' || Array.isArray(map)) {
          ctx.error(o, `${describe(o)} '${field}' must be a map of strings, got ${show(JSON.stringify(map))}. Fix: pass an object such as { app: "web" }.`);
          continue;
        }
        let bytes = 0;
        for (const [k, v] of ownEntries(map as Record<string, unknown>)) {
          if (reported >= MAX_PER_OBJECT) break;
          bytes += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
          const keyProblem = qualifiedNameProblem(k);
          if (keyProblem) {
            reported++;
            ctx.error(o, `${describe(o)} '${field}' key ${keyProblem}, got ${show(k)}. Fix: use a key like "app.kubernetes.io/name" ([prefix/]name, name at most 63 characters).`);
            continue;
          }
          const valueProblem = annotations ? (typeof v === 'string' ? undefined : 'must be a string') : labelValueProblem(v);
          if (valueProblem) {
            reported++;
            ctx.error(o, `${describe(o)} '${field}[${JSON.stringify(k)}]' ${valueProblem}, got ${show(typeof v === 'string' ? v : JSON.stringify(v))}. `
              + `Fix: ${annotations ? 'write the value as a string' : 'use at most 63 letters, digits, \'-\', \'_\' and \'.\' (put longer text in an annotation)'}.`);
          }
        }
        if (annotations && bytes > MAX_ANNOTATIONS_BYTES) {
          ctx.error(o, `${describe(o)} '${field}' total ${bytes} bytes, more than the ${MAX_ANNOTATIONS_BYTES} the API server accepts, got ${Object.keys(map).length} annotations. `
            + 'Fix: move large data into a ConfigMap.');
        }
      }
    }
  },
};

/** NaN and ±Infinity cannot be written as JSON and mean nothing to Kubernetes: every number must be finite. */
export const FINITE_NUMBERS: IAnalysisRule = {
  id: 'finite-number',
  severity: FindingSeverity.ERROR,
  description: 'No NaN or Infinity anywhere in the output.',
  check(ctx: AnalysisContext) {
    for (const o of ctx.objects) {
      const found: Array<[string, number]> = [];
      walk(o.manifest, '', (path, v) => {
        if (typeof v === 'number' && !Number.isFinite(v)) found.push([path, v]);
      });
      for (const [path, v] of found.slice(0, MAX_PER_OBJECT)) {
        ctx.error(o, `${describe(o)} '${path}' must be a finite number, got ${v}. Fix: compute the value from valid numbers (check for a division by zero or an unparsed string).`);
      }
    }
  },
};

function walk(v: unknown, path: string, visit: (path: string, v: unknown) => void): void {
  visit(path, v);
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, visit));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of ownEntries(v as Record<string, unknown>)) walk(x, /^[A-Za-z_$][\w$]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`, visit);
  }
}

/** The API server (etcd) refuses objects over 1.5 MiB. */
export const OBJECT_SIZE: IAnalysisRule = {
  id: 'object-size',
  severity: FindingSeverity.ERROR,
  description: 'No object is larger than the 1.5 MiB the API server stores.',
  check(ctx: AnalysisContext) {
    for (const o of ctx.objects) {
      const bytes = Buffer.byteLength(JSON.stringify(o.manifest));
      if (bytes > MAX_OBJECT_BYTES) {
        ctx.error(o, `${describe(o)} '${largestField(o.manifest)}' makes the object ${(bytes / 1024 / 1024).toFixed(2)} MiB, more than the 1.5 MiB the API server `
          + `accepts, got ${bytes} bytes. Fix: split the data over several objects, or keep large files out of the manifest (mount them from an image or fetch them at start).`);
      }
    }
  },
};

/** The field (two levels deep, e.g. `data.blob`) that takes the most bytes. */
function largestField(m: Record<string, unknown>): string {
  let best = ['', -1] as [string, number];
  for (const [k, v] of ownEntries(m)) {
    const children = v !== null && typeof v === 'object' && !Array.isArray(v) ? ownEntries(v as Record<string, unknown>) : [];
    for (const [path, x] of children.length ? children.map(([c, y]) => [`${k}.${c}`, y] as [string, unknown]) : [[k, v] as [string, unknown]]) {
      const size = Buffer.byteLength(JSON.stringify(x) ?? '');
      if (size > best[1]) best = [path, size];
    }
  }
  return best[0];
}

/**
 * cdk8s's serializer silently drops a `__proto__` key (its resolver assigns `result[key]`). The library's constructs
 * escape such keys; an ApiObject created directly cannot: report the key instead of losing it.
 */
export const DROPPED_KEY: IAnalysisRule = {
  id: 'dropped-key',
  severity: FindingSeverity.ERROR,
  description: 'No "__proto__" key is lost by cdk8s\'s serializer (labels, annotations, data and spec of ApiObjects created directly).',
  check(ctx: AnalysisContext) {
    for (const o of ctx.objects) {
      const a = o.apiObject as unknown as { props?: unknown; metadata?: { labels?: unknown; annotations?: unknown } };
      const found: string[] = [];
      findProtoKeys({ ...(a.props as object ?? {}), metadata: { labels: a.metadata?.labels, annotations: a.metadata?.annotations } }, '', found);
      for (const path of found.slice(0, MAX_PER_OBJECT)) {
        ctx.error(o, `${describe(o)} '${path}' is a key cdk8s's serializer drops without a word, got "__proto__". `
          + 'Fix: rename the key (cdk8s cannot write "__proto__"); a label key cannot start with "_" anyway.');
      }
    }
  },
};

/** Paths of own `__proto__` keys in plain data (not in tokens or class instances). */
function findProtoKeys(v: unknown, path: string, out: string[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => findProtoKeys(x, `${path}[${i}]`, out));
    return;
  }
  if (v === null || typeof v !== 'object') return;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return;
  for (const [k, x] of ownEntries(v as Record<string, unknown>)) {
    const p = k === '__proto__' || !/^[A-Za-z_$][\w$]*$/.test(k) ? `${path}[${JSON.stringify(k)}]` : path ? `${path}.${k}` : k;
    if (k === '__proto__') out.push(p);
    findProtoKeys(x, p, out);
  }
}

const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Container images the runtime can pull: reference syntax and length. */
export const IMAGE_REFERENCE: IAnalysisRule = {
  id: 'image-reference',
  severity: FindingSeverity.ERROR,
  description: 'Every container image of a workload is a valid image reference.',
  check(ctx: AnalysisContext) {
    for (const o of ctx.objects) {
      const group = apiGroup(o.manifest.apiVersion);
      const path = ['', 'apps', 'batch'].includes(group) ? POD_SPEC_PATHS[o.manifest.kind] : undefined;
      if (!path) continue;
      const spec = path.reduce<any>((v, k) => v?.[k], o.manifest);
      for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
        (arrayOf(spec?.[list]) as any[]).forEach((c, i) => {
          const field = `${path.join('.')}.${list}[${i}].image`;
          const parsed = parseImage(c?.image);
          if ('problem' in parsed) {
            ctx.error(o, `${describe(o)} '${field}' (container "${c?.name}") ${parsed.problem}, got ${show(c?.image)}. `
              + 'Fix: use a reference like "registry.example.com/team/app:1.2.3" or "app@sha256:<digest>".');
          }
        });
      }
    }
  },
};
