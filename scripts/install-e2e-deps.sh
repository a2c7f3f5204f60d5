#!/usr/bin/env bash
# Installs what the end-to-end suite (test/e2e, `npm run test:e2e`) needs beyond node_modules: a real
# VS Code workbench (code-server, from the npm registry) and a browser to drive it (Debian's
# chromium). Nothing is downloaded from elsewhere: code-server's install scripts would fetch ripgrep
# and argon2 builds from GitHub, so they are skipped, Debian's ripgrep stands in, and the native
# modules are built from source. The result is kept in a tools folder outside the project
# ($VMBGUARD_E2E_TOOLS, default ~/.cache/vmbguard-e2e) and reused while complete.
#
# Prints the tools folder on its last line. Exits non-zero, saying why, when the set-up cannot be
# had here; the e2e suite then skips with that reason instead of pretending to pass.
set -euo pipefail

code_server_version="4.100.3" # the newest code-server whose engines.node is 20 (VS Code 1.100.3)
tools="${VMBGUARD_E2E_TOOLS:-$HOME/.cache/vmbguard-e2e}/code-server-$code_server_version"
log="$(dirname "$tools")/install.log"
mkdir -p "$tools"
: >"$log"

say() { echo "install-e2e-deps: $*" >&2; }
fail() {
  say "$*"
  say "the last lines of $log:"
  tail -n 15 "$log" >&2 || true
  exit 1
}

if [ -f "$tools/complete" ]; then
  say "code-server $code_server_version is installed in $tools"
  echo "$tools"
  exit 0
fi

as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root="sudo -n"; else as_root="none"; fi
fi
packages=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium build-essential python3)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || fail "no apt-get here to install ${missing[*]}"
  [ "$as_root" != "none" ] || fail "not root and no password-less sudo to install ${missing[*]}"
  say "installing ${missing[*]} with apt-get"
  { $as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >>"$log" 2>&1 ||
    fail "apt-get could not install ${missing[*]}"
fi

cd "$tools"
[ -f package.json ] || echo '{ "name": "vmbguard-e2e-tools", "private": true }' >package.json
say "installing code-server $code_server_version from the npm registry (without its install scripts)"
npm install --no-audit --no-fund --ignore-scripts "code-server@$code_server_version" >>"$log" 2>&1 || fail "npm could not install code-server"

workbench="$tools/node_modules/code-server/lib/vscode"
say "installing the workbench's own dependencies"
(cd "$workbench" && npm install --no-audit --no-fund --omit=dev --ignore-scripts) >>"$log" 2>&1 || fail "npm could not install the workbench's dependencies"
# Debian's ripgrep instead of the download from GitHub.
mkdir -p "$workbench/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$workbench/node_modules/@vscode/ripgrep/bin/rg"
say "building the workbench's native modules from source (a few minutes)"
# npm_config_yes: node-pty's build runs `npx node-gyp`, which must not wait for a prompt.
(cd "$workbench" && npm_config_yes=true npm rebuild @parcel/watcher @vscode/spdlog kerberos native-watchdog node-pty @vscode/deviceid) >>"$log" 2>&1 ||
  fail "the native modules of the workbench did not build"
# What code-server's postinstall would have done.
(
  cd "$workbench"
  ln -sfn node_modules node_modules.asar
  cd bin/remote-cli && ln -sf code-linux.sh code-server
) >>"$log" 2>&1 || fail "could not link the workbench's remote CLI"
(cd "$workbench/bin/helpers" && ln -sf browser-linux.sh browser.sh) >>"$log" 2>&1 || fail "could not link the browser helper"
(cd "$workbench/extensions" && npm install --no-audit --no-fund --omit=dev) >>"$log" 2>&1 || fail "npm could not install the built-in extensions' dependencies"
say "building argon2 from source (its prebuilt download is not reachable)"
npm_config_yes=true npm rebuild argon2 >>"$log" 2>&1 || fail "argon2 did not build"

"$tools/node_modules/.bin/code-server" --version >>"$log" 2>&1 || fail "code-server does not start"
touch "$tools/complete"
say "code-server $code_server_version is installed in $tools"
echo "$tools"
