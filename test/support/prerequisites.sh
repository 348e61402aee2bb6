#!/usr/bin/env bash
# Installs the Debian packages the tests and the sandbox need, when they are missing: chromium (UI tests),
# libkrb5-dev, g++, make and python3 (code-server's native modules), ripgrep (replaces code-server's GitHub
# download of rg), fonts (readable screenshots, emoji and RTL text). A no-op when everything is there.
# Go (to build kube-apiserver and etcd) must already be installed: Debian's is too old.
set -euo pipefail
packages=(chromium libkrb5-dev ripgrep g++ make python3 fonts-dejavu-core fonts-noto-color-emoji ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "prerequisites: missing Debian packages: ${missing[*]}" >&2
    echo "prerequisites: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "prerequisites: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null; then
  echo "prerequisites: Go 1.24 or newer is needed to build kube-apiserver and etcd (https://go.dev/doc/install)" >&2
  exit 1
fi
