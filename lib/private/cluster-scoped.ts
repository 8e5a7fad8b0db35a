import { ApiObject, Chart, JsonPatch } from 'cdk8s';

/**
 * cdk8s copies a chart's namespace onto every object (cdk8s-team/cdk8s-core ApiObject constructor); a
 * cluster-scoped object must not carry one, so the patch removes it again.
 */
export function clusterScoped(obj: ApiObject): void {
  if (Chart.of(obj).namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}
