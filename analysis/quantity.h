/*
 * quantity.h — the quantities written in Vietnamese text and in queries.
 *
 * Two halves share one idea of what a quantity is:
 *
 *  - the extractor (indexer side) reads a token stream from analyzer.h and returns every
 *    quantity mention: "hơn 1,35 tỷ giao dịch" is a number 1350000000 with the unit keys
 *    "giao", "giao dich" (and "giao dich thuc" when the text goes on "giao dịch thực
 *    hiện"), qualifier "hơn", at the position of the token "1,35";
 *  - the comparison parser (query side) finds every comparison in a query string:
 *    "NDXP > 1 tỷ giao dịch" has one, low 1e9 (exclusive), high +inf, candidate unit
 *    syllables "giao", "dich"; the caller keeps the longest run of them that is a unit key
 *    of the index and treats the rest as ordinary words.
 *
 * Both read numbers the same way ("276.938.860", "1,35", "2,39 nghìn tỷ", "32,05%",
 * "một trăm", folded or not), so a query matches what the extractor stored.
 *
 * Unit keys are folded text (analyzer.h): lower case, no diacritics, đ -> d, syllables
 * joined by one space. Three keys are reserved and can never come from text:
 *   TC_QTY_KEY_PERCENT  "%"      every percentage is filed under it (and only under it)
 *   TC_QTY_KEY_DATE     "@date"  no date carries units; the indexer files dates under
 *                                this key, and a date comparison looks there (plus the
 *                                document's own date field, at the caller's choice)
 * A number followed by no word (end of text, punctuation) has no unit keys; the indexer
 * files it under TC_QTY_KEY_NONE "@none", where a query with no unit ("> 5") looks.
 *
 * Values are finite doubles, never NaN or infinite; numbers that would overflow are not
 * mentions. Dates are days since 1970-01-01 (negative before), with the ISO string and a
 * precision: "20/6/2023" is a day, "tháng 6/2023" the month (value = its first day),
 * "năm 2022" the year (value = 1 January).
 *
 * What counts as a mention, and what does not (codes such as 13/2023/NĐ-CP, phone
 * numbers, times, "Điều 5", list markers, ordinals, ...), is written up in README.md,
 * section "Quantities".
 *
 * Memory: a tc_qlist owns everything it holds (mentions and their strings). Zero-
 * initialise it, pass it to tc_quantity_extract() as often as you like (each call
 * replaces the contents, reusing memory), tc_qlist_free() it at the end. A tc_qcmp is a
 * plain value (no pointers): copy it freely, nothing to free.
 *
 * Thread safety: the functions keep no state; tc_qcmp_parse() uses the analyser it is
 * given, which is one per thread (analyzer.h).
 */
#ifndef TC_QUANTITY_H
#define TC_QUANTITY_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analyzer.h"
#include "common/buf.h"
#include "common/err.h"

#define TC_QTY_KEY_PERCENT "%"
#define TC_QTY_KEY_DATE "@date"
#define TC_QTY_KEY_NONE "@none"           /* numbers written with no unit after them */
#define TC_QTY_MAX_UNITS 3          /* unit keys of 1, 2 and 3 syllables */

enum tc_qty_kind {
	TC_QTY_NUMBER = 0,              /* a count or an amount: 1350000000 "giao dich" */
	TC_QTY_PERCENT = 1,             /* 32.05 for "32,05%" / "32,05 phần trăm" */
	TC_QTY_DATE = 2                 /* value: days since 1970-01-01 */
};

enum tc_qty_precision {
	TC_QTY_EXACT = 0,               /* numbers and percentages */
	TC_QTY_DAY = 1,                 /* "20/6/2023", "ngày 19/7" (year from context) */
	TC_QTY_MONTH = 2,               /* "tháng 6/2023": value and iso are the 1st day */
	TC_QTY_YEAR = 3                 /* "năm 2022": value and iso are 1 January */
};

