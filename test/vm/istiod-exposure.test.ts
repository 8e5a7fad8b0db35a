import { Chart, Testing } from 'cdk8s';
import { EAST_WEST } from './fixtures';
import { IstiodExposure } from '../../lib/vm';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';

/** samples/multicluster/expose-istiod.yaml (istio/istio, networking.istio.io/v1), applied with -n istio-system. */
const UPSTREAM = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'istiod-gateway', namespace: 'istio-system' },
    spec: {
      selector: { istio: 'eastwestgateway' },
      servers: [
        { port: { name: 'tls-istiod', number: 15012, protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] },
        { port: { name: 'tls-istiodwebhook', number: 15017, protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] },
      ],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'istiod-vs', namespace: 'istio-system' },
    spec: {
      hosts: ['*'],
      gateways: ['istiod-gateway'],
      tls: [
        { match: [{ port: 15012, sniHosts: ['*'] }], route: [{ destination: { host: 'istiod.istio-system.svc.cluster.local', port: { number: 15012 } } }] },
        { match: [{ port: 15017, sniHosts: ['*'] }], route: [{ destination: { host: 'istiod.istio-system.svc.cluster.local', port: { number: 443 } } }] },
      ],
    },
  },
];

describe('IstiodExposure', () => {
  test('default: exactly upstream expose-istiod.yaml, with the selector and namespace of the east-west gateway', () => {
    const chart = Testing.chart();
    const exposure = new IstiodExposure(chart, 'istiod', { eastWestGateway: EAST_WEST });
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expect(out).toEqual(UPSTREAM);
    expect(exposure.istiodHost).toBe('istiod.istio-system.svc.cluster.local');
    expectValidManifests(out);
  });

  test('takes the labels and namespace from the platform\'s gateway install', () => {
    const chart = Testing.chart();
    new IstiodExposure(chart, 'istiod', { eastWestGateway: { ...EAST_WEST, selector: { istio: 'eastwest', app: 'ew' }, namespace: 'istio-gateways' } });
    const gw = find(Testing.synth(chart), 'Gateway', 'istiod-gateway', 'istio-gateways');
    expect(gw.spec.selector).toEqual({ istio: 'eastwest', app: 'ew' });
  });

  test('for a revision: expose-istiod-rev.yaml.tmpl (istiod-<rev>, its SNI names, VirtualService istiod-vs-<rev>)', () => {
    const chart = Testing.chart();
    new IstiodExposure(chart, 'istiod', { eastWestGateway: { ...EAST_WEST, revision: 'canary' } });
    const out = Testing.synth(chart);
    expect(find(out, 'Gateway').spec.servers.map((s: any) => s.port.name)).toEqual(['tls-istiod', 'tls-webhook']);
    const vs = find(out, 'VirtualService', 'istiod-vs-canary');
    const sni = ['istiod-canary.istio-system.svc', 'istiod-canary.istio-system.svc.cluster.local'];
    expect(vs.spec.tls).toEqual([
      { match: [{ port: 15012, sniHosts: sni }], route: [{ destination: { host: 'istiod-canary.istio-system.svc.cluster.local', port: { number: 15012 } } }] },
      { match: [{ port: 15017, sniHosts: sni }], route: [{ destination: { host: 'istiod-canary.istio-system.svc.cluster.local', port: { number: 443 } } }] },
    ]);
    expectValidManifests(out);
  });

  test('fails on a second exposure of the same gateway, and on an empty selector', () => {
    const app = Testing.app();
    new IstiodExposure(new Chart(app, 'a'), 'istiod', { eastWestGateway: EAST_WEST });
    expect(() => new IstiodExposure(new Chart(app, 'b'), 'istiod', { eastWestGateway: EAST_WEST }))
      .toThrow(/^\[b\/istiod\] 'eastWestGateway' is already exposed by another IstiodExposure \(both would write istiod-gateway\), got "istio-system\/istio-eastwestgateway"\. Fix: create one IstiodExposure per east-west gateway/);
    expect(() => new IstiodExposure(Testing.chart(), 'istiod', { eastWestGateway: { ...EAST_WEST, selector: {} } }))
      .toThrow(/^\[test\/istiod\] 'eastWestGateway\.selector' must not be empty .*, got \{\}\. Fix: pass the gateway's pod labels/);
  });
});
