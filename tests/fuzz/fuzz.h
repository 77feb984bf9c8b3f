/*
 * fuzz.h — the fuzz targets of tracuu's untrusted-input paths, and what they share.
 *
 * Each target (fuzz_<name>.c) defines one tc_fuzz_target: a function that takes any bytes,
 * runs them through the code under test and checks what must hold whatever the bytes are.
 * Two drivers call the very same functions:
 *
 *   libfuzzer.c          LLVMFuzzerTestOneInput, built by `make fuzz` (mk/fuzz.mk) with
 *                        clang -fsanitize=fuzzer,address,undefined, one program per target
 *   test_fuzz_corpus.c   replays every saved input of tests/fuzz/corpus/<name>/ without
 *                        libFuzzer, so the corpora run in `make test` (normal and
 *                        under ASan+UBSan)
 *
 * A broken invariant calls tc_fuzz_fail(), which the driver defines: libFuzzer aborts
 * (the input is saved as a crash), the replay test fails with the input's name.
 *
 * Memory: a target owns what init creates and releases it in fini; one() frees all it
 * allocates before returning (LeakSanitizer checks both drivers).
 */
#ifndef TC_FUZZ_H
#define TC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

typedef struct tc_fuzz_target {
	const char *name;                            /* corpus directory name */
	int (*init)(void);                           /* NULL, or 0 when ready */
	void (*one)(const uint8_t *data, size_t size);
	void (*fini)(void);                          /* NULL, or undoes init */
} tc_fuzz_target;

extern const tc_fuzz_target tc_fuzz_analyze;  /* analyser + quantity extractor */
extern const tc_fuzz_target tc_fuzz_query;    /* query parser + dump */
extern const tc_fuzz_target tc_fuzz_segment;  /* damaged index files: open, search, check */
extern const tc_fuzz_target tc_fuzz_proto;    /* requests of the socket and of HTTP */

/* Defined by the driver; does not return. */
void tc_fuzz_fail(const char *file, int line, const char *what)
#if defined(__GNUC__)
	__attribute__((noreturn))
#endif
	;

#define TC_FUZZ_ASSERT(cond)                                                  \
	do {                                                                      \
		if (!(cond))                                                          \
			tc_fuzz_fail(__FILE__, __LINE__, #cond);                          \
	} while (0)

#endif
