/* test_quantity.c — quantities in text (formats of issue 4 §2, hard cases, hostile input,
 * the hand-checked fixture, `tracuu analyze --json` on the seeds) and in queries (§4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <json-c/json.h>
#include <math.h>

#include "analysis/analyzer.h"
#include "analysis/quantity.h"
#include "qty_fixture.h"
#include "testutil.h"

static tc_analyzer *an;
static tc_toklist tl;
static tc_qlist ql;

static int setup(void **state)
{
	tc_error err = {0};
	return tc_analyzer_new(&an, &err);
}

static int teardown(void **state)
{
	tc_qlist_free(&ql);
	tc_toklist_free(&tl);
	tc_analyzer_free(an);
	return 0;
}

static void extract_ctx(const char *text, const char *doc_date, int year_hint)
{
	tc_error err = {0};
	tc_qctx ctx = {.doc_date = doc_date, .year_hint = year_hint};
	assert_int_equal(tc_analyze(an, text, strlen(text), NULL, &tl, &err), TC_OK);
	assert_int_equal(tc_quantity_extract(text, strlen(text), &tl, &ctx, &ql, &err), TC_OK);
}

/*
 * The mentions as one string: "kind value [unit,unit] ~qualifier" joined by "; ".
 * Dates show the ISO day and d/m/y for their precision.
 */
static const char *render(void)
{
	static char out[8192];
	static const char *KIND[] = {"number", "percent", "date"};
	static const char PREC[] = "-dmy";
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ql.n && n < sizeof out - 256; i++) {
		const tc_qty *q = &ql.q[i];
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s ", i ? "; " : "", KIND[q->kind]);
		if (q->kind == TC_QTY_DATE)
			n += (size_t)snprintf(out + n, sizeof out - n, "%s/%c", q->iso, PREC[q->precision]);
		else
			n += (size_t)snprintf(out + n, sizeof out - n, "%.15g", q->value);
		for (unsigned k = 0; k < q->n_units && n < sizeof out - 200; k++)
			n += (size_t)snprintf(out + n, sizeof out - n, "%s%.60s", k ? "," : " [",
			                      tc_qty_unit(&ql, q, k));
		if (q->n_units)
			n += (size_t)snprintf(out + n, sizeof out - n, "]");
		if (q->qual_len)
			n += (size_t)snprintf(out + n, sizeof out - n, " ~%.30s", tc_qty_qual(&ql, q));
	}
	return out;
}

typedef struct xcase {
	const char *text, *want;
} xcase;

static void check_cases(const xcase *cases, size_t n, const char *doc_date)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		extract_ctx(cases[i].text, doc_date, 0);
		if (strcmp(render(), cases[i].want) != 0) {
			print_error("extract(\"%s\")\n   got  \"%s\"\n   want \"%s\"\n", cases[i].text,
			            render(), cases[i].want);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d of %zu cases wrong", bad, n);
}

/* Issue 4 §2: digits as Vietnamese writes them, and English where unambiguous. */
static void test_digits(void **state)
{
	static const xcase cases[] = {
		{"276.938.860 giao dịch", "number 276938860 [giao,giao dich]"},
		{"đạt 2.390 hồ sơ", "number 2390 [ho,ho so] ~dat"},
		{"1,35 lần", "number 1.35 [lan]"},
		{"6,056 lần", "number 6.056 [lan]"},
		{"trong 06 tháng đầu năm", "number 6 [thang,thang dau,thang dau nam]"},
		/* "trong vòng": within, not the round of "vòng 24" */
		{"trong vòng 03 ngày làm việc", "number 3 [ngay,ngay lam,ngay lam viec]"},
		{"1.200 người", "number 1200 [nguoi]"},
		{"1.234,5 tấn", "number 1234.5 [tan]"},
		{"1,234,567.5 tons", "number 1234567.5 [tons]"},
		{"1,234,567 người", "number 1234567 [nguoi]"},
		{"12,345.67 USD", "number 12345.67 [usd]"},
		/* one comma group of three is ambiguous: the Vietnamese reading wins */
		{"1,234 km", "number 1.234 [km]"},
		/* ... unless the text writes thousands the English way elsewhere */
		{"dân số 1,277,100 người, nội thành 530,300 người",
		 "number 1277100 [nguoi]; number 530300 [nguoi]"},
		{"chu kỳ 4.42 năm", "number 4.42 [nam]"},
		{"0,5 điểm", "number 0.5 [diem]"},
		{"1,67492716(13) × 10−27 kg", "number 1.67492716e-27 [kg]"},
		{"3 doanh nghiệp viễn thông và", "number 3 [doanh,doanh nghiep,doanh nghiep vien]"},
		/* units stop at punctuation and at the next number */
		{"23 bộ, ngành và 60 địa phương.", "number 23 [bo]; number 60 [dia,dia phuong]"},
		{"Hà Nội (15), Quảng Ngãi (14 người)", "number 15; number 14 [nguoi]"},
		/* ... and at words of grammar after the first syllable (with marks: exactly
		   those; verb markers are no such words) */
		{"1 tỷ đồng và 2 tỷ đồng cho dự án", "number 1000000000 [dong]; number 2000000000 "
		 "[dong]"},
		{"100 người bị thương", "number 100 [nguoi,nguoi bi,nguoi bi thuong]"},
		{"5 tấm vé về quê", "number 5 [tam,tam ve]"},
		{"dài 100km với", "number 100 [km]"},
		/* "$" glued before the digits: US dollars, whatever follows */
		{"tăng $11,30 (+0,9%)", "number 11.3 [usd] ~tang; percent 0.9 [%]"},
		{"giá khoảng $1700 (khoảng 38 triệu đồng)",
		 "number 1700 [usd] ~khoang; number 38000000 [dong] ~khoang"},
		{"US$5 triệu cho dự án", "number 5000000 [usd]"},
		/* a plus before a few digits is a rise, not a phone number */
		{"tăng 3,2 điểm (+0,45%)", "number 3.2 [diem] ~tang; percent 0.45 [%]"},
		/* glued units and scales */
		{"dài 100km", "number 100 [km]"},
		{"giá 1.000.000đ", "number 1000000 [d]"},
		{"2,5tr một tháng", "number 2500000 [mot,mot thang]"},
		{"hơn 4h đồng hồ", "number 4 [h,h dong,h dong ho] ~hon"},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], NULL);
}

