#!/usr/bin/env bash
# Debian packages the test suite needs: g++ (Pythran's compiler), Chromium
# (the HTML report's browser test), and venv for python3 (managed environments,
# and the venv scripts/ruff.sh installs ruff into). Installs what is missing when it can
# (root with apt-get, as on CI and a fresh machine); otherwise says what to install.
# Runs before `npm test` (the pretest script) and from .ci/run.
set -u
missing=()
command -v g++ >/dev/null 2>&1 || missing+=(g++)
[ -x "${PYTHRAN_LEAKCHECK_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
# Debian's python3 has venv without ensurepip (so without pip) unless python3-venv is installed.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then missing+=(python3-venv); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
  echo "error: apt-get install ${missing[*]} failed" >&2
  exit 1
fi
echo "error: the tests need these Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
exit 1
