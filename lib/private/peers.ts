import { Construct, IConstruct } from 'constructs';
import { DEFAULT_TRUST_DOMAIN, IMeshPeer, MeshIdentity, TRUST_DOMAIN_CONTEXT } from '../mesh-peer';

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
