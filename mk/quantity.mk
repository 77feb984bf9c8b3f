# mk/quantity.mk — `make accuracy`: precision and recall of the quantity extractor on
# the hand-checked fixture tests/data/quantities.tsv (texts read from ../shared).

.PHONY: accuracy

accuracy: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/qty_accuracy
	@TRACUU_SRC="$(CURDIR)" $(BUILD)/bench/qty_accuracy tests/data/quantities.tsv
