import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** Cluster DNS suffix used in fully-qualified service hosts. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** `<name>.<namespace>.svc.cluster.local` */
export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** The namespace a construct lands in: an explicit value, else its chart's namespace, else 'default'. */
export function namespaceOf(scope: IConstruct, explicit?: string): string {
  return explicit ?? Chart.of(scope).namespace ?? 'default';
}
