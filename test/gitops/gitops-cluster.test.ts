import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, ChartProps, Testing, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { GitOpsCluster, HelmRelease, HelmRepository, synthesize } from '../../lib';
import { listFiles, tempDir } from '../util/files';
import { expectValidManifests } from '../util/schema';

function tmp(): string {
  return tempDir('mesh-gitops-cluster-');
}

/** A chart with one ConfigMap, the same in every cluster. */
class ShopChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });
    new ApiObject(this, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
  }
}

/** The istio base chart, as the controllers layer installs it. */
class ControllersChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'flux-system' });
    const repo = new HelmRepository(this, 'istio', { url: 'https://istio-release.storage.googleapis.com/charts' });
    new HelmRelease(this, 'base', { chart: 'base', version: '1.30.3', sourceRef: repo, targetNamespace: 'istio-system' });
  }
}

class PolicyChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'istio-system' });
    new ApiObject(this, 'mtls', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default' }, spec: { mtls: { mode: 'STRICT' } } });
  }
}

function twoClusters(app: App): { staging: GitOpsCluster; production: GitOpsCluster } {
  const staging = new GitOpsCluster(app, 'staging');
  const production = new GitOpsCluster(app, 'production');
  for (const c of [staging, production]) {
    new ControllersChart(c.controllers, 'platform');
    new PolicyChart(c.configs, 'mesh-security');
    new ShopChart(c.apps, 'shop');
  }
  return { staging, production };
}

