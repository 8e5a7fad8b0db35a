import { IConstruct } from 'constructs';
import { IMeshPeer } from './mesh-peer';

/**
 * An app whose Service an external workload (a VM) can join as one more version, beside or instead of its
 * Kubernetes versions. MeshApp has every member (`name`, `namespace`, `host`, `labels`, `versionNames`).
 */
export interface IExternalVersionHost extends IConstruct {
  /** App name (the `app` label the Service selects). */
  readonly name: string;
  /** Namespace of the app's Service. */
  readonly namespace: string;
  /** Fully-qualified host of the app's Service, `<name>.<namespace>.svc.cluster.local`. */
  readonly host: string;
  /** Labels the app's Service selects (MeshApp: `{ app: <name> }`). The external version's instances carry them. */
  readonly labels: Record<string, string>;
  /** The app's own (Kubernetes) version names; an external version must not reuse one. */
  readonly versionNames: string[];
}

/**
 * A workload outside Kubernetes that an app serves as one of its versions: a DestinationRule subset
 * `{ name: versionName, labels: subsetLabels }` and a destination of weighted routes. ExternalVmWorkload implements it.
 *
 * What an app does in `addExternalVersion(v)`: call `v.bindVersionHost(this)` (which throws when `v` was not built as
 * a version of this app), add the subset, and accept `v.versionName` in routes and splits.
 */
export interface IExternalVersion extends IMeshPeer, IConstruct {
  /** Version name: the subset name, the `version` label, the name used in routes (`{ version: 'vm', weight: 100 }`). */
  readonly versionName: string;
  /** Namespace of the workload (the app's namespace). */
  readonly namespace: string;
  /** Labels every instance carries: the app's Service selector labels plus `version`. */
  readonly labels: Record<string, string>;
  /** Labels of the DestinationRule subset: `{ version: <versionName> }`, like the app's own subsets. */
  readonly subsetLabels: Record<string, string>;
  /** The app the workload was built as a version of (`versionOf`); undefined for a standalone workload. */
  readonly versionOf?: IExternalVersionHost;
  /**
   * Records that `host` serves this workload as a version. Called by the host's `addExternalVersion()`; throws when the
   * workload was not built with `versionOf: host`, or was already added.
   */
  bindVersionHost(host: IExternalVersionHost): void;
}
