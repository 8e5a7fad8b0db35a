import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as image from '../../imports/image.toolkit.fluxcd.io';
import { meshError } from '../private/errors';
import { fluxDuration } from '../private/flux-duration';
import { checkDnsLabel, checkDnsSubdomain } from '../private/validate';
import { checkGitRefName, IGitRepository } from './git-repository';
import { checkSourcePath, fluxNamespaceOf, renderSourceRef, SourceKind } from './source';

/** The Git identity of the commits an ImageUpdateAutomation pushes. */
export interface CommitAuthor {
  /** Author name, e.g. "fluxcdbot". */
  readonly name: string;
  /** Author e-mail, e.g. "fluxcdbot@users.noreply.github.com". */
  readonly email: string;
}

/** Properties of a Flux ImageUpdateAutomation. */
export interface ImageUpdateAutomationProps {
  /**
   * The GitRepository to update. Its Secret needs write access (a deploy key created with
   * `flux bootstrap --read-write-key`).
   */
  readonly sourceRef: IGitRepository;
  /** Who the commits are from. */
  readonly author: CommitAuthor;
  /**
   * Go template of the commit message; it can use `.Changed.FileChanges` and `.Changed.Objects`
   * (`.Updated` was removed in image.toolkit.fluxcd.io/v1).
   * @default - Flux's default message
   * @see https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template
   */
  readonly messageTemplate?: string;
  /**
   * The branch to check out and update.
   * @default - the GitRepository's branch
   */
  readonly checkoutBranch?: string;
  /**
   * The branch to push the commits to (another branch opens the way to a pull request flow).
   * @default - the checked-out branch
   */
  readonly pushBranch?: string;
  /**
   * The directory (and its subdirectories) whose YAML files are scanned for setter markers. Starts with "./".
   * @default "./" (the whole repository)
   */
  readonly path?: string;
  /**
   * Only apply ImagePolicies (of this namespace) with these labels.
   * @default - every ImagePolicy in the namespace
   */
  readonly policySelector?: Record<string, string>;
  /**
   * How often Flux checks whether the policies' choices differ from the repository.
   * @default Duration.minutes(30)
   */
  readonly interval?: Duration;
  /**
   * metadata.name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * metadata.namespace; the automation applies only the ImagePolicies of this namespace.
   * @default - the chart's namespace, else "flux-system"
   */
  readonly namespace?: string;
}

/**
 * A Flux ImageUpdateAutomation (image.toolkit.fluxcd.io/v1): image-automation-controller writes the latest
 * images chosen by the namespace's ImagePolicies into the YAML at their setter markers
 * (`ImagePolicy.setterMarker()`), commits and pushes.
 * @see https://fluxcd.io/flux/components/image/imageupdateautomations/
 */
export class ImageUpdateAutomation extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The updated repository. */
  public readonly sourceRef: IGitRepository;
  /** The generated L1, for escape hatches. */
  public readonly resource: image.ImageUpdateAutomation;

  constructor(scope: Construct, id: string, props: ImageUpdateAutomationProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', fluxNamespaceOf(this, props.namespace));
    this.sourceRef = props.sourceRef;
    const sourceRef = renderSourceRef(this, 'sourceRef', props.sourceRef, this.namespace, [SourceKind.GIT_REPOSITORY]);

    const ref = props.sourceRef.ref;
    if (props.checkoutBranch === undefined && ref !== undefined && ref.branch === undefined) {
      throw meshError(this, 'checkoutBranch', `must be set when the GitRepository follows a ${ref.type}, not a branch`, ref.value,
        'pass checkoutBranch: "<branch to commit to>"');
    }
    const checkoutBranch = props.checkoutBranch === undefined ? undefined : checkGitRefName(this, 'checkoutBranch', props.checkoutBranch);
    const pushBranch = props.pushBranch === undefined ? undefined : checkGitRefName(this, 'pushBranch', props.pushBranch);

    const { name, email } = props.author;
    if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email)) {
      throw meshError(this, 'author.email', 'must be an e-mail address', email, 'pass an address like "fluxcdbot@users.noreply.github.com"');
    }
    if (!name.trim() || /[<>\n\r]/.test(name)) {
      throw meshError(this, 'author.name', 'must be a non-empty name without "<", ">" or line breaks', name, 'pass a name like "fluxcdbot"');
    }
    if (props.messageTemplate !== undefined && /\.Updated\b/.test(props.messageTemplate)) {
      throw meshError(this, 'messageTemplate', 'uses .Updated, which image.toolkit.fluxcd.io/v1 removed (the automation would stall)',
        props.messageTemplate, 'use .Changed.FileChanges or .Changed.Objects instead');
    }
    const matchLabels = props.policySelector === undefined ? undefined : this._checkLabels(props.policySelector);

    this.resource = new image.ImageUpdateAutomation(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        interval: fluxDuration(this, 'interval', props.interval ?? Duration.minutes(30)),
        sourceRef: { ...sourceRef, kind: image.ImageUpdateAutomationSpecSourceRefKind.GIT_REPOSITORY },
        git: {
          checkout: checkoutBranch === undefined ? undefined : { ref: { branch: checkoutBranch } },
          commit: { author: { name, email }, messageTemplate: props.messageTemplate },
          push: pushBranch === undefined ? undefined : { branch: pushBranch },
        },
        update: {
          path: checkSourcePath(this, 'path', props.path ?? './'),
          strategy: image.ImageUpdateAutomationSpecUpdateStrategy.SETTERS,
        },
        policySelector: matchLabels && { matchLabels },
      },
    });
  }

  private _checkLabels(labels: Record<string, string>): Record<string, string> | undefined {
    const key = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
    const value = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
    for (const [k, v] of Object.entries(labels)) {
      if (!key.test(k)) {
        throw meshError(this, 'policySelector', 'keys must be label keys ([prefix/]name)', k, 'use a key like "app.kubernetes.io/part-of"');
      }
      if (typeof v !== 'string' || !value.test(v)) {
        throw meshError(this, `policySelector.${k}`, 'must be a label value (at most 63 letters, digits, "-", "_", ".")', v,
          'use a value like "podinfo"');
      }
    }
    return Object.keys(labels).length ? { ...labels } : undefined;
  }
}
