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

.PHONY: all deps build run test bench install clean

all: build

deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libedit; then \
		echo "installing libedit-dev and pkg-config (apt)"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y libedit-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build $(SWIFTFLAGS) --build-tests

run: build
	$(BIN)

# Every scenario runs in simulation under 200 seeds (flakes hide below 60), then those marked
# `# modes: sim udp` run again on local raftd processes over UDP (raftd is built next to raftsh).
test: build
	$(SWIFT) test $(SWIFTFLAGS) --skip-build
	$(BIN) run scenarios/ --seeds 1..200 --quiet
	$(BIN) run --udp scenarios/

bench: build
	$(BIN) bench sim

# Installs raftsh and raftd (raftsh finds raftd next to itself) into $(PREFIX)/bin.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 .build/release/raftsh .build/release/raftd $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf .build
