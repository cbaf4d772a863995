# The two commands: `make run` and `make test`. Everything else here serves them.
# Builds go through CMake presets (CMakePresets.json); scripts/bootstrap installs what is missing.
.PHONY: run cluster build image test test-release test-deploy test-asan test-tsan test-fuzz format tidy clean

CTEST_FLAGS ?= --output-on-failure
FUZZ_SECONDS ?= 30

run: build
	./build/release/parley

# A cluster on this machine, no containers: Redis, two nodes and nginx (deploy/nginx/parley.conf)
# on loopback; the web client at http://localhost:8080/ (scripts/cluster; Ctrl-C stops it).
cluster: build
	scripts/bootstrap cluster
	scripts/cluster

build:
	scripts/bootstrap build
	cmake --preset release >/dev/null
	cmake --build --preset release --target parley

# The container image parley:VERSION from deploy/Dockerfile, with podman or docker (docs/operations.md).
image:
	scripts/bootstrap container
	scripts/image

# Every test: unit, integration (Python websockets and Node ws against the real binary), RFC 6455
# conformance, browser end-to-end (headless Chromium), deploy/ checked and run in containers,
# then the same under ASan+UBSan and TSan, then each fuzzer for a short budget.
test: test-release test-asan test-tsan test-fuzz

# The container tests run last and verbose, so their SKIP lines and the image size are seen.
test-release:
	scripts/bootstrap test
	scripts/bootstrap container
	cmake --preset release >/dev/null
	cmake --build --preset release
	ctest --preset release $(CTEST_FLAGS) -LE container
	ctest --preset release $(CTEST_FLAGS) -L container --verbose

# deploy/: the static checks, then the image, kube play and compose run for real (tests/container).
test-deploy:
	scripts/bootstrap test
	scripts/bootstrap container
	cmake --preset release >/dev/null
	cmake --build --preset release --target parley
	ctest --preset release $(CTEST_FLAGS) -L deploy -LE container
	ctest --preset release $(CTEST_FLAGS) -L container --verbose

test-asan:
	scripts/bootstrap test
	cmake --preset asan >/dev/null
	cmake --build --preset asan
	ctest --preset asan $(CTEST_FLAGS) -L 'unit|integration|conformance'

# ThreadSanitizer on the threaded core: the unit tests and the integration suites (which run the
# server with several event loops).
test-tsan:
	scripts/bootstrap test
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan
	ctest --preset tsan $(CTEST_FLAGS) -L 'unit|integration'

test-fuzz:
	scripts/bootstrap test
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz
	scripts/run-fuzzers build/fuzz $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp')

tidy:
	cmake --preset release >/dev/null
	clang-tidy -p build/release $$(git ls-files 'src/*.cpp')

clean:
	rm -rf build
