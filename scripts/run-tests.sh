#!/bin/sh
# Runs every test binary of each build directory given (build, build/san), one process
# per test program, and ends with one summary line: "N passed, N failed".
# TRACUU_SRC tells the end-to-end tests where the sources (and ../shared) are.
set -u
passed=0
failed=0
bad=""
export TRACUU_SRC="$(pwd)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for dir in "$@"; do
	for t in "$dir"/tests/test_*; do
		[ -x "$t" ] || continue
		log=$(mktemp)
		TRACUU_BIN="$dir/tracuu" "$t" >"$log" 2>&1
		rc=$?
		cat "$log"
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			# crashed, sanitizer report or leak: the program counts as one failure
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" -ne 0 ] && bad="$bad $t"
		rm -f "$log"
	done
done
[ -n "$bad" ] && echo "failed:$bad"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
