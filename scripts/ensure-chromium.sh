#!/usr/bin/env bash
# Make a Chromium available for render: browser sources and browser tests, without surprises:
#   1. Playwright's own Chromium, if installed or installable (`playwright install chromium`);
#   2. else a system Chromium already on PATH;
#   3. else, when running as root on Debian/Ubuntu, `apt-get install chromium`;
#   4. else say exactly what to install, and fail.
set -u
PY=${1:-.venv/bin/python}
PLAYWRIGHT=$(dirname "$PY")/playwright

have_playwright_chromium() {
  "$PY" -c 'from crawler.browser import playwright_chromium as f; import sys; sys.exit(0 if f() else 1)' 2>/dev/null
}
have_system_chromium() {
  for b in chromium chromium-browser google-chrome google-chrome-stable; do
    command -v "$b" >/dev/null 2>&1 && { echo "system browser: $(command -v "$b")"; return 0; }
  done
  return 1
}

# Screenshots of Chinese pages need a CJK font; install one where we may (root + apt).
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ] \
   && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing a CJK font (fonts-noto-cjk) for Chinese screenshots"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk) \
    >/dev/null 2>&1 || echo "could not install fonts-noto-cjk; Chinese may show as boxes"
fi

if have_playwright_chromium; then echo "Playwright's Chromium is installed"; exit 0; fi
if timeout 300 "$PLAYWRIGHT" install chromium >/dev/null 2>&1 && have_playwright_chromium; then
  echo "installed Playwright's Chromium"; exit 0
fi
have_system_chromium && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium (Playwright's own browser cannot be downloaded here)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1
  have_system_chromium && exit 0
fi
cat >&2 <<'MSG'
No Chromium found. govwatch needs one for JS-rendered columns and browser tests. Install either:
  .venv/bin/playwright install chromium      (Playwright's own browser), or
  sudo apt-get install chromium             (Debian/Ubuntu system browser)
then run make again.
MSG
exit 1
