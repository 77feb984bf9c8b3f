/*
 * xapian_driver.cc — Xapian as a peer in `make bench`.
 *
 *   xapian_driver build DIR CORPUS...      create the database DIR from the corpus files
 *   xapian_driver optimize DIR             compact DIR (Xapian's own merge) in place
 *   xapian_driver query DIR QUERIES -o OUT.tsv [-t 1,2] [--exact-totals]
 *                                          see bench/lib/harness.h
 *
 * Xapian has no Vietnamese folding, so it is given the text already folded by tracuu's
 * analyser (tc_analyzer_fold_text: lower case, diacritics removed, đ -> d), and queries
 * are folded the same way (inside the timed region, as tracuu folds its own), with
 * apostrophes and '@' made spaces, where tracuu cuts words too. Its terms are then the
 * folded syllables tracuu matches on, which makes hit counts comparable;
 * the price is that Xapian cannot tell "dịch" from "địch" (nor rank exact forms first).
 *
 * Each document is indexed with a TermGenerator with positions and no stemming: title,
 * a position gap, body; the document data is the id, so a top-10 fetches ids as the
 * other engines do. Nothing else is stored (no text). Ranking is Xapian's default, BM25.
 *
 * Quantities ("values for numbers"): the document's mentions come from tracuu's own
 * extractor (analysis/quantity.h), so both engines see the same numbers under the same
 * unit keys ("%", "dong", "giao dich", ...). A Xapian value slot holds one value per
 * document, so each unit key gets two slots: the largest and the smallest value the
 * document mentions with that unit (slots 2k and 2k+1, k numbered in the order keys are
 * met; the database metadata "unit:<key>" holds k). The build reports the time spent in
 * tracuu's analyser and extractor ("quantity_s"), which is part of Xapian's build time
 * here but would not be in a text-only Xapian index. A query's comparison comes from
 * tracuu's comparison parser; its unit is the longest run of the syllables after the
 * number (or before the operator) that is a unit key, as tracuu does it. Then
 *   > x, >= x   -> OP_VALUE_GE on the largest value
 *   < x, <= x   -> OP_VALUE_LE on the smallest value
 * which is exact for "some mention above / below x"; a two-sided range is the AND of
 * both, which can also match a document whose mentions lie on both sides but none in
 * the range. Date comparisons are not translated (unsupported).
 * Queries go through a QueryParser (default operator AND, phrases, wildcards):
 * "w1 w2" is a phrase, w* a wildcard, and a word with connectors ("13/2023/nd-cp") a
 * phrase of its parts, as the QueryParser does for text written that way.
 *   top-10: Enquire::get_mset(0, 10) and each document's data (Xapian's default: the
 *           total is an estimate, so the matcher may skip documents that cannot enter
 *           the top 10); with --exact-totals get_mset(0, 10, doccount), which counts
 *           every match as tracuu does
 *   count:  Enquire::get_mset(0, 0, doccount), exact because checkatleast covers every
 *           document (never timed)
 */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <xapian.h>

extern "C" {
#include "analysis/analyzer.h"
#include "analysis/quantity.h"
#include "common/buf.h"
}
#include "bench/lib/corpus.h"
#include "bench/lib/harness.h"

namespace fs = std::filesystem;

static double seconds_since(uint64_t t0)
{
	return (double)(tc_bench_now_ns() - t0) / 1e9;
}

/* Prints ,"bytes":{"total":N,"<file>":N,...} for the files of the database directory. */
static void print_sizes(const std::string &dir)
{
	unsigned long long total = 0;
	std::string parts;
	std::error_code ec;
	for (const auto &ent : fs::directory_iterator(dir, ec)) {
		if (!ent.is_regular_file())
			continue;
		unsigned long long n = (unsigned long long)ent.file_size();
		total += n;
		parts += ",\"" + ent.path().filename().string() + "\":" + std::to_string(n);
	}
	printf(",\"bytes\":{\"total\":%llu%s}", total, parts.c_str());
}

/* ---- build ---------------------------------------------------------------------- */

