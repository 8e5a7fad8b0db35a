/**
 * Mermaid's own parser, in a node test.
 *
 * The `mermaid` package is ES modules only, and its sanitizer (DOMPurify) needs a DOM. So the tests load its
 * self-contained browser bundle (`mermaid/dist/mermaid.js`, which sets `window.mermaid`) into a jsdom window of its
 * own, the way a page would, and call `mermaid.parse()`: the flowchart grammar and its database, so unknown syntax,
 * out-of-range `linkStyle` indexes and bad `class`/`style` statements throw. The test itself stays in jest's node
 * environment (jsdom as the test environment would resolve packages with their browser exports and lacks
 * `structuredClone`). Offline: nothing is fetched.
 */
import * as fs from 'node:fs';

interface Mermaid {
  initialize(config: object): void;
  parse(text: string, options?: { suppressErrors?: boolean }): Promise<{ diagramType: string } | false>;
}

// jsdom's types are not installed (the project's tsconfig has no DOM lib): the one constructor used, typed here.
const { JSDOM } = require('jsdom') as { JSDOM: new (html: string, options: object) => { window: { document: any; mermaid?: Mermaid } } };

let loaded: Mermaid | undefined;

export function mermaidParser(): Mermaid {
  if (loaded) return loaded;
  // The bundle declares its module registry with a top-level `var` and reads it back from globalThis: it must run
  // as a classic script of the page (a script element; `window.eval` keeps the `var` out of globalThis).
  const { window } = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>', { runScripts: 'dangerously', pretendToBeVisual: true });
  const script = window.document.createElement('script');
  script.textContent = fs.readFileSync(require.resolve('mermaid/dist/mermaid.js'), 'utf8');
  window.document.head.appendChild(script);
  const m = window.mermaid;
  if (!m) throw new Error('mermaid/dist/mermaid.js did not define window.mermaid');
  m.initialize({ startOnLoad: false, securityLevel: 'strict' });
  loaded = m;
  return m;
}

/** Mermaid's verdict on `text`: the diagram type, or the parser's error message prefixed with `error: `. */
export async function mermaidParse(text: string): Promise<string> {
  try {
    const result = await mermaidParser().parse(text);
    return result ? result.diagramType : 'not a diagram';
  } catch (e) {
    // Errors come from the jsdom window's realm: read the message rather than relying on instanceof.
    return `error: ${String((e as { message?: unknown })?.message ?? e)}`;
  }
}

/** The Mermaid source inside the first ```mermaid fence of a Markdown document. */
export function mermaidBlock(markdown: string): string {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  if (!m) throw new Error('no ```mermaid block in the document');
  return m[1];
}
