#!/usr/bin/env bash
# The README's screenshots: the browser tests take them (test-artifacts/screenshots/, at 1440x900 and
# 390x844, window only); this copies the ones the walkthrough shows into docs/screenshots/.
# Run the browser tests first (make test-integration).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/screenshots
for name in workspace-1440 workspace-evidence-search editor-desk-1440 inbox-1440 export-1440 390-workspace-held 390-editor; do
  cp "test-artifacts/screenshots/${name}.png" docs/screenshots/
done
