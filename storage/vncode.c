/*
 * vncode.c — a one-byte code for the letters of Vietnamese text, applied to stored field
 * values before the doc store compresses them (docstore.c, FORMAT.md §8).
 *
 * Why: in UTF-8 every Vietnamese letter with a diacritic takes two or three bytes, and
 * about one letter in five has one. zstd sees those bytes as unrelated literals and
 * shorter matches; giving each such letter one byte makes the text 24% shorter before
 * compression and the compressed doc store 10% smaller at the same level (measured on
 * news: 64 KiB blocks at level 3, 40.3 MB of zstd frames become 36.3 MB), and zstd has
 * less to read.
 *
 * The code, byte by byte (any byte string is coded, valid UTF-8 or not, and decodes back
 * to exactly itself):
 *
 *   0x00..0x7F   the byte itself (ASCII)
 *   0x80..0xFE   the character CODE_TABLE[byte - 0x80], written in UTF-8 on decoding:
 *                0x80..0xC2 the 67 lowercase Vietnamese letters with a diacritic (vowel
 *                by vowel, each plain then with grave, acute, hook, tilde, dot below;
 *                then đ), 0xC3..0xFE the 60 other characters most frequent in news, law
 *                and Wikipedia text (capitals, quotes, dashes, combining tone marks),
 *                in code point order
 *   0xFF b       the byte b (0x80..0xFF) as is: every byte of a character not in the
 *                table, and of any sequence that is not canonical UTF-8
 *
 * A character is coded by the table only when its bytes are its canonical (shortest)
 * UTF-8 form, so decoding never changes a byte. The table is part of the doc store's
 * format: changing it is a new .doc version.
 */
#include "storage_int.h"

#include "common/utf8.h"

#include <pthread.h>
#include <string.h>

#define CODE_FIRST 0x80u
#define CODE_ESCAPE 0xFFu
#define CODE_N 127u
#define CODE_CP_LIMIT 0x2300u  /* every code point of the table is below */

static const uint16_t CODE_TABLE[] = {
	/* a: à á ả ã ạ  ă ằ ắ ẳ ẵ ặ  â ầ ấ ẩ ẫ ậ */
	0x00E0, 0x00E1, 0x1EA3, 0x00E3, 0x1EA1,
	0x0103, 0x1EB1, 0x1EAF, 0x1EB3, 0x1EB5, 0x1EB7,
	0x00E2, 0x1EA7, 0x1EA5, 0x1EA9, 0x1EAB, 0x1EAD,
	/* e: è é ẻ ẽ ẹ  ê ề ế ể ễ ệ */
	0x00E8, 0x00E9, 0x1EBB, 0x1EBD, 0x1EB9,
	0x00EA, 0x1EC1, 0x1EBF, 0x1EC3, 0x1EC5, 0x1EC7,
	/* i: ì í ỉ ĩ ị */
	0x00EC, 0x00ED, 0x1EC9, 0x0129, 0x1ECB,
	/* o: ò ó ỏ õ ọ  ô ồ ố ổ ỗ ộ  ơ ờ ớ ở ỡ ợ */
	0x00F2, 0x00F3, 0x1ECF, 0x00F5, 0x1ECD,
	0x00F4, 0x1ED3, 0x1ED1, 0x1ED5, 0x1ED7, 0x1ED9,
	0x01A1, 0x1EDD, 0x1EDB, 0x1EDF, 0x1EE1, 0x1EE3,
	/* u: ù ú ủ ũ ụ  ư ừ ứ ử ữ ự */
	0x00F9, 0x00FA, 0x1EE7, 0x0169, 0x1EE5,
	0x01B0, 0x1EEB, 0x1EE9, 0x1EED, 0x1EEF, 0x1EF1,
	/* y: ỳ ý ỷ ỹ ỵ; đ */
	0x1EF3, 0x00FD, 0x1EF7, 0x1EF9, 0x1EF5, 0x0111,
	/* the others: ° ² À Á Â Ã Ê Í Ð Ò Ô Ú Ý ö ü ā Ă Đ Ĩ Ơ Ư */
	0x00B0, 0x00B2, 0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00CA, 0x00CD, 0x00D0, 0x00D2,
	0x00D4, 0x00DA, 0x00DD, 0x00F6, 0x00FC, 0x0101, 0x0102, 0x0110, 0x0128, 0x01A0,
	0x01AF,
	/* combining grave, acute, tilde, hook above, dot below (decomposed text) */
	0x0300, 0x0301, 0x0303, 0x0309, 0x0323,
	/* Ạ Ả Ấ Ầ Ẩ Ậ Ế Ề Ể Ệ Ị Ố Ồ Ổ Ộ Ớ Ờ Ở Ợ Ụ Ủ Ứ Ử Ữ Ự */
	0x1EA0, 0x1EA2, 0x1EA4, 0x1EA6, 0x1EA8, 0x1EAC, 0x1EBE, 0x1EC0, 0x1EC2, 0x1EC6,
	0x1ECA, 0x1ED0, 0x1ED2, 0x1ED4, 0x1ED8, 0x1EDA, 0x1EDC, 0x1EDE, 0x1EE2, 0x1EE4,
	0x1EE6, 0x1EE8, 0x1EEC, 0x1EEE, 0x1EF0,
	/* – — ‘ ’ “ ” • … − */
	0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x2212,
};