/* Scale words with and without diacritics, products, compounds, percentages. */
static void test_scales_percent(void **state)
{
	static const xcase cases[] = {
		{"hơn 1,35 tỷ giao dịch.", "number 1350000000 [giao,giao dich] ~hon"},
		{"2,39 nghìn tỷ đồng", "number 2390000000000 [dong]"},
		{"1.200 tỉ đồng", "number 1200000000000 [dong]"},
		{"1tỉ đồng, 2tỷ đồng", "number 1000000000 [dong]; number 2000000000 [dong]"},
		{"hơn 575 nghìn hồ sơ", "number 575000 [ho,ho so] ~hon"},
		{"5 ngàn người", "number 5000 [nguoi]"},
		{"5 ngan nguoi", "number 5000 [nguoi]"},
		{"4 nghin tan", "number 4000 [tan]"},
		{"3 trieu nguoi", "number 3000000 [nguoi]"},
		{"7 ty dong", "number 7000000000 [dong]"},
		{"7 ti dong", "number 7000000000 [dong]"},
		{"1 tỷ 200 triệu đồng", "number 1200000000 [dong]"},
		{"2 triệu rưỡi đồng", "number 2500000 [dong]"},
		{"32,05%", "percent 32.05 [%]"},
		{"32,05 % hồ sơ", "percent 32.05 [%]"},
		{"32,05 phần trăm", "percent 32.05 [%]"},
		{"50 phan tram", "percent 50 [%]"},
		{"giảm 2,82%", "percent 2.82 [%] ~giam"},
		{"tăng 3.5% so với", "percent 3.5 [%] ~tang"},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], NULL);
}

/* Fractions count the unit; ranges share the second number's unit, scale and "%". */
static void test_fractions_ranges(void **state)
{
	static const xcase cases[] = {
		{"52/63 địa phương", "number 52 [dia,dia phuong]"},
		{"có 10/22 bộ, ngành", "number 10 [bo]"},
		{"tích hợp 25/25 dịch vụ công", "number 25 [dich,dich vu,dich vu cong]"},
		{"mới hoàn thành 1/3 công việc", "number 1 [cong,cong viec]"},
		{"607.725/1.005.735 hồ sơ", "number 607725 [ho,ho so]"},
		{"từ 5 đến 10 người", "number 5 [nguoi] ~tu; number 10 [nguoi] ~den"},
		{"5-10 người", "number 5 [nguoi]; number 10 [nguoi]"},
		{"6-7 triệu đồng", "number 6000000 [dong]; number 7000000 [dong]"},
		{"10-20%", "percent 10 [%]; percent 20 [%]"},
		{"từ 70 đến dưới 80%", "percent 70 [%] ~tu; percent 80 [%] ~duoi"},
		{"209 trong số 237 thành phố",
		 "number 209 [thanh,thanh pho]; number 237 [thanh,thanh pho]"},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], NULL);
}

/*
 * Negative values: a minus glued to the digits and standing apart from what precedes
 * it, or the word "âm" (written with its marks in text). A dash after a number and
 * blanks is a range, glued to a word a connector; "siêu âm", "ghi âm" are words.
 */
static void test_signs(void **state)
{
	static const xcase cases[] = {
		{"xuống -5 độ C", "number -5 [do,do c]"},
		{"có nơi \xE2\x88\x92" "12 độ C", "number -12 [do,do c]"},
		{"VN-Index giảm 1,11 điểm (-0,14%) xuống", "number 1.11 [diem] ~giam; percent -0.14 [%]"},
		{"lãi suất tiền gửi là -0,4%.", "percent -0.4 [%]"},
		{"lợi nhuận trước thuế âm 18,5 tỷ đồng", "number -18500000000 [dong]"},
		{"có thể xuống dưới âm 20 độ C", "number -20 [do,do c] ~duoi"},
		{"từ -5 đến -10 độ C", "number -5 [do,do c] ~tu; number -10 [do,do c] ~den"},
		{"-3 độ C ở Sa Pa", "number -3 [do,do c]"},
		{"ngày 12/1/2024: -2 độ C", "date 2024-01-12/d; number -2 [do,do c]"},
		/* no sign */
		{"200 -300 g trái cây", "number 200 [g,g trai,g trai cay]; number 300 "
		 "[g,g trai,g trai cay]"},
		{"siêu âm 229 trường hợp", "number 229 [truong,truong hop]"},
		{"thu âm 5 bài hát", "number 5 [bai,bai hat]"},
		{"I am 25 years old", "number 25 [years,years old]"},
		{"âm 3/4 số phiếu", "number 3 [so,so phieu]"},
		{"Su-30 và Covid-19", ""},
		{"- 5 người", "number 5 [nguoi]"},
		{"-0 độ", "number 0 [do]"},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], NULL);
}