#define UNIT_META "unit:"  /* metadata key prefix: unit key -> its number k */

struct builder {
	Xapian::WritableDatabase *db = nullptr;
	Xapian::TermGenerator tg;
	tc_analyzer *an = nullptr;
	tc_buf fold = {};
	tc_toklist tl = {};
	tc_qlist ql = {};
	std::unordered_map<std::string, unsigned> units;  /* unit key -> k */
	std::map<unsigned, std::pair<double, double>> range; /* this doc: k -> (min, max) */
	uint64_t qty_ns = 0;      /* time spent in tracuu's analyser and quantity extractor */
	std::string error;
};

/* Adds the quantity mentions of text to b->range (per unit key: smallest, largest). */
static int collect_quantities(builder *b, const char *text, size_t len, tc_error *err)
{
	int rc = tc_analyze(b->an, text, len, NULL, &b->tl, err);
	if (rc == 0)
		rc = tc_quantity_extract(text, len, &b->tl, NULL, &b->ql, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < b->ql.n; i++) {
		const tc_qty *q = &b->ql.q[i];
		if (q->kind == TC_QTY_DATE)
			continue;
		for (unsigned u = 0; u < q->n_units; u++) {
			std::string key(tc_qty_unit(&b->ql, q, u), q->unit_len[u]);
			auto ins = b->units.emplace(key, (unsigned)b->units.size());
			auto r = b->range.emplace(ins.first->second, std::make_pair(q->value, q->value));
			if (!r.second) {
				r.first->second.first = std::min(r.first->second.first, q->value);
				r.first->second.second = std::max(r.first->second.second, q->value);
			}
		}
	}
	return 0;
}

/*
 * tracuu cuts words at apostrophes of every kind and at '@' ("h'mong" -> h, mong); the
 * TermGenerator keeps "h'mong" whole. Those characters become spaces in the text Xapian
 * is given, so that both engines index the same words.
 */
static std::string cut_like_tracuu(const tc_buf *folded)
{
	std::string s(folded->data ? folded->data : "", folded->len);
	for (size_t i = 0; i < s.size(); i++) {
		size_t k = tc_analyzer_cut_len(s.data() + i, s.size() - i);
		if (k)
			s.replace(i, k, " ");
	}
	return s;
}

static int add_doc(void *ctx, const tc_bench_doc *d)
{
	builder *b = (builder *)ctx;
	try {
		Xapian::Document doc;
		b->tg.set_document(doc);
		tc_buf_clear(&b->fold);
		tc_analyzer_fold_text(b->an, d->title, d->title_len, &b->fold);
		b->tg.index_text(cut_like_tracuu(&b->fold));
		b->tg.increase_termpos();
		tc_buf_clear(&b->fold);
		tc_analyzer_fold_text(b->an, d->body, d->body_len, &b->fold);
		b->tg.index_text(cut_like_tracuu(&b->fold));
		doc.set_data(std::string(d->id, d->id_len));
		tc_error err = {};
		b->range.clear();
		uint64_t t0 = tc_bench_now_ns();
		if (collect_quantities(b, d->title, d->title_len, &err) < 0 ||
		    collect_quantities(b, d->body, d->body_len, &err) < 0) {
			b->error = err.msg;
			return err.code;
		}
		b->qty_ns += tc_bench_now_ns() - t0;
		for (const auto &r : b->range) {
			doc.add_value(2 * r.first + 1, Xapian::sortable_serialise(r.second.first));
			doc.add_value(2 * r.first, Xapian::sortable_serialise(r.second.second));
		}
		b->db->add_document(doc);
	} catch (const Xapian::Error &e) {
		b->error = e.get_description();
		return TC_EIO;
	}
	return 0;
}

