// VMs in the mesh (Istio's VM integration): the public API of lib/vm. Everything under lib/vm/private is internal.
export { ExternalVmWorkload, type ExternalVmWorkloadProps, type VmPort, type VmStaticEntry } from './external-vm-workload';
export { type EastWestGatewayInfo, IstiodExposure, type IstiodExposureProps } from './istiod-exposure';
export { VmReadinessProbe, type VmGrpcProbeOptions, type VmHttpGetProbeOptions, type VmProbeOptions } from './vm-readiness-probe';
export { SERVICE_ENTRY_WORKLOAD_SELECTOR, VM_RULES, WORKLOAD_ENTRY_DNS_ADDRESS } from './rules';
