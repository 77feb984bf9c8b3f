# tracuu — full-text search for Vietnamese.
#
#   make            build build/tracuu
#   make test       install missing packages, build, run every test, then again under
#                   AddressSanitizer + UndefinedBehaviorSanitizer
#   make run        install missing packages, build, index the bundled sample, show searches
#   make CC=clang   any target with clang instead of gcc

CC      ?= cc
BUILD   ?= build
PKGS     = icu-uc icu-i18n libzstd libuv json-c libxxhash
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 $(WARN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SANFLAGS) $(CFLAGS)
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lstreamvbyte -lpthread -lm
SANFLAGS ?=

LIB_SRC  = $(sort $(wildcard common/*.c analysis/*.c storage/*.c indexer/*.c query/*.c server/*.c))
CLI_SRC  = $(sort $(wildcard cli/*.c))
TEST_SRC = $(sort $(wildcard tests/test_*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TESTS    = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps test check run clean tests-bin
all: $(BUILD)/tracuu

# A fresh machine has none of the libraries: install what is missing, once.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || \
	    ! pkg-config --exists $(PKGS) || \
	    ! printf '#include <libstemmer.h>\n#include <streamvbyte.h>\n#include <stdarg.h>\n#include <stddef.h>\n#include <setjmp.h>\n#include <cmocka.h>\n' | \
	      $(CC) -E -x c - >/dev/null 2>&1 || ! command -v zstd >/dev/null 2>&1; then \
		scripts/install-deps.sh; \
	fi

$(BUILD)/libtracuu.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tracuu: $(CLI_OBJ) $(BUILD)/libtracuu.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libtracuu.a $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(BUILD)/libtracuu.a $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libtracuu.a $(LDLIBS) -lcmocka

# Programs under bench/ (one .c each) link against the same library.
$(BUILD)/bench/%: bench/%.c $(BUILD)/libtracuu.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libtracuu.a $(LDLIBS)

tests-bin: $(TESTS) $(BUILD)/tracuu

# The suite runs twice: as built, and under ASan+UBSan (leaks included) in build/san.
# Where clang is installed everything is also compiled with it (build/clang, -Werror):
# both compilers must accept the code.
test: deps
	@$(MAKE) --no-print-directory tests-bin
	@$(MAKE) --no-print-directory BUILD=build/san SANFLAGS="$(SAN)" CFLAGS="-O1 -g" tests-bin
	@if command -v clang >/dev/null 2>&1; then \
		echo "test: compiling with clang too (build/clang)"; \
		$(MAKE) --no-print-directory CC=clang BUILD=build/clang tests-bin || exit 1; \
	else \
		echo "test: clang is not installed: the clang build is skipped"; \
	fi
	@scripts/run-tests.sh build build/san

check: test

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-demo.sh

clean:
	rm -rf build

# Each area may add its own targets (bench, accuracy, fuzz) in mk/NAME.mk.
-include $(wildcard mk/*.mk)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