_Static_assert(sizeof CODE_TABLE / sizeof CODE_TABLE[0] == CODE_N, "127 codes");

static uint8_t enc_of[CODE_CP_LIMIT];  /* code point -> code byte, 0 when not coded */
static unsigned char dec_utf8[CODE_N][4];  /* bytes 0..2: UTF-8, byte 3: its length */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
	for (unsigned i = 0; i < CODE_N; i++) {
		uint32_t cp = CODE_TABLE[i];
		unsigned char *u = dec_utf8[i];
		if (cp < 0x800) {
			u[0] = (unsigned char)(0xC0 | cp >> 6);
			u[1] = (unsigned char)(0x80 | (cp & 0x3F));
			u[3] = 2;
		} else {
			u[0] = (unsigned char)(0xE0 | cp >> 12);
			u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
			u[2] = (unsigned char)(0x80 | (cp & 0x3F));
			u[3] = 3;
		}
		enc_of[cp] = (uint8_t)(CODE_FIRST + i);
	}
}

/* The code byte of the character starting at s[0] (n bytes left) and its UTF-8 length
   in *len; 0 when it has none. Only canonical two- and three-byte forms qualify. */
static unsigned coded_char(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t cp;
	if (s[0] >= 0xC2 && s[0] <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80) {
		cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
		*len = 2;
	} else if ((s[0] & 0xF0) == 0xE0 && n >= 3 && (s[1] & 0xC0) == 0x80 &&
	           (s[2] & 0xC0) == 0x80) {
		cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		if (cp < 0x800)  /* overlong: would decode to the short form */
			return 0;
		*len = 3;
	} else {
		return 0;
	}
	return cp < CODE_CP_LIMIT ? enc_of[cp] : 0;
}

/*
 * Copies the run of ASCII bytes at *s (before end) to *o, eight bytes at a time, moving
 * both past it. It stops where fewer than eight bytes are left; a copy of eight is made
 * even when the run ends inside it, so *o needs room for 8 bytes past the run.
 */
static inline void copy_ascii(const unsigned char **sp, const unsigned char *end,
                              unsigned char **op)
{
	const unsigned char *s = *sp;
	unsigned char *o = *op;
	while (end - s >= 8) {
		uint64_t x;
		memcpy(&x, s, 8);
		memcpy(o, &x, 8);
		size_t ascii = tc_utf8_ascii_prefix8(x);
		s += ascii;
		o += ascii;
		if (ascii < 8)
			break;
	}
	*sp = s;
	*op = o;
}

void tc__vncode_encode(tc_buf *out, const char *src, size_t n)
{
	pthread_once(&tables_once, build_tables);
	const unsigned char *s = (const unsigned char *)src, *end = s + n;
	/* the longest code has every byte escaped; 8 more for the word copies below */
	tc_buf_reserve(out, 2 * n + 8);
	unsigned char *o = (unsigned char *)out->data + out->len;
	while (s < end) {
		/* the copy goes on to the first byte with its high bit set, which the lookup
		   below then overwrites */
		copy_ascii(&s, end, &o);
		if (s == end)
			break;
		if (*s < 0x80) {  /* the last few bytes */
			*o++ = *s++;
			continue;
		}
		size_t len;
		unsigned c = coded_char(s, (size_t)(end - s), &len);
		if (c) {
			*o++ = (unsigned char)c;
			s += len;
		} else {
			*o++ = CODE_ESCAPE;
			*o++ = *s++;
		}
	}
	out->len = (size_t)(o - (unsigned char *)out->data);
}

size_t tc__vncode_decoded_max(size_t coded_len)
{
	return 3 * coded_len;
}

int tc__vncode_decode(char *dst, const char *src, size_t n, size_t *out_len)
{
	pthread_once(&tables_once, build_tables);
	const unsigned char *s = (const unsigned char *)src, *end = s + n;
	unsigned char *o = (unsigned char *)dst;
	while (s < end) {
		/* ASCII as the encoder copies it (2.5x faster on news text). The eight bytes
		   written stay within the 3n bytes dst has: at most 3 were written for each
		   byte read, and 8 are left to read */
		copy_ascii(&s, end, &o);
		if (s == end)
			break;
		unsigned c = *s++;
		if (c < CODE_FIRST) {
			*o++ = (unsigned char)c;
		} else if (c == CODE_ESCAPE) {
			if (s == end || *s < 0x80)  /* the coder escapes only non-ASCII bytes */
				return -1;
			*o++ = *s++;
		} else {
			const unsigned char *u = dec_utf8[c - CODE_FIRST];
			memcpy(o, u, 3);
			o += u[3];
		}
	}
	*out_len = (size_t)(o - (unsigned char *)dst);
	return 0;
}
