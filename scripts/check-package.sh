#!/usr/bin/env bash
# Proves the published package the way a platform team uses it: packs cdk8s-mesh, creates an app with the cdk8s
# CLI's own `cdk8s init typescript-app` (TypeScript 5, ts-node, ts-jest), installs cdk8s-plus-28 and the tarball
# from npm, and runs the template's own scripts on a small app that uses MeshApp and StrictMtlsNamespace.
#
#   bash scripts/check-package.sh        # npm run check-package; KEEP=1 keeps the scratch app
#
# One line per step; exits non-zero on the first failure and prints the end of that step's log.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-mesh-check.XXXXXX")
app="$work/app"
logs="$work/logs"
mkdir -p "$app" "$logs"
finish() {
  local rc=$?
  if [ "$rc" -ne 0 ] || [ -n "${KEEP:-}" ]; then echo "scratch app and logs kept in $work"; else rm -rf "$work"; fi
}
trap finish EXIT

# Offline-friendly and quiet: no upgrade check of the cdk8s CLI (it asks the registry over plain http and prints a
# stack trace when that fails), npm from its cache first, no audit or funding requests.
export CDK8S_CHECK_UPGRADE=false npm_config_prefer_offline=true npm_config_audit=false npm_config_fund=false \
  npm_config_update_notifier=false

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
fail() { echo "FAIL $1"; [ -f "$logs/$2.log" ] && tail -n 40 "$logs/$2.log" | sed 's/^/     | /'; exit 1; }
# run NAME COMMAND...: runs COMMAND in the scratch app with its output in $logs/NAME.log.
run() {
  local name=$1; shift
  (cd "$app" && "$@") >"$logs/$name.log" 2>&1
}
# kinds DIR: the kinds of the objects in DIR/*.yaml, sorted and unique, on one line.
kinds() { cat "$1"/*.yaml | sed -n 's/^kind: *//p' | sort -u | tr '\n' ' '; }
expect_kinds() {
  local dir=$1 step=$2 k
  k=$(kinds "$dir" 2>/dev/null || true)
  for want in Deployment Service PeerAuthentication; do
    [[ " $k" == *" $want "* ]] || { echo "$dir has no $want (kinds: ${k:-none})" >>"$logs/$step.log"; fail "$step: $dir has no $want" "$step"; }
  done
}

# ---- 1. pack ----
t=$(now)
npm pack --pack-destination "$work" --json >"$logs/pack.json" 2>"$logs/pack.log" || fail "npm pack" pack
tgz="$work/$(node -p 'require(process.argv[1])[0].filename' "$logs/pack.json")"
# Only the library: compiled lib/ and imports/ (JavaScript + declarations), README, LICENSE, package.json.
tar -tzf "$tgz" | sort >"$logs/tarball.txt"
stray=$(grep -Ev '^package/(package\.json|README\.md|LICENSE[^/]*|build/lib/.+\.(js|d\.ts)|build/imports/[^/]+\.(js|d\.ts))$' "$logs/tarball.txt" || true)
[ -z "$stray" ] || { echo "$stray" >"$logs/pack-contents.log"; fail "tarball holds files that are not the library" pack-contents; }
for f in build/lib/index.js build/lib/index.d.ts; do
  grep -qx "package/$f" "$logs/tarball.txt" || { echo "missing $f" >"$logs/pack-contents.log"; fail "tarball has no $f" pack-contents; }
done
echo "ok   pack: $(basename "$tgz"), $(node -p 'const r = require(process.argv[1])[0]; `${(r.size / 1024).toFixed(0)} kB, ${r.entryCount} files, ${(r.unpackedSize / 1048576).toFixed(1)} MB unpacked`' "$logs/pack.json") ($(took "$t"))"

# ---- 2. cdk8s init typescript-app ----
# The template's post-install hook runs npm install, then `cdk8s import` of the k8s API, whose schema the CLI
# downloads from raw.githubusercontent.com (no copy ships with the CLI). Where that host cannot be reached, the
# import fails and the hook stops after npm install; the app itself is complete (the template imports nothing),
# and the steps the hook would run next (compile, test, synth) run below on the real app anyway.
t=$(now)
if run init "$root/node_modules/.bin/cdk8s" init typescript-app; then
  note=""
elif grep -q 'Could not find a schema for k8s version' "$logs/init.log" && [ -f "$app/node_modules/cdk8s/package.json" ] \
  && [ -f "$app/node_modules/.bin/ts-node" ] && [ -f "$app/node_modules/.bin/jest" ]; then
  note=", k8s import skipped: its schema is downloaded from GitHub, unreachable here"
else
  fail "cdk8s init typescript-app" init
fi
echo "ok   init: cdk8s init typescript-app (cdk8s $(node -p 'require(process.argv[1]).version' "$app/node_modules/cdk8s/package.json"), typescript $(node -p 'require(process.argv[1]).version' "$app/node_modules/typescript/package.json")$note) ($(took "$t"))"

# ---- 3. install cdk8s-plus-28 and the tarball ----
t=$(now)
plus=$(node -p 'require("./package.json").peerDependencies["cdk8s-plus-28"]')
run install npm install "$tgz" "cdk8s-plus-28@$plus" || fail "npm install the tarball and cdk8s-plus-28@$plus" install
# One cdk8s and one constructs in the app: the library must use the app's copies (peer dependencies).
run install-dedupe node -e '
  const mesh = require.resolve("cdk8s-mesh/package.json");
  for (const m of ["cdk8s", "constructs", "cdk8s-plus-28"]) {
    const own = require.resolve(m), lib = require.resolve(m, { paths: [mesh] });
    if (own !== lib) throw new Error(`cdk8s-mesh resolves its own ${m} (${lib}), not the app one (${own})`);
  }' || fail "the library uses the app's cdk8s, constructs and cdk8s-plus-28" install-dedupe
run install-ls npm ls cdk8s-mesh cdk8s cdk8s-plus-28 constructs || fail "npm ls (peer dependencies)" install-ls
echo "ok   install: npm install <tarball> cdk8s-plus-28@$plus ($(took "$t"))"

# ---- 4. the app: main.ts and the template's test file with a snapshot test ----
cat >"$app/main.ts" <<'EOF'
import { Construct } from 'constructs';
import { Chart, ChartProps } from 'cdk8s';
import { AnalyzedApp, MeshApp, StrictMtlsNamespace } from 'cdk8s-mesh';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, { namespace: 'shop', ...props });

    new StrictMtlsNamespace(this, 'ns', { name: 'shop' });
    new MeshApp(this, 'web', {
      ports: [{ name: 'http', port: 80, targetPort: 9898 }],
      versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }],
    });
  }
}

