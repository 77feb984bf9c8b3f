# mk/storage.mk — `make bench-codec`: the postings codecs compared on real posting lists,
# and one real segment written and read back (the numbers of storage/FORMAT.md).
#
#   make bench-codec [CODEC_CORPUS=file.jsonl.zst] [CODEC_MB=40]
#
# Not part of `make test`. The segment goes to a temporary directory, removed afterwards.

CODEC_CORPUS ?= ../shared/corpus/news.jsonl.zst
CODEC_MB     ?= 40

.PHONY: bench-codec

bench-codec: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/codec_bench
	@d=$$(mktemp -d) && $(BUILD)/bench/codec_bench "$(CODEC_CORPUS)" $(CODEC_MB) "$$d"; \
	rc=$$?; rm -rf "$$d"; exit $$rc
