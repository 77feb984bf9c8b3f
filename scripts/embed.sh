#!/bin/sh
# embed.sh NAME FILE: prints a C file defining FILE's bytes as the string NAME and its
# length as NAME_len. Backslashes, quotes and '?' (no trigraphs) are escaped.
set -eu
printf '/* generated from %s by scripts/embed.sh: do not edit */\n' "$2"
printf '#include <stddef.h>\n\nconst char %s[] =\n' "$1"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$2"
printf ';\nconst size_t %s_len = sizeof %s - 1;\n' "$1" "$1"
