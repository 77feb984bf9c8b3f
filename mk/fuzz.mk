# mk/fuzz.mk — `make fuzz`: coverage-guided fuzzing of the untrusted-input paths (tests/fuzz/).
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="analyze query segment proto"]
#   make fuzz-merge     keep in tests/fuzz/corpus/ the inputs of build/fuzz/corpus/ that
#                       add coverage (then review and commit them)
#
# Each target is built with clang -fsanitize=fuzzer,address,undefined into build/fuzz and
# run for FUZZ_SECONDS, one after the other, on its saved corpus tests/fuzz/corpus/<t>/
# (read only) plus build/fuzz/corpus/<t>/, where the new inputs it finds go. A crash or a
# broken invariant stops the run and saves the input as tests/fuzz/crashes/<t>-crash-*.
# clang and libFuzzer come from `scripts/install-deps.sh fuzz`. Not part of `make test`,
# which replays the saved corpora through the same target functions
# (tests/test_fuzz_corpus.c).

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= analyze query segment proto
FUZZ_BUILD    = build/fuzz
FUZZ_SAN      = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_SRC      = tests/fuzz/fuzz_analyze.c tests/fuzz/fuzz_query.c tests/fuzz/fuzz_segment.c \
                tests/fuzz/fuzz_proto.c
FUZZ_OBJ      = $(FUZZ_SRC:%.c=$(BUILD)/obj/%.o)
# Per target: queries just over the parser's 4096-byte limit; few damage records.
FUZZ_OPTS_analyze = -max_len=4096
FUZZ_OPTS_query   = -max_len=4200 -dict=tests/fuzz/query.dict
FUZZ_OPTS_segment = -max_len=258
FUZZ_OPTS_proto   = -max_len=2048 -dict=tests/fuzz/proto.dict

.PHONY: fuzz fuzz-bin fuzz-deps fuzz-merge

# The replay test links the very target files the fuzzers are made of.
$(BUILD)/tests/test_fuzz_corpus: tests/test_fuzz_corpus.c $(FUZZ_OBJ) $(BUILD)/libtracuu.a \
		tests/testutil.h tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(FUZZ_OBJ) $(BUILD)/libtracuu.a $(LDLIBS) -lcmocka

$(BUILD)/fuzz/fuzz_%: tests/fuzz/libfuzzer.c $(FUZZ_OBJ) $(BUILD)/libtracuu.a tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -DTC_FUZZ_TARGET=tc_fuzz_$* -o $@ $< \
		$(FUZZ_OBJ) $(BUILD)/libtracuu.a $(LDLIBS)

fuzz-bin: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

fuzz-deps:
	@if ! command -v clang >/dev/null 2>&1 || \
	    ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
	      clang -fsanitize=fuzzer -x c -o /dev/null - >/dev/null 2>&1; then \
		scripts/install-deps.sh fuzz; \
	fi

fuzz: deps fuzz-deps
	@$(MAKE) --no-print-directory CC=clang BUILD=$(FUZZ_BUILD) CFLAGS="-O1 -g" \
		SANFLAGS="$(FUZZ_SAN)" fuzz-bin
	@mkdir -p tests/fuzz/crashes
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		opts=""; \
		case $$t in \
			analyze) opts="$(FUZZ_OPTS_analyze)";; \
			query) opts="$(FUZZ_OPTS_query)";; \
			segment) opts="$(FUZZ_OPTS_segment)";; \
			proto) opts="$(FUZZ_OPTS_proto)";; \
		esac; \
		$(FUZZ_BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=tests/fuzz/crashes/$$t- $$opts \
			$(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

fuzz-merge:
	@for t in $(FUZZ_TARGETS); do \
		test -d $(FUZZ_BUILD)/corpus/$$t || continue; \
		$(FUZZ_BUILD)/fuzz/fuzz_$$t -merge=1 tests/fuzz/corpus/$$t \
			$(FUZZ_BUILD)/corpus/$$t || exit 1; \
	done
