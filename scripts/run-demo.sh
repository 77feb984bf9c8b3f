#!/bin/sh
# `make run`: shows tracuu at work on sample text from the bundled documents.
set -eu
T=build/tracuu
echo "== tracuu analyze: how Vietnamese text becomes searchable tokens"
echo
echo '$ tracuu analyze "Thuỷ lợi: hơn 1,35 tỷ giao dịch qua NDXP theo Nghị định 13/2023/NĐ-CP"'
$T analyze "Thuỷ lợi: hơn 1,35 tỷ giao dịch qua NDXP theo Nghị định 13/2023/NĐ-CP"
echo
echo '$ tracuu analyze --json "Hoà Bình, khoẻ mạnh, uỷ ban: 32,05% transactions"'
$T analyze --json "Hoà Bình, khoẻ mạnh, uỷ ban: 32,05% transactions"
echo
echo "Try more: build/tracuu analyze [--json] TEXT   (or - to read stdin)"
