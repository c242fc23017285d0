#!/usr/bin/env bash
# Installs the system packages the test suite uses, when they are missing:
#   PostgreSQL server (Debian `postgresql`) for the tests marked `postgres`,
#   Chromium (Debian `chromium`) for the browser tests (Playwright drives /usr/bin/chromium;
#   we never run `playwright install`, which downloads a browser build of its own),
#   nginx (Debian `nginx`) to check and run deploy/nginx.conf in tests/test_deploy_files.py.
# Runs `apt-get update` at most once, installs only what is missing, and never fails the build:
# without apt (not Debian, not root and no sudo, no registry) it says what is missing and the
# tests that need it skip with a reason.
set -uo pipefail

missing=()
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    missing+=(postgresql)
fi
if [[ ! -x /usr/bin/chromium ]]; then
    missing+=(chromium)
fi
if [[ ! -x /usr/sbin/nginx ]]; then
    missing+=(nginx)
fi

versions() {
    local pg chromium
    pg=$(compgen -G "/usr/lib/postgresql/*/bin/postgres" | sort -V | tail -n 1 || true)
    pg=$([[ -n $pg ]] && "$pg" --version 2>/dev/null || echo "PostgreSQL: none")
    chromium=$( { [[ -x /usr/bin/chromium ]] && /usr/bin/chromium --version 2>/dev/null; } || echo "Chromium: none")
    echo "test-deps: $pg; $chromium"
}

if [[ ${#missing[@]} -eq 0 ]]; then
    versions
    exit 0
fi

skip() {
    echo "test-deps: cannot install ${missing[*]} ($1); the tests that need them will be skipped" >&2
    exit 0
}

command -v apt-get >/dev/null || skip "no apt-get on this machine"
if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    skip "not root and no password-less sudo"
fi

export DEBIAN_FRONTEND=noninteractive
echo "test-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq </dev/null || skip "apt-get update failed"
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null \
    || skip "apt-get install failed"
echo "test-deps: installed ${missing[*]}"
versions
