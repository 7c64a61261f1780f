#!/usr/bin/env bash
# Print the path of a Chromium the browser tests may drive, installing Debian's `chromium`
# package if needed (as root, with apt). Exits non-zero (with the reason on stderr) if none.
# Never downloads a browser from anywhere else (no `playwright install`).
set -uo pipefail
BROWSER=${CIVHARM_CHROMIUM:-/usr/bin/chromium}

works() { [ -x "$BROWSER" ] && "$BROWSER" --headless --no-sandbox --version >/dev/null 2>&1; }

install_debian_chromium() {
  if [ "$(id -u)" != 0 ]; then
    echo "no Chromium at $BROWSER and not root: run 'apt-get install chromium' as root" >&2
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "no Chromium at $BROWSER and no apt-get to install Debian's chromium package" >&2
    return 1
  fi
  echo "Installing Chromium from Debian's packages for the browser tests …" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 || {
    echo "apt-get could not install the chromium package (see the messages above)" >&2
    return 1
  }
}

if works || { [ ! -e "$BROWSER" ] && install_debian_chromium && works; }; then
  echo "$BROWSER"
  exit 0
fi
echo "Chromium at $BROWSER is missing or does not start (try: $BROWSER --headless --version)" >&2
exit 1
