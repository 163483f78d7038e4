/*
 * suggest.c - the nearest name to a mistyped one, for "did you mean"
 * hints on unknown models, workloads, policies, options and commands. It
 * knows no names itself: callers pass their lists (from models.def,
 * gil_policies.def, the option tables).
 */
#include "suggest.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define SUGGEST_MAX 64 /* longer words get no hint */

/* Optimal string alignment distance (Damerau-Levenshtein without reuse). */
static size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];

	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *gb_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t len = word ? strlen(word) : 0, limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	size_t best_d = (size_t)-1;
	const char *best = NULL;

	if (len == 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t dist;

		if (!cands[i] || strcmp(cands[i], word) == 0)
			continue;
		dist = suggest_distance(word, cands[i]);
		if (dist <= limit && dist < best_d) {
			best_d = dist;
			best = cands[i];
		}
	}
	return best;
}

const char *gb_suggest_hint(char *buf, size_t len, const char *word, const char *const *cands,
                            size_t n)
{
	const char *s = gb_suggest(word, cands, n);

	if (len)
		buf[0] = '\0';
	if (s)
		snprintf(buf, len, " (did you mean '%s'?)", s);
	return buf;
}

const char *gb_suggest_option_hint(char *buf, size_t len, const char *arg,
                                   const struct option *opts, const char *otherwise)
{
	const char *names[256];
	char word[SUGGEST_MAX + 1];
	const char *s;
	size_t n = 0, wl;

	snprintf(buf, len, "%s", otherwise ? otherwise : "");
	if (!arg || strncmp(arg, "--", 2) != 0)
		return buf;
	wl = strcspn(arg + 2, "=");
	if (wl == 0 || wl > SUGGEST_MAX)
		return buf;
	memcpy(word, arg + 2, wl);
	word[wl] = '\0';
	for (; opts && opts->name && n < sizeof(names) / sizeof(names[0]); opts++)
		names[n++] = opts->name;
	s = gb_suggest(word, names, n);
	if (s)
		snprintf(buf, len, " (did you mean '--%s'?)", s);
	return buf;
}
