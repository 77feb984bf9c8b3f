/* test_analysis.c — the Vietnamese analyser: normalisation, folding, tones, numbers,
 * codes, syllables, stems, offsets, hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <json-c/json.h>

#include "analysis/abbrev.h"
#include "analysis/analyzer.h"
#include "analysis/viet.h"
#include "common/utf8.h"
#include "testutil.h"

static tc_analyzer *an;
static tc_toklist tl;

static int setup(void **state)
{
	tc_error err = {0};
	return tc_analyzer_new(&an, &err);
}

static int teardown(void **state)
{
	tc_toklist_free(&tl);
	tc_analyzer_free(an);
	return 0;
}

static void run(const char *text)
{
	tc_error err = {0};
	assert_int_equal(tc_analyze(an, text, strlen(text), NULL, &tl, &err), TC_OK);
}

/* "exact|folded exact|folded ..." of the current token list */
static const char *forms(void)
{
	static char out[4096];
	out[0] = '\0';
	for (size_t i = 0; i < tl.n; i++) {
		size_t len = strlen(out);
		snprintf(out + len, sizeof out - len, "%s%s|%s", i ? " " : "",
		         tc_tok_exact(&tl, &tl.tok[i]), tc_tok_folded(&tl, &tl.tok[i]));
	}
	return out;
}

/* One word in, its exact and folded forms out: NFC, tone placement, case, đ. */
static void test_forms(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{"cải", "cải|cai"},
		{"Đề án", "đề|de án|an"},
		{"ĐƯỜNG", "đường|duong"},
		/* both tone conventions give the old-style exact form, upper and lower case */
		{"hoà hòa HOÀ Hoà", "hòa|hoa hòa|hoa hòa|hoa hòa|hoa"},
		{"thuỷ thủy THUỶ", "thủy|thuy thủy|thuy thủy|thuy"},
		{"uỷ ủy Uỷ", "ủy|uy ủy|uy ủy|uy"},
		{"khoẻ khỏe KHOẺ", "khỏe|khoe khỏe|khoe khỏe|khoe"},
		{"Hoá hóa", "hóa|hoa hóa|hoa"},
		{"hoạ toà", "họa|hoa tòa|toa"},
		/* closed syllables and marked vowels keep the tone where it belongs */
		{"hoàn toán quyết", "hoàn|hoan toán|toan quyết|quyet"},
		{"người được thuở", "người|nguoi được|duoc thuở|thuo"},
		{"ngoài khuỷu khuya", "ngoài|ngoai khuỷu|khuyu khuya|khuya"},
		{"quý quả giữa gìn giếng", "quý|quy quả|qua giữa|giua gìn|gin giếng|gieng"},
		/* a rhyme of "i" alone after h, k, l, m, s, t, qu is also written "y": one
		   syllable either way, spelt "y" */
		{"kĩ kỹ lí lý Mĩ sĩ sỹ tỉ", "kỹ|ky kỹ|ky lý|ly lý|ly mỹ|my sỹ|sy sỹ|sy tỷ|ty"},
		{"qui quy QUÍ hi ti kì", "quy|quy quy|quy quý|quy hy|hy ty|ty kỳ|ky"},
		/* ... and only there: other onsets, longer rhymes, no onset */
		{"khi thi vi gì chị nghĩ", "khi|khi thi|thi vi|vi gì|gi chị|chi nghĩ|nghi"},
		{"kiểm lim tin y ý thủy", "kiểm|kiem lim|lim tin|tin y|y ý|y thủy|thuy"},
		/* a tone typed on the wrong vowel of a closed syllable moves too */
		{"hòan", "hoàn|hoan"},
		/* decomposed (NFD) input composes */
		{"tie\xcc\x82\xcc\x81n", "tiến|tien"},
		{"Vie\xcc\xa3\xcc\x82t", "việt|viet"},
		/* stray marks NFC cannot compose: dropped, the token is not split */
		{"h\xe1\xbb\x8b\xcc\xa3n", "hịn|hin"},
		{"S\xc6\xa1\xcc\x9bn", "sơn|son"},
		{"\xc6\xaf\xe1\xbb\x9b\xcc\x81" "c", "ước|uoc"},
		/* non-Vietnamese letters fold too, and keep their own exact form */
		{"Café naïve Ærø", "café|cafe naïve|naive ærø|ærø"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run(cases[i].in);
		if (strcmp(forms(), cases[i].out) != 0)
			fail_msg("analyse(\"%s\") = \"%s\", want \"%s\"", cases[i].in, forms(),
			         cases[i].out);
	}
}

