import { FindingSeverity } from '../../lib';
import { NamespacesChart } from '../../platform/charts/namespaces';
import { expectValidManifests } from '../util/schema';
import { find } from '../util/synth';
import { analyzedPlatform } from './reference-platform';

describe('reference platform: namespaces chart (S10)', () => {
  const { platform, report, manifestsOf } = analyzedPlatform();
  const chart = platform.production.namespaces;
  const out = manifestsOf(chart);

  test('synthesizes without errors, every object valid against its upstream schema', () => {
    expect(chart).toBeInstanceOf(NamespacesChart);
    expectValidManifests(out);
  });

  test('S10: foo and bar injected, legacy not, and legacy pods opt out too', () => {
    expect(find(out, 'Namespace', 'foo').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(find(out, 'Namespace', 'bar').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(find(out, 'Namespace', 'legacy').metadata.labels).toEqual({ 'istio-injection': 'disabled' });
    const legacySleep = out.find((m) => m.kind === 'Deployment' && m.metadata.namespace === 'legacy' && m.metadata.name.startsWith('sleep'));
    expect(legacySleep!.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    // No legacy -> mesh call is declared, so the mesh-wide STRICT policy raises no error anywhere in the platform.
    expect(report.findings.filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
  });
});
