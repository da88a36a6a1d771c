#!/usr/bin/env bash
# Mounts a 512 KiB tmpfs and runs the full-disk test binary on it: as root
# directly, otherwise in a user+mount namespace (unshare -rm). Neither: skip (77).
set -euo pipefail
bin=$1
mnt=$(mktemp -d)
trap 'umount "$mnt" 2>/dev/null || true; rmdir "$mnt"' EXIT
run='mount -t tmpfs -o size=512k tmpfs "$0" && COOKIESEAL_FULL_DISK_DIR="$0" "$1" --no-intro'
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=512k tmpfs "$mnt" 2>/dev/null; then
  COOKIESEAL_FULL_DISK_DIR="$mnt" "$bin" --no-intro
elif unshare -rm true 2>/dev/null; then
  unshare -rm sh -c "$run" "$mnt" "$bin"
else
  echo "cannot mount a tmpfs here (not root, no user namespaces)"
  exit 77
fi
