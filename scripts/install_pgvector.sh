#!/usr/bin/env bash
# Builds and installs the pgvector extension for the machine's PostgreSQL 15.
# Debian bookworm does not package pgvector for PG 15, so we build Debian trixie's *source*
# package against postgresql-server-dev-15. Idempotent: exits early when already installed.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
EXT_DIR="/usr/share/postgresql/${PG_MAJOR}/extension"

if [ -f "${EXT_DIR}/vector.control" ]; then
  echo "pgvector already installed for PostgreSQL ${PG_MAJOR}"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

SRC_LIST=/etc/apt/sources.list.d/trixie-src.sources
if [ ! -f "$SRC_LIST" ]; then
  $SUDO tee "$SRC_LIST" >/dev/null <<'LIST'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
LIST
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "postgresql-server-dev-${PG_MAJOR}" dpkg-dev build-essential >/dev/null

WORK_DIR="$(mktemp -d)"
trap 'rm -rf "$WORK_DIR"' EXIT
cd "$WORK_DIR"
apt-get source --download-only pgvector >/dev/null 2>&1 || apt-get source --download-only pgvector
dpkg-source -x --skip-patches pgvector_*.dsc src >/dev/null
cd src
make -s PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
$SUDO make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "pgvector installed for PostgreSQL ${PG_MAJOR}"