/*
 * Units written more than one way: every key of a group searched, the typed one first;
 * no key the first syllables of another (a mention would count twice); a longer name
 * covered by one of the keys (its mentions are under that key). Ambiguous spellings
 * ("do": độ or đô) and ordinary units have no group.
 */
static void test_unit_keys(void **state)
{
	static const char *grouped[] = {"dong", "vnd", "d", "dong viet nam", "usd", "do la",
	                                "dola", "do la my", "euro", "eur", "yen nhat", "ndt",
	                                "km", "ky lo met", "cay so", "kg", "kilogam", "m2",
	                                "met vuong", "ha", "hecta", "m", "met", "gio", "h"};
	for (size_t g = 0; g < sizeof grouped / sizeof grouped[0]; g++) {
		const char *key = grouped[g], *out[TC_QTY_MAX_ALIASES];
		size_t n = tc_qty_unit_keys(key, strlen(key), out);
		assert_true(n >= 2 && n <= TC_QTY_MAX_ALIASES);
		int own = 0, covered = 0;
		for (size_t i = 0; i < n; i++) {
			size_t li = strlen(out[i]);
			own |= strcmp(out[i], key) == 0;
			covered |= strncmp(key, out[i], li) == 0 && key[li] == ' ';
			for (size_t j = 0; j < n; j++)
				if (i != j && strncmp(out[j], out[i], li) == 0 &&
				    (out[j][li] == ' ' || out[j][li] == '\0'))
					fail_msg("%s: key %s starts %s", key, out[i], out[j]);
		}
		if (own)
			assert_string_equal(out[0], key);
		else if (!covered)
			fail_msg("%s is no key and no longer name of one", key);
	}
	static const char *alone[] = {"do", "giao dich", "nguoi", "tieng", "%", "@date", "te", ""};
	for (size_t g = 0; g < sizeof alone / sizeof alone[0]; g++) {
		const char *out[TC_QTY_MAX_ALIASES];
		assert_int_equal(tc_qty_unit_keys(alone[g], strlen(alone[g]), out), 0);
	}
}

/* Dates in every written form; codes that only look like dates. */
static void test_dates(void **state)
{
	static const xcase cases[] = {
		{"20/6/2023", "date 2023-06-20/d"},
		{"Tính đến ngày 22/5/2023,", "date 2023-05-22/d ~den"},
		{"22-5-2023", "date 2023-05-22/d"},
		{"20.6.2023", "date 2023-06-20/d"},
		{"date 2023-06-01", "date 2023-06-01/d"},
		{"20/07/2023 | 09:39 AM", "date 2023-07-20/d"},
		{"trong tháng 6/2023 là", "date 2023-06-01/m"},
		{"tháng 6 năm 2023", "date 2023-06-01/m"},
		{"Tháng 9.2015", "date 2015-09-01/m"},
		{"Sáng 19 tháng 7 năm 2023,", "date 2023-07-19/d"},
		{"ngày 24 tháng 4, năm 1985", "date 1985-04-24/d"},
		{"cùng kỳ năm 2022.", "date 2022-01-01/y"},
		{"năm 2004, 2005 và 2007", "date 2004-01-01/y; date 2005-01-01/y; date 2007-01-01/y"},
		{"giai đoạn 2021 - 2025", "date 2021-01-01/y; date 2025-01-01/y"},
		{"(1890–1969)", "date 1890-01-01/y; date 1969-01-01/y"},
		{"Honda Civic 2017 và", "date 2017-01-01/y"},
		{"01/5/2022 - 31/5/2023", "date 2022-05-01/d; date 2023-05-31/d"},
		{"29/2/2023", ""},
		{"Nghị định số 13/2023/NĐ-CP ngày 17/4/2023", "date 2023-04-17/d"},
		{"Quyết định số 08/2023/QĐ-TTg", ""},
		{"Nghị quyết số 36-NQ/TW", ""},
		{"Luật số: 54/2019/QH14", ""},
		{"SỐ 05/2023", ""},
		{"ngày 15 tháng 7 âm lịch", ""},
		{"mùng 10 tháng giêng", ""},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], NULL);
}

/* "(19/7)", "ngày 19/7": the year of the document, else of the nearest full date. */
static void test_year_context(void **state)
{
	extract_ctx("sáng mai (19/7), Bộ Nội vụ", "2023-07-18", 0);
	assert_string_equal(render(), "date 2023-07-19/d");
	extract_ctx("ngày 19/7 và tháng 12", "2020", 0);
	assert_string_equal(render(), "date 2020-07-19/d; date 2020-12-01/m");
	/* nearest full date, before or after */
	extract_ctx("Chiều 28/2, họp. Từ ngày 12/3/2019 đến ngày 31/1/2020 ... ngày 5/6", NULL, 0);
	assert_string_equal(render(), "date 2019-02-28/d; date 2019-03-12/d ~tu; "
	                              "date 2020-01-31/d ~den; date 2020-06-05/d");
	/* no year anywhere: dropped, unless the caller gives one */
	extract_ctx("Ngày 6/2, UBND tỉnh tổ chức ngày hội năm 2017", NULL, 0);
	assert_string_equal(render(), "date 2017-01-01/y");
	extract_ctx("Ngày 6/2, UBND tỉnh tổ chức", NULL, 2017);
	assert_string_equal(render(), "date 2017-02-06/d");
	assert_int_equal(tc_qlist_year_hint(&ql), 2017);
	/* 29 February needs a leap year */
	extract_ctx("ngày 29/2", "2023-01-01", 0);
	assert_string_equal(render(), "");
	extract_ctx("ngày 29/2", "2024-01-01", 0);
	assert_string_equal(render(), "date 2024-02-29/d");
	/* a malformed doc_date is ignored */
	extract_ctx("ngày 19/7", "19/7/2023", 0);
	assert_string_equal(render(), "");
	/* values are days since 1970-01-01 */
	extract_ctx("ngày 1/1/1970, ngày 20/6/2023, năm 1010", NULL, 0);
	assert_int_equal(ql.n, 3);
	assert_true(ql.q[0].value == 0);
	assert_true(ql.q[1].value == 19528);
	char iso[11];
	tc_qty_iso_date(ql.q[2].value, iso);
	assert_string_equal(iso, "1010-01-01");
	tc_qty_iso_date(19528, iso);
	assert_string_equal(iso, "2023-06-20");
}

