import { IConstruct } from 'constructs';
import type { EgressGrant, ServiceEntry } from '../traffic/service-entry';
import { MeshNamespace } from './mesh-namespace';
import { meshError } from '../private/errors';

/** The MeshNamespace of `namespace` that restricts egress with a Sidecar, if the app defines one. */
function egressRestriction(scope: IConstruct, namespace: string): MeshNamespace | undefined {
  return scope.node.root.node.findAll()
    .find((c): c is MeshNamespace => c instanceof MeshNamespace && c.name === namespace && c.sidecar !== undefined);
}

/**
 * Lets workloads in `namespace` reach `service`: checks that the ServiceEntry is exported to the namespace and adds
 * its hosts to the namespace's Sidecar egress (MeshNamespace `restrictEgress`). The Sidecar is namespace-wide, so the
 * grant applies to every workload of the namespace. A namespace defined after the call is found at synthesis.
 */
export function allowEgress(scope: IConstruct, field: string, namespace: string, service: ServiceEntry): EgressGrant {
  if (!service.isVisibleFrom(namespace)) {
    throw meshError(scope, field, `is not exported to namespace "${namespace}" (exportTo of ServiceEntry ${service.namespace}/${service.name})`, service.name,
      `add ExportTo.namespace("${namespace}") to the ServiceEntry's exportTo, or leave exportTo unset`);
  }
  const hosts = service.egressHosts;
  const now = egressRestriction(scope, namespace);
  if (now) {
    now.addEgressHosts(...hosts);
  } else {
    // The namespace may be defined after this call: add the hosts before rendering (validation runs first;
    // the Sidecar's egress list is rendered lazily). Nothing to do when egress is not restricted.
    scope.node.addValidation({
      validate: () => {
        egressRestriction(scope, namespace)?.addEgressHosts(...hosts);
        return [];
      },
    });
  }
  return { service, hosts };
}