// The template's main.ts with one change: AnalyzedApp instead of App (analysis + atomic write on synth()).
const app = new AnalyzedApp();
new MyChart(app, 'shop');
app.synth();
EOF
cat >"$app/main.test.ts" <<'EOF'
import {MyChart} from './main';
import {ApiObject, Chart, Testing} from 'cdk8s';
import {MeshApp, MeshTesting, SynthesisError} from 'cdk8s-mesh';

describe('cdk8s-mesh', () => {
  test('a MeshApp in a StrictMtlsNamespace', () => {
    const app = Testing.app();
    const chart = new MyChart(app, 'test-chart');
    const results = MeshTesting.synth(chart);
    expect(results.map((o: any) => o.kind)).toEqual(expect.arrayContaining(['Namespace', 'PeerAuthentication', 'AuthorizationPolicy', 'Deployment', 'Service']));
    expect(results).toMatchSnapshot();
  });

  test('the analysis fails a chart that plain Testing.synth passes', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'dup', { namespace: 'shop' });
    new MeshApp(chart, 'web', { ports: [{ name: 'http', port: 80, targetPort: 9898 }], versions: [{ name: 'v1', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }] });
    // A Service of the same name, written by hand in another chart: cdk8s writes both, the analysis refuses the duplicate.
    new ApiObject(new Chart(app, 'dup2', { namespace: 'shop' }), 'web', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
    expect(Testing.synth(chart).length).toBeGreaterThan(0);
    expect(() => MeshTesting.synth(chart)).toThrow(SynthesisError);
  });
});
EOF
rm -rf "$app/__snapshots__" "$app/dist" # the template's placeholder snapshot and output

# ---- 5. npx cdk8s synth (cdk8s.yaml: npx ts-node main.ts) ----
t=$(now)
run synth npx cdk8s synth || fail "npx cdk8s synth" synth
expect_kinds "$app/dist" synth
echo "ok   synth: npx cdk8s synth -> dist/: $(kinds "$app/dist")($(took "$t"))"

