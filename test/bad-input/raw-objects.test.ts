/**
 * A raw ApiObject whose props carry a plain key `constructor` (from data: a ConfigMap key, a label, an annotation) cannot
 * be rendered by cdk8s (its serializer reads `obj.constructor.name`). Synthesis names the object, the field and the
 * JSON patch that writes the key after rendering; the patch works.
 */
import { ApiObject, App, JsonPatch, Testing } from 'cdk8s';
import { analyze } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { Build, expectRejected, expectRejectedKeepingOutput, meshErr } from './helpers';

const data = <T>(entries: Record<string, T>): Record<string, T> => JSON.parse(JSON.stringify(entries));
const configMap = (c: any, props: Record<string, unknown>) => new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, ...props });
const FIX = 'leave the key out of the object and add it after rendering: ApiObject.of(obj).addJsonPatch(JsonPatch.add(';

const cases: Array<[string, Build, RegExp]> = [
  ['a ConfigMap data key "constructor"', (c) => configMap(c, { data: data({ a: '1', constructor: 'x' }) }),
    meshErr('test/cm', 'data.constructor', '"x"', `${FIX}"/data/constructor", "x"))`)],
  ['a label "constructor" of a raw object', (c) => new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: data({ constructor: 'x' }) } }),
    meshErr('test/cm', 'metadata.labels.constructor', '"x"', `${FIX}"/metadata/labels/constructor", "x"))`)],
  ['an annotation "constructor" added later', (c) => configMap(c, {}).metadata.addAnnotation('constructor', 'y'),
    meshErr('test/cm', 'metadata.annotations.constructor', '"y"', '"/metadata/annotations/constructor", "y"')],
  ['a nested "constructor" key in a list', (c) => new ApiObject(c, 'cm', {
    apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'cm' }, spec: { items: [{ ok: 1 }, data({ constructor: 'z' })] },
  }), meshErr('test/cm', 'spec.items.1.constructor', '"z"', '"/spec/items/1/constructor", "z"')],
];

describe('raw ApiObjects', () => {
  test.each(cases)('fails for %s', (_name, build, error) => expectRejected(build, error));

  test.each([cases[0]])('synthesize() fails for %s and leaves the previous output byte for byte', (_name, build, error) => {
    expectRejectedKeepingOutput(build, error);
  });

  test('the fix named by the message renders the key', () => {
    const chart = Testing.chart();
    const cm = configMap(chart, { data: { a: '1' } });
    cm.addJsonPatch(JsonPatch.add('/data/constructor', 'x'));
    const out = analyze(chart.node.root as App).objects.map((o) => o.manifest);
    expect(out[0].data).toEqual({ a: '1', constructor: 'x' });
    expectValidManifests(out);
  });
});
