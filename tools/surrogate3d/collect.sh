#!/usr/bin/env bash
# Copies the finished, validated subjects (<outdir>/<id>.h5 with <id>.json) into data/surrogate3d/ of this checkout
# and rewrites data/surrogate3d/manifest.json (seed, family, wall time, validation figures, sha256 per subject).
#   tools/surrogate3d/collect.sh [OUTDIR]      (default /work/surrogate3d-out)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
exec /usr/bin/python3 "$here/collect.py" --outdir "${1:-/work/surrogate3d-out}" --dest "$repo/data/surrogate3d"
