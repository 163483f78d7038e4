# Thin wrapper so that `make bench` and `make test` work from the root. The
# real build is CMake's, in build/: each target here calls the CMake target
# of the same name. Configuring happens when build/ is not configured yet,
# or again whenever CMAKE_FLAGS is given (so `make test CMAKE_FLAGS=...`
# never runs silently with the flags of an earlier configure), and
# scripts/install-deps runs only when something the build needs is missing.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all build bench bench-quick bench-ci reference readme test clean deps

all: build

deps:
	@scripts/install-deps --check >/dev/null || scripts/install-deps

ifneq ($(strip $(CMAKE_FLAGS)),)
.PHONY: $(BUILD)/Makefile
endif
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

# The README's figures and docs/img/ from the last `make bench` (results/latest/).
readme:
	scripts/readme-update results/latest

# CMake's own `test` target runs ctest; these variables are how it takes options.
test: build
	CTEST_OUTPUT_ON_FAILURE=1 CTEST_PARALLEL_LEVEL=$(JOBS) cmake --build $(BUILD) --target test

clean:
	@if [ -f $(BUILD)/Makefile ]; then cmake --build $(BUILD) --target clean; fi
