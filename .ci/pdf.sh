#!/usr/bin/env bash
# Print the path of pdftoppm, which the brief tests use (with pdftotext, both from Debian's
# poppler-utils) to turn PDF pages into images and text. Installs poppler-utils if needed, and
# the Pango libraries WeasyPrint draws PDFs with, as root with apt. Exits non-zero (with the
# reason on stderr) if pdftoppm cannot be had.
set -uo pipefail
PDFTOPPM=${CIVHARM_PDFTOPPM:-/usr/bin/pdftoppm}
PANGO_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0"

works() { [ -x "$PDFTOPPM" ] && "$PDFTOPPM" -v >/dev/null 2>&1 && command -v pdftotext >/dev/null; }
has_pango() { ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "missing $* and not root: run 'apt-get install $*' as root" >&2
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing $* and no apt-get to install Debian's packages" >&2
    return 1
  fi
  echo "Installing $* from Debian's packages for the brief tests …" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@") >&2 || {
    echo "apt-get could not install $* (see the messages above)" >&2
    return 1
  }
}

# Without Pango the briefs are written as HTML only; the PDF tests then skip and say why.
has_pango || apt_install $PANGO_PACKAGES || true

if works || { [ ! -e "$PDFTOPPM" ] && apt_install poppler-utils && works; }; then
  echo "$PDFTOPPM"
  exit 0
fi
echo "pdftoppm at $PDFTOPPM is missing or does not run (try: $PDFTOPPM -v)" >&2
exit 1
