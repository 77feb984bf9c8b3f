/*
 * libfuzzer.c — the libFuzzer entry points of one fuzz target (fuzz.h).
 *
 * mk/fuzz.mk compiles this file once per target with -DTC_FUZZ_TARGET=tc_fuzz_<name> and
 * links it with -fsanitize=fuzzer: init runs before the first input, fini at exit.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"

#ifndef TC_FUZZ_TARGET
#error "define TC_FUZZ_TARGET as the tc_fuzz_target to run"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void tc_fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: %s: invariant broken: %s\n", file, line,
	        TC_FUZZ_TARGET.name, what);
	abort();
}

static void fini(void)
{
	TC_FUZZ_TARGET.fini();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (TC_FUZZ_TARGET.init != NULL && TC_FUZZ_TARGET.init() != 0) {
		fprintf(stderr, "%s: init failed\n", TC_FUZZ_TARGET.name);
		exit(1);
	}
	if (TC_FUZZ_TARGET.fini != NULL)
		atexit(fini);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TC_FUZZ_TARGET.one(data, size);
	return 0;
}
