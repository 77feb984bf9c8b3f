# mk/indexer.mk — `make index-figures`: the indexing table of README.md ("Indexing figures").
#
#   make index-figures [INDEX_CORPUS=../shared/corpus/news.jsonl.zst] [INDEX_RUNS="64:1 64:2"]
#
# Indexes the corpus once per "--mem:-j" pair into a temporary directory and prints one
# Markdown row each (wall time, MB/s, CPU seconds, peak RSS from /usr/bin/time, segments),
# then `tracuu check` and `tracuu stats` of the last index. Not part of `make test`.

INDEX_CORPUS ?= ../shared/corpus/news.jsonl.zst
INDEX_RUNS   ?= 64:1 64:2 256:1 256:2

.PHONY: index-figures

index-figures: $(BUILD)/tracuu
	@test -r "$(INDEX_CORPUS)" || { echo "index-figures: no $(INDEX_CORPUS)"; exit 1; }
	@test -x /usr/bin/time || { echo "index-figures: needs /usr/bin/time (apt-get install time)"; exit 1; }
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "| --mem | -j | wall | MB/s | CPU s | peak RSS | segments |"; \
	echo "|---:|---:|---:|---:|---:|---:|---:|"; \
	for run in $(INDEX_RUNS); do \
		mem=$${run%%:*}; j=$${run##*:}; rm -rf "$$tmp/ix"; \
		/usr/bin/time -o "$$tmp/time" -f "%e %U %S %M" $(BUILD)/tracuu index -q \
			--mem $$mem -j $$j -i "$$tmp/ix" "$(INDEX_CORPUS)" 2> "$$tmp/log" || \
			{ cat "$$tmp/log"; exit 1; }; \
		mb=$$(sed -n 's/.*rejected, \([0-9.]*\) MB in.*/\1/p' "$$tmp/log"); \
		seg=$$(sed -n 's/.*), \([0-9]*\) segments*$$/\1/p' "$$tmp/log"); \
		read wall user sys rss < "$$tmp/time"; \
		awk -v m=$$mem -v j=$$j -v w=$$wall -v u=$$user -v s=$$sys -v r=$$rss -v mb=$$mb \
			-v seg=$$seg 'BEGIN { printf "| %d | %d | %.1f s | %.1f | %.1f | %d MB | %d |\n", \
			m, j, w, mb / w, u + s, r / 1024, seg }'; \
	done; \
	$(BUILD)/tracuu check -i "$$tmp/ix" && $(BUILD)/tracuu stats -i "$$tmp/ix"
