import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { VirtualService } from '../imports/networking.istio.io';

test('smoke', () => {
  const chart = Testing.chart();
  new kplus.Deployment(chart, 'd', { containers: [{ image: 'nginx', portNumber: 80 }] });
  new VirtualService(chart, 'vs', { spec: { hosts: ['a'] } });
  const objs = Testing.synth(chart);
  expect(objs.map((o) => o.kind)).toEqual(['Deployment', 'VirtualService']);
});
