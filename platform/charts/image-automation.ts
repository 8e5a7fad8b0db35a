import { Chart, ChartProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GitRepository, ImagePolicy, ImagePolicyChoice, ImageRepository, ImageUpdateAutomation } from '../../lib';

/** Props of `ImageAutomationChart`. */
export interface ImageAutomationChartProps extends ChartProps {
  /** The image repository to watch, e.g. ghcr.io/stefanprodan/podinfo. */
  readonly image: string;
  /** The tags that may be rolled out (a semver range). */
  readonly semver: string;
  /** The workloads whose container image follows the policy (their image lines get Flux's setter marker). */
  readonly workloads: IConstruct[];
  /** The folder of the repository the automation may commit to, e.g. ./dist/apps/staging. */
  readonly updatePath: string;
}

/**
 * apps/<cluster>/image-automation (namespace flux-system): S11's image automation. Flux scans the image repository,
 * picks the newest tag in the semver range, and commits it into the marked image lines under `updatePath` on main;
 * for a canaried app that commit starts a Flagger analysis (image automation -> Flux -> Flagger). Needs the image
 * controllers (`flux bootstrap --components-extra=image-reflector-controller,image-automation-controller
 * --read-write-key`).
 */
export class ImageAutomationChart extends Chart {
  public readonly policy: ImagePolicy;
  public readonly automation: ImageUpdateAutomation;

  constructor(scope: Construct, id: string, props: ImageAutomationChartProps) {
    super(scope, id, { namespace: 'flux-system', ...props });
    const name = props.image.split('/').pop()!;
    const repository = new ImageRepository(this, 'repository', { name, image: props.image });
    this.policy = new ImagePolicy(this, 'policy', { name, imageRepository: repository, policy: ImagePolicyChoice.semver(props.semver) });
    for (const workload of props.workloads) this.policy.updateImageOf(workload);
    this.automation = new ImageUpdateAutomation(this, 'automation', {
      name: 'apps',
      sourceRef: GitRepository.fromGitRepositoryName('flux-system'),
      checkoutBranch: 'main',
      pushBranch: 'main',
      author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' },
      messageTemplate: 'Update images\n\n{{ range .Changed.Changes }}{{ print .OldValue }} -> {{ println .NewValue }}{{ end }}',
      path: props.updatePath,
    });
  }
}
