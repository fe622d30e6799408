#!/usr/bin/env bash
# Copies the finished, validated subjects (<outdir>/<id>.h5 with <id>.json) into data/surrogate3d/ of this checkout
# and merges them into data/surrogate3d/manifest.json (seed, family, generator, wall time, validation figures, sha256
# per subject): committed subjects are kept, new ones added; a subject whose new file differs from the committed one
# (hash, generator version, format) is refused with exit 2 unless --replace ID (collect.py --help).
#   tools/surrogate3d/collect.sh [OUTDIR] [--replace ID ...]      (default OUTDIR /work/surrogate3d-out)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
outdir=/work/surrogate3d-out
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then outdir="$1"; shift; fi
exec /usr/bin/python3 "$here/collect.py" --outdir "$outdir" --dest "$repo/data/surrogate3d" "$@"
