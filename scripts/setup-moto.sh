#!/usr/bin/env bash
# Installs the moto AWS emulator (moto_server) into ./.venv for the AWS end-to-end tests and bench; idempotent.
set -euo pipefail

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3}"

if [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c "import moto, sys; sys.exit(0 if moto.__version__ == '$MOTO_VERSION' else 1)" 2>/dev/null; then
  echo "moto $MOTO_VERSION already installed in $venv"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
"$venv/bin/python" -c "import moto; print('moto', moto.__version__, 'installed in $venv')"
