import { Chart, Testing } from 'cdk8s';
import { TenantCertificateAuthority } from '../../lib/certificates/tenant-certificate-authority';
import { GitOpsCluster } from '../../lib/gitops';
import { MeshObservability } from '../../lib/observability';
import { MeshPlatform } from '../../lib/platform';
import { expectValidManifests } from '../util/schema';

describe('MeshPlatform in a GitOpsCluster', () => {
  test('controllers -> configs (CAs, observability) -> mesh passes the layer order check of every custom resource', () => {
    const app = Testing.app();
    const cluster = new GitOpsCluster(app, 'staging');
    const controllers = new Chart(cluster.controllers, 'platform');
    const configs = new Chart(cluster.configs, 'mesh-config');
    const mesh = new Chart(cluster.mesh, 'control-plane');
    const platform = new MeshPlatform(app, 'Platform', { controllers, mesh, network: 'network1' });
    platform.addTenantCertificateAuthority(new TenantCertificateAuthority(configs, 'TenantCa', { tenants: ['istio-system', 'tenanta'] }));
    platform.useObservability(new MeshObservability(configs, 'Observability'));
    platform.enableVmWorkloads();

    expect(cluster.node.validate()).toEqual([]);
    expect(platform.node.validate()).toEqual([]);
    expectValidManifests([controllers, configs, mesh].flatMap((c) => Testing.synth(c)));
  });

  test('a tenant CA in the controllers layer is caught by the layer order check', () => {
    const app = Testing.app();
    const cluster = new GitOpsCluster(app, 'staging');
    const controllers = new Chart(cluster.controllers, 'platform');
    const mesh = new Chart(cluster.mesh, 'control-plane');
    const platform = new MeshPlatform(app, 'Platform', { controllers, mesh });
    platform.addTenantCertificateAuthority(new TenantCertificateAuthority(controllers, 'TenantCa', { tenants: ['tenanta'] }));
    expect(cluster.node.validate().join('\n')).toMatch(/Certificate \(cert-manager\.io\/v1\) in infrastructure\/staging\/controllers/);
  });
});
