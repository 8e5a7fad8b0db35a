import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AlertProvider, AlertProviderType } from '../../lib';
import { expectValidManifests } from '../util/schema';

describe('AlertProvider', () => {
  test('default configuration', () => {
    const chart = Testing.chart();
    new AlertProvider(chart, 'on-call', { type: AlertProviderType.SLACK, secret: kplus.Secret.fromSecretName(chart, 's', 'slack-webhook') });
    const out = Testing.synth(chart);
    expect(out).toMatchSnapshot();
    expectValidManifests(out);
  });

  test('references the webhook URL through a Secret only, never inline', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'test' });
    new AlertProvider(chart, 'teams', { type: AlertProviderType.MSTEAMS, secret: kplus.Secret.fromSecretName(chart, 's', 'teams-url'), channel: 'deploys', username: 'flagger' });
    const [p] = Testing.synth(chart);
    expect(p.metadata).toEqual({ name: 'teams', namespace: 'test' });
    expect(p.spec).toEqual({ type: 'msteams', channel: 'deploys', username: 'flagger', secretRef: { name: 'teams-url' } });
    expect(p.spec.address).toBeUndefined();
  });

  test('every provider type Flagger knows validates', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 's', 'url');
    [AlertProviderType.SLACK, AlertProviderType.MSTEAMS, AlertProviderType.DISCORD, AlertProviderType.ROCKET, AlertProviderType.GCHAT]
      .forEach((type) => new AlertProvider(chart, type.value, { type, secret }));
    const out = Testing.synth(chart);
    expect(out.map((o) => o.spec.type)).toEqual(['slack', 'msteams', 'discord', 'rocket', 'gchat']);
    expectValidManifests(out);
  });

  test('fails when the channel is a URL and on bad names', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 's', 'url');
    expect(() => new AlertProvider(chart, 'a', { type: AlertProviderType.SLACK, secret, channel: 'https://hooks.slack.com/services/T/B/x' }))
      .toThrow(/\[test\/a\] 'channel' is a channel name, not a URL, got "https:.*"\. Fix: put the webhook URL in the Secret/);
    expect(() => new AlertProvider(chart, 'B', { type: AlertProviderType.SLACK, secret })).toThrow(/'name' must be a DNS-1123 subdomain/);
  });
});
