#!/usr/bin/env sh
# Installs what the test suite needs beyond node_modules: Neovim, the third-party LSP client that
# test/integration/lsp/neovim.test.ts drives headless. Without root or apt-get it says so and
# leaves the test to skip (it never pretends to pass).
set -u
if command -v nvim >/dev/null 2>&1; then
  echo "install-test-deps: $(nvim --version | head -n 1) is installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: no apt-get here: install Neovim yourself, or the Neovim LSP test is skipped"
  exit 0
fi
as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
  else
    echo "install-test-deps: not root and no password-less sudo: the Neovim LSP test is skipped"
    exit 0
  fi
fi
echo "install-test-deps: installing neovim with apt-get"
if ! { $as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends neovim; } >/tmp/install-test-deps.log 2>&1; then
  echo "install-test-deps: apt-get failed (see /tmp/install-test-deps.log): the Neovim LSP test is skipped"
  tail -n 5 /tmp/install-test-deps.log
  exit 0
fi
echo "install-test-deps: $(nvim --version | head -n 1) installed"
