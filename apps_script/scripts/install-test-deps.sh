#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: Node's test runner, Debian's chromium, and
# Pango with a CJK font for the report PDFs.
# Idempotent: does nothing when both are already there. Run as root in CI (`make test` calls it).
set -euo pipefail

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-test-deps: $1 is missing and installing it needs root (apt-get)." >&2
        echo "  Run: sudo apt-get update && sudo apt-get install -y $2" >&2
        exit 1
    fi
}

missing=()
# The browser tests drive Debian's chromium through Playwright; Playwright's own browser download is
# never used (it cannot be fetched here, and CI must not depend on it).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The Apps Script unit tests use Node's built-in runner (node --test); Node 18+ has it.
if ! command -v node >/dev/null 2>&1; then
    missing+=(nodejs)
elif ! node -e 'process.exit(parseInt(process.versions.node, 10) >= 18 ? 0 : 1)'; then
    echo "install-test-deps: node $(node --version) is too old for 'node --test'; need 18 or newer." >&2
    exit 1
fi
# A font, so screenshots show text rather than boxes on a bare machine.
if ! { command -v fc-list >/dev/null 2>&1 && fc-list | grep -q .; }; then
    missing+=(fonts-dejavu-core)
fi
# Report PDFs (`publish --pdf`): WeasyPrint lays pages out with Pango, and Chinese needs a CJK font.
for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

need_root "${missing[*]}" "${missing[*]}"
echo "install-test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

if [ ! -x /usr/bin/chromium ]; then
    echo "install-test-deps: apt-get finished but /usr/bin/chromium is still missing." >&2
    exit 1
fi
/usr/bin/chromium --version >&2 || true