/* One mention. Strings are offsets into tc_qlist.text (NUL-terminated there). */
typedef struct tc_qty {
	double value;                   /* number, percent, or days since 1970-01-01 */
	uint32_t pos;                   /* position of the (first) number token */
	uint32_t start, end;            /* bytes [start,end) of the mention in the input: the
	                                   number, scale words, "%"/"phần trăm" and the unit
	                                   syllables of the longest unit key; for dates the
	                                   words "ngày"/"tháng"/"năm" that belong to them; not
	                                   the qualifier */
	uint32_t qual_start, qual_end;  /* bytes of the qualifier in the input; equal when none */
	uint32_t unit[TC_QTY_MAX_UNITS];     /* unit keys, shortest first */
	uint16_t unit_len[TC_QTY_MAX_UNITS];
	uint32_t qual, qual_exact;      /* qualifier, folded ("hon") and exact ("hơn") */
	uint16_t qual_len, qual_exact_len; /* 0 when there is no qualifier */
	uint8_t kind;                   /* enum tc_qty_kind */
	uint8_t precision;              /* enum tc_qty_precision */
	uint8_t n_units;                /* 0..TC_QTY_MAX_UNITS; percent: 1 ("%"), date: 0 */
	char iso[11];                   /* dates: "YYYY-MM-DD"; "" otherwise */
} tc_qty;

typedef struct tc_qlist {
	tc_qty *q;                      /* mentions in text order (by start) */
	size_t n, cap;
	tc_buf text;                    /* unit and qualifier strings, each NUL-terminated */
} tc_qlist;

static inline const char *tc_qty_unit(const tc_qlist *l, const tc_qty *q, unsigned i)
{
	return l->text.data + q->unit[i];
}
/* The qualifier, folded / as written in lower case; "" when there is none. */
static inline const char *tc_qty_qual(const tc_qlist *l, const tc_qty *q)
{
	return q->qual_len ? l->text.data + q->qual : "";
}
static inline const char *tc_qty_qual_exact(const tc_qlist *l, const tc_qty *q)
{
	return q->qual_exact_len ? l->text.data + q->qual_exact : "";
}

/*
 * Where the year of a date written without one ("ngày 19/7", "(19/7)", "tháng 6") comes
 * from, in this order:
 *   1. doc_date, the document's date field ("YYYY-MM-DD", "YYYY-MM" or "YYYY");
 *   2. the nearest (in bytes) date with an explicit year (day or month precision) in the
 *      same text;
 *   3. year_hint (0 = none).
 * Otherwise the date is dropped. The indexer analyses title and body separately: extract
 * the body first and pass tc_qlist_year_hint(&body) as year_hint for the title.
 */
typedef struct tc_qctx {
	const char *doc_date;           /* may be NULL; anything malformed is ignored */
	int year_hint;                  /* 0 = none */
} tc_qctx;

/*
 * Extracts the quantity mentions of text[0..len), which tl must be the analysis of
 * (tc_analyze() over the same bytes). ctx may be NULL. Replaces out's contents.
 * Never fails on content (any bytes are fine); TC_EINVAL if the token list does not fit
 * the text (a token beyond len), TC_ELIMIT for a text of 4 GiB or more (offsets are
 * 32-bit). About 130 MB/s of news text on one core, a third of the analyser's time.
 */
int tc_quantity_extract(const char *text, size_t len, const tc_toklist *tl,
                        const tc_qctx *ctx, tc_qlist *out, tc_error *err);

/* The year of the first date in l, or 0 when it has none. */
int tc_qlist_year_hint(const tc_qlist *l);

void tc_qlist_free(tc_qlist *l);

/* Writes the ISO date "YYYY-MM-DD" of days since 1970-01-01 into out (11 bytes). */
void tc_qty_iso_date(double days, char out[11]);

/* ---- the query side ---------------------------------------------------------------- */

#define TC_QCMP_MAX_SYL 3
#define TC_QCMP_MAX 16                /* more comparisons in one query are TC_ELIMIT */

typedef struct tc_qcmp_syl {
	char folded[TC_TOKEN_MAX_BYTES + 1];  /* "giao" */
	uint32_t start, end;            /* its bytes in the query */
} tc_qcmp_syl;