static int cmd_build(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: xapian_driver build DIR CORPUS...\n");
		return 2;
	}
	tc_error err = {};
	builder b;
	if (tc_analyzer_new(&b.an, &err) < 0) {
		fprintf(stderr, "xapian: %s\n", err.msg);
		return 1;
	}
	int rc = 0;
	tc_bench_totals tot = {};
	uint64_t t0 = tc_bench_now_ns();
	try {
		fs::remove_all(argv[1]);
		Xapian::WritableDatabase db(argv[1], Xapian::DB_CREATE_OR_OVERWRITE);
		b.db = &db;
		rc = tc_bench_corpus_each(argv + 2, (size_t)(argc - 2), add_doc, &b, &tot, &err);
		for (const auto &u : b.units)
			if (rc == 0 && !u.first.empty() && u.first.size() < 200)
				db.set_metadata(UNIT_META + u.first, std::to_string(u.second));
		if (rc == 0)
			db.commit();
		db.close();
	} catch (const Xapian::Error &e) {
		b.error = e.get_description();
		rc = TC_EIO;
	}
	double secs = seconds_since(t0);
	tc_analyzer_free(b.an);
	tc_buf_free(&b.fold);
	tc_toklist_free(&b.tl);
	tc_qlist_free(&b.ql);
	if (rc != 0) {
		fprintf(stderr, "xapian: %s\n", b.error.empty() ? err.msg : b.error.c_str());
		return 1;
	}
	printf("{\"engine\":\"xapian\",\"version\":\"%s\",\"docs\":%llu,\"raw_bytes\":%llu,"
	       "\"text_bytes\":%llu,\"build_s\":%.3f,\"quantity_s\":%.3f,\"unit_keys\":%zu",
	       Xapian::version_string(), (unsigned long long)tot.docs,
	       (unsigned long long)tot.raw_bytes, (unsigned long long)tot.text_bytes, secs,
	       (double)b.qty_ns / 1e9, b.units.size());
	print_sizes(argv[1]);
	printf("}\n");
	return 0;
}

static int cmd_optimize(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: xapian_driver optimize DIR\n");
		return 2;
	}
	std::string dir = argv[1], tmp = dir + ".compact";
	uint64_t t0 = tc_bench_now_ns();
	try {
		fs::remove_all(tmp);
		{
			Xapian::Database db(dir);
			db.compact(tmp);
		}
		fs::remove_all(dir);
		fs::rename(tmp, dir);
	} catch (const Xapian::Error &e) {
		fprintf(stderr, "xapian: %s\n", e.get_description().c_str());
		return 1;
	} catch (const fs::filesystem_error &e) {
		fprintf(stderr, "xapian: %s\n", e.what());
		return 1;
	}
	printf("{\"engine\":\"xapian\",\"optimize_s\":%.3f", seconds_since(t0));
	print_sizes(dir);
	printf("}\n");
	return 0;
}

/* ---- query ---------------------------------------------------------------------- */

struct handle {
	Xapian::Database db;
	Xapian::Enquire enq;
	Xapian::QueryParser qp;
	tc_analyzer *an = nullptr;
	tc_buf fold = {};
	std::string qs;
	explicit handle(const char *path) : db(path), enq(db)
	{
		qp.set_database(db);
		qp.set_default_op(Xapian::Query::OP_AND);
	}
	~handle()
	{
		tc_analyzer_free(an);
		tc_buf_free(&fold);
	}
};

static int open_handle(const char *index, void **out, tc_error *err)
{
	*out = nullptr;
	handle *h;
	try {
		h = new handle(index);
	} catch (const Xapian::Error &e) {
		return tc_error_set(err, TC_EIO, "xapian: %s", e.get_description().c_str());
	}
	int rc = tc_analyzer_new(&h->an, err);
	if (rc < 0) {
		delete h;
		return rc;
	}
	*out = h;
	return 0;
}

static void close_handle(void *p)
{
	delete (handle *)p;
}

/* Appends the folded form of s to h->qs. */
static void put_folded(handle *h, const char *s)
{
	tc_buf_clear(&h->fold);
	tc_analyzer_fold_text(h->an, s, strlen(s), &h->fold);
	h->qs.append(cut_like_tracuu(&h->fold));
}

