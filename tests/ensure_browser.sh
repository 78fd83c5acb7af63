#!/bin/sh
# Headless Chromium for the HTML report's browser check (tests/test_html_report.py), for `make test`.
# Prints 1 on stdout when Chromium is there, installing it where it can (root with apt-get, as on CI);
# else prints nothing and says in ONE line on stderr what to install, and the check is skipped with that
# reason (unless FACEPOLICY_REQUIRE_BROWSER=1 or CI=true, where its absence fails the suite).
found() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }
if found; then
  echo 1
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 && found; then
    echo 1
    exit 0
  fi
  why="'apt-get install chromium' failed"
elif [ "$(id -u)" = 0 ]; then
  why="no apt-get here"
else
  why="not root, so make test cannot install it"
fi
echo "make test: Chromium not found ($why); install Chromium (Debian/Ubuntu: sudo apt-get install chromium) to run the HTML report's browser check - skipped for now" >&2
exit 0