/* A whole seed sentence in NFD analyses exactly like its NFC form. */
static void test_nfd_equals_nfc(void **state)
{
	const char *nfc = "Tổng số giao dịch thực hiện thông qua NDXP từ khi khai trương "
	                  "đến nay là hơn 1,35 tỷ giao dịch. Hoà Bình, Thuỷ lợi, Ủy ban.";
	/* the same text decomposed with the standard NFD mapping, built by ICU's tables */
	tc_buf nfd = {0};
	for (const char *p = nfc; *p;) {
		uint32_t cp;
		size_t k = tc_utf8_decode((const unsigned char *)p, strlen(p), &cp);
		tc_vletter l;
		char u8[4];
		if (tc_viet_letter(cp, &l) && l.base && (l.qual || l.tone) && l.qual != TC_Q_STROKE) {
			bool up = l.cp != cp;
			tc_buf_putc(&nfd, up ? (char)(l.base - 32) : l.base);
			static const uint32_t qmark[] = {0, 0x302, 0x306, 0x31B};
			static const uint32_t tmark[] = {0, 0x300, 0x301, 0x303, 0x309, 0x323};
			if (l.qual)
				tc_buf_append(&nfd, u8, tc_utf8_encode(qmark[l.qual], u8));
			if (l.tone)
				tc_buf_append(&nfd, u8, tc_utf8_encode(tmark[l.tone], u8));
		} else {
			tc_buf_append(&nfd, p, k);
		}
		p += k;
	}
	assert_true(nfd.len > strlen(nfc));
	run(nfc);
	char want[4096];
	snprintf(want, sizeof want, "%s", forms());
	size_t n = tl.n;
	tc_error err = {0};
	assert_int_equal(tc_analyze(an, nfd.data, nfd.len, NULL, &tl, &err), TC_OK);
	assert_int_equal(tl.n, n);
	assert_string_equal(forms(), want);
	tc_buf_free(&nfd);
}

/* Each case: input -> the folded tokens, '+' before a token joined to the previous. */
static void test_tokens(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{"276.938.860 giao dịch", "276.938.860 giao dich"},
		{"hơn 1,35 tỷ", "hon 1,35 ty"},
		{"2.390 tỷ đồng", "2.390 ty dong"},
		{"đạt 32,05% và 32,05 %", "dat 32,05 va 32,05"},
		{"Nghị định số 13/2023/NĐ-CP", "nghi dinh so 13 +2023 +nd +cp"},
		{"13/2023/nd-cp", "13 +2023 +nd +cp"},
		{"Covid-19 COVID-19", "covid +19 covid +19"},
		{"TTHC eCabinet e-mail", "tthc ecabinet e +mail"},
		{"TP.HCM, U.S.A.", "tp +hcm u +s +a"},
		{"09:39 AM", "09 +39 am"},
		/* apostrophes of every kind and '@' split like connectors */
		{"người H'Mông, H\u2019Mông, M\u2019Nông", "nguoi h +mong h +mong m +nong"},
		{"Vietnam's Vietnam\u2019s O\u2018Neil", "vietnam +s vietnam +s o +neil"},
		{"Hawai\u02BCi rock'n'roll", "hawai +i rock +n +roll"},
		{"banbientap@i-com.vn", "banbientap +i +com +vn"},
		{"it's 'quoted' a ' b", "it +s quoted a b"},
		/* invisible format characters inside a word are dropped */
		{"Hiệu tr\u00ADưởng, Dakh\u00ADlia, x\u200Cy \u00AD", "hieu truong dakhlia xy"},
		{"(19/7), ngày 20/6/2023", "19 +7 ngay 20 +6 +2023"},
		{"0274 3616 363", "0274 3616 363"},
		{"...,;!?  \t\n", ""},
		{"", ""},
		{"a - b", "a b"},
		{"hành chính—công", "hanh chinh cong"},
		{"H5N1 và 4.0", "h5n1 va 4.0"},
		{"“Ứng dụng”", "ung dung"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run(cases[i].in);
		char got[1024] = "";
		for (size_t k = 0; k < tl.n; k++) {
			size_t len = strlen(got);
			snprintf(got + len, sizeof got - len, "%s%s%s", k ? " " : "",
			         (tl.tok[k].flags & TC_TOK_JOINED) ? "+" : "",
			         tc_tok_folded(&tl, &tl.tok[k]));
			assert_int_equal(tl.tok[k].pos, k);
		}
		if (strcmp(got, cases[i].out) != 0)
			fail_msg("tokens(\"%s\") = \"%s\", want \"%s\"", cases[i].in, got, cases[i].out);
	}
}

