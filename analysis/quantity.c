/*
 * quantity.c — quantities in Vietnamese text (the extractor) and in queries (the
 * comparison parser). See quantity.h for the contract and README.md ("Quantities") for
 * what counts as a mention.
 *
 * Everything works on the analyser's tokens plus the raw bytes between them (the gaps):
 * "%", "/", "-", ":" and brackets are not tokens, and they decide whether "19/7" is a
 * date, "13/2023/NĐ-CP" a code and "09:39" a time. Numbers are read as an integer
 * mantissa and a power of ten, so "1,35 tỷ" is 135e7 exactly, not 1.35 * 1e9.
 *
 * The extractor walks the tokens once. At each token that can start a quantity it tries,
 * in order: a code or time (skipped whole), a date with words ("19 tháng 7 năm 2023"),
 * a date with digits ("20/6/2023", "tháng 6/2023", "năm 2022"), a fraction ("52/63"),
 * then a value (digits or words, scale words, "%"; negative after a minus glued to its
 * digits or after "âm"); a value then takes its unit syllables. Dates without a year wait until the whole text is read (their year may come
 * from a later full date).
 */
#include "quantity.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/utf8.h"

/* ---- words ------------------------------------------------------------------------- */

/*
 * A word or phrase as the tables below list it: exact (lower case NFC, canonical tone
 * placement, as analyzer.h writes it) and folded. A token matches when its folded form
 * is equal and, if it carries diacritics, its exact form too: "hơn" and "hon" match
 * "hơn", but "hôn" does not.
 */
typedef struct wd {
	const char *exact, *folded;
} wd;

#define WD_END {NULL, NULL}

/* Words that make the number after them a reference or a rank, not a quantity. */
static const wd REF_WORDS[] = {
	{"điều", "dieu"}, {"khoản", "khoan"}, {"điểm", "diem"}, {"chương", "chuong"},
	{"mục", "muc"}, {"phần", "phan"}, {"số", "so"}, {"thứ", "thu"}, {"tầng", "tang"},
	{"phòng", "phong"}, {"quận", "quan"}, {"phường", "phuong"}, {"lô", "lo"},
	{"tổ", "to"}, {"ấp", "ap"}, {"hẻm", "hem"}, {"ngõ", "ngo"}, {"ngách", "ngach"},
	{"kiệt", "kiet"}, {"trang", "trang"}, {"hình", "hinh"}, {"bảng", "bang"},
	{"mẫu", "mau"}, {"biểu", "bieu"}, {"tập", "tap"}, {"bài", "bai"}, {"câu", "cau"},
	{"khóa", "khoa"}, {"đợt", "dot"}, {"lớp", "lop"}, {"hạng", "hang"}, {"top", "top"},
	{"phụ lục", "phu luc"}, {"đề án", "de an"}, {"giai đoạn", "giai doan"},
	{"nghị quyết", "nghi quyet"}, {"quyết định", "quyet dinh"},
	{"nghị định", "nghi dinh"}, {"thông tư", "thong tu"}, {"chỉ thị", "chi thi"},
	{"công văn", "cong van"}, {"quốc lộ", "quoc lo"}, {"tỉnh lộ", "tinh lo"},
	{"kỳ họp", "ky hop"}, {"cấp độ", "cap do"}, {"mức độ", "muc do"}, {"mức", "muc"},
	{"miền cấp", "mien cap"}, {"trường cấp", "truong cap"}, {"vòng", "vong"},
	{"hiệp", "hiep"}, {"thế kỷ", "the ky"}, {"phiên bản", "phien ban"},
	{"dịch vụ công", "dich vu cong"}, {"đường", "duong"}, {"tuyến", "tuyen"},
	{"version", "version"}, {"windows", "windows"}, {"iphone", "iphone"},
	{"galaxy", "galaxy"}, {"euro", "euro"}, {"sea games", "sea games"},
	{"world cup", "world cup"}, WD_END};

/* Phrases ending in a reference word that count rather than label: "doanh số 752.670
   chiếc", "trong vòng 03 ngày làm việc" (within three days; "vòng 24" is a round). */
static const wd COUNT_WORDS[] = {{"doanh số", "doanh so"}, {"tổng số", "tong so"},
                                 {"con số", "con so"}, {"chỉ số", "chi so"},
                                 {"dân số", "dan so"}, {"trong số", "trong so"},
                                 {"trong vòng", "trong vong"}, WD_END};

/* Words after a match score "0 - 3": "thua 0 - 3 trước Manchester United". */
static const wd SCORE_AFTER[] = {{"trước", "truoc"}, {"với", "voi"}, {"tại", "tai"},
                                 {"ở", "o"}, {"cho", "cho"}, {"và", "va"}, {"trong", "trong"},
                                 {"sau", "sau"}, {"của", "cua"}, WD_END};

/* Words before a match score: "chiến thắng 2-0 nhờ ...". */
static const wd SCORE_BEFORE[] = {{"thắng", "thang"}, {"thua", "thua"}, {"hòa", "hoa"},
                                  {"bại", "bai"}, {"tỷ số", "ty so"},
                                  WD_END};

/* Lunar dates are not converted: "10 tháng giêng", "15 tháng 7 âm lịch". */
static const wd LUNAR_WORDS[] = {{"tháng giêng", "thang gieng"}, {"tháng chạp", "thang chap"},
                                 {"âm lịch", "am lich"}, WD_END};

/* Words that make "2016-2020" after them two years. */
static const wd YEAR_WORDS[] = {
	{"giai đoạn", "giai doan"}, {"nhiệm kỳ", "nhiem ky"}, {"thời kỳ", "thoi ky"},
	{"niên khóa", "nien khoa"}, {"mùa giải", "mua giai"}, {"năm học", "nam hoc"},
	{"khóa", "khoa"}, {"mùa", "mua"}, WD_END};

/* Words that continue a list of references: "Quyết định số 846, 817", "Điều 5 và 6". */
static const wd LIST_WORDS[] = {{"và", "va"}, {"hoặc", "hoac"}, WD_END};

/* Words before a phone number. */
static const wd PHONE_WORDS[] = {
	{"điện thoại", "dien thoai"}, {"đt", "dt"}, {"sđt", "sdt"}, {"đtdđ", "dtdd"},
	{"hotline", "hotline"}, {"fax", "fax"}, {"tel", "tel"}, {"phone", "phone"},
	{"zalo", "zalo"}, {"di động", "di dong"}, WD_END};

/* Words before a day/month written without a year: "ngày 19/7", "chiều 28/2". */
static const wd DAY_WORDS[] = {
	{"ngày", "ngay"}, {"sáng", "sang"}, {"trưa", "trua"}, {"chiều", "chieu"},
	{"tối", "toi"}, {"đêm", "dem"}, {"hôm", "hom"}, {"rạng sáng", "rang sang"},
	{"khuya", "khuya"}, {"từ ngày", "tu ngay"}, WD_END};

/* Qualifiers kept with a mention; longer phrases first so they win. */
static const wd QUALIFIERS[] = {
	{"nhiều hơn", "nhieu hon"}, {"lớn hơn", "lon hon"}, {"cao hơn", "cao hon"},
	{"ít hơn", "it hon"}, {"nhỏ hơn", "nho hon"}, {"thấp hơn", "thap hon"},
	{"ít nhất", "it nhat"}, {"tối thiểu", "toi thieu"}, {"tối đa", "toi da"},
	{"không quá", "khong qua"}, {"không dưới", "khong duoi"}, {"lên tới", "len toi"},
	{"lên đến", "len den"}, {"xấp xỉ", "xap xi"}, {"ước tính", "uoc tinh"},
	{"khoảng chừng", "khoang chung"}, {"vượt quá", "vuot qua"}, {"gần như", "gan nhu"},
	{"hơn", "hon"}, {"trên", "tren"}, {"khoảng", "khoang"}, {"gần", "gan"},
	{"dưới", "duoi"}, {"đạt", "dat"}, {"gấp", "gap"}, {"tới", "toi"}, {"đến", "den"},
	{"từ", "tu"}, {"chỉ", "chi"}, {"còn", "con"}, {"tăng", "tang"}, {"giảm", "giam"},
	{"vượt", "vuot"}, {"ước", "uoc"}, {"chừng", "chung"}, {"độ", "do"}, {"cỡ", "co"},
	{"tầm", "tam"}, {"trước", "truoc"}, {"sau", "sau"}, {"tổng cộng", "tong cong"},
	WD_END};

/*
 * Connectors between two numbers that share the second one's unit and scale: "từ 5 đến
 * 10 người", "5 tới 7", "từ 6 xuống còn 4 đơn vị", "25 trên 51 triệu thông tin",
 * "209 trong số 237 thành phố".
 */
static const wd RANGE_WORDS[] = {{"đến", "den"}, {"tới", "toi"}, {"trong số", "trong so"},
                                 {"xuống còn", "xuong con"}, {"xuống", "xuong"},
                                 {"lên", "len"}, {"trên", "tren"}, WD_END};

/* Words allowed between a range connector and its number: "từ 70 đến dưới 80%". */
static const wd RANGE_QUALS[] = {{"dưới", "duoi"}, {"trên", "tren"}, {"hơn", "hon"},
                                 {"gần", "gan"}, {"khoảng", "khoang"}, WD_END};

/* Scale words after digits. */
typedef struct scale {
	wd w;
	int exp10;
} scale;

static const scale SCALES[] = {
	{{"nghìn", "nghin"}, 3}, {{"ngàn", "ngan"}, 3}, {{"triệu", "trieu"}, 6},
	{{"tỷ", "ty"}, 9}, {{"vạn", "van"}, 4}, {{NULL, NULL}, 0}};

/* Units and scales glued to digits ("100km", "1.000.000đ", "2,5tr", "1tỷ"), folded. */
static const char *const GLUED_UNITS[] = {
	"km", "m", "cm", "mm", "kg", "ha", "m2", "m3", "km2", "mw", "kw", "kwh", "gw",
	"gb", "mb", "tb", "ml", "d", "vnd", "usd", "ty", "ti", "trieu", "tr", "nghin",
	"ngan", "tan", "h", NULL};

enum wnum_type { WN_NONE, WN_DIGIT, WN_TEN, WN_TENS, WN_HUNDRED, WN_FILL, WN_SCALE,
	             WN_HALF };

/* Numbers in words, matched on their exact forms only. */
typedef struct wnum {
	wd w;
	enum wnum_type type;
	int val;                /* digit value, or exp10 for scales */
	int after_tens;         /* 1: only after "mười"/"mươi" (mốt, lăm, tư) */
} wnum;

static const wnum WNUMS[] = {
	{{"một", "mot"}, WN_DIGIT, 1, 0}, {{"mốt", "mot"}, WN_DIGIT, 1, 1},
	{{"hai", "hai"}, WN_DIGIT, 2, 0}, {{"ba", "ba"}, WN_DIGIT, 3, 0},
	{{"bốn", "bon"}, WN_DIGIT, 4, 0}, {{"tư", "tu"}, WN_DIGIT, 4, 1},
	{{"năm", "nam"}, WN_DIGIT, 5, 0}, {{"lăm", "lam"}, WN_DIGIT, 5, 1},
	{{"sáu", "sau"}, WN_DIGIT, 6, 0}, {{"bảy", "bay"}, WN_DIGIT, 7, 0},
	{{"bẩy", "bay"}, WN_DIGIT, 7, 0}, {{"tám", "tam"}, WN_DIGIT, 8, 0},
	{{"chín", "chin"}, WN_DIGIT, 9, 0}, {{"mười", "muoi"}, WN_TEN, 10, 0},
	{{"mươi", "muoi"}, WN_TENS, 10, 0}, {{"chục", "chuc"}, WN_TENS, 10, 0},
	{{"trăm", "tram"}, WN_HUNDRED, 100, 0}, {{"linh", "linh"}, WN_FILL, 0, 0},
	{{"lẻ", "le"}, WN_FILL, 0, 0}, {{"nghìn", "nghin"}, WN_SCALE, 3, 0},
	{{"ngàn", "ngan"}, WN_SCALE, 3, 0}, {{"triệu", "trieu"}, WN_SCALE, 6, 0},
	{{"tỷ", "ty"}, WN_SCALE, 9, 0},
	{{"vạn", "van"}, WN_SCALE, 4, 0},
	{{"rưỡi", "ruoi"}, WN_HALF, 0, 0}, {{NULL, NULL}, WN_NONE, 0, 0}};

/* ---- the scanner: tokens plus the bytes between them -------------------------------- */

typedef struct sc {
	const char *s;          /* the text */
	size_t len;
	const tc_toklist *tl;
	const tc_token *t;
	size_t n;               /* tokens */
	bool english;           /* the text groups thousands with commas: "530,300" */
	bool plain_minus;       /* "am" without marks is a minus too (queries) */
} sc;

static const char *tfold(const sc *c, size_t i) { return tc_tok_folded(c->tl, &c->t[i]); }
static bool is_num(const sc *c, size_t i) { return i < c->n && (c->t[i].flags & TC_TOK_NUMBER); }

/* Bytes between token i-1 and token i (i == n: after the last token). */
static void gap_before(const sc *c, size_t i, const char **p, size_t *n)
{
	size_t a = i == 0 ? 0 : c->t[i - 1].end;
	size_t b = i >= c->n ? c->len : c->t[i].start;
	*p = c->s + a;
	*n = b > a ? b - a : 0;
}

