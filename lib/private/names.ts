import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { meshError } from './errors';

/**
 * Context key for the cluster DNS domain (kubelet `--cluster-domain`, Istio `global.proxy.clusterDomain`), read by every
 * construct that renders a Service FQDN. Set it on the App (or on a scope before its children are added):
 * `app.node.setContext(CLUSTER_DOMAIN_CONTEXT, 'k8s.example.com')`. Separate from the trust domain (SPIFFE identities).
 */
export const CLUSTER_DOMAIN_CONTEXT = 'cdk8s-mesh:clusterDomain';

/** Kubernetes' default cluster DNS domain. */
export const CLUSTER_DOMAIN = 'cluster.local';

const DOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The cluster DNS domain of `scope`: the context value `cdk8s-mesh:clusterDomain`, else `cluster.local`. */
export function clusterDomainOf(scope: IConstruct): string {
  const value: unknown = scope.node.tryGetContext(CLUSTER_DOMAIN_CONTEXT);
  return value === undefined ? CLUSTER_DOMAIN : checkClusterDomain(scope, `context ${CLUSTER_DOMAIN_CONTEXT}`, value);
}

/** Throws unless `value` is a cluster DNS domain (a DNS name, without the `svc.` part). */
export function checkClusterDomain(scope: IConstruct, field: string, value: unknown): string {
  if (typeof value !== 'string' || !DOMAIN.test(value) || value.length > 253 || value.startsWith('svc.')) {
    throw meshError(scope, field, "must be a DNS domain without the 'svc.' part (lower case letters, digits, '-' and '.')",
      value, "pass the kubelet's --cluster-domain, e.g. 'cluster.local' or 'k8s.example.com'");
  }
  return value;
}

/** `<name>.<namespace>.svc.<cluster domain of scope>` */
export function serviceFqdn(scope: IConstruct, name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${clusterDomainOf(scope)}`;
}

/** The namespace a construct lands in: an explicit value, else its chart's namespace, else 'default'. */
export function namespaceOf(scope: IConstruct, explicit?: string): string {
  return explicit ?? Chart.of(scope).namespace ?? 'default';
}