/* Numbers in words, where reports and laws use them. */
static void test_words(void **state)
{
	static const xcase cases[] = {
		{"hai nghìn tỷ đồng", "number 2000000000000 [dong]"},
		{"một trăm phần trăm", "percent 100 [%]"},
		{"năm mươi phần trăm", "percent 50 [%]"},
		{"mười lăm ngày", "number 15 [ngay]"},
		{"mười ngày", "number 10 [ngay]"},
		{"hai mươi bốn giờ", "number 24 [gio]"},
		{"hai mươi mốt tuổi", "number 21 [tuoi]"},
		{"hai mươi năm", "number 20 [nam]"},
		{"một trăm linh năm người", "number 105 [nguoi]"},
		{"ba trăm năm mươi nghìn đồng", "number 350000 [dong]"},
		{"một tỷ hai trăm triệu đồng", "number 1200000000 [dong]"},
		{"ba triệu rưỡi", "number 3500000"},
		{"hai chục người", "number 20 [nguoi]"},
		{"năm vạn đồng", "number 50000 [dong]"},
		/* lone digit words, vague amounts and other senses of the words are not read */
		{"một số địa phương", ""},
		{"hai bên thống nhất", ""},
		{"hàng trăm người", ""},
		{"trăm năm", ""},
		{"vào năm ấy", ""},
		{"tư nhân", ""},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], NULL);
}

/* What is not a quantity: the hard cases of issue 4 and of the fixture. */
static void test_not_quantities(void **state)
{
	static const xcase cases[] = {
		{"6 tháng đầu năm", "number 6 [thang,thang dau,thang dau nam]"},
		{"0274 3616 363", ""},
		{"ĐT: 0274 3616 363", ""},
		{"Hotline 1900 1234", ""},
		{"+84 274 3616 363", ""},
		{"gọi +84912345678 ngay", ""},
		{"0913.123.456", ""},
		{"Điều 5. Phạm vi", ""},
		{"khoản 2 Điều 3", ""},
		{"Quyết định số 846, 817 của Thủ tướng", ""},
		{"\n1. Người lao động\n2. Người sử dụng", ""},
		{"các yếu tố: (1) Xây dựng; (2) Quản lý", ""},
		{"\n1- Cơ sở sản xuất", ""},
		{"lúc 09:39 sáng", ""},
		{"phiên họp thứ 5", ""},
		{"Kỳ họp thứ 5", ""},
		{"Covid-19", ""},
		{"U23 Việt Nam", ""},
		{"vòng 24 Premier League", ""},
		{"lọt vào vòng 2 của giải", ""},
		{"thua 0 - 3 trước Manchester United", ""},
		{"chiến thắng 2-0 nhờ", ""},
		{"tên miền cấp 2", ""},
		{"thế kỷ 19", ""},
		{"chuẩn ISO 3166-1", ""},
		{"(15290) 1991 TF1 là", ""},
		{"người đăng ký [2].", ""},
		{"Bệnh viện Nhi đồng 1 TP Hồ Chí Minh", ""},
		{"cơ chế 1 cửa", ""},
		{"công nghiệp 4.0.", ""},
		{"1.2.3.4.5", ""},
		{"phiên bản 2.1", ""},
		{"Hạng mục\t2\nTiếp", ""},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], NULL);
}

/* Spans, positions and qualifiers: the seeds' sentence, byte for byte. */
static void test_span_pos_qualifier(void **state)
{
	const char *s = "Tổng số giao dịch từ khi khai trương đến nay là hơn 1,35 tỷ giao dịch.";
	extract_ctx(s, NULL, 0);
	assert_int_equal(ql.n, 1);
	const tc_qty *q = &ql.q[0];
	assert_int_equal(q->kind, TC_QTY_NUMBER);
	assert_true(q->value == 1350000000.0);
	assert_int_equal(q->n_units, 2);
	assert_string_equal(tc_qty_unit(&ql, q, 0), "giao");
	assert_string_equal(tc_qty_unit(&ql, q, 1), "giao dich");
	char text[64];
	snprintf(text, sizeof text, "%.*s", (int)(q->end - q->start), s + q->start);
	assert_string_equal(text, "1,35 tỷ giao dịch");
	snprintf(text, sizeof text, "%.*s", (int)(q->qual_end - q->qual_start), s + q->qual_start);
	assert_string_equal(text, "hơn");
	assert_string_equal(tc_qty_qual(&ql, q), "hon");
	assert_string_equal(tc_qty_qual_exact(&ql, q), "hơn");
	/* pos is the syllable position of the number token */
	size_t k = 0;
	while (k < tl.n && strcmp(tc_tok_folded(&tl, &tl.tok[k]), "1,35") != 0)
		k++;
	assert_int_equal(q->pos, tl.tok[k].pos);
	/* three unit keys when the text goes on; "ngày" joins a date's span */
	const char *s2 = "HƠN 1,38 TRIỆU GIAO DỊCH THỰC HIỆN; ngày 22/5/2023";
	extract_ctx(s2, NULL, 0);
	assert_string_equal(render(), "number 1380000 [giao,giao dich,giao dich thuc] ~hon; "
	                              "date 2023-05-22/d");
	snprintf(text, sizeof text, "%.*s", (int)(ql.q[1].end - ql.q[1].start), s2 + ql.q[1].start);
	assert_string_equal(text, "ngày 22/5/2023");
	assert_string_equal(tc_qty_qual_exact(&ql, &ql.q[0]), "hơn");
	/* two-word qualifiers */
	extract_ctx("nhiều hơn 5 người, không quá 10 ngày", NULL, 0);
	assert_string_equal(render(), "number 5 [nguoi] ~nhieu hon; number 10 [ngay] ~khong qua");
	/* decomposed input (NFD) reads the same */
	extract_ctx("ho\xcc\x9bn 1,35 ty\xcc\x89 giao di\xcc\xa3" "ch", NULL, 0);
	assert_string_equal(render(), "number 1350000000 [giao,giao dich] ~hon");
}

