import { IConstruct } from 'constructs';
import { CLUSTER_DOMAIN, CLUSTER_DOMAIN_CONTEXT, clusterDomainOf, serviceFqdn } from '../private/names';

/*
 * The cluster DNS domain, public face. Every construct that renders a Service FQDN (`<name>.<namespace>.svc.<domain>`)
 * reads the context key `cdk8s-mesh:clusterDomain`; MeshPlatform passes the same value to istiod
 * (`global.proxy.clusterDomain`), and the analysis resolves hosts with it. The trust domain (SPIFFE principals,
 * `cdk8s-mesh:trustDomain`) is a different setting.
 */

export { CLUSTER_DOMAIN_CONTEXT };

/** Kubernetes' default cluster DNS domain, `cluster.local`. */
export const DEFAULT_CLUSTER_DOMAIN = CLUSTER_DOMAIN;

/**
 * The cluster DNS domain constructs under `scope` render hosts in: the context value `cdk8s-mesh:clusterDomain`,
 * else `cluster.local`. Throws when the context value is not a DNS domain.
 */
export function clusterDomain(scope: IConstruct): string {
  return clusterDomainOf(scope);
}

/**
 * The fully-qualified host of a Service, `<name>.<namespace>.svc.<cluster domain>`, in the cluster domain of `scope`:
 * for URLs and hosts of Services the library does not build (MeshApp has `host`).
 *
 *   kplus.EnvValue.fromValue(`http://${serviceHost(chart, 'customers', 'default')}`)
 */
export function serviceHost(scope: IConstruct, name: string, namespace: string): string {
  return serviceFqdn(scope, name, namespace);
}