/* The number k of a unit key, or -1 when the index has no such key. */
static long unit_number(handle *h, const std::string &key)
{
	std::string v = h->db.get_metadata(UNIT_META + key);
	return v.empty() ? -1 : atol(v.c_str());
}

/* A unit key of the index, or a name of a unit written more than one way, as tracuu's
   parser takes it (query/parse.c). */
static bool unit_named(handle *h, const std::string &key)
{
	const char *same[TC_QTY_MAX_ALIASES];
	return unit_number(h, key) >= 0 || tc_qty_unit_keys(key.data(), key.size(), same) > 0;
}

/* Joins the folded syllables s[from, to) with single spaces. */
static std::string join_syl(const tc_qcmp_syl *s, int from, int to)
{
	std::string k;
	for (int i = from; i < to; i++) {
		if (i > from)
			k += ' ';
		k += s[i].folded;
	}
	return k;
}

/*
 * One comparison with its unit: the value-range query, plus the rest of the query's
 * text (not the comparison, not the unit syllables) left in *rest for the words.
 */
static int translate_quantity(handle *h, const tc_bench_query *q, Xapian::Query *out,
                              std::string *rest, tc_error *err)
{
	tc_qcmp c[TC_QCMP_MAX];
	size_t n = TC_QCMP_MAX;
	int rc = tc_qcmp_parse(h->an, q->text, strlen(q->text), c, &n, err);
	if (rc < 0)
		return rc;
	if (n != 1 || c[0].kind == TC_QTY_DATE)
		return TC_BENCH_UNSUPPORTED;
	const tc_qcmp *m = &c[0];
	std::vector<long> ks;   /* the unit's keys in the index: one, or a unit's spellings */
	size_t from = m->start, to = m->end; /* bytes the comparison and its unit cover */
	if (m->kind == TC_QTY_PERCENT) {
		ks.push_back(unit_number(h, TC_QTY_KEY_PERCENT));
	} else {
		std::string key;
		bool found = false;
		for (int len = m->n_after; len > 0 && !found; len--)
			if ((found = unit_named(h, key = join_syl(m->after, 0, len))))
				to = m->after[len - 1].end;
		for (int len = m->n_before; len > 0 && !found; len--)
			if ((found = unit_named(h, key = join_syl(m->before, m->n_before - len,
			                                           m->n_before))))
				from = m->before[m->n_before - len].start;
		const char *same[TC_QTY_MAX_ALIASES];
		size_t nsame = found ? tc_qty_unit_keys(key.data(), key.size(), same) : 0;
		if (found && nsame == 0)
			ks.push_back(unit_number(h, key));
		for (size_t i = 0; i < nsame; i++)
			ks.push_back(unit_number(h, same[i]));
	}
	*rest = std::string(q->text, from) + " " + std::string(q->text + to);
	*out = Xapian::Query::MatchNothing;
	bool any = false;
	for (long k : ks) {
		if (k < 0)
			continue;
		Xapian::Query lo, hi, one;
		if (std::isfinite(m->low)) {
			double v = m->low_incl ? m->low : std::nextafter(m->low, INFINITY);
			lo = Xapian::Query(Xapian::Query::OP_VALUE_GE, (Xapian::valueno)(2 * k),
			                   Xapian::sortable_serialise(v));
		}
		if (std::isfinite(m->high)) {
			double v = m->high_incl ? m->high : std::nextafter(m->high, -INFINITY);
			hi = Xapian::Query(Xapian::Query::OP_VALUE_LE, (Xapian::valueno)(2 * k + 1),
			                   Xapian::sortable_serialise(v));
		}
		if (lo.empty())
			one = hi;
		else if (hi.empty())
			one = lo;
		else
			one = Xapian::Query(Xapian::Query::OP_AND, lo, hi);
		*out = any ? Xapian::Query(Xapian::Query::OP_OR, *out, one) : one;
		any = true;
	}
	return 0;
}

