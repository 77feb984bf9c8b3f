/*
 * abbrev.h — abbreviations of Vietnamese administrative and news text and what they
 * stand for: "TTHC" is "thủ tục hành chính", "ĐBQH" "đại biểu quốc hội".
 *
 * Documents write either form, often both ("thủ tục hành chính (TTHC)" once, then TTHC),
 * so a search for one should find the other. The table holds initialisms of three or
 * more letters whose letters are the initials of what they stand for and which mean one
 * thing in this kind of text (found by counting the "full form (ABBR)" definitions in
 * the corpus of news, Wikipedia and laws, then checked by reading), plus the two-letter
 * "DN" (doanh nghiệp), "BV" (bệnh viện) and "TP" (thành phố), the most used of all;
 * two-letter forms such as "ĐH" (đại học, đại hội) or "BS" mean too many things. One
 * abbreviation is written in two parts: "TP.HCM" (also "TP HCM", "TPHCM").
 *
 * Lookups take folded forms (lower case, no diacritics, đ -> d: analyzer.h's folded
 * tokens joined by single spaces) and return static strings: nothing to free.
 */
#ifndef TC_ABBREV_H
#define TC_ABBREV_H

#include <stddef.h>

typedef struct tc_abbrev {
	const char *abbr;         /* as written: "TTHC", "ĐBQH", "TP.HCM" */
	const char *full;         /* as written, with diacritics: "thủ tục hành chính" */
	const char *abbr_folded;  /* its parts folded and run together: "tthc", "tphcm" */
	const char *full_folded;  /* "thu tuc hanh chinh" */
} tc_abbrev;

/* The entry whose abbreviation's parts fold and run together to folded[0..len), or
   NULL. */
const tc_abbrev *tc_abbrev_by_abbr(const char *folded, size_t len);

/* The entry whose full form folds to folded[0..len) (syllables joined by one space),
   or NULL. */
const tc_abbrev *tc_abbrev_by_full(const char *folded, size_t len);

/* Entry i of the table, 0 <= i < tc_abbrev_count() (for tests and listings). */
size_t tc_abbrev_count(void);
const tc_abbrev *tc_abbrev_at(size_t i);

#endif
