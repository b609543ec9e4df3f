#!/bin/bash
# Unpack Mesa 25's lavapipe (software Vulkan) from Debian bookworm-backports into DIR,
# without touching /etc/apt or installing anything, and print the VK_DRIVER_FILES export.
# Needed by the `webgpu` npm package (Dawn for Node): bookworm's own Mesa 22 lavapipe lacks
# features Dawn requires. Prerequisite: apt-get install -y mesa-vulkan-drivers (libvulkan1, LLVM 15).
# `pnpm test` runs it (scripts/testSetup.ts) when ~/.cache/lavapipe25 has no driver yet.
# Usage: eval "$(scripts/lavapipe25.sh ~/.cache/lavapipe25)"
set -euo pipefail
DEST=${1:-$PWD/lavapipe25}
if [ -f "$DEST/lvp_icd.json" ]; then echo "export VK_DRIVER_FILES=$DEST/lvp_icd.json"; exit 0; fi
URI=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$URI" ] || URI=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list)
mkdir -p "$DEST"/apt/{lists/partial,archives/partial} "$DEST"/root
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $URI bookworm-backports main" > "$DEST/apt/sources.list"
APTO=(-o Dir::Etc::SourceList="$DEST/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists="$DEST/apt/lists" -o Dir::Cache::Archives="$DEST/apt/archives"
      -o Dir::Cache::pkgcache="$DEST/apt/pkgcache.bin" -o Dir::Cache::srcpkgcache="$DEST/apt/srcpkgcache.bin")
apt-get "${APTO[@]}" update -qq >&2
(cd "$DEST/apt" && apt-get "${APTO[@]}" download mesa-vulkan-drivers/bookworm-backports >&2)
dpkg-deb -x "$DEST"/apt/mesa-vulkan-drivers_*.deb "$DEST/root"
LIB=$(find "$DEST/root" -name libvulkan_lvp.so | head -n 1)
[ -n "$LIB" ] || { echo "lavapipe25.sh: no libvulkan_lvp.so in the downloaded mesa-vulkan-drivers" >&2; exit 1; }
cat > "$DEST/lvp_icd.json" <<JSON
{ "file_format_version": "1.0.0",
  "ICD": { "api_version": "1.4.305", "library_path": "$LIB" } }
JSON
echo "export VK_DRIVER_FILES=$DEST/lvp_icd.json"