describe('GitOpsCluster', () => {
  test('lays the output out as Flux recommends, one tree per cluster, each folder buildable', () => {
    const outdir = path.join(tmp(), 'dist');
    twoClusters(new App());
    const app = new App();
    twoClusters(app);
    synthesize(app, { outdir });
    const files = listFiles(outdir);
    expect(files.filter((f) => f.startsWith('clusters/staging/'))).toEqual([
      'clusters/staging/MESH-GRAPH.md',
      'clusters/staging/kustomization-apps.yaml',
      'clusters/staging/kustomization-infra-configs.yaml',
      'clusters/staging/kustomization-infra-controllers.yaml',
      'clusters/staging/kustomization-infra-mesh.yaml',
    ]);
    expect(files).toEqual(expect.arrayContaining([
      'apps/staging/kustomization.yaml', 'apps/staging/shop/kustomization.yaml', 'apps/staging/shop/shop/configmap-settings.yaml',
      'apps/production/shop/shop/configmap-settings.yaml',
      'infrastructure/staging/controllers/kustomization.yaml', 'infrastructure/staging/controllers/platform/kustomization.yaml',
      'infrastructure/staging/configs/mesh-security/istio-system/peerauthentication-default.yaml',
      'infrastructure/staging/mesh/kustomization.yaml',
    ]));
    expect(Yaml.load(path.join(outdir, 'apps/staging/kustomization.yaml'))[0].resources).toEqual(['shop']);
    expect(Yaml.load(path.join(outdir, 'infrastructure/staging/mesh/kustomization.yaml'))[0].resources).toEqual([]);
    // every Flux Kustomization path exists and builds with kubectl kustomize
    for (const cluster of ['staging', 'production']) {
      for (const f of files.filter((x) => x.startsWith(`clusters/${cluster}/`) && x.endsWith('.yaml'))) {
        const [k] = Yaml.load(path.join(outdir, f));
        expect(k.spec.path.startsWith('./dist/')).toBe(true);
        const folder = path.join(outdir, k.spec.path.slice('./dist/'.length));
        expect(fs.existsSync(path.join(folder, 'kustomization.yaml'))).toBe(true);
        execFileSync('kubectl', ['kustomize', folder], { stdio: 'pipe' });
      }
    }
  });

  test('layers depend on each other in order, wait for readiness and read the bootstrap GitRepository', () => {
    const app = Testing.app();
    const { staging } = twoClusters(app);
    const flux = Testing.synth(staging.entry);
    expectValidManifests(flux);
    const byName = Object.fromEntries(flux.map((k) => [k.metadata.name, k]));
    expect(Object.keys(byName).sort()).toEqual(['apps', 'infra-configs', 'infra-controllers', 'infra-mesh']);
    expect(byName['infra-controllers'].spec).toMatchObject({
      path: './dist/infrastructure/staging/controllers', prune: true, wait: true, interval: '1h', retryInterval: '1m', timeout: '5m',
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    });
    expect(byName['infra-controllers'].spec.dependsOn).toBeUndefined();
    expect(byName['infra-configs'].spec.dependsOn).toEqual([{ name: 'infra-controllers' }]);
    expect(byName['infra-mesh'].spec.dependsOn).toEqual([{ name: 'infra-configs' }]);
    expect(byName.apps.spec).toMatchObject({ path: './dist/apps/staging', interval: '10m', dependsOn: [{ name: 'infra-mesh' }] });
    expect(flux.every((k) => k.metadata.namespace === 'flux-system')).toBe(true);
    expect(flux).toMatchSnapshot();
  });

  test('the same objects in two clusters are not duplicates: analysis runs per cluster', () => {
    const outdir = path.join(tmp(), 'dist');
    const app = new App();
    twoClusters(app);
    expect(() => synthesize(app, { outdir })).not.toThrow();
  });

  test('keeps the flux-system folder that flux bootstrap commits into clusters/<name>', () => {
    const outdir = path.join(tmp(), 'dist');
    const build = () => { const app = new App(); twoClusters(app); return app; };
    synthesize(build(), { outdir });
    fs.mkdirSync(path.join(outdir, 'clusters/staging/flux-system'));
    fs.writeFileSync(path.join(outdir, 'clusters/staging/flux-system/gotk-sync.yaml'), 'kind: GitRepository\n');
    synthesize(build(), { outdir });
    expect(fs.readFileSync(path.join(outdir, 'clusters/staging/flux-system/gotk-sync.yaml'), 'utf8')).toBe('kind: GitRepository\n');
  });

  test('repositoryPath sets every Flux path', () => {
    const app = Testing.app();
    const c = new GitOpsCluster(app, 'prod', { repositoryPath: './deploy/dist' });
    expect(Testing.synth(c.entry).map((k) => k.spec.path).sort()).toEqual([
      './deploy/dist/apps/prod', './deploy/dist/infrastructure/prod/configs', './deploy/dist/infrastructure/prod/controllers', './deploy/dist/infrastructure/prod/mesh',
    ]);
  });

  test.each([['dist'], ['../dist'], ['./a/../b'], ['./dist/'], ['/dist']])('fails for repositoryPath %j', (p) => {
    expect(() => new GitOpsCluster(Testing.app(), 'prod', { repositoryPath: p }))
      .toThrow(new RegExp(`\\[prod\\] 'repositoryPath' must be a path relative to the repository root.*got ${JSON.stringify(p).replace(/[./]/g, '\\$&')}\\. Fix:`));
  });

  test('fails for a cluster name that is not a DNS label', () => {
    expect(() => new GitOpsCluster(Testing.app(), 'x', { name: 'Prod_1' })).toThrow(/\[x\] 'name' must be a DNS-1123 label.*got "Prod_1"/);
  });

  test('fails when a custom resource sits in the layer that installs its CRDs, or in no layer after it', () => {
    const app = new App();
    const c = new GitOpsCluster(app, 'staging');
    new ControllersChart(c.controllers, 'platform');
    new PolicyChart(c.controllers, 'too-early');
    expect(() => synthesize(app, { outdir: path.join(tmp(), 'dist') }))
      .toThrow(/'staging\/InfraControllersLayer\/too-early\/mtls' is a PeerAuthentication \(security\.istio\.io\/v1\) in infrastructure\/staging\/controllers, but its CRDs are installed in the same layer.*Fix: put it in a later layer/);

    const app2 = new App();
    const c2 = new GitOpsCluster(app2, 'staging');
    new PolicyChart(c2.configs, 'no-crds');
    expect(() => synthesize(app2, { outdir: path.join(tmp(), 'dist') })).toThrow(/no HelmRelease in an earlier layer installs its CRDs/);
  });

  test('preinstalledApiGroups lets a layer use CRDs installed outside Flux', () => {
    const app = new App();
    const c = new GitOpsCluster(app, 'staging', { preinstalledApiGroups: ['security.istio.io'] });
    new PolicyChart(c.configs, 'mesh-security');
    expect(() => synthesize(app, { outdir: path.join(tmp(), 'dist') })).not.toThrow();
  });
});
