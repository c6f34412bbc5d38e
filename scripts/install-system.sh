#!/usr/bin/env bash
# Debian packages the tests need: chromium (browser tests), postgresql (database tests),
# fonts-noto-cjk (Chinese text in screenshots and exports, embedded in the PDF briefing),
# poppler-utils (pdftotext/pdftoppm: the PDF briefing's tests read and render it).
# Idempotent; installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
noto=/usr/share/fonts/opentype/noto
{ [ -f $noto/NotoSansCJK-Regular.ttc ] && [ -f $noto/NotoSansCJK-Bold.ttc ]; } || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