static void test_flags(void **state)
{
	run("NDXP đạt 276.938.860 transactions 13/2023");
	assert_int_equal(tl.n, 6);
	assert_true(tl.tok[0].flags & TC_TOK_UPPER);
	assert_false(tl.tok[0].flags & TC_TOK_SYLLABLE);
	assert_true(tl.tok[1].flags & TC_TOK_SYLLABLE);
	assert_true(tl.tok[1].flags & TC_TOK_ACCENTED);
	assert_true(tl.tok[2].flags & TC_TOK_NUMBER);
	assert_false(tl.tok[3].flags & TC_TOK_SYLLABLE);
	assert_true(tl.tok[3].flags & TC_TOK_LATIN);
	assert_true(tl.tok[5].flags & TC_TOK_JOINED);
	assert_true(tl.tok[5].flags & TC_TOK_NUMBER);
}

static void test_syllables(void **state)
{
	static const char *yes[] = {
		"a", "ăn", "ở", "ưu", "yêu", "oà", "uống", "ước", "nghiêng", "người", "khuỷu",
		"quyết", "giữa", "gì", "gìn", "xoong", "khuếch", "ngoằn", "rượu", "thuở",
		"hòa", "hoà", "thủy", "thuỷ", "đường", "ĐƯỜNG", "giao", "dịch", "tỷ", "ty",
		"cai", "cach", "huỳnh", "nguyễn", "khuya", "quốc",
		/* typed without diacritics: a syllable once marked */
		"nghien", "nguoi", "thuong", "khuyen", "duoc", "truong", "uoc", "ruou",
	};
	static const char *no[] = {
		"transactions", "data", "online", "tthc", "ndxp", "covid", "ecabinet", "mail",
		"x", "ff", "qa", "bàt", "cãc", "hoaz", "nghz", "2023", "café", "ngh", "aei",
		"ươe", "", "bank", "email",
	};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!tc_viet_is_syllable(yes[i], strlen(yes[i])))
			fail_msg("\"%s\" should be a Vietnamese syllable", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (tc_viet_is_syllable(no[i], strlen(no[i])))
			fail_msg("\"%s\" should not be a Vietnamese syllable", no[i]);
}

static const char *stem_of(const char *word, const char *lang)
{
	tc_error err = {0};
	assert_int_equal(tc_analyze(an, word, strlen(word), lang, &tl, &err), TC_OK);
	assert_int_equal(tl.n, 1);
	return tc_tok_stem(&tl, &tl.tok[0]);
}

