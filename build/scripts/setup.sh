#!/usr/bin/env bash
# Idempotent setup shared by the two quick-start commands:
#   setup.sh app   what `npm start` / `npm run preview` need: Node deps
#   setup.sh test  what `npm test` needs: the above plus the system tools the tests drive
#                  (Debian's Chromium, SoftHSM2, OpenSC, poppler, NSS tools, qpdf, OpenSSL,
#                  Ghostscript and MuPDF, which make PDFs no one here wrote, and the PostgreSQL
#                  server the relay's scaled-out tests start their own throwaway clusters of)
# Runs in about a second when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-app}"

say() { printf 'setup: %s\n' "$*" >&2; }

# Node: the toolchain (Vite 8, Electron's tooling) needs 20.19 or newer.
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
  say "Node.js $(node --version) is too old: install Node.js 20.19 or newer, then run this again."
  exit 1
}

if [ "$mode" = test ]; then
  # command:debian-package pairs; a package is installed only when its command is missing.
  needed=()
  for pair in chromium:chromium softhsm2-util:softhsm2 pkcs11-tool:opensc pdfsig:poppler-utils \
              certutil:libnss3-tools qpdf:qpdf openssl:openssl gs:ghostscript mutool:mupdf-tools \
              pg_ctlcluster:postgresql; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || needed+=("${pair#*:}")
  done
  if [ "${#needed[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else
      say "missing system packages: ${needed[*]}"
      say "install them with: sudo apt-get install ${needed[*]}   (or run this as root)"
      exit 1
    fi
    say "installing system packages: ${needed[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
  fi
fi

# Node dependencies: npm's own hidden lockfile is newer than package-lock.json after an
# install of it, so a fresh clone or a changed lock triggers `npm ci`, nothing else does.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing Node dependencies (npm ci)"
  # The Electron binary cannot be downloaded on CI machines; `npm start` fetches it on
  # demand where the network allows, and falls back to the browser preview where not.
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
