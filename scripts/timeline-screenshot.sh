#!/bin/sh
# Writes the timeline of a scenario and a PNG of it taken by headless Chromium:
#   scripts/timeline-screenshot.sh scenarios/proposal-metrics-2.scn docs/timeline-proposal-metrics-2.png
set -e
scenario=${1:?usage: $0 SCENARIO.scn OUT.png [WIDTHxHEIGHT]}
png=${2:?usage: $0 SCENARIO.scn OUT.png [WIDTHxHEIGHT]}
size=${3:-1600,760}
bin=${RAFTSH_BIN:-.build/release/raftsh}
chromium=$(sh "$(dirname "$0")/ensure-chromium.sh")
html=$(mktemp --suffix=.html)
"$bin" run "$scenario" --timeline "$html" --quiet >/dev/null
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$size" \
    --screenshot="$png" "file://$html" 2>/dev/null
rm -f "$html"
echo "$png"