static void test_stems(void **state)
{
	char a[64];
	snprintf(a, sizeof a, "%s", stem_of("transactions", NULL));
	assert_string_equal(a, stem_of("transaction", NULL));
	assert_string_equal(stem_of("Connected", "en"), "connect");
	assert_string_equal(stem_of("connections", "english"), "connect");
	/* another language through the document's lang */
	assert_string_equal(stem_of("nationales", "fr"), "national");
	/* Vietnamese syllables are never stemmed, with or without diacritics */
	assert_null(stem_of("giao", NULL));
	assert_null(stem_of("dịch", NULL));
	assert_null(stem_of("dich", NULL));
	assert_null(stem_of("nhất", "fr"));
	/* numbers are not stemmed */
	assert_null(stem_of("2023", NULL));
	tc_error err = {0};
	assert_int_equal(tc_analyze(an, "x", 1, "klingon", &tl, &err), TC_EINVAL);
	assert_non_null(strstr(err.msg, "klingon"));
}

static void test_mixed_language(void **state)
{
	run("Hệ thống eCabinet xử lý 1.200 documents mỗi ngày (processing transactions)");
	assert_string_equal(forms(),
	                    "hệ|he thống|thong ecabinet|ecabinet xử|xu lý|ly 1.200|1.200 "
	                    "documents|documents mỗi|moi ngày|ngay processing|processing "
	                    "transactions|transactions");
	assert_non_null(tc_tok_stem(&tl, &tl.tok[6]));
	assert_string_equal(tc_tok_stem(&tl, &tl.tok[6]), "document");
	assert_null(tc_tok_stem(&tl, &tl.tok[0]));
}

static void test_invalid_utf8(void **state)
{
	static const struct { const char *in; size_t len; const char *out; size_t bad; } cases[] = {
		{"giao\xff" "dịch", 0, "giao dich", 1},
		{"\xc3(", 0, "", 1},
		{"vi\xe1\xba" "n", 0, "vi n", 2},
		{"\xed\xa0\x80 surrogate", 0, "surrogate", 3},
		{"\xc0\xaf overlong", 0, "overlong", 2},
		{"\xf4\x90\x80\x80 big", 0, "big", 4},
		{"nul\0inside", 10, "nul inside", 0},
		{"\xcc\x81\xcc\x80", 0, "", 0}, /* marks only */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		tc_error err = {0};
		assert_int_equal(tc_analyze(an, cases[i].in, len, NULL, &tl, &err), TC_OK);
		char got[256] = "";
		for (size_t k = 0; k < tl.n; k++) {
			size_t gl = strlen(got);
			snprintf(got + gl, sizeof got - gl, "%s%s", k ? " " : "",
			         tc_tok_folded(&tl, &tl.tok[k]));
		}
		if (strcmp(got, cases[i].out) != 0 || tl.invalid_utf8 != cases[i].bad)
			fail_msg("case %zu: tokens \"%s\" (want \"%s\"), invalid %zu (want %zu)", i, got,
			         cases[i].out, tl.invalid_utf8, cases[i].bad);
	}
	/* sanitizing for storage replaces with U+FFFD and counts the same way */
	tc_buf b = {0};
	assert_int_equal(tc_utf8_sanitize("a\xff" "b\xc3", 4, &b), 2);
	assert_string_equal(b.data, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	tc_buf_free(&b);
}

/* Every token's [start,end) slice of the input analyses back to the same token. */
static void check_offsets(const char *text, size_t len)
{
	tc_toklist one = {0};
	tc_error err = {0};
	assert_int_equal(tc_analyze(an, text, len, NULL, &tl, &err), TC_OK);
	for (size_t i = 0; i < tl.n; i++) {
		const tc_token *t = &tl.tok[i];
		assert_true(t->start < t->end && t->end <= len);
		if (i)
			assert_true(t->start >= tl.tok[i - 1].end);
		assert_int_equal(tc_analyze(an, text + t->start, t->end - t->start, NULL, &one, &err),
		                 TC_OK);
		if (one.n != 1 || strcmp(tc_tok_exact(&one, &one.tok[0]), tc_tok_exact(&tl, t)) ||
		    strcmp(tc_tok_folded(&one, &one.tok[0]), tc_tok_folded(&tl, t)))
			fail_msg("token %zu \"%s\" at [%u,%u) does not round-trip (%zu tokens)", i,
			         tc_tok_exact(&tl, t), t->start, t->end, one.n);
	}
	tc_toklist_free(&one);
}

static void test_offsets(void **state)
{
	const char *s = "Hơn 6,8 triệu giao dịch (NDXP) — Nghị định 13/2023/NĐ-CP; Thuỷ lợi.";
	check_offsets(s, strlen(s));
	run("cải cách");
	assert_int_equal(tl.tok[0].start, 0);
	assert_int_equal(tl.tok[0].end, 5);
	assert_int_equal(tl.tok[1].start, 6);
	assert_int_equal(tl.tok[1].end, 11);
}

static int seed_files(char names[][256], int max)
{
	DIR *d = opendir(tu_shared("seeds"));
	if (d == NULL)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < max)
		if (strstr(e->d_name, ".txt"))
			snprintf(names[n++], 256, "seeds/%.200s", e->d_name);
	closedir(d);
	return n;
}

