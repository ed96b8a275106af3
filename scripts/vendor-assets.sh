#!/usr/bin/env bash
# Vendor the web console's front-end assets from the npm registry (nothing is loaded from a CDN at run time).
# The files are committed (web/static/vendor/, see PROVENANCE.md there); run this to refresh or restore them.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX_VERSION=${HTMX_VERSION:-2.0.11}
dest=web/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null && tar xzf htmx.org-*.tgz)
cp "$tmp/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/package/LICENSE" "$dest/htmx.LICENSE"
echo "htmx.org ${HTMX_VERSION} -> $dest/htmx.min.js"
