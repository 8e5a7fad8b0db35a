import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { EAST_WEST, ratingsVm, vmChart } from './fixtures';
import { ISTIO_VERSION } from '../../lib/platform/chart-versions';
import { synthesize } from '../../lib/synth/synthesize';
import { OutputLayout } from '../../lib/synth/output-layout';
import { ExternalVmWorkload, ExternalVmWorkloadProps, VmReadinessProbe } from '../../lib/vm';

/** Synthesizes the app of `chart` into a fresh directory; returns it and the files written. */
function synthTo(chart: Chart): { outdir: string; files: readonly string[] } {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-vm-')), 'dist');
  const result = synthesize(chart.node.root as App, { outdir, strict: false });
  return { outdir, files: result.files };
}

function onboarding(props: Partial<ExternalVmWorkloadProps> = {}, build?: (vm: ExternalVmWorkload) => void): { doc: string; outdir: string; files: readonly string[] } {
  const chart = vmChart();
  const vm = ratingsVm(chart, props);
  build?.(vm);
  const out = synthTo(chart);
  return { ...out, doc: fs.readFileSync(path.join(out.outdir, `test/vm/bookinfo/${vm.name}/ONBOARDING.md`), 'utf8') };
}

/** The numbered steps of the document, by number: title line and body up to the next step. */
function steps(doc: string): Map<number, string> {
  const out = new Map<number, string>();
  const parts = doc.split(/\n(?=\d+\. )/);
  for (const p of parts.slice(1)) out.set(Number(/^(\d+)\./.exec(p)![1]), p.split(/\n## /)[0]);
  return out;
}

describe('ExternalVmWorkload onboarding document', () => {
  test('is written to vm/<namespace>/<name>/ONBOARDING.md, outside every kustomization, and names the WorkloadGroup manifest that was written', () => {
    const { doc, files } = onboarding();
    expect(files).toContain('test/vm/bookinfo/ratings/ONBOARDING.md');
    expect(files).toContain('test/bookinfo/workloadgroup-ratings.yaml');
    expect(doc).toContain('| Workload | WorkloadGroup `bookinfo/ratings`, manifest `test/bookinfo/workloadgroup-ratings.yaml` of the output directory |');
    expect(doc).toContain('https://istio.io/latest/docs/setup/install/virtual-machine/');
    // no other external reference
    expect(doc.match(/https?:\/\/[^\s)`]+/g)!.filter((u) => !u.startsWith('https://istio.io/') && !u.startsWith('https://storage.googleapis.com/istio-release/') && !u.includes('.svc'))).toEqual([]);
  });

  test('the istioctl step configures from the manifest with cluster ID and --autoregister; the path points at the real file', () => {
    const { doc, outdir } = onboarding();
    const s = steps(doc);
    expect(s.get(1)).toContain('DIST="dist"');
    expect(s.get(2)).toContain('istioctl x workload entry configure -f "${DIST}/test/bookinfo/workloadgroup-ratings.yaml" -o "${WORK_DIR}" --clusterID "Kubernetes" --autoregister\n');
    expect(s.get(2)).not.toContain('--ingressService');
    const manifest = fs.readFileSync(path.join(outdir, 'test/bookinfo/workloadgroup-ratings.yaml'), 'utf8');
    expect(manifest).toContain('kind: WorkloadGroup');
    expect(manifest).toContain('serviceAccount: bookinfo-ratings');
    expect(s.get(3)).toContain('must print `<east-west gateway address> istiod.istio-system.svc`');
    expect(s.get(3)).toContain('--ingressIP <address of istio-system/istio-eastwestgateway>');
  });

  test('the VM steps: root cert, token, the pinned istio-sidecar package, cluster.env, mesh config, hosts, ownership, firewall, start', () => {
    const s = steps(onboarding().doc);
    expect(s.get(5)).toContain('sudo cp "${HOME}"/root-cert.pem /etc/certs/root-cert.pem');
    expect(s.get(6)).toContain('sudo cp "${HOME}"/istio-token /var/run/secrets/tokens/istio-token');
    expect(s.get(7)).toContain(`curl -LO https://storage.googleapis.com/istio-release/releases/${ISTIO_VERSION}/deb/istio-sidecar.deb\n`);
    expect(s.get(7)).toContain('sudo dpkg -i istio-sidecar.deb');
    expect(s.get(7)).toContain(`curl -LO https://storage.googleapis.com/istio-release/releases/${ISTIO_VERSION}/rpm/istio-sidecar.rpm\n`);
    expect(s.get(7)).toContain('sudo rpm -i istio-sidecar.rpm');
    expect(s.get(8)).toContain('sudo cp "${HOME}"/cluster.env /var/lib/istio/envoy/cluster.env');
    expect(s.get(9)).toContain('sudo cp "${HOME}"/mesh.yaml /etc/istio/config/mesh');
    expect(s.get(10)).toContain('sudo sh -c \'cat $(eval echo ~$SUDO_USER)/hosts >> /etc/hosts\'');
    expect(s.get(11)).toContain('sudo chown -R istio-proxy /var/lib/istio /etc/certs /etc/istio/proxy /etc/istio/config /var/run/secrets /etc/certs/root-cert.pem');
    expect(s.get(12)).toContain('inbound TCP 9080');
    expect(s.get(12)).toContain('sudo ufw allow 9080/tcp');
    expect(s.get(12)).toContain('sudo firewall-cmd --permanent --add-port=9080/tcp');
    expect(s.get(12)).toContain('15021 (health checks), 15020 (merged Prometheus telemetry) and 15090 (Envoy Prometheus telemetry)');
    expect(s.get(13)).toContain('sudo systemctl start istio');
    expect(s.get(10)).toMatch(/^10\. .*\n {4}```bash/); // two-digit steps keep their body aligned
  });

  test('verification: the proxy log, the WorkloadEntry appearing, a call from the VM through the proxy', () => {
    const s = steps(onboarding({ probe: VmReadinessProbe.httpGet(9080, { path: '/health' }) }).doc);
    expect(s.get(14)).toContain('sudo tail /var/log/istio/istio.log');
    expect(s.get(15)).toContain('kubectl -n bookinfo get workloadentries -l app=ratings,version=vm');
    expect(s.get(15)).toContain('An auto-registered entry is named `ratings-<VM IP>-network1`; once the readiness probe passes');
    expect(s.get(16)).toContain('curl -sS http://ratings.bookinfo.svc:9080/');
    expect(s.size).toBe(16);
  });

  test('follows the gateway, cluster and revision of the platform install', () => {
    const { doc } = onboarding({ eastWestGateway: { ...EAST_WEST, namespace: 'istio-gateways', serviceName: 'eastwest', clusterName: 'cluster1', revision: 'canary' } });
    expect(doc).toContain('--clusterID "cluster1" --ingressService eastwest.istio-gateways --revision canary --autoregister');
    expect(doc).toContain('istiod-canary.istio-system.svc');
    expect(doc).toContain('VirtualService `istiod-vs-canary`');
  });

  test('static entries: configure those VMs without --autoregister; ports without HTTP are checked with nc', () => {
    const { doc } = onboarding({ ports: [{ name: 'tcp-db', port: 3306 }] }, (vm) => vm.addStaticEntry({ address: '10.0.0.12' }));
    expect(doc).toContain('For a VM listed as a static WorkloadEntry (`ratings-10-0-0-12` 10.0.0.12), leave out `--autoregister`:');
    expect(doc).toContain('--clusterID "Kubernetes"\n   ```');
    expect(doc).toContain('nc -vz ratings.bookinfo.svc 3306');
    expect(doc).toContain('sudo ufw allow 3306/tcp');
  });

  test('as a version of an app without own ports: the firewall step names the app\'s Service', () => {
    const chart = vmChart();
    const host = { name: 'ratings', namespace: 'bookinfo', host: 'ratings.bookinfo.svc.cluster.local', labels: { app: 'ratings' }, versionNames: ['v1'], node: new Chart(chart, 'x').node };
    const vm = new ExternalVmWorkload(chart, 'ratings-vm', { eastWestGateway: EAST_WEST, versionOf: host as any });
    vm.bindVersionHost(host as any);
    const { outdir } = synthTo(chart);
    const doc = fs.readFileSync(path.join(outdir, 'test/vm/bookinfo/ratings-vm/ONBOARDING.md'), 'utf8');
    expect(doc).toContain('inbound the targetPorts of the Service ratings.bookinfo.svc.cluster.local');
    expect(doc).toContain('-l app=ratings,version=vm');
  });

  test('VMs without the proxy: no installation, only the firewall and a check', () => {
    const { doc } = onboarding({ sidecar: false, serviceAccountName: undefined, entries: [{ address: '10.0.0.12' }] });
    expect(doc).toContain('These VMs run without the Istio proxy');
    expect(doc).toContain('1. Open the firewall of each VM (10.0.0.12) for the mesh: inbound TCP 9080.');
    expect(doc).not.toContain('istioctl');
    expect(doc).not.toContain('systemctl');
  });

  test('each chart writes its documents into its own folder: the same VM in two charts (two clusters) does not clash', () => {
    const chart = vmChart();
    ratingsVm(chart);
    new ExternalVmWorkload(new Chart(chart.node.root as App, 'other', { namespace: 'bookinfo' }), 'ratings', {
      eastWestGateway: EAST_WEST, ports: [{ name: 'http', port: 9080 }],
    });
    const docs = OutputLayout.documents(chart).map(([p]) => p);
    expect(docs).toEqual(['other/vm/bookinfo/ratings/ONBOARDING.md', 'test/vm/bookinfo/ratings/ONBOARDING.md']);
  });

  test('fails at synthesis when two documents would have one path', () => {
    const chart = vmChart();
    OutputLayout.addDocument(chart, 'vm/x.md', () => 'a');
    OutputLayout.addDocument(new Chart(chart.node.root as App, 'b'), 'vm/x.md', () => 'b');
    OutputLayout.addDocument(chart, 'vm/x.md', () => 'c');
    expect(() => OutputLayout.documents(chart)).toThrow(/the document .* is already written by test\. Fix: give one of them another name\./);
  });

});
