import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { isCustomResource, Manifest, schemaErrors } from '../util/schema';

const distDir = path.join(__dirname, '..', '..', 'dist');

function distManifests(): { file: string; manifest: Manifest }[] {
  const out: { file: string; manifest: Manifest }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml') {
        for (const doc of yaml.loadAll(fs.readFileSync(p, 'utf8'))) out.push({ file: path.relative(distDir, p), manifest: doc as Manifest });
      }
    }
  };
  walk(distDir);
  return out;
}

describe('upstream schema validation', () => {
  test('every object in dist/ validates against its upstream schema', () => {
    const manifests = distManifests();
    expect(manifests.length).toBeGreaterThan(20);
    const errors = manifests.flatMap(({ file, manifest }) => schemaErrors(manifest).map((e) => `${file}: ${e}`));
    expect(errors).toEqual([]);
    // Custom resources really went through a CRD schema, core kinds through kubernetes-models.
    expect(manifests.some((m) => isCustomResource(m.manifest))).toBe(true);
    expect(manifests.some((m) => !isCustomResource(m.manifest))).toBe(true);
  });

  test('every kustomization.yaml in dist/ lists exactly its manifests, or its sub-folders that have their own', () => {
    // What a folder must list: sub-folders with a kustomization.yaml (layers list their charts), else every YAML
    // file below it (a chart lists its objects). Documents (*.md) and the output marker are not manifests.
    const expected = (dir: string): string[] => {
      const out: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) {
            if (fs.existsSync(path.join(p, 'kustomization.yaml'))) out.push(path.relative(dir, p));
            else walk(p);
          } else if (e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml') out.push(path.relative(dir, p));
        }
      };
      walk(dir);
      return out.sort();
    };
    const kustomizations: string[] = [];
    const find = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) find(path.join(d, e.name));
        else if (e.name === 'kustomization.yaml') kustomizations.push(d);
      }
    };
    find(distDir);
    expect(kustomizations.length).toBeGreaterThan(5);
    for (const dir of kustomizations) {
      const k = yaml.load(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
      expect({ dir: path.relative(distDir, dir), resources: [...k.resources].sort() }).toEqual({ dir: path.relative(distDir, dir), resources: expected(dir) });
    }
  });

  test('fails a custom resource with an unknown field', () => {
    expect(schemaErrors({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a' }, spec: { hosts: ['a'], htp: [] } }))
      .toEqual(['VirtualService/-/a: /spec must NOT have additional properties (htp)']);
  });

  test('fails a custom resource with a wrong type or enum value', () => {
    expect(schemaErrors({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a' }, spec: { hosts: 'a' } }))
      .toEqual(['VirtualService/-/a: /spec/hosts must be array']);
    const errors = schemaErrors({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default' }, spec: { mtls: { mode: 'STRICTEST' } } });
    expect(errors.join('\n')).toMatch(/\/spec\/mtls\/mode must be equal to one of the allowed values/);
  });

  test('enforces the oneOf of Flagger analysis', () => {
    const errors = schemaErrors({
      apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'a' },
      spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'a' }, service: { port: 80 }, analysis: { interval: '1m' } },
    });
    expect(errors).toContain('Canary/-/a: /spec/analysis must match exactly one schema in oneOf');
  });

  test('evaluates the CRD CEL rules', () => {
    const entry = (spec: object) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext' }, spec });
    expect(schemaErrors(entry({ hosts: ['api.example.com'], resolution: 'NONE', endpoints: [{ address: '1.2.3.4' }] })))
      .toEqual(['ServiceEntry/-/ext: /spec NONE mode cannot set endpoints']);
    expect(schemaErrors(entry({ hosts: ['api.example.com'], resolution: 'DNS', addresses: ['10.0.0.0/8'] })))
      .toEqual(['ServiceEntry/-/ext: /spec CIDR addresses are allowed only for NONE/STATIC resolution types']);
    expect(schemaErrors(entry({ hosts: ['api.example.com'], resolution: 'STATIC', endpoints: [{ address: '1.2.3.4' }] }))).toEqual([]);
  });

  test('fails metadata that the API server rejects', () => {
    expect(schemaErrors({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'Bad_Name' }, spec: {} }).join('\n'))
      .toMatch(/\/metadata\/name must match pattern/);
  });

  test('fails a core object with a wrong type', () => {
    expect(schemaErrors({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 'x' }] } }))
      .toEqual(['Service/-/a: data/spec/ports/0/port must be integer']);
  });

  test('refuses a kind it has no schema for', () => {
    expect(() => schemaErrors({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a' } })).toThrow(/no schema known for example.com\/v1 Widget/);
  });
});
