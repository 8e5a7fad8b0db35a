import { IConstruct } from 'constructs';
import type { EgressGrant, ServiceEntry } from '../traffic/service-entry';
import { meshError } from '../private/errors';
import { meshScopeOf } from '../private/mesh-scope';

/** One `allowEgress()` call: hosts the workloads of a namespace may reach. */
export interface RecordedEgressGrant {
  readonly namespace: string;
  readonly hosts: readonly string[];
  /** Position of the call among egress changes of the process (see `egressSequence()`). */
  readonly sequence: number;
}

/** Grants per App root. MeshNamespace reads the grants for its namespace when it renders its Sidecar. */
const GRANTS = new WeakMap<IConstruct, RecordedEgressGrant[]>();
let sequence = 0;

/** A number that increases with each egress change (grant, `addEgressHosts()`, namespace creation): it orders them. */
export function egressSequence(): number {
  return ++sequence;
}

/**
 * Lets workloads in `namespace` reach `service`: checks that the ServiceEntry is exported to the namespace and records
 * the grant for the App. A MeshNamespace of that namespace that restricts egress (Sidecar `default`) adds the
 * service's hosts to its egress list when it renders, whether it is defined before or after this call; without such
 * a namespace the grant changes nothing. Nothing is mutated here or during validation.
 */
export function allowEgress(scope: IConstruct, field: string, namespace: string, service: ServiceEntry): EgressGrant {
  if (!service.isVisibleFrom(namespace)) {
    throw meshError(scope, field, `is not exported to namespace "${namespace}" (exportTo of ServiceEntry ${service.namespace}/${service.name})`, service.name,
      `add ExportTo.namespace("${namespace}") to the ServiceEntry's exportTo, or leave exportTo unset`);
  }
  const hosts = service.egressHosts;
  const root = meshScopeOf(scope);
  const list = GRANTS.get(root) ?? [];
  GRANTS.set(root, list);
  list.push({ namespace, hosts: [...hosts], sequence: egressSequence() });
  return { service, hosts };
}

/** The grants recorded for `namespace` in the App of `scope`, in call order. */
export function egressGrantsFor(scope: IConstruct, namespace: string): readonly RecordedEgressGrant[] {
  return (GRANTS.get(meshScopeOf(scope)) ?? []).filter((g) => g.namespace === namespace);
}
