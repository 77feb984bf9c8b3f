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

# The server: the portal page and the socket protocol, on 127.0.0.1, until Ctrl-C.
PORT=${TRACUU_PORT:-7700}
HTTP_PORT=${TRACUU_HTTP_PORT:-7701}
echo
echo "== Serving the sample: the portal page, the HTTP API and the socket protocol"
LOG=$(mktemp)
"$T" serve -i "$IDX" --port "$PORT" --http-port "$HTTP_PORT" >"$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -f "$LOG"; exit 0' INT TERM
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	grep -q "Stop with" "$LOG" && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
cat "$LOG"
if ! kill -0 "$PID" 2>/dev/null; then
	echo "make run: the server did not start (is port $PORT or $HTTP_PORT taken? set" \
	     "TRACUU_PORT / TRACUU_HTTP_PORT)" >&2
	rm -f "$LOG"
	exit 1
fi
# One request on each, written by hand as any program would (bash's /dev/tcp).
REQ='{"id":1,"op":"search","q":"NDXP > 1 tỷ giao dịch","k":1,"snippet":80}'
printf '\n$ echo %s | nc 127.0.0.1 %s\n' "'$REQ'" "$PORT"
bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; printf "%s\n" "$2" >&3; head -n 1 <&3' _ "$PORT" "$REQ"
URL="/api/search?q=h%E1%BB%8Dp&k=1&strict=true"
printf '\n$ curl %s\n' "'http://127.0.0.1:$HTTP_PORT$URL'"
bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"
printf "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" "$2" >&3
sed -n "/^{/p" <&3' _ "$HTTP_PORT" "$URL"
echo
echo
echo "Open http://127.0.0.1:$HTTP_PORT/ in a browser. Ctrl-C stops the server."
tail -n +5 -f "$LOG" --pid "$PID" 2>/dev/null &
wait "$PID"
