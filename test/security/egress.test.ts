import { Chart, Testing } from 'cdk8s';
import { ExternalProtocol, MeshApp, MeshNamespace, ServiceEntry } from '../../lib';

const IMAGE = 'gcr.io/tetratelabs/customers:1.0.0';

function setup(): { chart: Chart; app: MeshApp; api: ServiceEntry; foo: ServiceEntry } {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const api = new ServiceEntry(chart, 'api', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
  const foo = new ServiceEntry(chart, 'foo', { namespace: 'egress', hosts: ['*.foo.com'], ports: [{ number: 443, protocol: ExternalProtocol.TLS }] });
  const app = new MeshApp(chart, 'customers', { versions: [{ name: 'v1', image: IMAGE }] });
  return { chart, app, api, foo };
}

describe('egress grants (MeshApp.allowEgressTo)', () => {
  test('the namespace Sidecar reads the grants when it renders: nothing is added during validation', () => {
    const { chart, app, api } = setup();
    app.allowEgressTo(api); // before the namespace exists
    const ns = new MeshNamespace(chart, 'shop-ns', { name: 'shop', restrictEgress: true });
    // Rendering alone, without running any validation, already lists the grant.
    expect(ns.sidecar!.toJson().spec.egress).toEqual([{ hosts: ['./*', 'istio-system/*', 'shop/api.example.com'] }]);
    // Validation has nothing to do (and changes nothing).
    expect(chart.node.findAll().flatMap((c) => c.node.validate())).toEqual([]);
    expect(ns.sidecar!.toJson().spec.egress).toEqual([{ hosts: ['./*', 'istio-system/*', 'shop/api.example.com'] }]);
  });

  test('hosts added while the namespace exists come in call order, grants made before it last, each once', () => {
    const { chart, app, api, foo } = setup();
    app.allowEgressTo(api);
    const ns = new MeshNamespace(chart, 'shop-ns', { name: 'shop', restrictEgress: true });
    ns.addEgressHosts('istio-system/metrics.example.com');
    app.allowEgressTo(foo);
    app.allowEgressTo(api); // again: listed once
    expect(Testing.synth(chart).find((m) => m.kind === 'Sidecar').spec.egress).toEqual([{
      hosts: ['./*', 'istio-system/*', 'istio-system/metrics.example.com', 'egress/*.foo.com', 'shop/api.example.com'],
    }]);
  });

  test('grants reach only the namespace they were made for, in the same App', () => {
    const { chart, app, api } = setup();
    app.allowEgressTo(api);
    const other = new MeshNamespace(chart, 'other', { restrictEgress: true });
    const elsewhere = new MeshNamespace(new Chart(Testing.app(), 'x'), 'shop', { restrictEgress: true });
    expect(other.sidecar!.toJson().spec.egress[0].hosts).toEqual(['./*', 'istio-system/*']);
    expect(elsewhere.sidecar!.toJson().spec.egress[0].hosts).toEqual(['./*', 'istio-system/*']);
  });
});