/* Spaces only (ASCII blanks, NBSP, thin and narrow spaces), no line break. */
static bool blank(const char *p, size_t n)
{
	for (size_t k = 0; k < n;) {
		unsigned char ch = (unsigned char)p[k];
		if (ch == ' ' || ch == '\t' || ch == '\v' || ch == '\f') {
			k++;
		} else if (ch == 0xC2 && k + 1 < n && (unsigned char)p[k + 1] == 0xA0) {
			k += 2;
		} else if (ch == 0xE2 && k + 2 < n && (unsigned char)p[k + 1] == 0x80 &&
		           ((unsigned char)p[k + 2] == 0x89 || (unsigned char)p[k + 2] == 0xAF ||
		            (unsigned char)p[k + 2] == 0x8B)) {
			k += 3;
		} else {
			return false;
		}
	}
	return true;
}

static bool gap_blank(const sc *c, size_t i)
{
	const char *p;
	size_t n;
	gap_before(c, i, &p, &n);
	return blank(p, n);
}

/* The gap with the blanks around it trimmed. */
static void gap_trim(const sc *c, size_t i, const char **p, size_t *n)
{
	gap_before(c, i, p, n);
	while (*n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

static bool gap_is(const sc *c, size_t i, const char *what)
{
	const char *p;
	size_t n;
	gap_before(c, i, &p, &n);
	return n == strlen(what) && memcmp(p, what, n) == 0;
}

static bool is_dash(const char *p, size_t n)
{
	return (n == 1 && (*p == '-' || *p == '~')) ||
	       (n == 3 && (memcmp(p, "\xE2\x80\x93", 3) == 0 || memcmp(p, "\xE2\x80\x94", 3) == 0));
}

/*
 * Is token i glued to token i-1, with nothing or one connector between them, as the
 * parts of a code are: "13/2023/NĐ-CP", "36-NQ/TW", "Covid-19"?
 */
static bool gap_glue(const sc *c, size_t i)
{
	const char *p;
	size_t n;
	if (i == 0 || i >= c->n)
		return false;
	gap_before(c, i, &p, &n);
	return n == 0 || (n == 1 && *p && strchr("/-_.&", *p) != NULL) || is_dash(p, n);
}

static bool line_start(const sc *c, size_t i)
{
	const char *p;
	size_t n;
	gap_before(c, i, &p, &n);
	if (i == 0)
		return blank(p, n) || memchr(p, '\n', n) != NULL;
	return memchr(p, '\n', n) != NULL;
}

/*
 * Is s[0..n) (a token's form, which holds no space) the word at the start of w, ended by
 * a space or the end of w? Most words of a list differ from a token in their first
 * byte, so this looks at w one byte at a time and stops at the first difference.
 */
static bool word_is(const char *s, size_t n, const char *w)
{
	for (size_t k = 0; k < n; k++)
		if (w[k] != s[k])
			return false;
	return (w[n] == ' ' || w[n] == '\0') && memchr(w, ' ', n) == NULL;
}

static bool tok_is(const sc *c, size_t i, const char *exact, const char *folded)
{
	const tc_token *t = &c->t[i];
	if (!word_is(tfold(c, i), t->folded_len, folded))
		return false;
	return !(t->flags & TC_TOK_ACCENTED) ||
	       word_is(tc_tok_exact(c->tl, t), t->exact_len, exact);
}

/* Does the phrase w match tokens [i, i+k)? Returns k, or 0. */
static size_t match_at(const sc *c, size_t i, const wd *w)
{
	const char *e = w->exact, *f = w->folded;
	size_t k = 0;
	for (;;) {
		if (i + k >= c->n || (k > 0 && !gap_blank(c, i + k)) || !tok_is(c, i + k, e, f))
			return 0;
		f += c->t[i + k].folded_len;
		k++;
		if (*f == '\0')
			return k;
		f++;
		e += strcspn(e, " ") + 1;
	}
}

#define PHRASE_LIST_MAX 128   /* entries of a list whose word counts are kept */

static size_t phrase_len(const wd *w)
{
	size_t k = 1;
	for (const char *p = w->folded; *p; p++)
		k += *p == ' ';
	return k;
}

static const uint8_t *phrase_lens(const wd *list);

/*
 * The entry of list that ends right before token i (blank gap before i, or a minus sign
 * after the blanks), or NULL.
 * *first gets its first token. This runs for most numbers with long lists, so the
 * word counts of the lists are counted once (phrase_lens) and an entry whose first
 * byte is not that of its would-be first token is passed over without a call.
 */
static bool gap_blank_signed(const sc *c, size_t i);

static const wd *match_before(const sc *c, size_t i, const wd *list, size_t *first)
{
	if (i == 0 || !gap_blank_signed(c, i))
		return NULL;
	const uint8_t *ks = phrase_lens(list);
	for (const wd *w = list; w->folded; w++) {
		size_t j = (size_t)(w - list);
		size_t k = ks && j < PHRASE_LIST_MAX ? ks[j] : phrase_len(w);
		if (k <= i && tfold(c, i - k)[0] == w->folded[0] && match_at(c, i - k, w) == k) {
			if (first)
				*first = i - k;
			return w;
		}
	}
	return NULL;
}

static const wd *match_list(const sc *c, size_t i, const wd *list, size_t *k)
{
	for (const wd *w = list; w->folded; w++) {
		size_t m = match_at(c, i, w);
		if (m) {
			*k = m;
			return w;
		}
	}
	return NULL;
}

/* ---- numbers ----------------------------------------------------------------------- */

#define MAX_DIGITS 18         /* more digits than this are an identifier, not a quantity */

/* A number as written: mantissa * 10^exp10. */
typedef struct num {
	uint64_t mant;
	int exp10;
	int ndigits;            /* digits in the integer part */
	bool lead_zero;         /* "06", "0274" */
	bool point;             /* an English decimal point "3.5": a value only with % or a scale */
	bool plain;             /* digits only */
} num;

static bool all_digits(const char *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (p[k] < '0' || p[k] > '9')
			return false;
	return n > 0;
}

/* Digit groups of a number token: "1.234,5" is 1 . 234 , 5. */
typedef struct groups {
	size_t len[32];         /* digits in each group */
	char sep[32];           /* sep[g] separates group g and g+1 */
	size_t n, dots, commas;
} groups;

static bool split_groups(const char *p, size_t n, groups *g)
{
	memset(g, 0, sizeof *g);
	if (n == 0 || p[0] < '0' || p[0] > '9' || p[n - 1] < '0' || p[n - 1] > '9')
		return false;
	size_t run = 0;
	for (size_t k = 0; k < n; k++) {
		if (p[k] >= '0' && p[k] <= '9') {
			run++;
			continue;
		}
		if ((p[k] != '.' && p[k] != ',') || run == 0 || g->n >= 31)
			return false;
		g->sep[g->n] = p[k];
		g->len[g->n++] = run;
		run = 0;
		g->dots += p[k] == '.';
		g->commas += p[k] == ',';
	}
	g->len[g->n++] = run;
	return true;
}

static bool groups_of_three(const groups *g, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++)
		if (g->len[k] != 3)
			return false;
	return g->len[0] <= 3;
}

/*
 * Which way a text writes its numbers: +1 English ("1,277,100", "1,234.5"), -1
 * Vietnamese ("276.938.860", "1,35", "1.234,5"), 0 cannot tell ("2.390", "530,300").
 */
static int num_style(const char *p, size_t n)
{
	groups g;
	if (!split_groups(p, n, &g) || g.n == 1)
		return 0;
	if (g.dots == 0 && g.commas > 1 && groups_of_three(&g, 1, g.n))
		return 1;
	if (g.commas == 0 && g.dots > 1 && groups_of_three(&g, 1, g.n))
		return -1;
	if (g.commas == 1 && g.dots == 0 && g.len[1] != 3)
		return -1;
	if (g.commas && g.dots && groups_of_three(&g, 1, g.n - 1))
		return g.sep[g.n - 2] == '.' ? 1 : -1;
	return 0;
}

/*
 * Reads digits with "." and "," separators. Vietnamese: "." groups thousands, "," is the
 * decimal mark ("276.938.860", "1,35", "1.234,5"). English where unambiguous: more than
 * one comma group of three digits, or a dot after comma groups ("1,234,567.5"); in a
 * text written the English way (english), also "530,300". A single "." not followed by
 * exactly three digits is an English decimal point ("3.5"), flagged.
 */
static bool parse_num(const char *p, size_t n, bool english, num *out)
{
	memset(out, 0, sizeof *out);
	groups G;
	if (!split_groups(p, n, &G))
		return false;
	size_t *grp = G.len, ng = G.n, dots = G.dots, commas = G.commas;
	char *sep = G.sep;
	/* which separator is the decimal mark: index of the group after it, or 0 for none */
	size_t dec = 0;
	if (ng == 1) {
		dec = 0;
	} else if (commas == 0) {
		if (groups_of_three(&G, 1, ng))
			dec = 0;
		else if (dots == 1)
			dec = 1, out->point = true;
		else
			return false;
	} else if (dots == 0) {
		if ((commas > 1 || english) && groups_of_three(&G, 1, ng))
			dec = 0;
		else if (commas == 1)
			dec = 1;
		else
			return false;
	} else {
		/* both: the last separator is the decimal mark, the others group thousands */
		char last = sep[ng - 2];
		if ((last == ',' && commas != 1) || (last == '.' && dots != 1) || grp[0] > 3)
			return false;
		for (size_t g = 1; g + 1 < ng; g++)
			if (grp[g] != 3 || sep[g - 1] == last)
				return false;
		dec = ng - 1;
	}
	int digits = 0;
	bool nonzero = false;
	for (size_t g = 0, k = 0; g < ng; g++) {
		for (size_t d = 0; d < grp[g]; d++, k++) {
			while (p[k] == '.' || p[k] == ',')
				k++;
			int v = p[k] - '0';
			if (!nonzero && v == 0 && (dec == 0 || g < dec)) {
				if (g == 0 && d == 0 && grp[0] > 1)
					out->lead_zero = true;
				continue;    /* leading zeros do not count against MAX_DIGITS */
			}
			nonzero = true;
			if (++digits > MAX_DIGITS)
				return false;
			out->mant = out->mant * 10 + (uint64_t)v;
			if (dec && g >= dec)
				out->exp10--;
		}
		if (dec == 0 || g < dec)
			out->ndigits += (int)grp[g];
	}
	out->plain = ng == 1;
	return true;
}

static double pow10i(int e)
{
	static const double P[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
	                           1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	                           1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	if (e >= 0 && e <= 22)
		return P[e];
	return pow(10.0, e);
}

/* mant * 10^exp10, exact whenever the result fits a double's 53 bits. */
static double num_value(uint64_t mant, int exp10)
{
	if (exp10 >= 0)
		return (double)mant * pow10i(exp10);
	return (double)mant / pow10i(-exp10);
}

/* The integer value of the digits p[0..n). */
static long tok_int_at(const char *p, size_t n)
{
	long v = 0;
	for (size_t k = 0; k < n; k++)
		v = v * 10 + (p[k] - '0');
	return v;
}

/* The integer value of a plain number token (digits only), or -1. */
static long tok_int(const sc *c, size_t i, int max_digits)
{
	if (!is_num(c, i))
		return -1;
	const char *p = c->s + c->t[i].start;
	size_t n = c->t[i].end - c->t[i].start;
	if (!all_digits(p, n) || n > (size_t)max_digits)
		return -1;
	return tok_int_at(p, n);
}

/* ---- reading a value: digits or words, scales, percent ------------------------------ */

typedef struct val {
	double v;
	size_t first, next;     /* tokens [first, next) */
	uint32_t start, end;    /* bytes, "%" included */
	int scale;              /* exp10 of the scale words, 0 when none */
	bool percent;
	bool words;             /* written in words */
	bool glued_unit;        /* token next-1 carries a unit after its digits ("100km") */
	bool dollar;            /* "$" before its digits: the unit is the US dollar */
	char unit[16];          /* that unit, folded */
} val;

static int scale_at(const sc *c, size_t i)
{
	for (const scale *s = SCALES; s->w.folded; s++)
		if (match_at(c, i, &s->w))
			return s->exp10;
	return 0;
}

/* After the value's last token: "%" (maybe after a space) or "phần trăm". */
static bool take_percent(const sc *c, val *v)
{
	const char *p = c->s + v->end;
	const char *lim = v->next < c->n ? c->s + c->t[v->next].start : c->s + c->len;
	while (p < lim && (*p == ' ' || *p == '\t'))
		p++;
	if (p < lim && *p == '%') {
		v->end = (uint32_t)(p + 1 - c->s);
		v->percent = true;
		return true;
	}
	if (lim - p >= 3 && memcmp(p, "\xEF\xBC\x85", 3) == 0) { /* fullwidth % */
		v->end = (uint32_t)(p + 3 - c->s);
		v->percent = true;
		return true;
	}
	static const wd PCT = {"phần trăm", "phan tram"};
	if (v->next < c->n && gap_blank(c, v->next) && match_at(c, v->next, &PCT)) {
		v->next += 2;
		v->end = c->t[v->next - 1].end;
		v->percent = true;
		return true;
	}
	return false;
}

/* Digits at token i, with a unit or scale glued on ("100km", "2,5tr", "1tỷ"). */
static bool read_digits(const sc *c, size_t i, num *nm, val *v)
{
	const tc_token *t = &c->t[i];
	const char *raw = c->s + t->start;
	size_t rn = t->end - t->start;
	if (t->flags & TC_TOK_NUMBER)
		return parse_num(raw, rn, c->english, nm);
	size_t k = 0;
	while (k < rn && ((raw[k] >= '0' && raw[k] <= '9') || raw[k] == '.' || raw[k] == ','))
		k++;
	while (k > 0 && (raw[k - 1] == '.' || raw[k - 1] == ','))
		k--;
	if (k == 0 || !parse_num(raw, k, c->english, nm))
		return false;
	/* the folded form starts with the same ASCII digits */
	const char *f = tfold(c, i) + k;
	if (strlen(f) >= sizeof v->unit)
		return false;
	for (const char *const *u = GLUED_UNITS; *u; u++) {
		if (strcmp(f, *u) == 0) {
			strcpy(v->unit, f);
			v->glued_unit = true;
			return true;
		}
	}
	return false;
}

/*
 * Every word that is not a number asks whether it is a number word: an open-addressed
 * table over the exact forms of WNUMS, built once, answers with about one probe.
 */
#define WNUM_SLOTS 256         /* a power of two; mostly empty, so most misses cost no compare */
#define WNUM_MAX_BYTES 8       /* the longest number words ("triệu", "rưỡi") have 7 */

static uint8_t wnum_slot[WNUM_SLOTS];   /* index into WNUMS + 1; 0 = empty */

/*
 * Most words are not number words, and most differ from all of them in length, first
 * or last byte: a bit per (length, first byte, last byte) signature answers those
 * without hashing the word.
 */
#define WNUM_SIGS 1024
static uint8_t wnum_sig[WNUM_SIGS / 8];

static uint32_t wnum_signature(const char *x, size_t n)
{
	return (uint32_t)(n * 131 + (unsigned char)x[0] * 7 + (unsigned char)x[n - 1]) &
	       (WNUM_SIGS - 1);
}

static uint32_t wnum_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h ^ (h >> 15);
}

static void build_wnum_table(void)
{
	for (size_t k = 0; WNUMS[k].w.folded; k++) {
		const char *x = WNUMS[k].w.exact;
		uint32_t i = wnum_hash(x, strlen(x)) & (WNUM_SLOTS - 1);
		while (wnum_slot[i])
			i = (i + 1) & (WNUM_SLOTS - 1);
		wnum_slot[i] = (uint8_t)(k + 1);
		uint32_t g = wnum_signature(x, strlen(x));
		wnum_sig[g / 8] |= (uint8_t)(1u << (g % 8));
	}
}

/* Unaccented number words are too ambiguous ("nam", "sau", "tam"): exact forms only. */
static const wnum *wnum_at(const sc *c, size_t i)
{
	if (i >= c->n)
		return NULL;
	const tc_token *t = &c->t[i];
	const char *x = tc_tok_exact(c->tl, t);
	if (t->exact_len > WNUM_MAX_BYTES || t->exact_len == 0 || (t->flags & TC_TOK_NUMBER))
		return NULL;
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, build_wnum_table);
	uint32_t g = wnum_signature(x, t->exact_len);
	if (!(wnum_sig[g / 8] >> (g % 8) & 1))
		return NULL;
	for (uint32_t k = wnum_hash(x, t->exact_len) & (WNUM_SLOTS - 1); wnum_slot[k];
	     k = (k + 1) & (WNUM_SLOTS - 1)) {
		const wnum *w = &WNUMS[wnum_slot[k] - 1];
		if (x[0] == w->w.exact[0] && strcmp(x, w->w.exact) == 0)
			return w;
	}
	return NULL;
}