/* A token list that does not belong to the text is refused, not read out of bounds. */
static void test_mismatched_tokens(void **state)
{
	tc_error err = {0};
	const char *s = "hơn 1,35 tỷ giao dịch";
	assert_int_equal(tc_analyze(an, s, strlen(s), NULL, &tl, &err), TC_OK);
	assert_int_equal(tc_quantity_extract(s, 5, &tl, NULL, &ql, &err), TC_EINVAL);
	assert_non_null(strstr(err.msg, "outside the text"));
	assert_int_equal(ql.n, 0);
}

static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

/* Every mention is well formed: finite value, span inside the text, valid date. */
static void check_sane(const char *text, size_t len)
{
	for (size_t i = 0; i < ql.n; i++) {
		const tc_qty *q = &ql.q[i];
		if (!isfinite(q->value) || q->start > q->end || q->end > len ||
		    q->qual_start > q->qual_end || q->qual_end > len || q->n_units > TC_QTY_MAX_UNITS ||
		    q->kind > TC_QTY_DATE)
			fail_msg("bad mention %zu in \"%.*s\"", i, (int)len, text);
		if (q->kind == TC_QTY_DATE) {
			char iso[11];
			tc_qty_iso_date(q->value, iso);
			if (strcmp(iso, q->iso) != 0)
				fail_msg("date %s has value %g (%s)", q->iso, q->value, iso);
		}
		for (unsigned k = 0; k < q->n_units; k++)
			if (strlen(tc_qty_unit(&ql, q, k)) != q->unit_len[k])
				fail_msg("unit length");
	}
}

static void extract_bytes(const char *text, size_t len)
{
	tc_error err = {0};
	assert_int_equal(tc_analyze(an, text, len, NULL, &tl, &err), TC_OK);
	assert_int_equal(tc_quantity_extract(text, len, &tl, NULL, &ql, &err), TC_OK);
	check_sane(text, len);
}

/* Hostile input never crashes and never yields inf/nan or a span outside the text. */
static void test_hostile(void **state)
{
	static const char *fixed[] = {
		"1.2.3.4.5", "999999999999999999999 tỷ", "9999999999999999 nghìn tỷ tỷ tỷ tỷ tỷ",
		"1,67492716(13) × 10−300 kg", "5 × 10^999 kg", "0/0 người", "00/00/0000",
		"31/12/9999", "ngày 0/0", "tháng 13/2023", "99999999999999999999999999999999999",
		"%%%%%", "1%%%", "...,,,", "1,", ",1", "1..2", "từ đến", "- - -", "(((1)))",
		"năm năm năm năm", "mười mười mười", "mươi", "rưỡi", "tỷ tỷ", "một trăm trăm",
		"1 tỷ 2 tỷ 3 tỷ", "1e308 tỷ", "2147483648/2147483648",
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		extract_bytes(fixed[i], strlen(fixed[i]));
	extract_ctx("999999999999999999999 tỷ và 1.2.3.4.5", NULL, 0);
	assert_string_equal(render(), "");

	/* a huge run of digits and a long word-number chain */
	tc_buf b = {0};
	for (int i = 0; i < 5000; i++)
		tc_buf_putc(&b, (char)('0' + i % 10));
	tc_buf_puts(&b, " tỷ ");
	for (int i = 0; i < 400; i++)
		tc_buf_puts(&b, "nghìn tỷ ");
	extract_bytes(b.data, b.len);
	tc_buf_clear(&b);

	/* random text from the pieces quantities are made of */
	static const char *pieces[] = {
		"1", "23", "0", "06", "2023", "1.200", "1,35", "276.938.860", "/", "-", ".", ",", ":",
		"%", " ", " ", " ", "\n", "(", ")", "tỷ", "nghìn", "triệu", "phần trăm", "ngày",
		"tháng", "năm", "hơn", "từ", "đến", "mươi", "hai", "một", "trăm", "giao dịch", "NĐ-CP",
		"×", "10", "−", "^", "thứ", "số", "\xff", "\xcc\x81", "đ", "km", "[", "]", "..",
	};
	size_t np = sizeof pieces / sizeof pieces[0];
	for (int round = 0; round < 3000; round++) {
		tc_buf_clear(&b);
		int k = 1 + (int)(rnd() % 24);
		for (int j = 0; j < k; j++)
			tc_buf_puts(&b, pieces[rnd() % np]);
		extract_bytes(b.data, b.len);
	}
	/* and plain random bytes */
	for (int round = 0; round < 500; round++) {
		tc_buf_clear(&b);
		int k = (int)(rnd() % 200);
		for (int j = 0; j < k; j++)
			tc_buf_putc(&b, (char)(rnd() & 0xff));
		extract_bytes(b.data ? b.data : "", b.len);
	}
	tc_buf_free(&b);
}

/* ---- the query side ---------------------------------------------------------------- */

/* "kind low..high (incl flags) after:a,b before:c" per comparison, or "error: msg". */
static const char *render_cmp(const char *q)
{
	static char out[4096];
	tc_qcmp m[TC_QCMP_MAX];
	size_t n = TC_QCMP_MAX;
	tc_error err = {0};
	int rc = tc_qcmp_parse(an, q, strlen(q), m, &n, &err);
	if (rc != TC_OK) {
		snprintf(out, sizeof out, "error %s: %s", tc_errname(rc), err.msg);
		return out;
	}
	static const char *KIND[] = {"number", "percent", "date"};
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const tc_qcmp *c = &m[i];
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s%s %c%.15g..%.15g%c [%.*s]",
		                        i ? "; " : "", KIND[c->kind], c->dollar ? " usd" : "",
		                        c->low_incl ? '[' : '(',
		                        c->low, c->high, c->high_incl ? ']' : ')',
		                        (int)(c->end - c->start), q + c->start);
		for (int k = 0; k < c->n_after; k++)
			len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", k ? "," : " after:",
			                        c->after[k].folded);
		for (int k = 0; k < c->n_before; k++)
			len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", k ? "," : " before:",
			                        c->before[k].folded);
	}
	return out;
}

