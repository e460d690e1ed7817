# ttycall: every target installs missing Debian packages itself, then configures and builds.
PRESET ?= default
BUILD_DIR := build
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test demo bench clean format check-format test-asan test-tsan deb install

all: build

deps:
	@bash scripts/install-deps.sh
	@bash scripts/install-web-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

# CI's command: the format check first (it fails in seconds, before a long build), then the
# build with -Werror (the default preset) and the whole suite.
test: check-format build
	@ctest --preset $(PRESET) -j $(JOBS)

demo: build
	@./$(BUILD_DIR)/ttycall demo

# A Debian package of the binary, man page, completions and systemd unit:
# build/packages/ttycall_<version>_<arch>.deb
deb: build
	@cd $(BUILD_DIR) && cpack -G DEB
	@ls $(BUILD_DIR)/packages/*.deb

# Into PREFIX (default /usr/local): cmake --install with the same build.
PREFIX ?= /usr/local
install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, and under
# ThreadSanitizer (integration tests run the sanitized `ttycall` binary too).
test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

test-tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS)
	@TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --preset tsan -j $(JOBS)

bench: build
	@./$(BUILD_DIR)/bench/ttycall_microbench

# The picture codec comparison (bench/codec_compare.cpp; BENCHMARKS.md, "Picture codecs
# for the downstream"): installs libwebp and libvpx, reconfigures so CMake finds them, then
# builds and runs it. Prints markdown tables; takes a few minutes.
.PHONY: codec-compare
codec-compare: deps
	@bash scripts/install-codec-compare-deps.sh
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS) --target ttycall_codec_compare
	@./$(BUILD_DIR)/bench/ttycall_codec_compare

# clang-format over src, tests, bench and fuzz: check-format names the files that differ
# (and fails), format rewrites them.
format: deps
	@bash scripts/check-format.sh --fix

check-format: deps
	@bash scripts/check-format.sh

clean:
	rm -rf build build-debug build-asan build-tsan

# libFuzzer targets (clang, ASan+UBSan), see fuzz/README.md. Installs clang and the
# libFuzzer runtime only here, so the normal build and `make test` never need them.
# FUZZ_SECONDS per target; FUZZ_TARGETS="packet_fuzz ..." to run some.
.PHONY: fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	@bash scripts/install-fuzz-deps.sh
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" bash fuzz/run-fuzz.sh
