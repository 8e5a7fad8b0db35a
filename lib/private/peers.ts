import { Construct, IConstruct } from 'constructs';
import { meshError } from './errors';
import { namespaceOf } from './names';
import { checkLabels } from './labels';
import { checkDnsLabel } from './validate';
import { DEFAULT_TRUST_DOMAIN, IMeshPeer, MeshIdentity, TRUST_DOMAIN_CONTEXT } from './identity';

/** The trust domain principals are rendered in, for constructs under `scope`. */
export function trustDomainOf(scope: IConstruct): string {
  return scope.node.tryGetContext(TRUST_DOMAIN_CONTEXT) ?? DEFAULT_TRUST_DOMAIN;
}

/** `<trustDomain>/ns/<namespace>/sa/<serviceAccount>` for every service account of the peer (empty for a namespace peer). */
export function principalsOf(scope: IConstruct, identity: MeshIdentity): string[] {
  const td = identity.trustDomain ?? trustDomainOf(scope);
  return (identity.serviceAccounts ?? []).map((sa) => `${td}/ns/${identity.namespace}/sa/${sa}`);
}

/** A stable key for a peer, for idempotent verbs: the construct address for constructs, otherwise the identity. */
export function peerKey(peer: IMeshPeer): string {
  if (Construct.isConstruct(peer)) return peer.node.addr;
  const id = peer.meshIdentity();
  return `${id.namespace}-${id.name}-${(id.serviceAccounts ?? []).join('-')}`.replace(/[^A-Za-z0-9-]/g, '-');
}

/** How a policy explains that the workload it selects cannot be selected or enforced. */
export interface SelectionMessages {
  /** @default 'must be a workload with pod labels' */
  readonly noLabels?: string;
  readonly noLabelsFix: string;
  readonly noSidecar: string;
  readonly noSidecarFix: string;
  /** Appended to the namespace mismatch problem. @default - nothing */
  readonly namespaceWhy?: string;
}

/**
 * The identity and namespace of a policy that selects `workload` (Authorization, PeerAuthentication,
 * RequestAuthentication): the workload needs pod labels and a sidecar (its Envoy enforces the policy), and an
 * explicit namespace must be the workload's, since a selector only matches pods of the policy's own namespace.
 */
export function policyTarget(scope: IConstruct, workload: IMeshPeer | undefined, explicitNamespace: string | undefined, m: SelectionMessages):
{ readonly identity?: MeshIdentity; readonly namespace: string } {
  if (!workload) return { namespace: checkDnsLabel(scope, 'namespace', namespaceOf(scope, explicitNamespace)) };
  const identity = workload.meshIdentity();
  if (!identity.podSelector || Object.keys(identity.podSelector).length === 0) {
    throw meshError(scope, 'workload', m.noLabels ?? 'must be a workload with pod labels', identity.name, m.noLabelsFix);
  }
  checkLabels(scope, 'workload.podSelector', identity.podSelector);
  if (!identity.sidecar) throw meshError(scope, 'workload', m.noSidecar, identity.name, m.noSidecarFix);
  if (explicitNamespace !== undefined && explicitNamespace !== identity.namespace) {
    throw meshError(scope, 'namespace', `must be the namespace of the workload "${identity.name}" ("${identity.namespace}")${m.namespaceWhy ?? ''}`,
      explicitNamespace, 'omit \'namespace\' or pass the workload\'s namespace');
  }
  return { identity, namespace: checkDnsLabel(scope, 'namespace', identity.namespace) };
}
