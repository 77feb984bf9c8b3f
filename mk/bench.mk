# mk/bench.mk — `make bench`: tracuu side by side with SQLite FTS5 and Xapian (bench/).
#
#   make bench [CORPUS="a.jsonl.zst b.jsonl.zst"] [QUERIES=file.tsv] [QUICK=1] [BUILD_RUNS=N]
#
# The peers' packages come from `scripts/install-deps.sh bench`. The bench is not part
# of `make test`: it takes minutes on the full corpus.

CXX      ?= g++
CXXFLAGS ?= -O2 -g
BENCH_LIB_SRC = bench/lib/corpus.c bench/lib/harness.c
BENCH_LIB_OBJ = $(BENCH_LIB_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_PROGS   = $(BUILD)/bench/gen_queries $(BUILD)/bench/sample_corpus \
                $(BUILD)/bench/report $(BUILD)/bench/tracuu_driver \
                $(BUILD)/bench/peers/fts5_driver $(BUILD)/bench/peers/xapian_driver

.PHONY: bench bench-bin bench-deps

bench-deps:
	@if ! command -v xapian-config >/dev/null 2>&1 || ! pkg-config --exists sqlite3 || \
	    ! command -v gnuplot >/dev/null 2>&1 || ! command -v $(CXX) >/dev/null 2>&1 || \
	    ! test -x /usr/bin/time; then \
		scripts/install-deps.sh bench; \
	fi

bench-bin: $(BUILD)/tracuu $(BENCH_PROGS)

bench: deps bench-deps
	@$(MAKE) --no-print-directory bench-bin
	@BUILD=$(BUILD) CORPUS="$(CORPUS)" QUERIES="$(QUERIES)" QUICK="$(QUICK)" BUILD_RUNS="$(BUILD_RUNS)" bench/run.sh

# The bench programs share bench/lib; they are built here rather than by the one-file rule.
$(BUILD)/bench/gen_queries $(BUILD)/bench/sample_corpus $(BUILD)/bench/report \
$(BUILD)/bench/tracuu_driver: \
		$(BUILD)/bench/%: bench/%.c $(BENCH_LIB_OBJ) $(BUILD)/libtracuu.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BENCH_LIB_OBJ) $(BUILD)/libtracuu.a $(LDLIBS)

$(BUILD)/bench/peers/fts5_driver: bench/peers/fts5_driver.c $(BENCH_LIB_OBJ) $(BUILD)/libtracuu.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags sqlite3) -o $@ $< $(BENCH_LIB_OBJ) \
		$(BUILD)/libtracuu.a $(shell pkg-config --libs sqlite3) $(LDLIBS)

# C++ only here: Xapian's API. The C headers it includes carry extern "C" guards, or are
# wrapped where they are included.
$(BUILD)/bench/peers/xapian_driver: bench/peers/xapian_driver.cc $(BENCH_LIB_OBJ) $(BUILD)/libtracuu.a
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -Wall -Wextra -Werror -Wshadow -I. $(SANFLAGS) $(CXXFLAGS) \
		$(shell xapian-config --cxxflags) -o $@ $< $(BENCH_LIB_OBJ) $(BUILD)/libtracuu.a \
		$(shell xapian-config --libs) $(LDLIBS)

# The query generator's smoke test runs the generator itself.
$(BUILD)/tests/test_bench_queries: $(BUILD)/bench/gen_queries