/* Issue 4 §4: every spelling, with and without diacritics. */
static void test_query_comparisons(void **state)
{
	static const xcase cases[] = {
		{"NDXP > 1 tỷ giao dịch", "number (1000000000..inf) [> 1 tỷ] after:giao,dich before:ndxp"},
		{"ndxp > 1 ty giao dich", "number (1000000000..inf) [> 1 ty] after:giao,dich before:ndxp"},
		{">= 1.000.000 giao dịch", "number [1000000..inf) [>= 1.000.000] after:giao,dich"},
		{"giao dịch > 1 tỷ", "number (1000000000..inf) [> 1 tỷ] before:giao,dich"},
		{"< 50%", "percent (-inf..50) [< 50%]"},
		{"<= 32,05 %", "percent (-inf..32.05] [<= 32,05 %]"},
		{"≥ 3 lần", "number [3..inf) [≥ 3] after:lan"},
		{"trên 1 tỷ giao dịch", "number (1000000000..inf) [trên 1 tỷ] after:giao,dich"},
		{"tren 1 ty giao dich", "number (1000000000..inf) [tren 1 ty] after:giao,dich"},
		{"hơn 1 tỷ giao dịch", "number (1000000000..inf) [hơn 1 tỷ] after:giao,dich"},
		{"hon 1 ty giao dich", "number (1000000000..inf) [hon 1 ty] after:giao,dich"},
		{"nhiều hơn 5 hồ sơ", "number (5..inf) [nhiều hơn 5] after:ho,so"},
		{"lớn hơn 2,5", "number (2.5..inf) [lớn hơn 2,5]"},
		{"dưới 10 người", "number (-inf..10) [dưới 10] after:nguoi"},
		{"duoi 10 nguoi", "number (-inf..10) [duoi 10] after:nguoi"},
		{"ít hơn 3 lần", "number (-inf..3) [ít hơn 3] after:lan"},
		{"nhỏ hơn 1.000", "number (-inf..1000) [nhỏ hơn 1.000]"},
		{"ít nhất 5 người", "number [5..inf) [ít nhất 5] after:nguoi"},
		{"không quá 5 ngày", "number (-inf..5] [không quá 5] after:ngay"},
		{"từ 1 triệu đến 5 triệu hồ sơ",
		 "number [1000000..5000000] [từ 1 triệu đến 5 triệu] after:ho,so"},
		{"tu 1 trieu den 5 trieu ho so",
		 "number [1000000..5000000] [tu 1 trieu den 5 trieu] after:ho,so"},
		{"từ 1 đến 5 triệu", "number [1000000..5000000] [từ 1 đến 5 triệu]"},
		{"từ 10% đến 20%", "percent [10..20] [từ 10% đến 20%]"},
		{"từ 5 triệu", "number [5000000..inf) [từ 5 triệu]"},
		{"1 triệu..5 triệu hồ sơ", "number [1000000..5000000] [1 triệu..5 triệu] after:ho,so"},
		{"10..20%", "percent [10..20] [10..20%]"},
		{"= 63 địa phương", "number [63..63] [= 63] after:dia,phuong"},
		{"> hai nghìn tỷ đồng", "number (2000000000000..inf) [> hai nghìn tỷ] after:dong"},
		{"ngày >= 1/6/2023", "date [19509..inf) [ngày >= 1/6/2023]"},
		{"ngay >= 1/6/2023", "date [19509..inf) [ngay >= 1/6/2023]"},
		{"date >= 2023-06-01", "date [19509..inf) [date >= 2023-06-01]"},
		{"ngày 1/6/2023..31/7/2023", "date [19509..19569] [ngày 1/6/2023..31/7/2023]"},
		{"date > 6/2023", "date (19538..inf) [date > 6/2023]"},
		{"> tháng 6/2023", "date (19538..inf) [> tháng 6/2023]"},
		{"date <= 2023", "date (-inf..19722] [date <= 2023]"},
		{"date = 2023", "date [19358..19722] [date = 2023]"},
		/* negative values: a minus glued to the digits, or "âm" */
		{"> -5 độ C", "number (-5..inf) [> -5] after:do,c"},
		{"<-5 độ", "number (-inf..-5) [<-5] after:do"},
		{"nhiệt độ <= \xE2\x88\x92" "10 độ", "number (-inf..-10] [<= \xE2\x88\x92" "10] "
		 "after:do before:nhiet,do"},
		{"dưới âm 5 độ", "number (-inf..-5) [dưới âm 5] after:do"},
		{"duoi am 5 do", "number (-inf..-5) [duoi am 5] after:do"},
		{"lợi nhuận < âm 1 tỷ đồng", "number (-inf..-1000000000) [< âm 1 tỷ] after:dong "
		 "before:loi,nhuan"},
		{"từ -10 đến -5 độ", "number [-10..-5] [từ -10 đến -5] after:do"},
		{"-10..-5 độ", "number [-10..-5] [-10..-5] after:do"},
		{"(-10..5%)", "percent [-10..5] [-10..5%]"},
		{"> $1000 vàng", "number usd (1000..inf) [> $1000] after:vang"},
		{"từ $1.200 đến $1.300", "number usd [1200..1300] [từ $1.200 đến $1.300]"},
		/* two comparisons; syllables are not shared */
		{"a > 5 người < 10 người",
		 "number (5..inf) [> 5] after:nguoi before:a; number (-inf..10) [< 10] after:nguoi"},
		{"title:giao dịch > 5 OR x", "number (5..inf) [> 5] before:giao,dich"},
		/* no comparison: plain words and numbers stay terms */
		{"cải cách hành chính", ""},
		{"trên địa bàn tỉnh", ""},
		{"Covid-19 năm 2022", ""},
		{"13/2023/NĐ-CP", ""},
		{"", ""},
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = render_cmp(cases[i].text);
		if (strcmp(got, cases[i].want) != 0) {
			print_error("qcmp(\"%s\")\n   got  \"%s\"\n   want \"%s\"\n", cases[i].text, got,
			            cases[i].want);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d query cases wrong", bad);
}

/* Malformed comparisons say where and why. */
static void test_query_errors(void **state)
{
	static const xcase cases[] = {
		{"> giao dịch", "error EPARSE: number expected after '>' at 2"},
		{"NDXP >", "error EPARSE: number expected after '>' at 6"},
		{">", "error EPARSE: number expected after '>' at 1"},
		{"từ 5 đến", "error EPARSE: number expected after 'đến' at 13"},
		{"5..", "error EPARSE: number expected after '..' at 3"},
		{"từ 10 đến 5", "error EPARSE: range low 10 above high 5 at 0"},
		{"1/6/2023..5", "error EPARSE: date expected at 10"},
		{"5..1/6/2023", "error EPARSE: range mixes a date and a number at 0"},
		{"ngày >= 1/6", "error EPARSE: date without a year at 9"},
		{"date > abc", "error EPARSE: number expected after '>' at 7"},
		{"> 5..10", "error EPARSE: '>' cannot open a range at 0"},
		{"> - 5 độ", "error EPARSE: number expected after '>' at 1"},
		{"từ -5 đến -10", "error EPARSE: range low -5 above high -10 at 0"},
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = render_cmp(cases[i].text);
		if (strcmp(got, cases[i].want) != 0) {
			print_error("qcmp(\"%s\")\n   got  \"%s\"\n   want \"%s\"\n", cases[i].text, got,
			            cases[i].want);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d error cases wrong", bad);
	/* capacity: more comparisons than room is TC_ELIMIT, and *n comes back 0 */
	tc_qcmp m[2];
	size_t n = 2;
	tc_error err = {0};
	const char *q = "> 1 < 2 = 3";
	assert_int_equal(tc_qcmp_parse(an, q, strlen(q), m, &n, &err), TC_ELIMIT);
	assert_int_equal(n, 0);
	n = 2;
	assert_int_equal(tc_qcmp_parse(an, NULL, 3, m, &n, &err), TC_EINVAL);
}

/* The query parser survives anything and its spans stay inside the query. */
static void test_query_hostile(void **state)
{
	static const char *pieces[] = {">", "<", "=", ">=", "..", " ", "1", "1,5", "tỷ", "%", "từ",
	                               "đến", "ngày", "date", "1/6/2023", "giao", "\xff", "-", "(",
	                               "hơn", "dưới", "2023-06-01", "≤", "tháng", "6/2023"};
	size_t np = sizeof pieces / sizeof pieces[0];
	tc_buf b = {0};
	for (int round = 0; round < 3000; round++) {
		tc_buf_clear(&b);
		int k = 1 + (int)(rnd() % 12);
		for (int j = 0; j < k; j++)
			tc_buf_puts(&b, pieces[rnd() % np]);
		tc_qcmp m[TC_QCMP_MAX];
		size_t n = TC_QCMP_MAX;
		tc_error err = {0};
		int rc = tc_qcmp_parse(an, b.data, b.len, m, &n, &err);
		if (rc != TC_OK) {
			assert_true(rc == TC_EPARSE || rc == TC_ELIMIT);
			assert_true(err.msg[0] != '\0');
			assert_int_equal(n, 0);
		}
		for (size_t i = 0; i < n; i++) {
			if (m[i].start > m[i].end || m[i].end > b.len || isnan(m[i].low) ||
			    isnan(m[i].high) || m[i].low > m[i].high || m[i].n_after > TC_QCMP_MAX_SYL ||
			    m[i].n_before > TC_QCMP_MAX_SYL)
				fail_msg("bad comparison in \"%s\"", b.data);
		}
	}
	tc_buf_free(&b);
}

/* ---- the fixture and the seeds ------------------------------------------------------ */

/* Precision >= 0.98 and recall >= 0.95 on the hand-checked fixture (README). */
static void test_fixture_accuracy(void **state)
{
	char path[2048], shared[2048], msg[512];
	snprintf(path, sizeof path, "%.1900s/tests/data/quantities.tsv", tu_src_dir());
	snprintf(shared, sizeof shared, "%.1900s/../shared", tu_src_dir());
	qf_fixture f;
	if (qf_load(path, &f, msg, sizeof msg) != 0)
		fail_msg("%s", msg);
	size_t mentions = 0;
	for (size_t i = 0; i < f.np; i++)
		mentions += f.p[i].nm;
	assert_true(mentions >= 150);
	if (qf_fetch(&f, shared, stderr) == 0) {
		qf_free(&f);
		print_message("skipped: the texts of the fixture (../shared) are absent\n");
		skip();
	}
	qf_score s;
	assert_int_equal(qf_run(&f, an, &s, stderr), 0);
	double p = s.extracted ? (double)s.correct / (double)s.extracted : 1.0;
	double r = s.expected ? (double)s.correct / (double)s.expected : 1.0;
	print_message("fixture: %zu passages scored (%zu skipped), %zu expected, %zu extracted, "
	              "precision %.3f, recall %.3f\n",
	              s.passages, s.skipped, s.expected, s.extracted, p, r);
	qf_free(&f);
	assert_true(s.expected >= 100);
	if (p < 0.98 || r < 0.95)
		fail_msg("precision %.3f (want >= 0.98), recall %.3f (want >= 0.95)", p, r);
}

/* `tracuu analyze --json` lists "1,35 tỷ giao dịch" as 1.35e9 "giao dich" where seeds say it. */
static void test_cli_seeds(void **state)
{
	char dir[2048];
	snprintf(dir, sizeof dir, "%.1900s/../shared/seeds", tu_src_dir());
	DIR *d = opendir(dir);
	if (d == NULL) {
		print_message("skipped: ../shared/seeds not found\n");
		skip();
	}
	struct dirent *e;
	int files = 0, found = 0;
	while ((e = readdir(d)) != NULL) {
		if (!strstr(e->d_name, ".txt"))
			continue;
		char path[2400], cmd[5000];
		snprintf(path, sizeof path, "%s/%.200s", dir, e->d_name);
		size_t len;
		char *text = tu_read_file(path, &len);
		assert_non_null(text);
		int says = strstr(text, "1,35 tỷ giao dịch") != NULL;
		free(text);
		snprintf(cmd, sizeof cmd, "%s analyze --json - < '%s'", tu_bin(), path);
		int st;
		char *out = tu_run(cmd, &st);
		assert_int_equal(st, 0);
		json_object *root = json_tokener_parse(out);
		if (root == NULL)
			fail_msg("%s: not JSON", e->d_name);
		json_object *qs = json_object_object_get(root, "quantities");
		assert_true(json_object_is_type(qs, json_type_array));
		int hit = 0;
		for (size_t i = 0; i < json_object_array_length(qs); i++) {
			json_object *q = json_object_array_get_idx(qs, i);
			const char *t = json_object_get_string(json_object_object_get(q, "text"));
			const char *kind = json_object_get_string(json_object_object_get(q, "kind"));
			json_object *v = json_object_object_get(q, "value");
			assert_non_null(kind);
			if (strcmp(kind, "date") == 0)
				assert_true(json_object_is_type(v, json_type_string) &&
				            strlen(json_object_get_string(v)) == 10);
			else
				assert_true(json_object_is_type(v, json_type_int) ||
				            json_object_is_type(v, json_type_double));
			if (!t || strcmp(t, "1,35 tỷ giao dịch") != 0)
				continue;
			assert_true(json_object_get_double(v) == 1350000000.0);
			assert_string_equal(json_object_get_string(json_object_object_get(q, "qualifier")), "hơn");
			json_object *units = json_object_object_get(q, "units");
			for (size_t k = 0; k < json_object_array_length(units); k++)
				hit |= strcmp(json_object_get_string(json_object_array_get_idx(units, k)), "giao dich") == 0;
		}
		if (says && !hit)
			fail_msg("%s says \"1,35 tỷ giao dịch\" but analyze --json does not list it",
			         e->d_name);
		found += hit;
		files++;
		json_object_put(root);
		free(out);
	}
	closedir(d);
	assert_true(files > 0);
	assert_true(found >= 1);
}

/* The human listing shows the quantities under the tokens. */
static void test_cli_human(void **state)
{
	char cmd[512];
	int st;
	snprintf(cmd, sizeof cmd, "%s analyze --date 2023-07-01 'hơn 1,35 tỷ giao dịch, ngày 19/7'",
	         tu_bin());
	char *out = tu_run(cmd, &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "1350000000"));
	assert_non_null(strstr(out, "giao | giao dich"));
	assert_non_null(strstr(out, "2023-07-19 (day)"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_scales_percent),
		cmocka_unit_test(test_fractions_ranges),
		cmocka_unit_test(test_signs),
		cmocka_unit_test(test_unit_keys),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_year_context),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_not_quantities),
		cmocka_unit_test(test_span_pos_qualifier),
		cmocka_unit_test(test_mismatched_tokens),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_query_comparisons),
		cmocka_unit_test(test_query_errors),
		cmocka_unit_test(test_query_hostile),
		cmocka_unit_test(test_fixture_accuracy),
		cmocka_unit_test(test_cli_seeds),
		cmocka_unit_test(test_cli_human),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