static bool is_multiplier(const wnum *w)
{
	return w && (w->type == WN_TENS || w->type == WN_HUNDRED || w->type == WN_SCALE);
}

/*
 * Numbers in words: "hai nghìn tỷ", "năm mươi", "một trăm linh năm", "mười lăm",
 * "hai triệu rưỡi". A lone digit word ("một", "hai") is not read: it is far more often
 * an article or part of a word than a count. Matched on exact forms only.
 */
static bool read_words(const sc *c, size_t i, val *v)
{
	double total = 0, last = 0;
	int group = 0, digit = -1, last_scale = 0;
	enum wnum_type prev = WN_NONE;
	bool big = false;
	size_t j = i;
	for (; j < c->n && (j == i || gap_blank(c, j)); j++) {
		const wnum *w = wnum_at(c, j);
		if (w == NULL)
			break;
		if (w->type == WN_DIGIT) {
			bool after_tens = prev == WN_TEN || prev == WN_TENS;
			if (digit >= 0 || (w->after_tens && !after_tens))
				break;
			if (after_tens && w->val == 5 && strcmp(w->w.folded, "nam") == 0)
				break;      /* "hai mươi năm": twenty years */
			const wnum *nx = j + 1 < c->n && gap_blank(c, j + 1) ? wnum_at(c, j + 1) : NULL;
			if (!after_tens && prev != WN_FILL && !is_multiplier(nx))
				break;      /* a digit word must be followed by its multiplier */
			if (w->after_tens && prev == WN_TEN && w->val != 5)
				break;      /* "mười mốt", "mười tư" are not written */
			digit = w->val;
		} else if (w->type == WN_TEN) {
			if (digit >= 0 || group % 100 >= 10)
				break;
			group += 10;
			big = true;
		} else if (w->type == WN_TENS) {
			if (digit < 1 || group % 100 >= 10)
				break;
			group += digit * 10;
			digit = -1;
			big = true;
		} else if (w->type == WN_HUNDRED) {
			if (digit < 1 || group != 0)
				break;
			group = digit * 100;
			digit = -1;
			big = true;
		} else if (w->type == WN_FILL) {
			if (prev != WN_HUNDRED && prev != WN_SCALE)
				break;
		} else if (w->type == WN_SCALE) {
			double g = group + (digit > 0 ? digit : 0);
			double m = pow10i(w->val);
			if (g == 0 && prev == WN_SCALE) {
				total += last * (m - 1);
				last *= m;
			} else if (g == 0) {
				break;
			} else {
				last = g * m;
				total += last;
			}
			group = 0;
			digit = -1;
			last_scale = w->val;
			big = true;
		} else if (w->type == WN_HALF) {
			if (prev != WN_SCALE && prev != WN_HUNDRED)
				break;
			total += prev == WN_SCALE ? pow10i(last_scale) / 2 : 50;
		}
		prev = w->type;
	}
	if (!big || j == i)
		return false;
	memset(v, 0, sizeof *v);
	v->v = total + group + (digit > 0 ? digit : 0);
	v->first = i;
	v->next = j;
	v->start = c->t[i].start;
	v->end = c->t[j - 1].end;
	v->scale = last_scale;
	v->words = true;
	take_percent(c, v);
	return v->v > 0 && isfinite(v->v) && v->v < 1e300;
}

/* Bytes q[0..n) with blanks trimmed equal s? */
static bool trimmed_is(const char *q, size_t n, const char *s)
{
	while (n && (*q == ' ' || *q == '\t'))
		q++, n--;
	while (n && (q[n - 1] == ' ' || q[n - 1] == '\t'))
		n--;
	return n == strlen(s) && memcmp(q, s, n) == 0;
}

/*
 * Scientific notation after the digits of v: "1,67492716(13) × 10−27 kg" (an optional
 * uncertainty in brackets, a times sign, 10, a minus or caret, the exponent). Moves v past
 * it and returns the exponent, or returns 0 and leaves v alone.
 */
static int sci_exponent(const sc *c, val *v)
{
	size_t j = v->next;
	uint32_t from = v->end;
	if (j + 2 >= c->n)
		return 0;
	if (is_num(c, j) && trimmed_is(c->s + from, c->t[j].start - from, "(") &&
	    c->t[j].end < c->len && c->s[c->t[j].end] == ')') {
		from = c->t[j].end + 1;     /* the uncertainty "(13)" */
		j++;
	}
	const char *g = c->s + from;
	size_t gn = c->t[j].start > from ? c->t[j].start - from : 0;
	if (j + 1 >= c->n || !(trimmed_is(g, gn, "\xC3\x97") || trimmed_is(g, gn, "x") ||
	                       trimmed_is(g, gn, "*")) ||
	    tok_int(c, j, 2) != 10)
		return 0;
	const char *e;
	size_t en;
	gap_before(c, j + 1, &e, &en);
	int sign = 0;
	if ((en == 3 && memcmp(e, "\xE2\x88\x92", 3) == 0) || (en == 1 && *e == '-') ||
	    (en == 2 && memcmp(e, "^-", 2) == 0) || (en == 4 && memcmp(e, "^\xE2\x88\x92", 4) == 0))
		sign = -1;
	else if (en == 1 && *e == '^')
		sign = 1;
	long x = tok_int(c, j + 1, 3);
	if (!sign || x < 0 || x > 300)
		return 0;
	v->next = j + 2;
	v->end = c->t[j + 1].end;
	return sign * (int)x;
}

/*
 * The magnitude of a value starting at token i: digits with their scale words ("2,39
 * nghìn tỷ"), a compound ("1 tỷ 200 triệu"), "rưỡi", then "%" / "phần trăm"; or a number
 * in words.
 */
static bool read_magnitude(const sc *c, size_t i, val *v)
{
	num nm;
	memset(v, 0, sizeof *v);
	if (i >= c->n)
		return false;
	if (!read_digits(c, i, &nm, v))
		return read_words(c, i, v);
	v->first = i;
	v->next = i + 1;
	v->start = c->t[i].start;
	v->end = c->t[i].end;
	int exp = nm.exp10;
	if (v->glued_unit) {
		int s = 0;
		for (const scale *sp = SCALES; sp->w.folded; sp++)
			if (strcmp(v->unit, sp->w.folded) == 0)
				s = sp->exp10;
		if (strcmp(v->unit, "tr") == 0)
			s = 6;
		if (strcmp(v->unit, "ti") == 0)
			s = 9;  /* "1tỉ": glued, no syllable of its own, so spelt as typed */
		if (s) {
			v->glued_unit = false;
			v->unit[0] = '\0';
			v->scale = s;
			exp += s;
		}
	}
	for (int s; !v->glued_unit && v->next < c->n && gap_blank(c, v->next) &&
	            (s = scale_at(c, v->next)) != 0;) {
		v->scale += s;
		exp += s;
		v->next++;
	}
	if (!v->scale && !v->glued_unit)
		exp += sci_exponent(c, v);
	v->v = num_value(nm.mant, exp);
	/* "1 tỷ 200 triệu": a smaller scale after a scale adds */
	while (v->scale && v->next + 1 < c->n && is_num(c, v->next) && gap_blank(c, v->next) &&
	       gap_blank(c, v->next + 1)) {
		num n2;
		int s2 = scale_at(c, v->next + 1);
		if (!s2 || s2 >= v->scale || !parse_num(c->s + c->t[v->next].start,
		                                         c->t[v->next].end - c->t[v->next].start,
		                                         c->english, &n2))
			break;
		v->v += num_value(n2.mant, n2.exp10 + s2);
		v->next += 2;
	}
	static const wd HALF = {"rưỡi", "ruoi"};
	if (v->scale && v->next < c->n && gap_blank(c, v->next) && match_at(c, v->next, &HALF)) {
		v->v += pow10i(v->scale) / 2;
		v->next++;
	}
	v->end = c->t[v->next - 1].end;
	take_percent(c, v);
	/* "3.5" is an English decimal only with "%", a scale or a unit word after it: "chu kỳ
	 * 4.42 năm"; "4.0" or "2.1." alone is a version or a section */
	if (nm.point && !v->percent && !v->scale &&
	    (v->next >= c->n || !gap_blank(c, v->next) || is_num(c, v->next) ||
	     !(c->t[v->next].flags & TC_TOK_SYLLABLE)))
		return false;
	return isfinite(v->v) && v->v < 1e300;
}

/* ---- signs ------------------------------------------------------------------------- */

static bool ends_with(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	return n >= k && memcmp(p + n - k, s, k) == 0;
}

/*
 * Bytes of a minus sign ("-" or U+2212) that ends the gap before token i, glued to it;
 * 0 when there is none. A sign stands apart from what precedes it: the start of the
 * text, or a blank, an opening bracket or quote, ':', a comparison sign or ".." before it
 * ("(-0,14%)", "là -15 độ C", "> -5", "-10..-5"). After a number and blanks a dash is a
 * range ("200 -300m3", "15 -21/7"), and glued to a word a connector ("Covid-19").
 */
static size_t minus_before(const sc *c, size_t i)
{
	static const char *const APART[] = {"\xC2\xA0", "\xE2\x80\x9C", "\xE2\x89\xA4",
	                                    "\xE2\x89\xA5", "..", NULL};
	const char *g;
	size_t n, sl;
	if (i >= c->n)
		return 0;
	gap_before(c, i, &g, &n);
	if (ends_with(g, n, "-"))
		sl = 1;
	else if (ends_with(g, n, "\xE2\x88\x92"))
		sl = 3;
	else
		return 0;
	if (n == sl)
		return i == 0 ? sl : 0;
	if (i > 0 && is_num(c, i - 1) && blank(g, n - sl))
		return 0;
	if (g[n - sl - 1] != '\0' && strchr(" \t\n\r([{:\"'<>=", g[n - sl - 1]) != NULL)
		return sl;
	for (const char *const *a = APART; *a; a++)
		if (ends_with(g, n - sl, *a))
			return sl;
	return 0;
}

/* 1 when a "$" ends the gap before token i, glued to it ("$1.232,20/oz"), else 0. */
static size_t dollar_before(const sc *c, size_t i)
{
	const char *g;
	size_t n;
	if (i >= c->n)
		return 0;
	gap_before(c, i, &g, &n);
	return ends_with(g, n, "$");
}

/* Bytes of what a value may have glued before its digits: "$" or a minus sign. */
static size_t value_prefix(const sc *c, size_t i)
{
	size_t d = dollar_before(c, i);
	return d ? d : minus_before(c, i);
}

