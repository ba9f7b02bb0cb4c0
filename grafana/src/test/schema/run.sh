#!/usr/bin/env bash
# Every dashboard of grafana/dashboards/ against Grafana's published dashboard schema
# (dashboards.md: "@grafana/schema's types checked with tsc"): each JSON file becomes
#   export const dashboard: Literal<Dashboard> = <the file>;
# and tsc type-checks them all (missing required fields, wrong types, unknown fields, values
# outside an enum). First it checks that the check can fail: four copies of one dashboard, each
# broken in one way, must each be refused. Used by .ci/run; needs node and npm (npm ci from the
# committed lock file).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dashboards="$(cd "$here/../../../dashboards" && pwd)"
cd "$here"
[ -d node_modules ] || npm ci --no-audit --no-fund --silent
rm -rf target && mkdir -p target

wrap() { # $1: dashboard JSON file, $2: the .ts file to write
  { echo "import type { Dashboard } from '@grafana/schema';"
    echo "import type { Literal } from '../literal';"
    printf 'export const dashboard: Literal<Dashboard> = '
    cat "$1"
    echo ';'; } > "$2"
}

# The check can fail: copies of one dashboard, each broken in one way, must each be refused for
# that reason (tsc reports one error per assignment).
first=$(ls "$dashboards"/*.json | head -n 1)
refused() { # $1: what to break (JavaScript on d), $2: the message tsc must give
  node -e '
    const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    eval(process.argv[2]);
    require("fs").writeFileSync(process.argv[3], JSON.stringify(d, null, 2));' "$first" "$1" target/broken.json
  wrap target/broken.json target/broken.ts
  if out=$(npx --no-install tsc -p . 2>&1); then
    echo "grafana schema check: a dashboard with $1 passed, so the check proves nothing" >&2; exit 1
  fi
  echo "$out" | grep -q -- "$2" || { echo "grafana schema check: the dashboard with $1 failed for another reason:" >&2; echo "$out" >&2; exit 1; }
  rm target/broken.json target/broken.ts
}
refused 'd.refreshEvery = "5m"' "'\"refreshEvery\"' does not exist"
refused 'd.panels[0].gridPos.w = "wide"' "Type 'string' is not assignable to type 'number'"
refused 'delete d.panels[0].gridPos.h' "Property 'h' is missing"
refused 'd.panels[0].fieldConfig.defaults.color = {mode: "rainbow"}' '"rainbow"'

count=0
for f in "$dashboards"/*.json; do
  wrap "$f" "target/$(basename "$f" .json).ts"
  count=$((count + 1))
done
npx --no-install tsc -p .
echo "grafana schema check: $count dashboards match @grafana/schema $(node -p 'require("@grafana/schema/package.json").version')'s Dashboard type"
