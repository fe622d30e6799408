#!/usr/bin/env bash
# Installs the ONNX Runtime native library SarKit's surrogate inference calls (SarKit.Surrogate.Onnx): the
# linux-x64 libonnxruntime.so.1 of ONNX Runtime 1.30.0 (MIT), taken from the npm package onnxruntime-node 1.30.0
# (its own install script tries a download that fails, so the tarball is fetched with `npm pack` and one file is
# extracted). Both the tarball and the library are checked against pinned sha256 values. Idempotent.
# Target: $SARKIT_ONNXRUNTIME_DIR, default ${XDG_CACHE_HOME:-$HOME/.cache}/sarkit/onnxruntime/1.30.0
set -euo pipefail
VERSION=1.30.0
TGZ_SHA256=6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75
LIB_SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
DIR="${SARKIT_ONNXRUNTIME_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sarkit/onnxruntime/$VERSION}"
LIB="$DIR/libonnxruntime.so.1"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "setup-onnxruntime: only linux-x64 is scripted; put libonnxruntime of ONNX Runtime $VERSION at $LIB by hand" >&2
  exit 0
fi
if [ -f "$LIB" ] && echo "$LIB_SHA256  $LIB" | sha256sum -c --quiet - 2>/dev/null; then
  exit 0
fi
command -v npm >/dev/null || { echo "setup-onnxruntime: npm is needed (Debian: apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "setup-onnxruntime: fetching onnxruntime-node@$VERSION (113 MB) with npm pack" >&2
(cd "$tmp" && npm pack "onnxruntime-node@$VERSION" --silent >/dev/null)
echo "$TGZ_SHA256  $tmp/onnxruntime-node-$VERSION.tgz" | sha256sum -c --quiet -
tar -xzf "$tmp/onnxruntime-node-$VERSION.tgz" -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
echo "$LIB_SHA256  $tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" | sha256sum -c --quiet -
mkdir -p "$DIR"
mv "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$LIB.tmp"
mv "$LIB.tmp" "$LIB"
echo "setup-onnxruntime: installed $LIB" >&2