/* Whether the gap before token i is blank, or blank and then a minus sign or "$" glued
   to it. */
static bool gap_blank_signed(const sc *c, size_t i)
{
	const char *g;
	size_t n;
	gap_before(c, i, &g, &n);
	return blank(g, n - value_prefix(c, i));
}

/*
 * Words before "âm" that make it a syllable of their word ("siêu âm", ultrasound: "siêu
 * âm 229 trường hợp" counts cases; "ghi âm", "thu âm", recording), not a minus.
 */
static const wd AM_WORDS[] = {
	{"siêu", "sieu"}, {"ghi", "ghi"}, {"thu", "thu"}, {"phát", "phat"}, {"hòa", "hoa"},
	{"phúc", "phuc"}, {"nguyên", "nguyen"}, {"phụ", "phu"}, {"ngữ", "ngu"}, {"tạp", "tap"},
	{"bán", "ban"}, {"khuếch", "khuech"}, WD_END};

/*
 * Is token i the word "âm" read as a minus: "âm 18,5 tỷ đồng" (a loss), "dưới âm 20 độ
 * C"? In text only written with its marks ("am" is English there); a number follows.
 */
static bool minus_word(const sc *c, size_t i)
{
	static const wd AM = {"âm", "am"};
	if (i + 1 >= c->n || !match_at(c, i, &AM) || !gap_blank(c, i + 1))
		return false;
	if (!c->plain_minus && !(c->t[i].flags & TC_TOK_ACCENTED))
		return false;
	return match_before(c, i, AM_WORDS, NULL) == NULL;
}

/*
 * A value starting at token i: its magnitude, negative after a minus sign glued to its
 * digits or after the word "âm", in US dollars after a glued "$". "âm" before a date
 * ("âm 15/7") or a time is no sign.
 */
static bool read_value(const sc *c, size_t i, val *v)
{
	if (minus_word(c, i)) {
		if (!read_magnitude(c, i + 1, v) ||
		    (v->next < c->n && (gap_is(c, v->next, "/") || gap_is(c, v->next, ":"))))
			return false;
		v->first = i;
		v->start = c->t[i].start;
		v->v = v->v != 0 ? -v->v : 0.0;
		return true;
	}
	if (!read_magnitude(c, i, v))
		return false;
	if (!v->words && dollar_before(c, i)) {
		v->dollar = true;
		v->start -= 1;
		return true;
	}
	size_t sl = v->words ? 0 : minus_before(c, i);
	if (sl) {
		v->start -= (uint32_t)sl;
		v->v = v->v != 0 ? -v->v : 0.0;
	}
	return true;
}

/* ---- dates ------------------------------------------------------------------------- */

