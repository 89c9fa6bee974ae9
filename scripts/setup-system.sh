#!/usr/bin/env bash
# Install the Debian packages sipas needs, but only those that are missing.
#
# Usage: scripts/setup-system.sh [EXTRA_DEBIAN_PACKAGE...]
#
# Each needed thing is detected by a file or command. When everything is present this prints one
# line and touches nothing (no apt, no sudo), so `make` can call it on every run. Otherwise it runs
# `apt-get update` once and one `apt-get install -y --no-install-recommends` for the missing
# packages, as root directly or through sudo. Extra package names given as arguments are installed
# if dpkg does not list them as installed (the Makefile passes python3-venv when `python3 -m venv`
# fails).
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

missing=()
need() { # need PACKAGE WHY
    local pkg=$1 why=$2 p
    for p in "${missing[@]+"${missing[@]}"}"; do
        [[ $p == "$pkg" ]] && return 0
    done
    echo "setup-system: missing $why -> will install Debian package '$pkg'"
    missing+=("$pkg")
}
have_glob() { compgen -G "$1" >/dev/null; }

command -v tesseract >/dev/null || need tesseract-ocr "the tesseract command"
for lang in eng vie osd; do
    have_glob "/usr/share/tesseract-ocr/*/tessdata/$lang.traineddata" \
        || need "tesseract-ocr-$lang" "Tesseract language data '$lang'"
done
command -v pdftoppm >/dev/null || need poppler-utils "the pdftoppm command"
command -v pdfimages >/dev/null || need poppler-utils "the pdfimages command"
[[ -x /usr/bin/chromium || -x /usr/lib/chromium/chromium ]] || need chromium "Chromium (/usr/bin/chromium)"
if ! have_glob "/usr/lib/postgresql/*/bin/initdb" || ! have_glob "/usr/lib/postgresql/*/bin/pg_ctl"; then
    need postgresql "the PostgreSQL server (initdb, pg_ctl under /usr/lib/postgresql/*/bin)"
fi
command -v psql >/dev/null || need postgresql-client "the psql command"
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || need fonts-dejavu-core "the DejaVu fonts"
# `python3 -m venv` needs ensurepip, which Debian ships separately in python3-venv.
if [[ ! -x .venv/bin/python ]] && ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
    need python3-venv "ensurepip for '$PYTHON -m venv'"
fi
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
        || need "$pkg" "package '$pkg' (asked for on the command line)"
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup-system: all system packages present"
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    echo "setup-system: ERROR: apt-get is not available, so these cannot be installed automatically:" >&2
    echo "setup-system:   ${missing[*]}" >&2
    echo "setup-system: install the equivalent packages by hand (this project expects Debian 12 or Ubuntu)." >&2
    exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
elif command -v sudo >/dev/null; then
    echo "setup-system: not root: using sudo for apt-get"
    as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
else
    echo "setup-system: ERROR: not root and sudo is not installed; as root run:" >&2
    echo "setup-system:   apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "setup-system: apt-get update"
"${as_root[@]}" apt-get update -q
echo "setup-system: apt-get install ${missing[*]}"
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup-system: installed ${missing[*]}"
