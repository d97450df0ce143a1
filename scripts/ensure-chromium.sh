#!/bin/sh
# Installs Debian's chromium (for the timeline tests and screenshots) when it is missing.
# Needs root and Debian's package archive; prints where chromium is.
set -e
if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium (apt)" >&2
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2
fi
command -v chromium