# ---- 6. jest through the template's ts-jest: write the snapshot, then match it ----
t=$(now)
run test-update npm test -- -u || fail "npm test -- -u" test-update
grep -q 'Tests: *2 passed, 2 total' "$logs/test-update.log" || fail "npm test -- -u ran no test" test-update
run test npm test -- --ci || fail "npm test -- --ci (snapshot)" test
grep -q 'Snapshots: *1 passed, 1 total' "$logs/test.log" || fail "npm test -- --ci did not match the snapshot" test
echo "ok   test: npm test (ts-jest), snapshot written then matched ($(took "$t"))"

# ---- 7. tsc with the template's tsconfig, then the emitted JavaScript ----
t=$(now)
rm -rf "$app/dist"
run compile npm run compile || fail "npm run compile (tsc --build)" compile
run node-main node main.js || fail "node main.js" node-main
expect_kinds "$app/dist" node-main
echo "ok   compile: npm run compile (tsc --build) && node main.js ($(took "$t"))"

# ---- 8. the declarations under stricter or looser consumer settings (skipLibCheck off) ----
t=$(now)
cat >"$app/tsconfig.loose.json" <<'EOF'
{ "extends": "./tsconfig.json", "compilerOptions": { "noEmit": true, "skipLibCheck": false, "strict": false, "alwaysStrict": false,
  "noImplicitAny": false, "noImplicitThis": false, "strictNullChecks": false, "strictPropertyInitialization": false } }
EOF
cat >"$app/tsconfig.exact.json" <<'EOF'
{ "extends": "./tsconfig.json", "compilerOptions": { "noEmit": true, "skipLibCheck": false,
  "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true } }
EOF
cat >"$app/tsconfig.nodenext.json" <<'EOF'
{ "extends": "./tsconfig.json", "compilerOptions": { "noEmit": true, "skipLibCheck": false, "module": "nodenext", "moduleResolution": "nodenext" } }
EOF
others=""
for variant in loose exact nodenext; do
  run "types-$variant" npx tsc -p "tsconfig.$variant.json" && continue
  # Errors in other packages' declarations (cdk8s-plus-28 does not compile with exactOptionalPropertyTypes) are
  # theirs; errors in cdk8s-mesh's declarations or in the app are ours.
  grep -q 'error TS' "$logs/types-$variant.log" || fail "tsc -p tsconfig.$variant.json" "types-$variant"
  if grep -E -A3 '^(node_modules/cdk8s-mesh/|[^/]+\.ts\()' "$logs/types-$variant.log" >"$logs/types-$variant-ours.log"; then
    fail "tsc -p tsconfig.$variant.json: errors in cdk8s-mesh's declarations or the app" "types-$variant-ours"
  fi
  others+=" $variant: $(grep -c 'error TS' "$logs/types-$variant.log") errors in $(grep -o '^node_modules/[^/]*' "$logs/types-$variant.log" | sort -u | sed 's|node_modules/||' | tr '\n' ' ' | sed 's/ $//'),"
done
echo "ok   types: tsc --noEmit with strict off; exactOptionalPropertyTypes + noUncheckedIndexedAccess; module nodenext (skipLibCheck off)${others:+ (none in cdk8s-mesh;${others%,})} ($(took "$t"))"

# ---- 9. require() and import of the package ----
t=$(now)
run cjs node -e '
  const m = require("cdk8s-mesh");
  for (const name of ["MeshApp", "StrictMtlsNamespace"]) if (typeof m[name] !== "function") throw new Error(`require: no ${name}`);
  console.log(Object.keys(m).length + " exports");' || fail "CommonJS: require('cdk8s-mesh')" cjs
run esm node --input-type=module -e '
  import { MeshApp, StrictMtlsNamespace } from "cdk8s-mesh";
  import * as all from "cdk8s-mesh";
  import { createRequire } from "node:module";
  if (typeof MeshApp !== "function" || typeof StrictMtlsNamespace !== "function") throw new Error("import: no MeshApp or StrictMtlsNamespace");
  const missing = Object.keys(createRequire(import.meta.url)("cdk8s-mesh")).filter((k) => !(k in all));
  if (missing.length) throw new Error(`not importable by name from an ES module: ${missing.join(", ")}`);' \
  || fail "ES module: import { MeshApp } from 'cdk8s-mesh'" esm
echo "ok   require/import: require('cdk8s-mesh') ($(cat "$logs/cjs.log")), import { MeshApp, StrictMtlsNamespace } from 'cdk8s-mesh' ($(took "$t"))"

echo "package check passed"
