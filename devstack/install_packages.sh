#!/bin/sh
# Installs the Debian packages the local stack and its tests need, when they are missing.
#
#   sh devstack/install_packages.sh COMMAND=PACKAGE ...
#
# Each argument names a command and the Debian package that provides it (for example
# `turnserver=coturn`); only the packages whose command is missing are installed, with one
# apt-get run. The Makefile lists what `make run` and `make test` need: always Debian's own
# builds, never downloaded binaries.
set -eu
missing=""
for pair in "$@"; do
  command -v "${pair%%=*}" >/dev/null 2>&1 || missing="$missing ${pair#*=}"
done
[ -n "$missing" ] || exit 0
echo "Installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086 # one word per package, on purpose
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
for pair in "$@"; do
  command -v "${pair%%=*}" >/dev/null 2>&1 || { echo "${pair%%=*} is still missing" >&2; exit 1; }
done
