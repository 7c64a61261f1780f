#!/usr/bin/env bash
# Print a JAVA_HOME with a Java 17+ runtime for the Spark tests (PySpark 4 needs it), installing
# Debian's openjdk-17-jre-headless if none is found (as root, or with password-less sudo).
# Exits non-zero (with the reason on stderr) if none can be had. Fast and silent when Java is there.
set -uo pipefail
MINIMUM=17

major_version() {  # $1: a java binary -> its major version (8 for "1.8.0_392"), or nothing
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.\([0-9][0-9]*\)\)\{0,1\}.*/\1 \3/p' |
    head -n 1 | awk '{ print ($1 == 1 ? $2 : $1) }'
}

home_of() { dirname "$(dirname "$(readlink -f "$1")")"; }  # .../bin/java -> ...

find_java() {  # JAVA_HOME first (as Spark does), then PATH, then Debian's /usr/lib/jvm
  local candidate version
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" \
                   /usr/lib/jvm/*/bin/java; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    version=$(major_version "$candidate")
    if [ -n "$version" ] && [ "$version" -ge "$MINIMUM" ]; then
      home_of "$candidate"; return 0
    fi
  done
  return 1
}

install_debian_java() {
  local run_as_root=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      run_as_root=(sudo -n)
    else
      echo "no Java $MINIMUM+ and not root: run 'apt-get install openjdk-17-jre-headless' as root" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "no Java $MINIMUM+ and no apt-get: install a Java $MINIMUM+ runtime, set JAVA_HOME" >&2
    return 1
  fi
  echo "Installing Java from Debian's packages for the Spark tests …" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${run_as_root[@]}" apt-get update -qq >&2 || true
  # openjdk-17 on Debian 12; newer releases carry a newer default (also fine for PySpark 4)
  "${run_as_root[@]}" apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >&2 ||
    "${run_as_root[@]}" apt-get install -y -qq --no-install-recommends default-jre-headless >&2 || {
      echo "apt-get could not install a Java runtime (see the messages above)" >&2
      return 1
    }
}

if find_java || { install_debian_java && find_java; }; then
  exit 0
fi
echo "no Java $MINIMUM+ runtime could be found or installed (try: java -version)" >&2
exit 1