static bool leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int mdays(long y, int m)
{
	static const int D[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : D[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD"; the moduli only tell the compiler the fields fit. */
static void iso_write(char out[11], long y, int m, int d)
{
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
	         (unsigned)d % 100u);
}

void tc_qty_iso_date(double days, char out[11])
{
	if (!isfinite(days) || fabs(days) > 3e6) {
		strcpy(out, "0000-00-00");
		return;
	}
	long z = (long)floor(days) + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	iso_write(out, y < 0 ? 0 : y, m, d);
}

#define MIN_YEAR 1000
#define MAX_YEAR 2999

/* A date being read. year 0 = not written (filled in from context later). */
typedef struct date {
	int y, m, d;
	int prec;               /* enum tc_qty_precision */
	size_t first, next;     /* tokens */
	uint32_t start, end;
} date;

static bool is_year(long y) { return y >= MIN_YEAR && y <= MAX_YEAR; }

static bool valid_dm(long y, long m, long d)
{
	if (m < 1 || m > 12 || d < 1)
		return false;
	return d <= (y ? mdays(y, (int)m) : (m == 2 ? 29 : mdays(2001, (int)m)));
}

/* One-word lists: "ngày", "tháng", "năm" (W_NGAY[0] is the word itself). */
static const wd W_NGAY[] = {{"ngày", "ngay"}, WD_END};
static const wd W_THANG[] = {{"tháng", "thang"}, WD_END};
static const wd W_NAM[] = {{"năm", "nam"}, WD_END};

static void date_set(date *dt, const sc *c, long y, long m, long d, int prec, size_t first,
                     size_t next)
{
	dt->y = (int)y;
	dt->m = (int)m;
	dt->d = (int)d;
	dt->prec = prec;
	dt->first = first;
	dt->next = next;
	dt->start = c->t[first].start;
	dt->end = c->t[next - 1].end;
}

/* The year of "năm 2023" at token i (after a day or a month), or -1. */
static long year_after(const sc *c, size_t i)
{
	const char *g = "";
	size_t gn = 0;
	if (i < c->n)
		gap_trim(c, i, &g, &gn);
	/* "ngày 24 tháng 4, năm 1985": Wikipedia puts a comma before the year */
	if (i + 1 < c->n && (gap_blank(c, i) || (gn == 1 && *g == ',')) && match_at(c, i, W_NAM) &&
	    gap_blank(c, i + 1))
		return is_year(tok_int(c, i + 1, 4)) ? tok_int(c, i + 1, 4) : -1;
	return -1;
}

/*
 * Dates with words around token i (a number): "19 tháng 7 năm 2023", "ngày 26 tháng 11
 * năm 2019", "tháng 6 năm 2023", "tháng 6/2023", "tháng 6", "năm 2022".
 * kw is the token of "ngày"/"tháng"/"năm" before i, if any (it joins the span).
 */
static bool read_word_date(const sc *c, size_t i, date *dt)
{
	size_t kw;
	bool after_ngay = match_before(c, i, W_NGAY, &kw) != NULL;
	long d = tok_int(c, i, 2);
	/* D tháng M [năm Y] */
	if (d >= 1 && i + 2 < c->n && gap_blank(c, i + 1) && match_at(c, i + 1, W_THANG) &&
	    gap_blank(c, i + 2)) {
		long m = tok_int(c, i + 2, 2), y = year_after(c, i + 3);
		if (m >= 1 && m <= 12 && (y > 0 || after_ngay) && valid_dm(y > 0 ? y : 0, m, d)) {
			size_t first = after_ngay ? kw : i;
			date_set(dt, c, y > 0 ? y : 0, m, d, TC_QTY_DAY, first, y > 0 ? i + 5 : i + 3);
			return true;
		}
	}
	size_t kt;
	if (match_before(c, i, W_THANG, &kt)) {
		/* "6 tháng 6"? the "tháng" is a unit of the number before it: not a month */
		if (kt > 0 && is_num(c, kt - 1) && gap_blank(c, kt))
			return false;
		const char *p = c->s + c->t[i].start;
		size_t pn = c->t[i].end - c->t[i].start;
		if (pn >= 6 && pn <= 7 && p[pn - 5] == '.' && all_digits(p, pn - 5) &&
		    all_digits(p + pn - 4, 4)) {
			/* "Tháng 9.2015" */
			long mm = pn == 6 ? p[0] - '0' : (p[0] - '0') * 10 + (p[1] - '0');
			long yy = tok_int_at(p + pn - 4, 4);
			if (mm < 1 || mm > 12 || !is_year(yy))
				return false;
			date_set(dt, c, yy, mm, 1, TC_QTY_MONTH, kt, i + 1);
			return true;
		}
		long m = tok_int(c, i, 2);
		if (m < 1 || m > 12)
			return false;
		if (i + 1 < c->n && gap_is(c, i + 1, "/")) {
			long y = tok_int(c, i + 1, 4);
			if (!is_year(y) || (i + 2 < c->n && gap_glue(c, i + 2)))
				return false;
			date_set(dt, c, y, m, 1, TC_QTY_MONTH, kt, i + 2);
			return true;
		}
		long y = year_after(c, i + 1);
		if (y > 0) {
			date_set(dt, c, y, m, 1, TC_QTY_MONTH, kt, i + 3);
			return true;
		}
		if (i + 1 < c->n && gap_glue(c, i + 1))
			return false;
		date_set(dt, c, 0, m, 1, TC_QTY_MONTH, kt, i + 1);
		return true;
	}
	size_t kn;
	if (match_before(c, i, W_NAM, &kn)) {
		long y = tok_int(c, i, 4);
		if (!is_year(y) || (i + 1 < c->n && gap_glue(c, i + 1) && !is_num(c, i + 1)))
			return false;
		date_set(dt, c, y, 1, 1, TC_QTY_YEAR, kn, i + 1);
		return true;
	}
	return false;
}

/*
 * Dates with digits at token i: "20/6/2023", "20-6-2023", "20.6.2023" (one token),
 * "2023-06-01". Day/month without a year ("19/7") is left to read_slash_pair().
 */
static bool read_digit_date(const sc *c, size_t i, date *dt)
{
	const tc_token *t = &c->t[i];
	const char *p = c->s + t->start;
	size_t n = t->end - t->start;
	/* "20.6.2023" is one token: day and month of 1-2 digits, a year of 4 */
	if (memchr(p, '.', n) && !memchr(p, ',', n)) {
		long part[3] = {0, 0, 0};
		size_t len[3] = {0, 0, 0}, k = 0;
		for (size_t q = 0; q < n; q++) {
			if (p[q] == '.') {
				if (++k == 3)
					return false;
			} else {
				part[k] = part[k] * 10 + (p[q] - '0');
				if (++len[k] > 4)
					return false;
			}
		}
		if (k != 2 || len[0] > 2 || len[1] > 2 || len[2] != 4 || !len[0] || !len[1] ||
		    !is_year(part[2]) || !valid_dm(part[2], part[1], part[0]))
			return false;
		date_set(dt, c, part[2], part[1], part[0], TC_QTY_DAY, i, i + 1);
		return true;
	}
	if (i + 2 >= c->n)
		return false;
	long a = tok_int(c, i, 4), b = tok_int(c, i + 1, 2), y = tok_int(c, i + 2, 4);
	const char *g1, *g2;
	size_t n1, n2;
	gap_before(c, i + 1, &g1, &n1);
	gap_before(c, i + 2, &g2, &n2);
	bool same = n1 == 1 && n2 == 1 && *g1 == *g2 && (*g1 == '/' || *g1 == '-');
	if (!same || b < 0 || y < 0)
		return false;
	/* followed by a glued code part ("1/2/2023/QĐ")? then it is a code */
	if (i + 3 < c->n && gap_glue(c, i + 3) && !is_num(c, i + 3))
		return false;
	size_t yl = c->t[i + 2].end - c->t[i + 2].start;
	if (is_year(y) && yl == 4 && a >= 0 && a <= 31 && valid_dm(y, b, a)) {
		date_set(dt, c, y, b, a, TC_QTY_DAY, i, i + 3);
		return true;
	}
	size_t al = c->t[i].end - c->t[i].start;
	long dd = tok_int(c, i + 2, 2);
	if (*g1 == '-' && al == 4 && is_year(a) && valid_dm(a, b, dd)) {
		date_set(dt, c, a, b, dd, TC_QTY_DAY, i, i + 3);
		return true;
	}
	return false;
}

/* ---- the extractor ----------------------------------------------------------------- */

typedef struct ex {
	sc c;
	tc_qlist *out;
	int doc_year, year_hint;
	bool pending;           /* some dates wait for a year */
} ex;

static uint32_t put_str(tc_qlist *l, const char *p, size_t n)
{
	uint32_t off = (uint32_t)l->text.len;
	tc_buf_append(&l->text, p, n);
	tc_buf_putc(&l->text, '\0');
	return off;
}

static tc_qty *new_qty(ex *e, int kind, double v, size_t pos_tok, uint32_t start, uint32_t end)
{
	tc_qlist *l = e->out;
	l->q = tc_grow(l->q, &l->cap, l->n + 1, sizeof *l->q);
	tc_qty *q = &l->q[l->n++];
	memset(q, 0, sizeof *q);
	q->kind = (uint8_t)kind;
	q->value = v;
	q->pos = e->c.t[pos_tok].pos;
	q->start = start;
	q->end = end;
	return q;
}

/* The qualifier right before token i, if any. */
static void set_qualifier(ex *e, tc_qty *q, size_t i)
{
	size_t first;
	const wd *w = match_before(&e->c, i, QUALIFIERS, &first);
	q->qual_start = q->qual_end = q->start;
	if (w == NULL)
		return;
	const sc *c = &e->c;
	q->qual_start = c->t[first].start;
	q->qual_end = c->t[i - 1].end;
	q->qual = put_str(e->out, w->folded, strlen(w->folded));
	q->qual_len = (uint16_t)strlen(w->folded);
	/* as written, lower-cased: the exact forms of its tokens */
	tc_buf *b = &e->out->text;
	q->qual_exact = (uint32_t)b->len;
	for (size_t k = first; k < i; k++) {
		if (k > first)
			tc_buf_putc(b, ' ');
		tc_buf_append(b, tc_tok_exact(c->tl, &c->t[k]), c->t[k].exact_len);
	}
	q->qual_exact_len = (uint16_t)(b->len - q->qual_exact);
	tc_buf_putc(b, '\0');
}

/*
 * Words of grammar, which a unit does not run on into, in the text ("1 tỷ đồng và ...":
 * no key "đồng và") and in a query ("> 5 tỷ đồng và < 10 tỷ đồng": "đồng" twice).
 * Conjunctions, prepositions, determiners; not the markers of verbs ("người bị thương",
 * "người đã tiêm" are what is counted).
 * Typed with marks a syllable must be one of these words exactly ("vé" is no "về");
 * typed without, only the few plain forms that are hardly ever a unit's ("ho so" is
 * "hồ sơ", not "so"; "con cua" may be crabs but "của" is far likelier).
 */
static const wd GRAMMAR_MARKED[] = {
	{"và", "va"}, {"với", "voi"}, {"của", "cua"}, {"là", "la"}, {"trên", "tren"},
	{"dưới", "duoi"}, {"từ", "tu"}, {"đến", "den"}, {"tới", "toi"}, {"này", "nay"},
	{"đó", "do"}, {"thì", "thi"}, {"mà", "ma"}, {"nhưng", "nhung"}, {"những", "nhung"},
	{"hoặc", "hoac"}, {"còn", "con"}, {"để", "de"}, {"nếu", "neu"}, {"vào", "vao"},
	{"về", "ve"}, {"tại", "tai"}, {"ở", "o"}, {"như", "nhu"}, {"cũng", "cung"},
	{"rồi", "roi"}, {"nên", "nen"}, {"vì", "vi"}, {"bởi", "boi"}, {"hơn", "hon"},
	{"các", "cac"}, {"mỗi", "moi"}, WD_END};
static const wd GRAMMAR_PLAIN[] = {
	{"va", "va"}, {"voi", "voi"}, {"cua", "cua"}, {"hoac", "hoac"}, {"nhung", "nhung"},
	{"cho", "cho"}, {"trong", "trong"}, {"khi", "khi"}, {"qua", "qua"}, {"theo", "theo"},
	{"nay", "nay"}, {"ra", "ra"}, {"hay", "hay"}, WD_END};

static bool grammar_word(const sc *c, size_t j)
{
	size_t k;
	if (c->t[j].flags & TC_TOK_ACCENTED)
		return match_list(c, j, GRAMMAR_MARKED, &k) != NULL;
	return match_list(c, j, GRAMMAR_PLAIN, &k) != NULL;
}

/*
 * Unit syllables from token i on: up to 3 word tokens separated by blanks only; stops at
 * punctuation, line breaks, numbers and (after the unit's first syllable, of which have
 * came before) words of grammar. Returns how many, their tokens in toks[].
 */
static size_t unit_tokens(const sc *c, size_t i, size_t *toks, size_t have)
{
	size_t k = 0;
	for (; k < TC_QTY_MAX_UNITS && i + k < c->n; k++) {
		size_t j = i + k;
		if (!gap_blank(c, j) || is_num(c, j) || (have + k > 0 && grammar_word(c, j)))
			break;
		const char *f = tfold(c, j);
		if (f[0] >= '0' && f[0] <= '9')
			break;
		toks[k] = j;
	}
	return k;
}

/* Sets the unit keys of q from value v: "%" for percentages, else syllables after it. */
static void set_units(ex *e, tc_qty *q, const val *v)
{
	const sc *c = &e->c;
	tc_qlist *l = e->out;
	if (v->percent) {
		q->unit[0] = put_str(l, TC_QTY_KEY_PERCENT, 1);
		q->unit_len[0] = 1;
		q->n_units = 1;
		return;
	}
	if (v->dollar) {
		q->unit[0] = put_str(l, "usd", 3);
		q->unit_len[0] = 3;
		q->n_units = 1;
		return;
	}
	size_t toks[TC_QTY_MAX_UNITS + 1]; /* + 1: a glued unit shifts the others by one */
	size_t n = v->glued_unit ? 0 : unit_tokens(c, v->next, toks, 0);
	tc_buf key = {0};
	if (v->glued_unit) {
		tc_buf_puts(&key, v->unit);
		n = 1 + unit_tokens(c, v->next, toks + 1, 1);
		if (n > TC_QTY_MAX_UNITS)
			n = TC_QTY_MAX_UNITS;
		toks[0] = v->next - 1;
	}
	for (size_t k = 0; k < n; k++) {
		if (!(v->glued_unit && k == 0)) {
			if (key.len)
				tc_buf_putc(&key, ' ');
			tc_buf_append(&key, tfold(c, toks[k]), c->t[toks[k]].folded_len);
		}
		q->unit[k] = put_str(l, key.data, key.len);
		q->unit_len[k] = (uint16_t)key.len;
		q->end = c->t[toks[k]].end > q->end ? c->t[toks[k]].end : q->end;
	}
	q->n_units = (uint8_t)n;
	tc_buf_free(&key);
}

static void emit_date(ex *e, const date *dt_in, size_t pos_tok)
{
	date ng = *dt_in, *dt = &ng;
	size_t kw;
	if (dt->prec == TC_QTY_DAY && match_before(&e->c, dt->first, W_NGAY, &kw)) {
		dt->first = kw;     /* "ngày 20/6/2023": the word belongs to the date */
		dt->start = e->c.t[kw].start;
	}
	tc_qty *q = new_qty(e, TC_QTY_DATE, 0, pos_tok, dt->start, dt->end);
	q->precision = (uint8_t)dt->prec;
	/* year 0: waiting for context; keep month and day in iso for resolve_years() */
	iso_write(q->iso, dt->y, dt->m, dt->d);
	if (dt->y)
		q->value = (double)days_from_civil(dt->y, dt->m, dt->d);
	else
		e->pending = true;
	set_qualifier(e, q, dt->first);
}

/* Token i is followed by a range connector and a value: returns that value's token. */
static size_t range_next(const sc *c, uint32_t from, size_t next)
{
	if (next >= c->n || from > c->t[next].start)
		return 0;
	const char *p = c->s + from;
	size_t n = c->t[next].start - from;
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (is_dash(p, n) && (is_num(c, next) || wnum_at(c, next)))
		return next;
	size_t k, k2;
	if (n != 0 || !match_list(c, next, RANGE_WORDS, &k))
		return 0;
	next += k;
	if (next < c->n && gap_blank(c, next) && match_list(c, next, RANGE_QUALS, &k2))
		next += k2;
	return next < c->n && gap_blank_signed(c, next) ? next : 0;
}

/*
 * Emits value v (starting at token i) as a mention. A range "từ 5 đến 10 người",
 * "5-10 người", "6-7 triệu đồng", "10-20%" gives the first number the unit, scale and
 * kind of the second.
 */
static void emit_value(ex *e, const val *v)
{
	const sc *c = &e->c;
	val v2, me = *v;
	size_t r = range_next(c, v->end, v->next);
	bool ranged = false;
	if (r && !me.glued_unit && read_value(c, r, &v2) && !v2.words == !me.words) {
		if (v2.percent && !me.percent)
			me.percent = true;
		if (!me.scale && v2.scale && !me.percent) {
			me.v *= pow10i(v2.scale);
			if (!isfinite(me.v) || me.v >= 1e300)
				return;
		}
		ranged = true;
	}
	tc_qty *q = new_qty(e, me.percent ? TC_QTY_PERCENT : TC_QTY_NUMBER, me.v, me.first,
	                    me.start, me.end);
	set_qualifier(e, q, me.first);
	if (ranged && !me.percent) {
		/* the unit keys of the second number; the span stays the first number's */
		tc_qty tmp = *q;
		set_units(e, &tmp, &v2);
		memcpy(q->unit, tmp.unit, sizeof q->unit);
		memcpy(q->unit_len, tmp.unit_len, sizeof q->unit_len);
		q->n_units = tmp.n_units;
	} else {
		set_units(e, q, &me);
	}
}

/* Is the number at token i the start of a phone number? */
static bool phone_at(const sc *c, size_t i)
{
	const char *g;
	size_t gn;
	gap_trim(c, i, &g, &gn);
	bool plus = gn >= 1 && g[gn - 1] == '+';  /* "+84 274 ...", but "(+0,9%)" is a rise */
	if (i > 0 && (gn == 0 || (gn == 1 && *g == ':'))) {
		/* "ĐT: 0274 ...", "Hotline 1900 ..." */
		for (const wd *w = PHONE_WORDS; w->folded; w++) {
			size_t k = phrase_len(w);
			if (k <= i && match_at(c, i - k, w) == k)
				return true;
		}
	}
	/* "0274 3616 363", "0913 123 456", "+84 274 3616 363": a leading zero or a plus and
	   9+ digits in a row */
	const char *p = c->s + c->t[i].start;
	if (p[0] != '0' && !plus)
		return false;
	size_t digits = 0;
	for (size_t k = i; k < c->n && is_num(c, k) && (k == i || gap_blank(c, k) ||
	                                                 gap_is(c, k, ".") || gap_is(c, k, "-"));
	     k++) {
		const char *q = c->s + c->t[k].start;
		size_t qn = c->t[k].end - c->t[k].start;
		for (size_t x = 0; x < qn; x++)
			digits += q[x] >= '0' && q[x] <= '9';
	}
	return digits >= 9;
}

/*
 * Skips the code or time starting at i (and, for a phone number, the digit groups after
 * it); returns the token after it.
 */
static size_t skip_run(const sc *c, size_t i, bool phone)
{
	size_t j = i + 1;
	while (j < c->n && (gap_glue(c, j) || gap_is(c, j, ":") ||
	                    (phone && is_num(c, j) && is_num(c, j - 1) && gap_blank(c, j))))
		j++;
	return j;
}

/*
 * Skips a reference and the list that goes on from it: "số 846, 817", "Điều 5 và 6",
 * "thứ 185 (186 ...)".
 */
static size_t skip_refs(const sc *c, size_t i)
{
	size_t j = skip_run(c, i, false), k;
	for (;;) {
		const char *p;
		size_t n, next;
		gap_trim(c, j, &p, &n);
		if (j < c->n && n == 1 && (*p == ',' || *p == '('))
			next = j;   /* "số 846, 817", "ngày thứ 185 (186 trong năm nhuận)" */
		else if (j + 1 < c->n && gap_blank(c, j) && match_list(c, j, LIST_WORDS, &k) &&
		         gap_blank(c, j + 1))
			next = j + 1;
		else
			return j;
		/* "Đề án 06, 10/28 dịch vụ công": a fraction after the list is not part of it */
		if (!is_num(c, next) || (next + 1 < c->n && gap_glue(c, next + 1)))
			return j;
		j = next + 1;
	}
}

/* Does the number run starting at token i end in a code part ("13/2023/NĐ-CP")? */
static bool code_run(const sc *c, size_t i)
{
	if (i > 0 && gap_glue(c, i) && !gap_is(c, i, ".") && !is_num(c, i - 1))
		return true;    /* "Covid-19": glued to the word before */
	for (size_t j = i + 1; j < c->n && gap_glue(c, j); j++) {
		if (gap_is(c, j, "."))
			break;      /* "năm 2023.Tiếp" is a missing space, not a code */
		if (!is_num(c, j))
			return true;
	}
	return false;
}

/* Day/month without a year, or a fraction: "(19/7)", "ngày 19/7", "52/63 địa phương". */
static size_t read_slash_pair(ex *e, size_t i)
{
	const sc *c = &e->c;
	num na, nb;
	if (!parse_num(c->s + c->t[i].start, c->t[i].end - c->t[i].start, c->english, &na) ||
	    !parse_num(c->s + c->t[i + 1].start, c->t[i + 1].end - c->t[i + 1].start, c->english,
	               &nb) ||
	    na.exp10 < 0 || nb.exp10 < 0 || na.point || nb.point)
		return skip_run(c, i, false);
	/* plain small numbers may be a day and a month; grouped ones ("609.096") never */
	long a = na.plain && na.ndigits <= 4 ? (long)na.mant : 100000;
	long b = nb.plain && nb.ndigits <= 4 ? (long)nb.mant : 100000;
	if (i + 2 < c->n && gap_glue(c, i + 2) && (gap_is(c, i + 2, "/") || gap_is(c, i + 2, "-")))
		return skip_run(c, i, false);   /* "1/2/3" */
	size_t kw;
	bool day_word = match_before(c, i, DAY_WORDS, &kw) != NULL;
	const char *gp, *ga;
	size_t gpn, gan;
	gap_trim(c, i, &gp, &gpn);
	gap_before(c, i + 2, &ga, &gan);
	bool parens = gpn >= 1 && gp[gpn - 1] == '(' && gan >= 1 && ga[0] == ')';
	bool unit_after = i + 2 < c->n && gap_blank(c, i + 2) && !is_num(c, i + 2);
	bool as_date = valid_dm(0, b, a) && b <= 12 &&
	               (day_word || parens || (!unit_after && c->t[i].end - c->t[i].start <= 2));
	/* m/yyyy: a month ("từ 7/2021"); "số 05/2023" was caught as a reference */
	if (is_year(b) && a >= 1 && a <= 12 && c->t[i + 1].end - c->t[i + 1].start == 4) {
		date dt;
		date_set(&dt, c, b, a, 1, TC_QTY_MONTH, i, i + 2);
		emit_date(e, &dt, i);
		return i + 2;
	}
	if (as_date) {
		date dt;
		date_set(&dt, c, 0, b, a, TC_QTY_DAY, day_word ? kw : i, i + 2);
		emit_date(e, &dt, i);
		return i + 2;
	}
	if (day_word || nb.mant == 0 || (na.lead_zero && na.ndigits > 2))
		return i + 2;
	if (is_year(b) && a > 12)
		return i + 2;       /* "100/2015": a number of that year, a code cut short */
	/* a fraction: the numerator counts the unit after the denominator */
	val v;
	memset(&v, 0, sizeof v);
	v.v = (double)na.mant;
	v.first = i;
	v.next = i + 2;
	v.start = c->t[i].start;
	v.end = c->t[i + 1].end;
	take_percent(c, &v);
	tc_qty *q = new_qty(e, v.percent ? TC_QTY_PERCENT : TC_QTY_NUMBER, v.v, i, v.start, v.end);
	set_qualifier(e, q, i);
	set_units(e, q, &v);
	return v.next;
}

/* "Sáng 6.2", "từ ngày 3.3": a day and a month written as one dotted token. */
static bool dotted_daymonth(ex *e, size_t i)
{
	const sc *c = &e->c;
	const char *p = c->s + c->t[i].start;
	size_t n = c->t[i].end - c->t[i].start, dot = 0;
	while (dot < n && p[dot] != '.')
		dot++;
	size_t kw;
	if (dot == 0 || dot > 2 || !all_digits(p, dot) || n - dot - 1 == 0 || n - dot - 1 > 2 ||
	    !all_digits(p + dot + 1, n - dot - 1) || !match_before(c, i, DAY_WORDS, &kw))
		return false;
	long d = (p[0] - '0') * (dot == 2 ? 10 : 1) + (dot == 2 ? p[1] - '0' : 0);
	long m = 0;
	for (size_t k = dot + 1; k < n; k++)
		m = m * 10 + (p[k] - '0');
	if (!valid_dm(0, m, d))
		return false;
	date dt;
	date_set(&dt, c, 0, m, d, TC_QTY_DAY, kw, i + 1);
	emit_date(e, &dt, i);
	return true;
}

/* Is the number at token i a list marker ("1. ", "2) " at a line start) or a page number? */
static bool marker_at(const sc *c, size_t i)
{
	const char *p;
	size_t n;
	gap_before(c, i + 1, &p, &n);
	/* "1. Tên", "2) ...", "1- Cơ sở ..." at the start of a line */
	if (line_start(c, i) && n >= 1 && (p[0] == '.' || p[0] == ')' || p[0] == '-') &&
	    ((n == 1 && p[0] != '-') || (n > 1 && (p[1] == ' ' || p[1] == '\t' || p[1] == '\n'))))
		return true;
	const char *b;
	size_t bn;
	gap_before(c, i, &b, &bn);
	/* a table-of-contents page number: "...hành chính<TAB>2<EOL>" */
	if (bn >= 1 && b[bn - 1] == '\t' && (i + 1 >= c->n || memchr(p, '\n', n)))
		return true;
	/* "(1) Xây dựng ...", ": 1) Hệ thống ...", "; 2) ..." */
	if (n == 0 || p[0] != ')' || c->t[i].end - c->t[i].start > 2 || !blank(p + 1, n - 1) ||
	    i + 1 >= c->n)
		return false;
	gap_trim(c, i, &b, &bn);
	return bn >= 1 && (b[bn - 1] == '(' || b[bn - 1] == ':' || b[bn - 1] == ';');
}

/* After a year at token j-1: more years in a list, "năm 2004, 2005 và 2007". */
static size_t year_list(ex *e, size_t j)
{
	const sc *c = &e->c;
	for (;;) {
		const char *p;
		size_t n, k = 0;
		gap_trim(c, j, &p, &n);
		if (j < c->n && n == 1 && *p == ',') {
			k = j;
		} else if (j + 1 < c->n && gap_blank(c, j) && match_list(c, j, LIST_WORDS, &n) &&
		           gap_blank(c, j + 1)) {
			k = j + 1;
		}
		long y = k ? tok_int(c, k, 4) : -1;
		if (!is_year(y) || c->t[k].end - c->t[k].start != 4 ||
		    (k + 1 < c->n && gap_glue(c, k + 1)))
			return j;
		date dt;
		date_set(&dt, c, y, 1, 1, TC_QTY_YEAR, k, k + 1);
		emit_date(e, &dt, k);
		j = k + 1;
	}
}

/* Two years "2016-2020", "(1890–1969)", "từ năm 2016 đến 2020". */
static size_t read_year_range(ex *e, size_t i, bool after_year)
{
	const sc *c = &e->c;
	long y1 = tok_int(c, i, 4);
	size_t r = range_next(c, c->t[i].end, i + 1);
	if (!is_year(y1) || c->t[i].end - c->t[i].start != 4 || !r)
		return 0;
	long y2 = tok_int(c, r, 4);
	if (!is_year(y2) || y2 <= y1 || c->t[r].end - c->t[r].start != 4)
		return 0;
	/* a count followed by its unit ("1500-2000 người") is not a year range; two years of
	 * this century or the last ("2016-2020 là ...") are */
	bool modern = y1 >= 1900 && y2 <= 2099;
	if (!after_year && !modern && !match_before(c, i, YEAR_WORDS, NULL) && r + 1 < c->n &&
	    gap_blank(c, r + 1) && !is_num(c, r + 1) && !match_at(c, r + 1, W_NAM))
		return 0;
	date dt;
	if (!after_year) {
		date_set(&dt, c, y1, 1, 1, TC_QTY_YEAR, i, i + 1);
		emit_date(e, &dt, i);
	}
	date_set(&dt, c, y2, 1, 1, TC_QTY_YEAR, r, r + 1);
	emit_date(e, &dt, r);
	return r + 1;
}

/* Does token i start with a capital letter (as written)? */
static bool capitalized(const sc *c, size_t i)
{
	const tc_token *t = &c->t[i];
	uint32_t raw, low;
	if (tc_utf8_decode((const unsigned char *)c->s + t->start, t->end - t->start, &raw) == 0 ||
	    tc_utf8_decode((const unsigned char *)tc_tok_exact(c->tl, t), t->exact_len, &low) == 0)
		return false;
	return raw != low;
}

/* Is token i alone between brackets: "[2]", "(15)"? */
static bool bracketed(const sc *c, size_t i, char open, char close)
{
	const char *b, *a;
	size_t bn, an;
	gap_trim(c, i, &b, &bn);
	gap_before(c, i + 1, &a, &an);
	return bn >= 1 && b[bn - 1] == open && an >= 1 && a[0] == close;
}

/* An all-caps name of two letters and digits ("TF1", "TQ"), as asteroids are named. */
static bool designation_code(const sc *c, size_t j)
{
	const char *p = c->s + c->t[j].start;
	size_t n = c->t[j].end - c->t[j].start, k = 0;
	while (k < n && p[k] >= 'A' && p[k] <= 'Z')
		k++;
	if (k != 2)
		return false;
	while (k < n && p[k] >= '0' && p[k] <= '9')
		k++;
	return k == n;
}

/*
 * Numbers that are part of a name: an asteroid "(15290) 1991 TF1", a standard
 * "ISO 3166-1".
 */
static bool designation_at(const sc *c, size_t i)
{
	size_t y = i;
	if (bracketed(c, i, '(', ')') && i + 1 < c->n && is_num(c, i + 1))
		y = i + 1;
	if (is_year(tok_int(c, y, 4)) && y + 1 < c->n && gap_blank(c, y + 1) &&
	    designation_code(c, y + 1))
		return true;
	return i > 0 && gap_blank(c, i) && (c->t[i - 1].flags & TC_TOK_UPPER) &&
	       !(c->t[i - 1].flags & TC_TOK_SYLLABLE) && i + 1 < c->n && gap_is(c, i + 1, "-") &&
	       is_num(c, i + 1);
}

/* Is a lunar month or "âm lịch" at token j? */
static bool lunar_after(const sc *c, size_t j)
{
	size_t k;
	return j < c->n && gap_blank(c, j) && match_list(c, j, LUNAR_WORDS, &k);
}

/* A match score "0 - 3", "2-1 với": skips it, returns the token after; 0 if none. */
static size_t score_at(const sc *c, size_t i)
{
	long a = tok_int(c, i, 2);
	size_t r = a >= 0 ? range_next(c, c->t[i].end, i + 1) : 0;
	if (!r || r != i + 1 || tok_int(c, r, 2) < 0)
		return 0;
	const char *g;
	size_t gn, k;
	gap_trim(c, r + 1, &g, &gn);
	if ((gn && *g == '%') || (gn >= 3 && memcmp(g, "\xEF\xBC\x85", 3) == 0))
		return 0;   /* "2-3%" */
	if (match_before(c, i, SCORE_BEFORE, NULL) || r + 1 >= c->n || !gap_blank(c, r + 1) ||
	    match_list(c, r + 1, SCORE_AFTER, &k))
		return r + 1;
	return 0;
}

/* A capitalized word inside a sentence, as names are written: "Civic", "Đất đai". */
static bool name_word(const sc *c, size_t j)
{
	return j > 0 && gap_blank(c, j) && capitalized(c, j);
}

/* Words before a year written without "năm": "trong 2017", "từ 2016". */
static const wd YEAR_PREPS[] = {
	{"trong", "trong"}, {"từ", "tu"}, {"đến", "den"}, {"tới", "toi"}, {"cuối", "cuoi"},
	{"đầu", "dau"}, {"giữa", "giua"}, {"vào", "vao"}, {"sau", "sau"}, {"trước", "truoc"},
	{"hồi", "hoi"}, {"cho", "cho"}, {"của", "cua"}, {"in", "in"}, {"since", "since"}, WD_END};

/*
 * A year without "năm": four plain digits 1900-2099 after a name ("Civic 2017", "PAPI
 * 2022"), after a preposition ("trong 2017"), or with no word after it ("... 2017.",
 * "2017 và 2018"). "2000 người" stays a count.
 */
static bool bare_year(const sc *c, size_t i)
{
	long y = tok_int(c, i, 4);
	if (y < 1900 || y > 2099 || c->t[i].end - c->t[i].start != 4)
		return false;
	if (i > 0 && gap_blank(c, i) &&
	    (name_word(c, i - 1) || (i > 1 && gap_blank(c, i - 1) && name_word(c, i - 2)) ||
	     match_before(c, i, YEAR_PREPS, NULL)))
		return true;
	size_t k;
	return i + 1 >= c->n || !gap_blank(c, i + 1) || match_list(c, i + 1, LIST_WORDS, &k);
}

/*
 * A plain number after a name and before another name or punctuation is part of the
 * name: "Bệnh viện Nhi đồng 1 TP Hồ Chí Minh", "Vinashin 2.". Not "Hà Nội (15)", not
 * "SIPAS dưới 90%", not a number followed by its unit.
 */
static bool name_number(const sc *c, const val *v)
{
	size_t i = v->first, j = v->next;
	if (v->percent || v->scale || v->words || v->glued_unit || i < 2 || !gap_blank(c, i) ||
	    !(name_word(c, i - 1) || (gap_blank(c, i - 1) && name_word(c, i - 2))) ||
	    bracketed(c, i, '(', ')'))
		return false;
	return j >= c->n || !gap_blank(c, j) || capitalized(c, j);
}

/* One quantity starting at token i, if any. Returns the token to continue from. */
static size_t extract_at(ex *e, size_t i)
{
	const sc *c = &e->c;
	date dt;
	val v;
	if (!is_num(c, i)) {
		/* numbers in words, or digits with a unit glued on; most words are neither */
		const char *f = tfold(c, i);
		if ((f[0] < '0' || f[0] > '9') && wnum_at(c, i) == NULL && !minus_word(c, i))
			return i + 1;
		if ((i > 0 && gap_glue(c, i)) || !read_value(c, i, &v) ||
		    match_before(c, i, REF_WORDS, NULL))
			return i + 1;
		emit_value(e, &v);
		return v.next;
	}
	if (code_run(c, i) || designation_at(c, i))
		return skip_run(c, i, false);
	if (i + 1 < c->n && gap_is(c, i + 1, ":") && is_num(c, i + 1))
		return skip_run(c, i, false);   /* "09:39" */
	if (phone_at(c, i))
		return skip_run(c, i, true);
	if (read_word_date(c, i, &dt)) {
		if (lunar_after(c, dt.next))
			return dt.next;
		emit_date(e, &dt, i);
		if (dt.prec != TC_QTY_YEAR)
			return dt.next;
		size_t r = read_year_range(e, i, true);
		return year_list(e, r ? r : dt.next);
	}
	if (read_digit_date(c, i, &dt)) {
		if (!lunar_after(c, dt.next))
			emit_date(e, &dt, i);
		return dt.next;
	}
	if (lunar_after(c, i + 1))
		return i + 1;
	size_t r = read_year_range(e, i, false);
	if (r)
		return r;
	if (!match_before(c, i, COUNT_WORDS, NULL) && match_before(c, i, REF_WORDS, NULL))
		return skip_refs(c, i);
	if (marker_at(c, i))
		return skip_run(c, i, false);
	if (bare_year(c, i)) {
		date_set(&dt, c, tok_int(c, i, 4), 1, 1, TC_QTY_YEAR, i, i + 1);
		emit_date(e, &dt, i);
		return year_list(e, i + 1);
	}
	if (dotted_daymonth(e, i))
		return i + 1;
	if (i + 1 < c->n && is_num(c, i + 1) &&
	    (gap_is(c, i + 1, "/") ||
	     (gap_is(c, i + 1, "-") && match_before(c, i, DAY_WORDS, NULL))))
		return read_slash_pair(e, i);
	if (i + 1 < c->n && gap_glue(c, i + 1) && !gap_is(c, i + 1, "-") &&
	    !is_dash(c->s + c->t[i].end, c->t[i + 1].start - c->t[i].end))
		return skip_run(c, i, false);   /* "1_000", "5&6" */
	num nm;
	if (!parse_num(c->s + c->t[i].start, c->t[i].end - c->t[i].start, c->english, &nm))
		return i + 1;
	if (nm.lead_zero && nm.ndigits > 2)
		return i + 1;       /* "0274", "001": identifiers */
	if ((r = score_at(c, i)) != 0)
		return r;
	if (bracketed(c, i, '[', ']'))
		return i + 1;       /* "[2]": a citation mark */
	if (!read_value(c, i, &v))
		return i + 1;
	static const wd CUA = {"cửa", "cua"};
	if (v.v == 1 && v.next < c->n && !v.scale && match_at(c, v.next, &CUA))
		return v.next + 1;  /* "cơ chế 1 cửa": the one-stop-shop desk, not a count */
	if (name_number(c, &v))
		return v.next;
	emit_value(e, &v);
	return v.next;
}

static int parse_year(const char *s)
{
	if (s == NULL || strlen(s) < 4)
		return 0;
	int y = 0;
	for (int k = 0; k < 4; k++) {
		if (s[k] < '0' || s[k] > '9')
			return 0;
		y = y * 10 + (s[k] - '0');
	}
	return (s[4] == '\0' || s[4] == '-') && is_year(y) ? y : 0;
}

/* Gives the dates written without a year theirs (see tc_qctx), or drops them. */
static void resolve_years(ex *e)
{
	tc_qlist *l = e->out;
	size_t w = 0;
	for (size_t k = 0; k < l->n; k++) {
		tc_qty q = l->q[k];
		if (q.kind == TC_QTY_DATE && strncmp(q.iso, "0000", 4) == 0) {
			int y = e->doc_year;
			if (!y) {
				uint32_t best = UINT32_MAX;
				for (size_t j = 0; j < l->n; j++) {
					const tc_qty *o = &l->q[j];
					if (o->kind != TC_QTY_DATE || o->precision == TC_QTY_YEAR ||
					    strncmp(o->iso, "0000", 4) == 0)
						continue;
					uint32_t dist = o->start > q.start ? o->start - q.start
					                                   : q.start - o->start;
					if (dist < best) {
						best = dist;
						y = parse_year(o->iso);
					}
				}
			}
			if (!y)
				y = e->year_hint;
			int m = (q.iso[5] - '0') * 10 + (q.iso[6] - '0');
			int d = (q.iso[8] - '0') * 10 + (q.iso[9] - '0');
			if (!y || !valid_dm(y, m, d))
				continue;
			q.value = (double)days_from_civil(y, m, d);
			iso_write(q.iso, y, m, d);
		}
		l->q[w++] = q;
	}
	l->n = w;
}

int tc_quantity_extract(const char *text, size_t len, const tc_toklist *tl,
                        const tc_qctx *ctx, tc_qlist *out, tc_error *err)
{
	out->n = 0;
	tc_buf_clear(&out->text);
	tc_buf_putc(&out->text, '\0');  /* offset 0 is "" */
	for (size_t k = 0; k < tl->n; k++)
		TC_RETURN_IF(tl->tok[k].end > len || tl->tok[k].start > tl->tok[k].end, err,
		             TC_EINVAL, "quantity: token %zu [%u,%u) is outside the text (%zu bytes)",
		             k, tl->tok[k].start, tl->tok[k].end, len);
	TC_RETURN_IF(len > UINT32_MAX, err, TC_ELIMIT, "quantity: text of %zu bytes is too long",
	             len);
	ex e = {.c = {.s = text, .len = len, .tl = tl, .t = tl->tok, .n = tl->n}, .out = out};
	e.doc_year = ctx ? parse_year(ctx->doc_date) : 0;
	int eng = 0, vi = 0;
	for (size_t k = 0; k < tl->n; k++) {
		if (!(tl->tok[k].flags & TC_TOK_NUMBER))
			continue;
		int st = num_style(text + tl->tok[k].start, tl->tok[k].end - tl->tok[k].start);
		eng += st > 0;
		vi += st < 0;
	}
	e.c.english = eng > 0 && vi == 0;
	e.year_hint = ctx && is_year(ctx->year_hint) ? ctx->year_hint : 0;
	for (size_t i = 0; i < tl->n;) {
		size_t next = extract_at(&e, i);
		i = next > i ? next : i + 1;
	}
	if (e.pending)
		resolve_years(&e);
	return TC_OK;
}

int tc_qlist_year_hint(const tc_qlist *l)
{
	for (size_t k = 0; k < l->n; k++)
		if (l->q[k].kind == TC_QTY_DATE)
			return parse_year(l->q[k].iso);
	return 0;
}

void tc_qlist_free(tc_qlist *l)
{
	free(l->q);
	tc_buf_free(&l->text);
	memset(l, 0, sizeof *l);
}

/* ---- the query side ---------------------------------------------------------------- */

enum op { OP_NONE, OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ };

/* Comparison words, longest first. "từ" is handled apart: it may open a range. */
typedef struct opword {
	wd w;
	enum op op;
} opword;

static const opword OP_WORDS[] = {
	{{"nhiều hơn", "nhieu hon"}, OP_GT}, {{"lớn hơn", "lon hon"}, OP_GT},
	{{"cao hơn", "cao hon"}, OP_GT},     {{"vượt quá", "vuot qua"}, OP_GT},
	{{"ít hơn", "it hon"}, OP_LT},       {{"nhỏ hơn", "nho hon"}, OP_LT},
	{{"thấp hơn", "thap hon"}, OP_LT},   {{"ít nhất", "it nhat"}, OP_GE},
	{{"tối thiểu", "toi thieu"}, OP_GE}, {{"không dưới", "khong duoi"}, OP_GE},
	{{"tối đa", "toi da"}, OP_LE},       {{"không quá", "khong qua"}, OP_LE},
	{{"trên", "tren"}, OP_GT},           {{"hơn", "hon"}, OP_GT},
	{{"vượt", "vuot"}, OP_GT},           {{"dưới", "duoi"}, OP_LT},
	{{"bằng", "bang"}, OP_EQ},           {{NULL, NULL}, OP_NONE}};

/* Words naming the date field before an operator: "ngày >= 1/6/2023", "date >= ...". */
static const wd DATE_FIELDS[] = {{"ngày", "ngay"}, {"date", "date"}, WD_END};

/* A value in a query: a number, a percentage or a date, as the interval it covers. */
typedef struct qval {
	int kind;
	double lo, hi;          /* numbers: lo == hi; dates: first and last day */
	int scale;
	size_t first, next;     /* tokens */
	uint32_t start, end;
	bool dollar;            /* written "$5": in US dollars */
} qval;

typedef struct qp {
	sc c;
	tc_error *err;
	size_t limit;           /* tokens before this belong to an earlier comparison */
} qp;

/* The operator sign in q[p, p+n): its kind and length; OP_NONE if it is not one. */
static enum op sign_op(const char *p, size_t n, size_t *len)
{
	static const struct {
		const char *s;
		enum op op;
	} SIGNS[] = {{">=", OP_GE}, {"<=", OP_LE}, {"==", OP_EQ},       {"\xE2\x89\xA5", OP_GE},
	             {"\xE2\x89\xA4", OP_LE}, {">", OP_GT}, {"<", OP_LT}, {"=", OP_EQ}};
	for (size_t k = 0; k < sizeof SIGNS / sizeof SIGNS[0]; k++) {
		size_t l = strlen(SIGNS[k].s);
		if (n >= l && memcmp(p, SIGNS[k].s, l) == 0) {
			*len = l;
			return SIGNS[k].op;
		}
	}
	return OP_NONE;
}

static void qval_date(qval *v, const sc *c, const date *dt)
{
	v->kind = TC_QTY_DATE;
	v->lo = (double)days_from_civil(dt->y, dt->m, dt->d);
	int last_m = dt->prec == TC_QTY_YEAR ? 12 : dt->m;
	int last_d = dt->prec == TC_QTY_DAY ? dt->d : mdays(dt->y, last_m);
	v->hi = (double)days_from_civil(dt->y, last_m, last_d);
	v->first = dt->first;
	v->next = dt->next;
	v->start = c->t[dt->first].start;
	v->end = c->t[dt->next - 1].end;
}

/*
 * A value at token i. Dates: "1/6/2023", "2023-06-01", "20.6.2023", "6/2023" and
 * "2023-06" (a month),
 * "tháng 6/2023", and after a date field a bare year ("date >= 2023"). Returns false
 * when token i does not start a value; an error only for a date without a year.
 */
static bool read_qval_at(qp *p, size_t i, bool date_field, qval *v, int *rc);

static bool read_qval(qp *p, size_t i, bool date_field, qval *v, int *rc)
{
	static const wd THANG = {"tháng", "thang"};
	const sc *c = &p->c;
	if (i + 1 < c->n && match_at(c, i, &THANG) && gap_blank(c, i + 1) && is_num(c, i + 1)) {
		/* "> tháng 6/2023": the month word belongs to the value */
		if (!read_qval_at(p, i + 1, true, v, rc))
			return false;
		v->first = i;
		v->start = c->t[i].start;
		return true;
	}
	return read_qval_at(p, i, date_field, v, rc);
}

static bool read_qval_at(qp *p, size_t i, bool date_field, qval *v, int *rc)
{
	const sc *c = &p->c;
	date dt;
	memset(v, 0, sizeof *v);
	*rc = 0;
	if (i >= c->n)
		return false;
	if (is_num(c, i) && read_digit_date(c, i, &dt)) {
		qval_date(v, c, &dt);
		return true;
	}
	if (is_num(c, i) && read_word_date(c, i, &dt) && dt.y && !lunar_after(c, dt.next)) {
		qval_date(v, c, &dt);
		return true;
	}
	if (is_num(c, i) && i + 1 < c->n && gap_is(c, i + 1, "/") && is_num(c, i + 1)) {
		long a = tok_int(c, i, 2), b = tok_int(c, i + 1, 4);
		if (a >= 1 && a <= 12 && is_year(b)) {
			date_set(&dt, c, b, a, 1, TC_QTY_MONTH, i, i + 2);
			qval_date(v, c, &dt);
			return true;
		}
		if (date_field || (valid_dm(0, b, a) && b <= 12)) {
			*rc = tc_error_set(p->err, TC_EPARSE, "date without a year at %u", c->t[i].start);
			return false;
		}
	}
	if (is_num(c, i) && i + 1 < c->n && gap_is(c, i + 1, "-") && is_num(c, i + 1) &&
	    c->t[i].end - c->t[i].start == 4 && c->t[i + 1].end - c->t[i + 1].start <= 2) {
		/* "2023-06", ISO's year and month (a whole date was read above) */
		long y = tok_int(c, i, 4), m = tok_int(c, i + 1, 2);
		if (is_year(y) && m >= 1 && m <= 12) {
			date_set(&dt, c, y, (int)m, 1, TC_QTY_MONTH, i, i + 2);
			qval_date(v, c, &dt);
			return true;
		}
		if (date_field && is_year(y)) {
			*rc = tc_error_set(p->err, TC_EPARSE, "no month %ld in a date at %u", m,
			                   c->t[i + 1].start);
			return false;
		}
	}
	if (date_field && is_num(c, i)) {
		long y = tok_int(c, i, 4);
		if (!is_year(y)) {
			*rc = tc_error_set(p->err, TC_EPARSE, "date expected at %u", c->t[i].start);
			return false;
		}
		date_set(&dt, c, y, 1, 1, TC_QTY_YEAR, i, i + 1);
		qval_date(v, c, &dt);
		return true;
	}
	val x;
	if (!read_value(c, i, &x))
		return false;
	v->kind = x.percent ? TC_QTY_PERCENT : TC_QTY_NUMBER;
	v->lo = v->hi = x.v;
	v->scale = x.scale;
	v->first = x.first;
	v->next = x.next;
	v->start = x.start;
	v->end = x.end;
	v->dollar = x.dollar;
	return true;
}

static void syl_set(tc_qcmp_syl *s, const sc *c, size_t j)
{
	size_t n = c->t[j].folded_len;
	if (n > TC_TOKEN_MAX_BYTES)
		n = TC_TOKEN_MAX_BYTES;
	memcpy(s->folded, tfold(c, j), n);
	s->folded[n] = '\0';
	s->start = c->t[j].start;
	s->end = c->t[j].end;
}

/* A token that ends a run of unit syllables: boolean words, operator words + number. */
static bool stops_units(const sc *c, size_t j)
{
	const char *raw = c->s + c->t[j].start;
	size_t rn = c->t[j].end - c->t[j].start;
	if ((rn == 2 && memcmp(raw, "OR", 2) == 0) || (rn == 3 && memcmp(raw, "AND", 3) == 0) ||
	    (rn == 3 && memcmp(raw, "NOT", 3) == 0))
		return true;
	for (const opword *o = OP_WORDS; o->w.folded; o++) {
		size_t k = match_at(c, j, &o->w);
		if (k && j + k < c->n && gap_blank(c, j + k) && (is_num(c, j + k) || wnum_at(c, j + k)))
			return true;
	}
	static const wd TU = {"từ", "tu"};
	return match_at(c, j, &TU) && j + 1 < c->n && is_num(c, j + 1);
}

/* Candidate unit syllables after the value and before the operator. */
static void set_syllables(qp *p, tc_qcmp *m, size_t op_first, size_t next)
{
	const sc *c = &p->c;
	m->n_after = m->n_before = 0;
	if (m->kind != TC_QTY_NUMBER)
		return;
	for (size_t j = next; j < c->n && m->n_after < TC_QCMP_MAX_SYL; j++) {
		const char *f = tfold(c, j);
		if ((j > next ? !gap_blank(c, j) : !blank(c->s + m->end, c->t[j].start - m->end)) ||
		    is_num(c, j) || (f[0] >= '0' && f[0] <= '9') ||
		    stops_units(c, j) || (j > next && grammar_word(c, j)))
			break;
		syl_set(&m->after[m->n_after++], c, j);
	}
	/* before: walk back from the operator, then store in text order */
	size_t k = 0, toks[TC_QCMP_MAX_SYL];
	for (size_t j = op_first; j > p->limit && k < TC_QCMP_MAX_SYL; j--) {
		size_t t = j - 1;
		const char *f = tfold(c, t);
		if (is_num(c, t) || (f[0] >= '0' && f[0] <= '9') || stops_units(c, t))
			break;
		if (k > 0 && !gap_blank(c, t + 1))
			break;
		toks[k++] = t;
		const char *g;
		size_t gn;
		gap_before(c, t, &g, &gn);
		if (!blank(g, gn))
			break;      /* "title:giao dịch": stop at the field's colon */
	}
	for (size_t x = 0; x < k; x++)
		syl_set(&m->before[m->n_before++], c, toks[k - 1 - x]);
}

/* Fills m from an operator and a value. */
static void set_bounds(tc_qcmp *m, enum op op, const qval *v)
{
	m->kind = (uint8_t)v->kind;
	m->dollar = v->dollar;
	m->low = -INFINITY;
	m->high = INFINITY;
	m->low_incl = m->high_incl = 0;
	switch (op) {
	case OP_GT: m->low = v->hi; break;
	case OP_GE: m->low = v->lo, m->low_incl = 1; break;
	case OP_LT: m->high = v->lo; break;
	case OP_LE: m->high = v->hi, m->high_incl = 1; break;
	default:
		m->low = v->lo, m->high = v->hi;
		m->low_incl = m->high_incl = 1;
		break;
	}
}

/*
 * "X..Y", "từ X đến Y": the high end may lend its scale and its "%" to the low end
 * ("từ 1 đến 5 triệu", "10..20%"). Returns 0 or an error.
 */
static int make_range(qp *p, tc_qcmp *m, qval *lo, const qval *hi, uint32_t at)
{
	if ((lo->kind == TC_QTY_DATE) != (hi->kind == TC_QTY_DATE))
		return tc_error_set(p->err, TC_EPARSE, "range mixes a date and a number at %u", at);
	if (lo->kind == TC_QTY_NUMBER && hi->kind == TC_QTY_PERCENT)
		lo->kind = TC_QTY_PERCENT;
	if (lo->kind == TC_QTY_PERCENT && hi->kind == TC_QTY_NUMBER)
		return tc_error_set(p->err, TC_EPARSE, "range mixes a percentage and a number at %u",
		                    at);
	if (lo->kind != TC_QTY_DATE && !lo->scale && hi->scale) {
		lo->lo *= pow10i(hi->scale);
		lo->hi = lo->lo;
	}
	if (lo->lo > hi->hi)
		return tc_error_set(p->err, TC_EPARSE, "range low %.15g above high %.15g at %u",
		                    lo->lo, hi->hi, at);
	m->kind = (uint8_t)hi->kind;
	m->dollar = lo->dollar || hi->dollar;
	m->low = lo->lo;
	m->high = hi->hi;
	m->low_incl = m->high_incl = 1;
	return 0;
}

/* After a value ending at token j: ".." and a second value? Returns its token or 0. */
static size_t dots_after(const sc *c, size_t j)
{
	const char *g;
	size_t gn;
	gap_trim(c, j, &g, &gn);
	gn -= gn >= value_prefix(c, j) ? value_prefix(c, j) : 0;   /* "-10..-5" */
	return j < c->n + 1 && gn == 2 && g[0] == '.' && g[1] == '.' ? j : 0;
}

/* Byte offset where a value was expected: the next token, or the end of the query. */
static uint32_t expect_at(const sc *c, size_t i)
{
	return i < c->n ? c->t[i].start : (uint32_t)c->len;
}

/*
 * One comparison starting at token i (or at the operator sign in the gap before it).
 * Returns 1 and fills m (m->end tells where it stopped), 0 when there is none here, or a
 * negative error.
 */
static int cmp_at(qp *p, size_t i, tc_qcmp *m, size_t *next)
{
	const sc *c = &p->c;
	qval v, v2;
	int rc = 0;
	memset(m, 0, sizeof *m);
	/* an operator sign in the gap before token i */
	const char *g;
	size_t gn;
	gap_before(c, i, &g, &gn);
	for (size_t k = 0; k < gn; k++) {
		size_t ol;
		enum op op = sign_op(g + k, gn - k, &ol);
		if (op == OP_NONE)
			continue;
		uint32_t op_at = (uint32_t)(g + k - c->s);
		char opname[4] = {0};
		memcpy(opname, g + k, ol < 3 ? ol : 3);
		if (!blank(g + k + ol, gn - k - ol - value_prefix(c, i)))
			return tc_error_set(p->err, TC_EPARSE, "number expected after '%s' at %u",
			                    opname, op_at + (uint32_t)ol);
		size_t fw = i - 1;
		bool field = i > p->limit && blank(g, k) &&
		             (match_at(c, fw, &DATE_FIELDS[0]) || match_at(c, fw, &DATE_FIELDS[1]));
		if (!read_qval(p, i, field, &v, &rc))
			return rc ? rc : tc_error_set(p->err, TC_EPARSE, "number expected after '%s' at %u",
			                              opname, expect_at(c, i));
		set_bounds(m, op, &v);
		m->start = field ? c->t[fw].start : op_at;
		m->end = v.end;
		set_syllables(p, m, field ? fw : i, v.next);
		*next = v.next;
		if (dots_after(c, v.next))
			return tc_error_set(p->err, TC_EPARSE, "'%s' cannot open a range at %u", opname,
			                    op_at);
		return 1;
	}
	if (i >= c->n)
		return 0;
	/* "từ X [đến|tới Y]" */
	static const wd TU = {"từ", "tu"};
	size_t k;
	if (match_at(c, i, &TU) && i + 1 < c->n && gap_blank_signed(c, i + 1) &&
	    read_qval(p, i + 1, false, &v, &rc)) {
		size_t r = v.next;
		if (r < c->n && blank(c->s + v.end, c->t[r].start - v.end) &&
		    (match_at(c, r, &RANGE_WORDS[0]) || match_at(c, r, &RANGE_WORDS[1]))) {
			k = 1;
			if (!read_qval(p, r + k, false, &v2, &rc) || !gap_blank_signed(c, r + k))
				return rc ? rc : tc_error_set(p->err, TC_EPARSE,
				                              "number expected after '%.*s' at %u",
				                              (int)(c->t[r].end - c->t[r].start),
				                              c->s + c->t[r].start, expect_at(c, r + k));
			if ((rc = make_range(p, m, &v, &v2, c->t[i].start)) < 0)
				return rc;
			v = v2;
		} else {
			set_bounds(m, OP_GE, &v);
		}
		m->start = c->t[i].start;
		m->end = v.end;
		set_syllables(p, m, i, v.next);
		*next = v.next;
		return 1;
	}
	if (rc < 0)
		return rc;
	/* comparison words: "trên 1 tỷ", "ít hơn 5" */
	for (const opword *o = OP_WORDS; o->w.folded; o++) {
		size_t n = match_at(c, i, &o->w);
		if (!n || i + n >= c->n || !gap_blank_signed(c, i + n))
			continue;
		if (!read_qval(p, i + n, false, &v, &rc)) {
			if (rc < 0)
				return rc;
			continue;   /* "trên địa bàn": an ordinary word */
		}
		set_bounds(m, o->op, &v);
		m->start = c->t[i].start;
		m->end = v.end;
		set_syllables(p, m, i, v.next);
		*next = v.next;
		return 1;
	}
	/* "X..Y", "ngày 1/6/2023..31/7/2023" */
	size_t fw = i;
	bool field = match_at(c, i, &DATE_FIELDS[0]) || match_at(c, i, &DATE_FIELDS[1]);
	size_t vi = field ? i + 1 : i;
	if (field && (vi >= c->n || !gap_blank(c, vi)))
		return 0;
	if (!read_qval(p, vi, field, &v, &rc))
		return rc;
	size_t d = dots_after(c, v.next);
	if (!d)
		return 0;       /* a lone number: an ordinary term */
	if (!read_qval(p, d, field || v.kind == TC_QTY_DATE, &v2, &rc))
		return rc ? rc : tc_error_set(p->err, TC_EPARSE, "number expected after '..' at %u",
		                              expect_at(c, d));
	if ((rc = make_range(p, m, &v, &v2, v.start)) < 0)
		return rc;
	m->start = field ? c->t[fw].start : v.start;
	m->end = v2.end;
	set_syllables(p, m, fw, v2.next);
	*next = v2.next;
	return 1;
}

int tc_qcmp_parse(tc_analyzer *a, const char *q, size_t len, tc_qcmp *out, size_t *n,
                  tc_error *err)
{
	TC_RETURN_IF(a == NULL || (q == NULL && len) || n == NULL || (out == NULL && *n), err,
	             TC_EINVAL, "tc_qcmp_parse: invalid arguments");
	TC_RETURN_IF(len > UINT32_MAX, err, TC_ELIMIT, "query of %zu bytes is too long", len);
	size_t cap = *n;
	*n = 0;
	tc_toklist tl = {0};
	int rc = tc_analyze(a, q ? q : "", len, NULL, &tl, err);
	qp p = {.c = {.s = q ? q : "", .len = len, .tl = &tl, .t = tl.tok, .n = tl.n,
	              .plain_minus = true},
	        .err = err};
	for (size_t i = 0; rc == TC_OK && i <= tl.n;) {
		tc_qcmp m;
		size_t next = i + 1;
		int r = cmp_at(&p, i, &m, &next);
		if (r < 0) {
			rc = r;
		} else if (r == 0) {
			i++;
		} else if (*n >= cap) {
			rc = tc_error_set(err, TC_ELIMIT, "more than %zu comparisons in the query at %u",
			                  cap, (unsigned)m.start);
		} else {
			out[(*n)++] = m;
			/* the next comparison's syllables before it start after these */
			p.limit = next + m.n_after;
			i = next > i ? next : i + 1;
		}
	}
	tc_toklist_free(&tl);
	if (rc != TC_OK)
		*n = 0;
	return rc;
}

/* ---- units written more than one way --------------------------------------------- */

/*
 * One unit's keys: those searched (the shortest spelling of each way of writing it, none
 * the first syllables of another) and longer names of the unit, each one of the keys
 * and more syllables (the keys' entries hold theirs). "đô la" in Vietnamese news is the
 * US dollar (other dollars, "đô la Úc", are 32 of its 797 mentions in the news corpus);
 * "do" alone is "độ" far more often than "đô", and "tiếng" a language as often as an
 * hour, so neither is here. "5h" is five hours or five o'clock, as "5 giờ" is.
 */
typedef struct unit_group {
	const char *keys[TC_QTY_MAX_ALIASES];
	const char *names[2];
} unit_group;

static const unit_group UNIT_GROUPS[] = {
	{{"dong", "vnd", "d"}, {"dong viet nam", "dong viet"}},
	{{"usd", "do la", "dola"}, {"do la my"}},
	{{"euro", "eur"}, {0}},
	{{"nhan dan te", "ndt", "cny"}, {0}},
	{{"yen", "jpy"}, {"yen nhat"}},
	{{"bang anh", "gbp"}, {0}},
	{{"km", "kilomet", "ky lo met", "cay so"}, {0}},
	{{"kg", "kilogam", "ky lo gam"}, {0}},
	{{"m", "met"}, {0}},
	{{"m2", "met vuong"}, {0}},
	{{"ha", "hecta", "hec ta"}, {0}},
	{{"gio", "h"}, {0}},
};

static bool key_is(const char *key, size_t len, const char *s)
{
	return s && strlen(s) == len && memcmp(key, s, len) == 0;
}

size_t tc_qty_unit_keys(const char *key, size_t len, const char **out)
{
	for (size_t g = 0; g < sizeof UNIT_GROUPS / sizeof UNIT_GROUPS[0]; g++) {
		const unit_group *u = &UNIT_GROUPS[g];
		bool in = false;
		for (size_t k = 0; k < TC_QTY_MAX_ALIASES && !in; k++)
			in = key_is(key, len, u->keys[k]);
		for (size_t k = 0; k < 2 && !in; k++)
			in = key_is(key, len, u->names[k]);
		if (!in)
			continue;
		size_t n = 0;
		for (size_t k = 0; k < TC_QTY_MAX_ALIASES && u->keys[k]; k++)
			if (key_is(key, len, u->keys[k]))
				out[n++] = u->keys[k];
		for (size_t k = 0; k < TC_QTY_MAX_ALIASES && u->keys[k]; k++)
			if (!key_is(key, len, u->keys[k]))
				out[n++] = u->keys[k];
		return n;
	}
	return 0;
}

/* ---- word counts of the phrase lists ------------------------------------------------ */

/* The lists match_before() is given; any other list works too, only slower. */
static const wd *const PHRASE_LISTS[] = {
	REF_WORDS, COUNT_WORDS, SCORE_BEFORE, YEAR_WORDS, DAY_WORDS, QUALIFIERS,
	W_NGAY, W_THANG, W_NAM, YEAR_PREPS};
#define N_PHRASE_LISTS (sizeof PHRASE_LISTS / sizeof PHRASE_LISTS[0])

static uint8_t phrase_k[N_PHRASE_LISTS][PHRASE_LIST_MAX];

static void count_phrases(void)
{
	for (size_t l = 0; l < N_PHRASE_LISTS; l++)
		for (size_t j = 0; j < PHRASE_LIST_MAX && PHRASE_LISTS[l][j].folded; j++)
			phrase_k[l][j] = (uint8_t)phrase_len(&PHRASE_LISTS[l][j]);
}

/* Word counts of list's entries (the first PHRASE_LIST_MAX), or NULL if not listed. */
static const uint8_t *phrase_lens(const wd *list)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, count_phrases);
	for (size_t l = 0; l < N_PHRASE_LISTS; l++)
		if (PHRASE_LISTS[l] == list)
			return phrase_k[l];
	return NULL;
}