/* Every seed analyses, round-trips its offsets and finds the words it is known to hold. */
static void test_seeds(void **state)
{
	char names[16][256];
	int n = seed_files(names, 16);
	if (n <= 0) {
		print_message("skipped: ../shared/seeds not found\n");
		skip();
	}
	int found = 0;
	for (int i = 0; i < n; i++) {
		size_t len = 0;
		char *text = tu_read_file(tu_shared(names[i]), &len);
		assert_non_null(text);
		check_offsets(text, len);
		assert_true(tl.n > 500);
		assert_int_equal(tl.invalid_utf8, 0);
		for (size_t k = 0; k + 2 < tl.n; k++)
			if (!strcmp(tc_tok_folded(&tl, &tl.tok[k]), "1,35") &&
			    !strcmp(tc_tok_folded(&tl, &tl.tok[k + 1]), "ty") &&
			    !strcmp(tc_tok_folded(&tl, &tl.tok[k + 2]), "giao"))
				found++;
		free(text);
	}
	assert_true(found >= 1);
}

static void test_one_megabyte(void **state)
{
	const char *sentence = "Tổng số giao dịch thực hiện thông qua NDXP đạt 276.938.860 "
	                       "giao dịch, tăng 32,05% (Covid-19). ";
	run(sentence);
	size_t per = tl.n;
	size_t slen = strlen(sentence), reps = (1 << 20) / slen + 1;
	tc_buf big = {0};
	for (size_t i = 0; i < reps; i++)
		tc_buf_append(&big, sentence, slen);
	tc_error err = {0};
	assert_int_equal(tc_analyze(an, big.data, big.len, NULL, &tl, &err), TC_OK);
	assert_int_equal(tl.n, per * reps);
	assert_int_equal(tl.tok[tl.n - 1].pos, per * reps - 1);
	assert_int_equal(tl.tok[tl.n - 1].end, big.len - 3);
	tc_buf_free(&big);
}

static void test_long_token_skipped(void **state)
{
	char text[600];
	memset(text, 'a', 300);
	strcpy(text + 300, " ok");
	run(text);
	assert_int_equal(tl.n, 1);
	assert_string_equal(tc_tok_folded(&tl, &tl.tok[0]), "ok");
}

static void test_fold_text(void **state)
{
	tc_buf b = {0};
	tc_analyzer_fold_text(an, "Giao Dịch Đồng", strlen("Giao Dịch Đồng"), &b);
	assert_string_equal(b.data, "giao dich dong");
	tc_buf_free(&b);
}

/* `tracuu analyze`: JSON for scripts, usage errors exit 2. */
/*
 * The abbreviation table agrees with the analyser: the abbreviation is one token (or
 * parts with a dot) and the full form the syllables whose initials it spells, both folded as the table says;
 * each is found by either form; the table is sorted and has no form twice.
 */
