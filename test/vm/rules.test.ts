import { ApiObject, App, Chart } from 'cdk8s';
import { ratingsVm, vmChart } from './fixtures';
import { analyze, builtinRules, FindingSeverity, SERVICE_ENTRY_WORKLOAD_SELECTOR, WORKLOAD_ENTRY_DNS_ADDRESS } from '../../lib';

/** The VM rules are built in: every synth runs them. */
function findings(chart: Chart, rule: string) {
  return analyze(chart.node.root as App).findings.filter((f) => f.rule === rule);
}

test('the VM rules are built-in rules', () => {
  expect(builtinRules()).toEqual(expect.arrayContaining([SERVICE_ENTRY_WORKLOAD_SELECTOR, WORKLOAD_ENTRY_DNS_ADDRESS]));
});

function serviceEntry(chart: Chart, id: string, spec: Record<string, unknown>): void {
  new ApiObject(chart, id, {
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: id, namespace: 'bookinfo' },
    spec: { hosts: [`${id}.example.internal`], location: 'MESH_INTERNAL', ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }], ...spec },
  } as any);
}

describe('rule service-entry-workload-selector', () => {
  test('has a stable id', () => {
    expect(SERVICE_ENTRY_WORKLOAD_SELECTOR.id).toBe('service-entry-workload-selector');
  });

  test.each([['left out (NONE is the default)', {}, ' (the default)'], ['NONE', { resolution: 'NONE' }, '']])(
    'errors on a workloadSelector with resolution %s', (_name, resolution, suffix) => {
      const chart = vmChart();
      serviceEntry(chart, 'ratings-se', { workloadSelector: { labels: { app: 'ratings' } }, ...resolution });
      const f = findings(chart, 'service-entry-workload-selector');
      expect(f).toHaveLength(1);
      expect(f[0].severity).toBe(FindingSeverity.ERROR);
      expect(f[0].path).toBe('test/ratings-se');
      expect(f[0].message).toBe(`ServiceEntry bookinfo/ratings-se selects workloads {"app":"ratings"} but has resolution NONE${suffix}: Istio forwards each connection to its `
        + 'original destination and ignores the selected WorkloadEntries and pods. Fix: set resolution STATIC (endpoints with IP addresses) or DNS (WorkloadEntries addressed by DNS names).');
    });

  test.each([['STATIC', { resolution: 'STATIC', workloadSelector: { labels: { app: 'ratings' } } }], ['DNS', { resolution: 'DNS', workloadSelector: { labels: { app: 'ratings' } } }],
    ['NONE without selector', { resolution: 'NONE' }]])('passes with %s', (_name, spec) => {
    const chart = vmChart();
    serviceEntry(chart, 'ratings-se', spec);
    expect(findings(chart, 'service-entry-workload-selector')).toEqual([]);
  });
});

describe('rule workload-entry-dns-address', () => {
  test('has a stable id', () => {
    expect(WORKLOAD_ENTRY_DNS_ADDRESS.id).toBe('workload-entry-dns-address');
  });

  test('errors on a VM entry addressed by a DNS name that only the Kubernetes Service selects', () => {
    const chart = vmChart();
    ratingsVm(chart, { entries: [{ address: 'vm-1.example.internal' }] });
    const f = findings(chart, 'workload-entry-dns-address');
    expect(f.map((x) => [x.severity, x.path])).toEqual([[FindingSeverity.ERROR, 'test/ratings/WorkloadEntry-vm-1-example-internal']]);
    expect(f[0].message).toMatch(/^WorkloadEntry bookinfo\/ratings-vm-1-example-internal has the DNS name "vm-1\.example\.internal" as address: .*the Service bookinfo\/ratings selects its labels but ignores it, so no traffic reaches the VM\. Fix: use the VM's IP address/);
  });

  test('passes with an IP address, and with a DNS ServiceEntry selecting the entry', () => {
    const byIp = vmChart();
    ratingsVm(byIp, { entries: [{ address: '10.0.0.12' }, { address: 'fd00::12' }] });
    expect(findings(byIp, 'workload-entry-dns-address')).toEqual([]);
    const byDns = vmChart();
    ratingsVm(byDns, { entries: [{ address: 'vm-1.example.internal' }] });
    serviceEntry(byDns, 'ratings-dns', { resolution: 'DNS', workloadSelector: { labels: { app: 'ratings' } } });
    expect(findings(byDns, 'workload-entry-dns-address')).toEqual([]);
  });
});
