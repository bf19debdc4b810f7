# The project's commands. Each first installs whatever is missing (apt, idempotent).
#   make run     build and run the main job
#   make test    build and run every test: unit, property, tshark checks, the
#                sanitizer build, short fuzz runs
#   make bench   benchmarks (ns-3 beside the simulator, lwIP and the kernel
#                beside the live path; ns-3 and lwIP installed on first
#                use), built with link-time optimisation in build/bench;
#                figures go to docs/benchmarks.md by hand
#   make fuzz    the fuzz targets, longer (FUZZ_SECONDS per target, default 60)
#   make chaos   the TCP property test over CHAOS_SEEDS random networks (100,000)
#                and 100 MB both ways between our stack and the kernel, impaired
#   make format  clang-format every source file in place

.PHONY: all deps build run test bench fuzz chaos format format-check clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release

run: build
	./build/release/src/cli/minternet run

test: deps
	@./scripts/test.sh

# Its own tree, with link-time optimisation (cmake/optimise.cmake).
bench: deps
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench
	./build/bench/bench/minternet_bench --benchmark_counters_tabular=true --benchmark_filter=-.*/1000000
	./scripts/bench-sim.sh ./build/bench/src/cli/minternet ./build/bench/bench/minternet_bench $${SIM_BENCH_REPEATS:-3}
	./scripts/bench-dns.sh ./build/bench/src/cli/minternet $${DNS_BENCH_SECONDS:-5}
	./scripts/bench-live.sh ./build/bench/src/cli/minternet $${LIVE_BENCH_MB:-1024} $${LIVE_BENCH_REPEATS:-3}

fuzz: deps
	@./scripts/fuzz.sh $${FUZZ_SECONDS:-60}

chaos: build
	MINTERNET_TCP_SEEDS=$${CHAOS_SEEDS:-100000} MINTERNET_TCP_FIRST_SEED=$${CHAOS_FIRST_SEED:-1} \
		./build/release/tests/scenarios/scenario_test --gtest_filter='TcpProperty.*'
	./tests/interop/live_test.sh ./build/release/src/cli/minternet impaired 100
	./tests/interop/live6_test.sh ./build/release/src/cli/minternet impaired 100

format: deps
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format -i

format-check: deps
	@./scripts/check-format.sh

clean:
	rm -rf build
