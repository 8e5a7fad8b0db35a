import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lib from '../lib';

const exported = Object.keys(lib);

describe('the public API (lib/index.ts)', () => {
  test('exports the four product constructs and the entry points', () => {
    for (const name of ['MeshApp', 'CanaryRelease', 'StrictMtlsNamespace', 'synthesize', 'runSynthesis', 'AnalyzedApp', 'MeshTesting', 'GitOpsCluster', 'MeshPlatform']) {
      expect(exported).toContain(name);
    }
  });

  test('exports no internal helper', () => {
    const internal = ['renderHttpRoute', 'renderTrafficPolicy', 'addHttpsServer', 'addTlsPassthroughServer', 'renderFiles', 'replaceDirectory',
      'writeOutputDirectory', 'checkOutputDirectory', 'OutputLayout', 'markImage', 'addFieldComment', 'meshError', 'addWarning', 'FLUX_NAMESPACE',
      'renderSourceRef', 'fluxDuration', 'policyTarget', 'recordRelation', 'allowEgress', 'convertRoute'];
    expect(exported.filter((n) => internal.includes(n))).toEqual([]);
  });

  test('every export is defined (no type re-exported as a value)', () => {
    expect(exported.filter((n) => (lib as Record<string, unknown>)[n] === undefined)).toEqual([]);
  });

  test('index.ts re-exports only: no declarations of its own', () => {
    const src = fs.readFileSync(path.join(__dirname, '..', 'lib', 'index.ts'), 'utf8');
    const code = src.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('//'));
    expect(code.filter((l) => !/^export (\*|\{|type \{)|^ {2}|^\} from/.test(l))).toEqual([]);
  });

  test('no @internal symbol is reachable from the index', () => {
    // Every name the index exports is declared somewhere under lib/ without an @internal tag.
    const internalNames = new Set<string>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) {
          const src = fs.readFileSync(p, 'utf8');
          for (const m of src.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*?)\*\/\s*export (?:declare )?(?:abstract )?(?:class|function|const|enum) (\w+)/g)) {
            if (m[1].includes('@internal')) internalNames.add(m[2]);
          }
        }
      }
    };
    walk(path.join(__dirname, '..', 'lib'));
    expect(internalNames.size).toBeGreaterThan(0);
    expect(exported.filter((n) => internalNames.has(n))).toEqual([]);
  });
});