/* Parses q into a Xapian query; TC_BENCH_UNSUPPORTED when it has no translation. */
static int translate(handle *h, const tc_bench_query *q, Xapian::Query *out, tc_error *err)
{
	if (q->kind == TC_BQ_QUANTITY) {
		std::string rest;
		int rc = translate_quantity(h, q, out, &rest, err);
		if (rc != 0)
			return rc;
		h->qs.clear();
		put_folded(h, rest.c_str());
		if (h->qs.find_first_not_of(" \t") != std::string::npos)
			*out = Xapian::Query(Xapian::Query::OP_AND, *out,
			                     h->qp.parse_query(h->qs, Xapian::QueryParser::FLAG_PHRASE));
		return 0;
	}
	if (q->kind != TC_BQ_AND && q->kind != TC_BQ_PHRASE)
		return TC_BENCH_UNSUPPORTED;
	h->qs.clear();
	if (q->kind == TC_BQ_PHRASE)
		h->qs += '"';
	for (size_t i = 0; i < q->nwords; i++) {
		if (i)
			h->qs += ' ';
		put_folded(h, q->words[i].text);
		if (q->words[i].prefix)
			h->qs += '*';
	}
	if (q->kind == TC_BQ_PHRASE)
		h->qs += '"';
	*out = h->qp.parse_query(h->qs, Xapian::QueryParser::FLAG_PHRASE |
	                                    Xapian::QueryParser::FLAG_WILDCARD);
	return 0;
}

/* Translates q and fetches its match set (top `want`, exact count up to `check`). */
static int run_query(handle *h, const tc_bench_query *q, Xapian::doccount want,
                     Xapian::doccount check, Xapian::MSet *out, tc_error *err)
{
	try {
		Xapian::Query query;
		int rc = translate(h, q, &query, err);
		if (rc != 0)
			return rc;
		h->enq.set_query(query);
		*out = h->enq.get_mset(0, want, check);
	} catch (const Xapian::Error &e) {
		return tc_error_set(err, TC_EIO, "xapian: '%s': %s", h->qs.c_str(),
		                    e.get_description().c_str());
	}
	return 0;
}

static bool exact_totals;  /* --exact-totals */

static int top10(void *p, const tc_bench_query *q, int *nres, tc_error *err)
{
	handle *h = (handle *)p;
	*nres = 0;
	Xapian::MSet m;
	int rc = run_query(h, q, 10, exact_totals ? h->db.get_doccount() : 0, &m, err);
	if (rc != 0)
		return rc;
	try {
		for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it) {
			std::string id = it.get_document().get_data();
			(*nres)++;
		}
	} catch (const Xapian::Error &e) {
		return tc_error_set(err, TC_EIO, "xapian: '%s': %s", h->qs.c_str(),
		                    e.get_description().c_str());
	}
	return 0;
}

static int count(void *p, const tc_bench_query *q, uint64_t *n, tc_error *err)
{
	handle *h = (handle *)p;
	*n = 0;
	Xapian::MSet m;
	int rc = run_query(h, q, 0, h->db.get_doccount(), &m, err);
	if (rc != 0)
		return rc;
	*n = m.get_matches_lower_bound();
	if (m.get_matches_upper_bound() != m.get_matches_lower_bound())
		return tc_error_set(err, TC_EIO, "xapian: '%s': count is not exact", h->qs.c_str());
	return 0;
}

int main(int argc, char **argv)
{
	static const tc_bench_engine engine = {"xapian", open_handle, close_handle, top10, count};
	if (argc >= 2 && strcmp(argv[1], "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "optimize") == 0)
		return cmd_optimize(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "query") == 0) {
		int n = 0;
		for (int i = 1; i < argc; i++) {  /* our own flag out, the harness's left */
			if (strcmp(argv[i], "--exact-totals") == 0)
				exact_totals = true;
			else
				argv[n++] = argv[i];
		}
		return tc_bench_query_main(&engine, n, argv);
	}
	fprintf(stderr, "usage: xapian_driver build DIR CORPUS... | optimize DIR | "
	        "query DIR QUERIES -o OUT.tsv [-t 1,2] [--exact-totals]\n");
	return 2;
}
