import { App, Testing } from 'cdk8s';
import { analyze, AuthorizationPolicy, MeshNamespace, MeshPeer, MtlsMode } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { TestWorkload } from '../util/fixtures';
import { find } from '../util/synth';

describe('AuthorizationPolicy.allowAll', () => {
  test('renders ALLOW with one empty rule (rules: [{}]), for a workload or a whole namespace', () => {
    const chart = Testing.chart();
    new MeshNamespace(chart, 'shop', { mtls: MtlsMode.STRICT });
    const web = new TestWorkload(chart, 'web', { namespace: 'shop' });
    const forWeb = AuthorizationPolicy.allowAll(chart, 'web-public', { workload: web });
    const forNs = AuthorizationPolicy.allowAll(chart, 'ns-public', { namespace: 'shop' });
    const out = Testing.synth(chart);
    expect(find(out, 'AuthorizationPolicy', 'web-allow-all', 'shop').spec).toEqual({ selector: { matchLabels: { app: 'web' } }, action: 'ALLOW', rules: [{}] });
    expect(find(out, 'AuthorizationPolicy', 'allow-all', 'shop').spec).toEqual({ action: 'ALLOW', rules: [{}] });
    // the namespace's deny-all stays: ALLOW policies add up, so allow-all opens its scope explicitly
    expect(find(out, 'AuthorizationPolicy', 'deny-all', 'shop').spec).toEqual({});
    expect([forWeb.allowsAll, forNs.allowsAll, forNs.rules.length]).toEqual([true, true, 1]);
    expectValidManifests(out);
  });

  test('a custom name; the analysis of the app finds no error in it', () => {
    const chart = Testing.chart();
    new MeshNamespace(chart, 'shop', { mtls: MtlsMode.STRICT });
    const web = new TestWorkload(chart, 'web', { namespace: 'shop' });
    AuthorizationPolicy.allowAll(chart, 'web-public', { workload: web, name: 'web-public' });
    expect(find(Testing.synth(chart), 'AuthorizationPolicy', 'web-public', 'shop').spec.rules).toEqual([{}]);
    expect(analyze(chart.node.root as App).errors).toEqual([]);
  });

  test('fails on a rule added to an allow-all policy, and points an empty rule at allowAll()', () => {
    const chart = Testing.chart();
    const p = AuthorizationPolicy.allowAll(chart, 'open', { namespace: 'shop' });
    expect(() => p.addRule({ fromPeers: [MeshPeer.namespace('foo')] })).toThrow(
      /\[test\/open\] 'rules\[1\]' cannot be added to an allow-all policy \(its empty rule already matches every request\), got .*Fix: drop the rule/);
    const q = new AuthorizationPolicy(chart, 'q', { namespace: 'shop' });
    expect(() => q.addRule({})).toThrow(/'rules\[0\]' is empty \(an empty rule matches every request\), got \{\}\. Fix: .*use AuthorizationPolicy.allowAll\(\)/);
  });
});
