/*
 * results_io.c - loading result files with one clear error for each way
 * they can be wrong, and writing any output atomically. It does not know
 * what the metrics mean: that is stats, compare and export.
 */
#include "results_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "log.h"

static int results_fail(const char *path, const char *what, json_t *doc)
{
	gb_err(path, "%s", what);
	json_decref(doc);
	return -EINVAL;
}

int gb_results_load(const char *path, json_t **out)
{
	json_error_t jerr;
	json_t *doc, *results, *r;
	size_t i;

	*out = NULL;
	if (access(path, R_OK) != 0) {
		int err = errno;
		gb_err(path, "cannot read: %s", strerror(err));
		return -err;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		gb_err(path, "not valid JSON (line %d, column %d): %s", jerr.line, jerr.column,
		       jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(doc))
		return results_fail(path, "not a gilbench result file: top level is not an object",
		                    doc);
	if (json_integer_value(json_object_get(doc, "schema_version")) != 1)
		return results_fail(path, "not a gilbench result file: schema_version is not 1",
		                    doc);
	if (!json_is_object(json_object_get(doc, "context")))
		return results_fail(path, "malformed result file: no context object", doc);
	results = json_object_get(doc, "results");
	if (!json_is_array(results))
		return results_fail(path, "malformed result file: no results array", doc);
	json_array_foreach(results, i, r)
	{
		if (!json_is_object(r) || !json_is_string(json_object_get(r, "model")) ||
		    !json_is_string(json_object_get(r, "workload")) ||
		    !json_is_object(json_object_get(r, "params")) ||
		    !json_is_string(json_object_get(r, "status"))) {
			char msg[128];
			snprintf(msg, sizeof(msg),
			         "malformed result file: results[%zu] lacks model, workload, "
			         "params or status",
			         i);
			return results_fail(path, msg, doc);
		}
	}
	*out = doc;
	return 0;
}

int gb_text_write_atomic(const char *path, const char *text, size_t len)
{
	int existed = 0, err = gb_file_write_atomic(path, text, len, &existed);

	if (!err)
		return 0;
	if (strcmp(path, "-") == 0)
		gb_err("stdout", "write failed: %s", strerror(-err));
	else if (err == -ENXIO)
		gb_err(path, "cannot write: a FIFO with no reader");
	else
		gb_err(path, "cannot write: %s%s", strerror(-err),
		       existed ? " (the previous file is kept as it was)" : "");
	return err;
}

int gb_text_write_with(const char *path, const char *where, int (*put)(FILE *f, void *arg),
                       void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		goto fail_nomem;
	err = put(f, arg);
	if (fclose(f) != 0 || err) {
		free(text);
		if (err && err != -ENOMEM)
			return err;
		goto fail_nomem;
	}
	err = gb_text_write_atomic(path, text, len);
	free(text);
	return err;
fail_nomem:
	gb_err(where, "out of memory");
	return -ENOMEM;
}

int gb_json_write_atomic(const char *path, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
	size_t len;
	int err;

	if (!text) {
		gb_err(path, "cannot format JSON: out of memory");
		return -ENOMEM;
	}
	len = strlen(text);
	text[len] = '\0';
	/* Files end with a newline, as text files should. */
	char *withnl = realloc(text, len + 2);
	if (!withnl) {
		free(text);
		return -ENOMEM;
	}
	withnl[len] = '\n';
	withnl[len + 1] = '\0';
	err = gb_text_write_atomic(path, withnl, len + 1);
	free(withnl);
	return err;
}
