import { Testing } from 'cdk8s';
import { ClusterIssuer, IssuerKind, IssuerType } from '../../lib';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';

describe('ClusterIssuer', () => {
  test('default: cluster-scoped, no namespace even in a namespaced chart', () => {
    const c = chart('cert-manager');
    const issuer = new ClusterIssuer(c, 'selfsigned', { type: IssuerType.selfSigned() });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests[0].metadata).toEqual({ name: 'selfsigned' });
    expect(issuer.kind).toBe(IssuerKind.CLUSTER_ISSUER);
    expect(issuer.namespace).toBeUndefined();
  });

  test('without a chart namespace there is nothing to remove', () => {
    const c = chart();
    new ClusterIssuer(c, 'ca', { name: 'corp', type: IssuerType.ca({ secretName: 'corp-ca' }) });
    expect(Testing.synth(c)[0]).toMatchObject({ metadata: { name: 'corp' }, spec: { ca: { secretName: 'corp-ca' } } });
  });

  test('fromClusterIssuerName refers to an existing ClusterIssuer', () => {
    expect(ClusterIssuer.fromClusterIssuerName('letsencrypt')).toEqual({ name: 'letsencrypt', kind: IssuerKind.CLUSTER_ISSUER });
  });

  test('fails on an invalid name', () => {
    expect(() => new ClusterIssuer(chart(), 'x', { name: 'Lets Encrypt', type: IssuerType.selfSigned() }))
      .toThrow(/\[test\/x\] 'name' must be a DNS-1123 subdomain/);
  });
});
