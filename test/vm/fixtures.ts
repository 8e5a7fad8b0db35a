/**
 * Shared set-up of the VM suites: the east-west gateway `enableVmWorkloads()` returns, and S9's names.
 */
import { Chart, Testing } from 'cdk8s';
import type { EastWestGateway } from '../../lib/platform';
import { EastWestGatewayInfo, ExternalVmWorkload, ExternalVmWorkloadProps, IstiodExposure } from '../../lib/vm';

/** The east-west gateway of MeshPlatform.enableVmWorkloads() with network "network1" (without its HelmRelease). */
export const EAST_WEST: EastWestGatewayInfo = {
  selector: { istio: 'eastwestgateway' },
  namespace: 'istio-system',
  serviceName: 'istio-eastwestgateway',
  network: 'network1',
};

/** A chart named `test` in namespace `bookinfo`, with the IstiodExposure of EAST_WEST in a chart `mesh`. */
export function vmChart(options: { exposure?: boolean; namespace?: string } = {}): Chart {
  const app = Testing.app();
  if (options.exposure ?? true) new IstiodExposure(new Chart(app, 'mesh'), 'istiod', { eastWestGateway: EAST_WEST });
  return new Chart(app, 'test', { namespace: options.namespace ?? 'bookinfo' });
}

/** S9: the WorkloadGroup `ratings` (ServiceAccount bookinfo-ratings) with a Service on 9080. */
export function ratingsVm(chart: Chart, props: Partial<ExternalVmWorkloadProps> = {}): ExternalVmWorkload {
  return new ExternalVmWorkload(chart, 'ratings', {
    eastWestGateway: EAST_WEST,
    serviceAccountName: 'bookinfo-ratings',
    ports: [{ name: 'http', port: 9080 }],
    ...props,
  });
}

/** Compile-time check (tsc): what `MeshPlatform.enableVmWorkloads()` returns is accepted as the east-west gateway as is. */
export const fromPlatform = (gateway: EastWestGateway): EastWestGatewayInfo => gateway;
