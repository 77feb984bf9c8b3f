# mk/server.mk — the portal page (server/portal.html) compiled into the library as a C
# string, so `tracuu serve` carries it.

$(BUILD)/gen/portal_html.c: server/portal.html scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh tc_portal_html $< > $@

$(BUILD)/obj/gen/portal_html.o: $(BUILD)/gen/portal_html.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libtracuu.a: $(BUILD)/obj/gen/portal_html.o
