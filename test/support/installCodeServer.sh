#!/usr/bin/env bash
# Installs code-server (a browser-served VS Code) for the extension-host and UI tests, outside the repo so
# `npm ci` never touches it. Idempotent: a marker written after a successful install turns later runs into a
# no-op. stdout carries only the code-server binary path (its last line); npm's output goes to stderr.
#
#   test/support/installCodeServer.sh            # -> ${KUBE_EVENTS_CACHE:-$HOME/.cache/kube-events}/code-server-4.100.3/...
#
# 4.100.3 (VS Code 1.100.3) is the newest code-server whose engines accept Node 20, and it honours the
# workbench `payload` (extensionTestsPath) without the smoke-test-driver gate that later versions add.
set -euo pipefail

VERSION=4.100.3
CACHE_DIR=${KUBE_EVENTS_CACHE:-$HOME/.cache/kube-events}
DEST=$CACHE_DIR/code-server-$VERSION
BIN=$DEST/node_modules/.bin/code-server
MARKER=$DEST/.installed

fail() { echo "installCodeServer: $*" >&2; exit 1; }

if [ -f "$MARKER" ] && [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

# Prerequisites the npm install cannot fetch for itself on a machine without GitHub access.
command -v rg >/dev/null || fail "ripgrep is missing (rg on PATH): apt-get install -y ripgrep"
[ -f /usr/include/gssapi/gssapi.h ] || fail "Kerberos/GSSAPI headers are missing (/usr/include/gssapi/gssapi.h), needed to compile the 'kerberos' addon: apt-get install -y libkrb5-dev"
for tool in make g++; do
  command -v "$tool" >/dev/null || fail "$tool is missing, needed by node-gyp for native addons: apt-get install -y build-essential"
done
command -v python3 >/dev/null || fail "python3 is missing, needed by node-gyp: apt-get install -y python3"
command -v npm >/dev/null || fail "npm is missing"

case "$(uname -m)" in
  x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) fail "unsupported architecture $(uname -m)" ;;
esac

mkdir -p "$CACHE_DIR"
# Two test runs starting at once must not install into the same folder concurrently.
exec 9>"$CACHE_DIR/.code-server-$VERSION.lock"
flock 9
if [ -f "$MARKER" ] && [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

started=$(date +%s)
# No marker means a missing or interrupted install: start clean rather than trust half a node_modules.
rm -rf "$DEST"
mkdir -p "$DEST/.tmp" "$DEST/.xdg/config" "$DEST/.xdg/data" "$DEST/.xdg/cache"
# code-server writes ~/.config/code-server and ~/.local/share/code-server even for --help, and npm's
# lifecycle scripts put sockets and downloads in $TMPDIR: keep all of it inside the install folder.
export TMPDIR=$DEST/.tmp XDG_CONFIG_HOME=$DEST/.xdg/config XDG_DATA_HOME=$DEST/.xdg/data XDG_CACHE_HOME=$DEST/.xdg/cache

# @vscode/ripgrep@1.15.11 downloads rg from api.github.com in its postinstall, unless it finds the archive
# in its cache under $TMPDIR first: seed that cache with Debian's rg.
RG_CACHE=$TMPDIR/vscode-ripgrep-cache-1.15.11
mkdir -p "$RG_CACHE" "$TMPDIR/rg"
cp "$(command -v rg)" "$TMPDIR/rg/rg"
tar czf "$RG_CACHE/ripgrep-v13.0.0-10-$RG_TARGET.tar.gz" -C "$TMPDIR/rg" rg

cd "$DEST"
printf '{ "name": "kube-events-code-server", "private": true }\n' > package.json
# - local install, not -g: under -g the nested `npm install` in lib/vscode inherits global mode and fails
#   with TAR_ENTRY_ERROR ENOENT;
# - npm_config_unsafe_perm: code-server's postinstall refuses to run as root without it;
# - npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which `yes=false` in the machine npmrc cancels.
npm_config_unsafe_perm=true npm_config_yes=true \
  npm install "code-server@$VERSION" --no-audit --no-fund --no-save --loglevel=warn >&2 \
  || fail "npm install code-server@$VERSION failed (see above); $DEST is left as it is for inspection"

"$BIN" --version >/dev/null || fail "$BIN does not start"
rm -rf "$TMPDIR"
touch "$MARKER"
echo "installCodeServer: code-server $VERSION installed in $(( $(date +%s) - started ))s" >&2
echo "$BIN"
