#!/bin/sh
# Installs the Debian packages tracuu needs to build, test and run (DESIGN.md §2).
# Idempotent: packages already installed are left alone, and apt-get runs only when
# something is missing. Uses sudo only when not root.
#   scripts/install-deps.sh          build, test and run
#   scripts/install-deps.sh bench    also the peers `make bench` compares against
#   scripts/install-deps.sh fuzz     also clang and libFuzzer, for `make fuzz`
set -eu

PKGS="pkg-config libicu-dev libstemmer-dev libzstd-dev zstd libuv1-dev libjson-c-dev
libxxhash-dev libcmocka-dev libstreamvbyte-dev"
if [ "${1:-}" = bench ]; then
	PKGS="$PKGS sqlite3 libsqlite3-dev libxapian-dev g++ gnuplot-nox time"
fi
if [ "${1:-}" = fuzz ]; then
	PKGS="$PKGS clang libclang-rt-14-dev"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "install-deps: need root or sudo to install:$missing" >&2
		exit 1
	}
	SUDO=sudo
fi

echo "install-deps: installing:$missing"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
echo "install-deps: done"