static void test_abbrev_table(void **state)
{
	tc_error err = {0};
	size_t n = tc_abbrev_count();
	assert_true(n >= 50);
	assert_null(tc_abbrev_at(n));
	for (size_t i = 0; i < n; i++) {
		const tc_abbrev *a = tc_abbrev_at(i);
		assert_int_equal(tc_analyze(an, a->abbr, strlen(a->abbr), NULL, &tl, &err), TC_OK);
		/* one token, or parts written with a dot ("TP.HCM") run together */
		char joined[64] = "";
		for (size_t k = 0; k < tl.n; k++)
			snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s",
			         tc_tok_folded(&tl, &tl.tok[k]));
		assert_true(tl.n == 1 || strchr(a->abbr, '.') != NULL);
		assert_string_equal(joined, a->abbr_folded);
		assert_int_equal(tc_analyze(an, a->full, strlen(a->full), NULL, &tl, &err), TC_OK);
		char full[256] = "", initials[32] = "";
		for (size_t k = 0; k < tl.n; k++) {
			const char *f = tc_tok_folded(&tl, &tl.tok[k]);
			assert_true(tl.tok[k].flags & TC_TOK_SYLLABLE);
			snprintf(full + strlen(full), sizeof full - strlen(full), "%s%s", k ? " " : "", f);
			snprintf(initials + strlen(initials), sizeof initials - strlen(initials), "%c", f[0]);
		}
		assert_string_equal(full, a->full_folded);
		assert_string_equal(initials, a->abbr_folded);
		assert_ptr_equal(tc_abbrev_by_abbr(a->abbr_folded, strlen(a->abbr_folded)), a);
		assert_ptr_equal(tc_abbrev_by_full(a->full_folded, strlen(a->full_folded)), a);
		if (i > 0)
			assert_true(strcmp(tc_abbrev_at(i - 1)->abbr_folded, a->abbr_folded) < 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(tc_abbrev_at(j)->full_folded, a->full_folded);
	}
	assert_null(tc_abbrev_by_abbr("tthcx", 5));
	assert_null(tc_abbrev_by_abbr("tth", 3));
	assert_null(tc_abbrev_by_full("thu tuc", 7));
	assert_null(tc_abbrev_by_abbr("", 0));
}

static void test_cli(void **state)
{
	char cmd[1024];
	int st;
	snprintf(cmd, sizeof cmd, "%s analyze --json 'Thuỷ lợi: hơn 1,35 tỷ giao dịch qua NDXP'",
	         tu_bin());
	char *out = tu_run(cmd, &st);
	assert_int_equal(st, 0);
	json_object *root = json_tokener_parse(out);
	if (root == NULL)
		fail_msg("not JSON: %s", out);
	json_object *toks = json_object_object_get(root, "tokens");
	assert_int_equal(json_object_array_length(toks), 9);
	json_object *t0 = json_object_array_get_idx(toks, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(t0, "exact")), "thủy");
	assert_string_equal(json_object_get_string(json_object_object_get(t0, "folded")), "thuy");
	assert_int_equal(json_object_get_int64(json_object_object_get(t0, "start")), 0);
	assert_int_equal(json_object_get_int64(json_object_object_get(t0, "end")), 6);
	assert_int_equal(json_object_get_int64(json_object_object_get(t0, "pos")), 0);
	json_object *t8 = json_object_array_get_idx(toks, 8);
	assert_string_equal(json_object_get_string(json_object_object_get(t8, "stem")), "ndxp");
	json_object_put(root);
	free(out);

	snprintf(cmd, sizeof cmd, "printf 'cải cách' | %s analyze --json -", tu_bin());
	out = tu_run(cmd, &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "\"folded\":\"cach\""));
	free(out);

	static const char *bad[] = {"analyze", "analyze --bogus x", "analyze --lang",
	                            "analyze --lang klingon text", "nosuchcommand"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(cmd, sizeof cmd, "%s %s 2>/dev/null", tu_bin(), bad[i]);
		free(tu_run(cmd, &st));
		if (st != 2)
			fail_msg("'tracuu %s' exited %d, want 2", bad[i], st);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_nfd_equals_nfc),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_syllables),
		cmocka_unit_test(test_stems),
		cmocka_unit_test(test_mixed_language),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_seeds),
		cmocka_unit_test(test_one_megabyte),
		cmocka_unit_test(test_long_token_skipped),
		cmocka_unit_test(test_fold_text),
		cmocka_unit_test(test_abbrev_table),
		cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests_name("analysis", tests, setup, teardown);
}
