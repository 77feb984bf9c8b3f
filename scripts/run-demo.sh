#!/bin/sh
# `make run`: indexes the bundled sample (sample/) and shows tracuu at work.
set -eu
T=build/tracuu
IDX=build/sample-index

# Prints the command as one would type it (arguments with spaces quoted), then runs it.
show() {
	line="\$ tracuu"
	for a in "$@"; do
		case "$a" in
		*" "* | *">"* | *"<"* | *'"'*) line="$line '$a'" ;;
		*) line="$line $a" ;;
		esac
	done
	echo
	echo "$line"
	"$T" "$@"
}

echo "== How Vietnamese text becomes searchable tokens"
show analyze "Thuỷ lợi: hơn 1,35 tỷ giao dịch qua NDXP theo Nghị định 13/2023/NĐ-CP"

echo
echo "== Indexing the sample: five portal documents and six laws"
rm -rf "$IDX"
show index -q -i "$IDX" sample/seeds/*.txt sample/laws.jsonl.zst

echo
echo "== Searching"
show search -i "$IDX" -k 3 "NDXP > 1 tỷ giao dịch"
show search -i "$IDX" -k 2 '"cải cách hành chính"'
show search -i "$IDX" -k 2 "cai cach thu tuc hanh chinh"
show search -i "$IDX" -k 2 "thuế suất > 5%"
show search -i "$IDX" -k 2 "13/2023/nd-cp"
show search -i "$IDX" -k 2 "source:vlc date >= 2015-01-01 chính phủ"
show search -i "$IDX" -k 2 --json "hơn 500 nghìn hồ sơ"

echo
echo "Try more:  build/tracuu search -i $IDX 'your query'   (build/tracuu search --help)"
