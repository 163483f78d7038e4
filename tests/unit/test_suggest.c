/* test_suggest.c - "did you mean": which typos get which hint, and which none. */
#include <string.h>

#include "suggest.h"
#include "tap.h"

static const char *const models[] = {"serial",  "threads",   "processes", "greenlets",
                                     "asyncio", "callbacks", NULL,        "thread-pool"};
#define NMODELS (sizeof(models) / sizeof(models[0]))

static int says(const char *word, const char *want)
{
	const char *got = gb_suggest(word, models, NMODELS);

	return want ? got && strcmp(got, want) == 0 : got == NULL;
}

int main(void)
{
	char buf[64];

	ok(says("thread", "threads"), "a letter missing: thread -> threads");
	ok(says("thraeds", "threads"), "two neighbours swapped: thraeds -> threads");
	ok(says("asynico", "asyncio"), "a swap in the middle: asynico -> asyncio");
	ok(says("proceses", "processes"), "processes with one s missing");
	ok(says("greenlet", "greenlets"), "greenlet -> greenlets");
	ok(says("serail", "serial"), "serail -> serial");
	ok(says("thread_pool", "thread-pool"), "an underscore for a dash");
	ok(says("gevent", NULL), "a different word gets no hint");
	ok(says("x", NULL), "one letter gets no hint");
	ok(says("", NULL), "the empty word gets no hint");
	ok(says("threads", NULL), "an exact name is not a suggestion for itself");
	ok(gb_suggest("thread", NULL, 0) == NULL, "no candidates, no hint");
	ok(strcmp(gb_suggest_hint(buf, sizeof(buf), "asycnio", models, NMODELS),
	          " (did you mean 'asyncio'?)") == 0,
	   "the hint's words");
	ok(strcmp(gb_suggest_hint(buf, sizeof(buf), "zzz", models, NMODELS), "") == 0,
	   "no hint is the empty string");
	return gb_tap_done();
}
