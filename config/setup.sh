#!/usr/bin/env bash
# Installs what the app needs and is missing. Used by `make run` and `make test`.
#   config/setup.sh system [--browser]   Debian packages (only as root with apt; otherwise prints what to install)
#   config/setup.sh venv                 .venv with the locked dependencies, on Python >= 3.12
#   config/setup.sh redis                starts a local redis-server when none answers on REDIS_URL
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

system_packages() {
  # poppler-utils: pdftoppm turns PDF pages into PNGs for the visual checks in the tests.
  local wanted=(fonts-noto-cjk libharfbuzz-subset0 redis-server gettext poppler-utils)
  [ "${1:-}" = "--browser" ] && wanted+=(chromium)
  local missing=()
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    say "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
  else
    echo "Missing system packages: ${missing[*]}"
    echo "Install them with:  sudo apt-get install ${missing[*]}"
    echo "(Without fonts-noto-cjk the PDFs show empty boxes instead of Chinese characters.)"
  fi
}

find_python() {
  local candidates=()
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  candidates+=(python3.14 python3.13 python3.12)
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for dir in "$root"/versions/3.1[2-9]*; do
    [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
  done
  candidates+=(python3)
  for py in "${candidates[@]}"; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}

venv() {
  if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    say "Removing .venv: it was made with Python older than 3.12"
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    local py
    py=$(find_python) || {
      echo "Error: Python 3.12 or newer is required (Django 6.1), and none was found." >&2
      echo "Install it (e.g. 'pyenv install 3.12') or point PYTHON at it: make run PYTHON=/path/to/python3.12" >&2
      exit 1
    }
    say "Creating .venv with $py ($("$py" --version))"
    "$py" -m venv .venv
  fi
  if [ ! -f .venv/.installed ] || [ requirements.lock -nt .venv/.installed ]; then
    say "Installing the locked Python dependencies"
    .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
    touch .venv/.installed
  fi
}

redis_up() {
  local url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  if .venv/bin/python - "$url" <<'PY'
import sys, redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
except redis.RedisError:
    sys.exit(1)
PY
  then
    return 0
  fi
  if ! command -v redis-server >/dev/null; then
    echo "Error: no Redis answers at $url and redis-server is not installed (apt-get install redis-server)." >&2
    exit 1
  fi
  say "Starting a local redis-server on 127.0.0.1:6379"
  mkdir -p var
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$PWD/var" --logfile "$PWD/var/redis.log"
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "Error: redis-server did not start; see var/redis.log" >&2
  exit 1
}

case "${1:-}" in
  system) shift; system_packages "$@" ;;
  venv) venv ;;
  redis) redis_up ;;
  *) echo "usage: $0 system [--browser] | venv | redis" >&2; exit 2 ;;
esac
