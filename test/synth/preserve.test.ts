import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeOutputDirectory } from '../../lib/synth/write';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-preserve-test-'));
}

describe('writeOutputDirectory preserve (folders owned by flux bootstrap)', () => {
  const preserve = ['clusters/staging/flux-system'];

  test('carries a preserved folder of the previous output over unchanged, and replaces everything else', () => {
    const outdir = path.join(tmp(), 'dist');
    writeOutputDirectory(outdir, new Map([['clusters/staging/apps.yaml', 'a: 1\n'], ['apps/staging/x.yaml', 'x: 1\n']]), { preserve });
    // flux bootstrap commits its files into the cluster folder
    const fluxSystem = path.join(outdir, 'clusters/staging/flux-system');
    fs.mkdirSync(fluxSystem);
    fs.writeFileSync(path.join(fluxSystem, 'gotk-sync.yaml'), 'kind: GitRepository\n');
    fs.writeFileSync(path.join(fluxSystem, 'kustomization.yaml'), 'resources: [gotk-sync.yaml]\n');
    writeOutputDirectory(outdir, new Map([['clusters/staging/apps.yaml', 'a: 2\n']]), { preserve });
    expect(fs.readFileSync(path.join(fluxSystem, 'gotk-sync.yaml'), 'utf8')).toBe('kind: GitRepository\n');
    expect(fs.readFileSync(path.join(fluxSystem, 'kustomization.yaml'), 'utf8')).toBe('resources: [gotk-sync.yaml]\n');
    expect(fs.readFileSync(path.join(outdir, 'clusters/staging/apps.yaml'), 'utf8')).toBe('a: 2\n');
    expect(fs.existsSync(path.join(outdir, 'apps/staging/x.yaml'))).toBe(false);
  });

  test('without the option the same folder is not carried over', () => {
    const outdir = path.join(tmp(), 'dist');
    writeOutputDirectory(outdir, new Map([['clusters/staging/apps.yaml', 'a: 1\n']]));
    fs.mkdirSync(path.join(outdir, 'clusters/staging/flux-system'));
    fs.writeFileSync(path.join(outdir, 'clusters/staging/flux-system/gotk-sync.yaml'), 'x: 1\n');
    writeOutputDirectory(outdir, new Map([['clusters/staging/apps.yaml', 'a: 1\n']]));
    expect(fs.existsSync(path.join(outdir, 'clusters/staging/flux-system'))).toBe(false);
  });

  test.each([['../x'], ['/abs'], ['a//b'], ['']])('fails for the preserved folder %j, nothing written', (dir) => {
    const parent = tmp();
    expect(() => writeOutputDirectory(path.join(parent, 'dist'), new Map([['a/b.yaml', 'x: 1\n']]), { preserve: [dir] }))
      .toThrow(/is not a plain relative path\. Fix:/);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  test('fails when a new file would be written into a preserved folder', () => {
    const parent = tmp();
    expect(() => writeOutputDirectory(path.join(parent, 'dist'), new Map([['clusters/staging/flux-system/x.yaml', 'x: 1\n']]), { preserve }))
      .toThrow(/"clusters\/staging\/flux-system\/x.yaml" would be written into the preserved folder "clusters\/staging\/flux-system"/);
    expect(fs.readdirSync(parent)).toEqual([]);
  });
});
