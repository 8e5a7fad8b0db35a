import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { GitRepository } from './git-repository';
import { ClusterLayer } from './cluster-layer';
import { Kustomization } from './kustomization';
import { ISource } from './source';
import { apiGroup } from '../analysis/context';
import { meshError } from '../private/errors';
import { checkDnsLabel } from '../private/validate';
import { OutputLayout } from '../synth/output-layout';
import { markMeshBoundary } from '../private/mesh-scope';
import { checkClusterDomain, CLUSTER_DOMAIN_CONTEXT } from '../private/names';

/** Props of `GitOpsCluster`. */
export interface GitOpsClusterProps {
  /**
   * Cluster name: the folders `clusters/<name>`, `infrastructure/<name>/…` and `apps/<name>` of the output.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Where the output directory is in the Git repository Flux reads, as Flux Kustomization paths need it (they
   * are relative to the repository root).
   * @default './dist'
   */
  readonly repositoryPath?: string;
  /**
   * The Git source of every layer.
   * @default - GitRepository "flux-system" in "flux-system", which `flux bootstrap` creates
   */
  readonly sourceRef?: ISource;
  /**
   * How often Flux re-applies the infrastructure layers.
   * @default Duration.hours(1)
   */
  readonly infrastructureInterval?: Duration;
  /**
   * How often Flux re-applies the apps layer.
   * @default Duration.minutes(10)
   */
  readonly appsInterval?: Duration;
  /**
   * API groups whose CRDs the cluster has before Flux applies anything (installed with the cluster, or by
   * another tool). Objects of these groups may go in any layer.
   * @default - none: CRDs come from the HelmReleases of the controllers layer (or Kubernetes and Flux themselves)
   */
  readonly preinstalledApiGroups?: string[];
  /**
   * The cluster's DNS domain (kubelet `--cluster-domain`): every Service FQDN of the cluster's constructs is rendered in
   * it, and its MeshPlatform passes it to istiod. Sets the context `cdk8s-mesh:clusterDomain` for the cluster only.
   * @default - the context value `cdk8s-mesh:clusterDomain` of the scope, else 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/** API groups whose CRDs the platform's Helm charts install, by chart name. */
const CRDS_BY_HELM_CHART: Readonly<Record<string, readonly string[]>> = {
  'base': ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
  'cert-manager': ['cert-manager.io', 'acme.cert-manager.io'],
  'flagger': ['flagger.app'],
  'kube-prometheus-stack': ['monitoring.coreos.com'],
};

/** API groups Kubernetes serves itself, or Flux installs with `flux bootstrap`. */
function builtIn(group: string): boolean {
  return !group.includes('.') || group.endsWith('.k8s.io') || group.endsWith('.toolkit.fluxcd.io') || group === 'kustomize.config.k8s.io';
}

/**
 * One cluster of a GitOps repository, laid out the way Flux recommends: `flux bootstrap --path=<repositoryPath>/clusters/<name>`
 * points Flux at the cluster folder, which holds one Flux Kustomization per layer; each layer is a folder built
 * with kustomize and applied in order, each waiting for the one before to be Ready:
 *
 *   clusters/<name>/                      Flux Kustomizations (+ flux-system/, written by flux bootstrap, kept by every synth)
 *   infrastructure/<name>/controllers/    CRDs and controllers: HelmRepositories and HelmReleases (Istio base, cert-manager, ...)
 *   infrastructure/<name>/configs/        objects of those CRDs the mesh needs first: issuers, CA certificates, mesh-wide policies
 *   infrastructure/<name>/mesh/           the control plane that reads those: istiod, gateways, Flagger
 *   apps/<name>/                          the apps
 *
 * Create charts inside a layer: `new ShopChart(cluster.apps, 'shop')` goes to `apps/<name>/shop/`. Objects of a
 * custom resource must sit in a later layer than the HelmRelease that installs its CRDs; synthesis fails otherwise.
 */
export class GitOpsCluster extends Construct {
  public readonly name: string;
  /** Where the output directory is in the repository (Flux paths start with it). */
  public readonly repositoryPath: string;
  /** The chart of `clusters/<name>`: the Flux Kustomizations of the layers. */
  public readonly entry: Chart;
  public readonly controllers: ClusterLayer;
  public readonly configs: ClusterLayer;
  public readonly mesh: ClusterLayer;
  public readonly apps: ClusterLayer;
  private readonly _preinstalled: readonly string[];