/*
 * One comparison. low/high are values as the extractor stores them (dates in days since
 * 1970-01-01); an open side is -INFINITY / +INFINITY (its incl flag is then 0).
 *
 *   "> 1 tỷ giao dịch"           low 1e9 excl, high +inf       after: giao, dich
 *   ">= 1.000.000 giao dịch"     low 1e6 incl
 *   "giao dịch > 1 tỷ"           low 1e9 excl                  before: giao, dich
 *   "< 50%"                      kind percent, high 50 excl    (unit key "%")
 *   "trên/hơn/nhiều hơn/lớn hơn 1 tỷ"   low excl;  "dưới/ít hơn/nhỏ hơn" high excl
 *   "từ 1 triệu đến 5 triệu hồ sơ", "1 triệu..5 triệu hồ sơ"   [1e6, 5e6] incl
 *   "từ 5 triệu" (no "đến")      low 5e6 incl;  "ít nhất/tối thiểu/không dưới" the same
 *   "tối đa/không quá 5"         high 5 incl
 *   "= 63 địa phương"            [63, 63] incl
 *   "ngày >= 1/6/2023", "date >= 2023-06-01", "ngày 1/6/2023..31/7/2023"   kind date
 *
 * A date comparison covers whole days (or months, years): "date > 6/2023" starts on
 * 1 July, "ngày <= 2023" ends on 31 December.
 *
 * after[]: up to 3 folded syllables right after the number (stopping at punctuation, an
 * operator or another number); before[]: up to 3 right before the operator, in text
 * order (the last one touches the operator). Both are empty for percentages and dates.
 * The comparison's own span [start,end) covers operator words, numbers, scale words,
 * "%" and the field word ("ngày", "date") but none of the candidate syllables: the
 * caller decides which of them belong to the unit and extends the span itself.
 */
typedef struct tc_qcmp {
	uint32_t start, end;            /* bytes of the query this comparison consumed */
	double low, high;
	uint8_t low_incl, high_incl;
	uint8_t kind;                   /* enum tc_qty_kind */
	uint8_t dollar;                 /* a number written "$5": its unit is "usd" */
	uint8_t n_after, n_before;
	tc_qcmp_syl after[TC_QCMP_MAX_SYL];
	tc_qcmp_syl before[TC_QCMP_MAX_SYL];
} tc_qcmp;

/*
 * Finds every comparison in q[0..len), in order, into out[0..*n); *n is the capacity on
 * entry and the count on return (0 when the query has none: plain words are not an
 * error). Numbers that are not part of a comparison ("Covid-19", "năm 2022" as words)
 * are left to the caller as ordinary terms, and so are operator words not followed by a
 * number ("trên địa bàn"). An operator sign (> >= < <= = ..) must have its number.
 *
 * Errors (out and *n then hold nothing useful):
 *   TC_EPARSE  a malformed comparison, with the byte offset and the reason:
 *              "number expected after '>' at 2", "number expected after 'đến' at 5",
 *              "range low 5 above high 1 at 0"
 *   TC_ELIMIT  more than *n comparisons
 *   TC_EINVAL  invalid arguments
 */
int tc_qcmp_parse(tc_analyzer *a, const char *q, size_t len, tc_qcmp *out, size_t *n,
                  tc_error *err);

#define TC_QTY_MAX_ALIASES 4          /* unit keys one comparison may search */

/*
 * The unit keys a comparison whose unit is key[0..len) searches when the unit is written
 * more than one way: "dong", "vnd" and "d" (of "500.000đ"); "usd", "do la", "dola";
 * "km", "kilomet", "ki lo met", "cay so"; ... when key is one of them or a longer name
 * of the unit ("do la my", "dong viet nam"). out gets up to TC_QTY_MAX_ALIASES static
 * strings, key's own spelling first when it is one of them; returns how many, 0 when
 * key is written one way only (the comparison searches key alone). No key of a group
 * is the first syllables of another, so no mention is filed under two of them and a
 * doc's mentions count over all of them.
 */
size_t tc_qty_unit_keys(const char *key, size_t len, const char **out);

#endif
