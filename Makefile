# Thin wrapper so that `make bench` and `make test` work from the root. The
# real build is CMake's, in build/. Configuring happens only when build/ is
# not configured yet, and scripts/install-deps runs only when something the
# build needs cannot be found.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all build bench bench-quick bench-ci reference test clean deps

all: build

deps:
	@scripts/install-deps --check >/dev/null || scripts/install-deps

$(BUILD)/Makefile:
	@$(MAKE) --no-print-directory deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j$(JOBS)

bench bench-quick bench-ci: build
	cmake --build $(BUILD) --target $@

# The same workloads on real CPython (Debian's /usr/bin/python3), then
# `gilbench fidelity` against results/latest/ if `make bench` made it.
reference: build
	@scripts/install-deps --check --reference >/dev/null || scripts/install-deps --reference
	cmake --build $(BUILD) --target reference

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

clean:
	@if [ -f $(BUILD)/Makefile ]; then cmake --build $(BUILD) --target clean; fi
