/*
 * test_report_md.c - the result-file helpers report_md.c shares with the
 * charts: numbers as people read them (never 3.16e+03), param values as
 * given (0.00005, not 5e-05), series keys and titles for simulated and
 * CPython cells, and their order.
 */
#include <string.h>

#include <jansson.h>

#include "report_md.h"
#include "tap.h"

static void num_is(double x, const char *want)
{
	char buf[64];

	gb__res_fmt_num(buf, sizeof(buf), x);
	ok(strcmp(buf, want) == 0, "fmt_num(%.17g) = '%s' (want '%s')", x, buf, want);
}

static void value_is(json_t *v, const char *want)
{
	char buf[64];

	gb__res_value_text(v, buf, sizeof(buf));
	ok(strcmp(buf, want) == 0, "value_text = '%s' (want '%s')", buf, want);
	json_decref(v);
}

static void series_is(const char *cell_json, const char *want_key, const char *want_title)
{
	json_t *cell = json_loads(cell_json, 0, NULL);
	char key[64], title[128];

	gb__res_series(cell, key, sizeof(key), title, sizeof(title));
	ok(strcmp(key, want_key) == 0 && strcmp(title, want_title) == 0,
	   "series of %s = '%s' / '%s' (want '%s' / '%s')", cell_json, key, title, want_key,
	   want_title);
	json_decref(cell);
}

int main(void)
{
	/* Numbers: three significant figures, k/M/G, never an exponent. */
	num_is(3160.4, "3160");
	num_is(2122.0, "2122");
	num_is(46321.0, "46.3k");
	num_is(35.3e6, "35.3M");
	num_is(1.5e9, "1.5G");
	num_is(2.5e13, "25000G");
	num_is(42.123, "42.1");
	num_is(0.0602, "0.0602");
	num_is(0.000125, "0.000125");
	num_is(0.0000125, "0.0000125");
	num_is(0.00000001234, "0.0000000123");
	num_is(-0.0000125, "-0.0000125");
	num_is(0, "0");

	/* Params as given. */
	value_is(json_real(5e-05), "0.00005");
	value_is(json_real(0.005), "0.005");
	value_is(json_real(0.25), "0.25");
	value_is(json_real(1e20), "1e+20");
	value_is(json_integer(30000000), "30000000");
	value_is(json_string("new"), "new");

	/* Series: threads split by policy, CPython twins keyed cpy_. */
	series_is("{\"model\":\"threads\",\"params\":{\"gil\":\"legacy\"}}", "threads_legacy",
	          "threads (gil legacy)");
	series_is("{\"model\":\"processes\",\"params\":{\"gil\":\"new\"}}", "processes",
	          "processes");
	series_is("{\"model\":\"cpython-threads\",\"params\":{},"
	          "\"_context\":{\"python_version\":\"3.11.2 (main, Mar 13 2023)\"}}",
	          "cpy_threads_new", "threads (CPython 3.11)");
	series_is("{\"model\":\"cpython-threads\",\"params\":{\"gil\":\"none\"},"
	          "\"_context\":{\"python_version\":\"3.13.0\"}}",
	          "cpy_threads_none", "threads (CPython 3.13, gil none)");
	series_is("{\"model\":\"cpython-asyncio\",\"params\":{}}", "cpy_asyncio",
	          "asyncio (CPython)");
	series_is("{\"model\":\"cpython-\",\"params\":{}}", "cpython_", "cpython-");
	series_is("{\"params\":{}}", "_", "?");

	/* Order: serial first, a CPython series right after its twin. */
	ok(gb__res_rank("serial") < gb__res_rank("threads_new"), "serial before threads");
	ok(gb__res_rank("threads_new") < gb__res_rank("cpy_threads_new") &&
	           gb__res_rank("cpy_threads_new") < gb__res_rank("threads_new312"),
	   "cpy_threads_new right after threads_new");
	ok(gb__res_rank("threads_bespoke") == gb__res_rank("threads"),
	   "an unknown policy ranks with the catch-all threads");
	ok(gb__res_rank("callbacks") < gb__res_rank("my_plugin"), "a plugin model last");
	return gb_tap_done();
}