  constructor(scope: Construct, id: string, props: GitOpsClusterProps = {}) {
    super(scope, id);
    markMeshBoundary(this);
    if (props.clusterDomain !== undefined) this.node.setContext(CLUSTER_DOMAIN_CONTEXT, checkClusterDomain(this, 'clusterDomain', props.clusterDomain));
    this.name = checkDnsLabel(this, 'name', props.name ?? id);
    const repositoryPath = props.repositoryPath ?? './dist';
    if (!/^\.\/[A-Za-z0-9._/-]*$/.test(repositoryPath) || repositoryPath.split('/').some((s) => s === '..') || repositoryPath.endsWith('/')) {
      throw meshError(this, 'repositoryPath', "must be a path relative to the repository root, starting with './', without '..' or a trailing '/'",
        repositoryPath, "use './dist' (dist/ at the root of the repository) or './<folder>/dist'");
    }
    this.repositoryPath = repositoryPath;
    this._preinstalled = [...(props.preinstalledApiGroups ?? [])];
    const sourceRef = props.sourceRef ?? GitRepository.fromGitRepositoryName('flux-system');

    this.entry = new Chart(this, 'Flux');
    OutputLayout.registerChart(this.entry, `clusters/${this.name}`, { flat: true, cluster: this.name });
    OutputLayout.preserve(this, `clusters/${this.name}/flux-system`);

    const layer = (layerId: string, name: string, folder: string, interval: Duration, after?: ClusterLayer): ClusterLayer => {
      const kustomization = new Kustomization(this.entry, layerId, {
        name,
        namespace: 'flux-system',
        sourceRef,
        path: `${repositoryPath}/${folder}`,
        interval,
        retryInterval: Duration.minutes(1),
        timeout: Duration.minutes(5),
        prune: true,
        wait: true,
        dependsOn: after ? [after.kustomization] : [],
      });
      return new ClusterLayer(this, `${layerId}Layer`, { folder, cluster: this.name, kustomization });
    };
    const infra = props.infrastructureInterval ?? Duration.hours(1);
    this.controllers = layer('InfraControllers', 'infra-controllers', `infrastructure/${this.name}/controllers`, infra);
    this.configs = layer('InfraConfigs', 'infra-configs', `infrastructure/${this.name}/configs`, infra, this.controllers);
    this.mesh = layer('InfraMesh', 'infra-mesh', `infrastructure/${this.name}/mesh`, infra, this.configs);
    this.apps = layer('Apps', 'apps', `apps/${this.name}`, props.appsInterval ?? Duration.minutes(10), this.mesh);

    this.node.addValidation({ validate: () => this.checkCrdOrder() });
  }

  /** The layers in the order Flux applies them. */
  public get layers(): ClusterLayer[] {
    return [this.controllers, this.configs, this.mesh, this.apps];
  }

  /** Every custom resource must come after the HelmRelease installing its CRDs (in an earlier layer). */
  private checkCrdOrder(): string[] {
    const errors: string[] = [];
    const installed = new Set<string>(this._preinstalled);
    for (const layer of this.layers) {
      const objects = layer.charts.flatMap((c) => c.node.findAll().filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === c));
      const providedHere = new Set<string>();
      for (const o of objects) {
        const group = apiGroup(o.apiVersion);
        if (o.kind === 'HelmRelease') {
          const chart: unknown = o.toJson().spec?.chart?.spec?.chart;
          for (const g of CRDS_BY_HELM_CHART[String(chart)] ?? []) providedHere.add(g);
        }
        if (builtIn(group) || installed.has(group)) continue;
        const where = providedHere.has(group)
          ? `its CRDs are installed in the same layer (${layer.folder}), and Flux applies a layer at once`
          : 'no HelmRelease in an earlier layer installs its CRDs';
        errors.push(`'${o.node.path}' is a ${o.kind} (${o.apiVersion}) in ${layer.folder}, but ${where}. `
          + 'Fix: put it in a later layer than the HelmRelease of its CRDs (controllers -> configs -> mesh -> apps), or install the CRDs in an earlier layer.');
      }
      for (const g of providedHere) installed.add(g);
    }
    return errors;
  }
}
