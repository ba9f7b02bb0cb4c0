#!/usr/bin/env bash
# Copies the repository's CRDs (crds/, generated from the resource classes) into the chart.
# CrdSyncTest fails while helm/spectrum/crds/ differs from crds/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rm -f "$root"/helm/spectrum/crds/*.yml
cp "$root"/crds/*.yml "$root"/helm/spectrum/crds/
echo "helm/spectrum/crds/ now equals crds/"
