import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parseDocument } from 'yaml';
import { ImagePolicy, ImagePolicyChoice, ImageRepository, synthesize } from '../../lib';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-image-automation-'));
}

/** The program: a Deployment whose image Flux's automation updates. */
function program(image = 'ghcr.io/acme/web:1.0.0', containerName?: string): { app: App; policy: ImagePolicy } {
  const app = new App();
  const flux = new Chart(app, 'flux', { namespace: 'flux-system' });
  const repo = new ImageRepository(flux, 'web-repo', { name: 'web', image: 'ghcr.io/acme/web' });
  const policy = new ImagePolicy(flux, 'web-policy', { name: 'web', imageRepository: repo, policy: ImagePolicyChoice.semver('>=1.0.0') });
  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  const deployment = new kplus.Deployment(shop, 'web', {
    metadata: { name: 'web' },
    containers: [{ name: 'sidekick', image: 'ghcr.io/acme/sidekick:2.0.0', portNumber: 9000 }, { name: 'web', image, portNumber: 8080 }],
  });
  policy.updateImageOf(deployment, { containerName: containerName ?? 'web' });
  return { app, policy };
}

const file = (outdir: string) => path.join(outdir, 'shop/shop/deployment-web.yaml');

describe('image automation setter markers', () => {
  test('the marker sits at the end of the image line, exactly as Flux reads it', () => {
    const outdir = path.join(tmp(), 'dist');
    synthesize(program().app, { outdir });
    const text = fs.readFileSync(file(outdir), 'utf8');
    expect(text).toMatch(/\n +- image: ghcr\.io\/acme\/web:1\.0\.0 # \{"\$imagepolicy": "flux-system:web"\}\n/);
    expect(text.match(/\$imagepolicy/g)).toHaveLength(1); // the other container is not marked
    // kyaml reads the marker from the scalar's line comment: it must parse as that, with valid JSON
    const doc = parseDocument(text);
    const node: any = doc.getIn(['spec', 'template', 'spec', 'containers', 1, 'image'], true);
    expect(JSON.parse(node.comment)).toEqual({ $imagepolicy: 'flux-system:web' });
    expect(doc.toJS().spec.template.spec.containers[1].image).toBe('ghcr.io/acme/web:1.0.0');
  });

  test('round trip: a tag committed by Flux survives the next synth; the program still owns everything else', () => {
    const outdir = path.join(tmp(), 'dist');
    synthesize(program().app, { outdir });
    // what Flux's setter does: rewrite the marked scalar in place, keep the comment
    const before = fs.readFileSync(file(outdir), 'utf8');
    fs.writeFileSync(file(outdir), before.replace('image: ghcr.io/acme/web:1.0.0 #', 'image: ghcr.io/acme/web:1.3.1 #'));
    synthesize(program().app, { outdir });
    const after = fs.readFileSync(file(outdir), 'utf8');
    expect(after).toContain('image: ghcr.io/acme/web:1.3.1 # {"$imagepolicy": "flux-system:web"}');
    expect(after).toBe(before.replace('ghcr.io/acme/web:1.0.0', 'ghcr.io/acme/web:1.3.1'));
    // and once more: stable
    synthesize(program().app, { outdir });
    expect(fs.readFileSync(file(outdir), 'utf8')).toBe(after);
  });

  test('the program wins when it names another image repository', () => {
    const outdir = path.join(tmp(), 'dist');
    synthesize(program().app, { outdir });
    fs.writeFileSync(file(outdir), fs.readFileSync(file(outdir), 'utf8').replace('web:1.0.0 #', 'web:1.3.1 #'));
    synthesize(program('ghcr.io/acme/web-next:2.0.0').app, { outdir });
    expect(fs.readFileSync(file(outdir), 'utf8')).toContain('image: ghcr.io/acme/web-next:2.0.0 # {"$imagepolicy": "flux-system:web"}');
  });

  test('without a committed file the program\'s tag is written', () => {
    const outdir = path.join(tmp(), 'dist');
    synthesize(program('ghcr.io/acme/web:1.1.0').app, { outdir });
    expect(fs.readFileSync(file(outdir), 'utf8')).toContain('image: ghcr.io/acme/web:1.1.0 #');
  });

  test('fails for a container name the workload does not have', () => {
    expect(() => program('ghcr.io/acme/web:1.0.0', 'nope'))
      .toThrow(/\[flux\/web-policy\] 'updateImageOf\(shop\/web\)' must name a workload with a pod template and a container of that name, got "nope"\. Fix:/);
  });

  test('a synth into another directory keeps the committed tag when told where the committed output is', () => {
    const outdir = path.join(tmp(), 'dist');
    synthesize(program().app, { outdir });
    fs.writeFileSync(file(outdir), fs.readFileSync(file(outdir), 'utf8').replace('web:1.0.0 #', 'web:1.3.1 #'));
    const scratch = path.join(tmp(), 'dist');
    synthesize(program().app, { outdir: scratch });
    expect(fs.readFileSync(file(scratch), 'utf8')).toContain('image: ghcr.io/acme/web:1.0.0 #'); // without: the program's tag
    synthesize(program().app, { outdir: scratch, committedOutdir: outdir });
    expect(fs.readFileSync(file(scratch), 'utf8')).toBe(fs.readFileSync(file(outdir), 'utf8'));
  });
});
