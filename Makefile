# raftsh — two commands do all the set-up on a fresh Debian machine:
#   make run    install what is missing, build, open the shell on a simulated 5-node cluster
#   make test   install what is missing, build, run every test and scenario
#
# One optimized build (with -enable-testing, tests included) serves the binaries, the tests and the
# scenarios: `swift test --skip-build` runs what `swift build --build-tests` made, so a second
# `make test` or a `make run` after `make test` compiles nothing. (Simulation code in a debug build
# runs many times slower.)

SWIFT      ?= swift
SWIFTFLAGS ?= -c release -Xswiftc -enable-testing
BIN        := .build/release/raftsh

PREFIX     ?= /usr/local

.PHONY: all deps build run test bench install clean timeline-png

all: build

# libedit for the shell; iproute2 (ip, tc) and nftables (nft) for netns clusters, whose kernel rules
# need them (`raftsh run --netns`, `cluster N udp netns`); python3 for the test nodes of exec clusters.
deps:
	@missing=""; \
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libedit; then missing="$$missing libedit-dev pkg-config"; fi; \
	if ! PATH="$$PATH:/usr/sbin:/sbin" command -v ip >/dev/null 2>&1 || ! PATH="$$PATH:/usr/sbin:/sbin" command -v tc >/dev/null 2>&1; then missing="$$missing iproute2"; fi; \
	if ! PATH="$$PATH:/usr/sbin:/sbin" command -v nft >/dev/null 2>&1; then missing="$$missing nftables"; fi; \
	if ! command -v python3 >/dev/null 2>&1; then missing="$$missing python3"; fi; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing (apt)"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

build: deps
	$(SWIFT) build $(SWIFTFLAGS) --build-tests

run: build
	$(BIN)

# Every scenario runs in simulation under 200 seeds (flakes hide below 60), then those marked
# `# modes: sim udp` run again on local raftd processes over UDP (raftd is built next to raftsh),
# and once more with each leader's log writes on raftd's writer thread (--background-writes),
# then failover, a partition with a stale-leader read, and loss run with each raftd in its own
# network namespace and the faults made by the kernel (root only: namespaces need it), and those
# marked `exec` run on raftd --maelstrom nodes that raftsh routes and serves as Maelstrom does.
NETNS_SCENARIOS := scenarios/leader-failover.scn scenarios/stale-leader-no-stale-read.scn scenarios/loss-30.scn
MAELSTROM_NODE  := $(CURDIR)/.build/release/raftd --maelstrom --data "$$RAFTSH_NODE_DIR"

test: build
	$(SWIFT) test $(SWIFTFLAGS) --skip-build
	$(BIN) run scenarios/ --seeds 1..200 --quiet
	$(BIN) run scenarios/ --seeds 1..50 --quiet --disk 1ms..5ms
	$(BIN) run --udp scenarios/
	$(BIN) run --udp --background-writes --quiet scenarios/
	@if [ "$$(id -u)" = 0 ]; then $(BIN) run --netns $(NETNS_SCENARIOS); \
	else echo "netns scenarios skipped: network namespaces need root"; fi
	$(BIN) run --exec '$(MAELSTROM_NODE)' scenarios/

bench: build
	$(BIN) bench sim

# The README's picture: the timeline of proposal-metrics-2 as headless Chromium draws it
# (scripts/ensure-chromium.sh installs Debian's chromium through apt when it is missing).
timeline-png: build
	sh scripts/timeline-screenshot.sh scenarios/proposal-metrics-2.scn docs/timeline-proposal-metrics-2.png

# Installs raftsh and raftd (raftsh finds raftd next to itself) into $(PREFIX)/bin.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 .build/release/raftsh .build/release/raftd $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf .build
