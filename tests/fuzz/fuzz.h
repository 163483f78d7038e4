/*
 * fuzz.h - what the fuzz targets share: a private scratch directory for
 * the files the readers under test want, and stderr captured per input so
 * that the "one line on stderr per bad input" rule can be checked and the
 * fuzzer's log is not flooded. The entry point of each target is
 * LLVMFuzzerTestOneInput; replay.c calls it without libFuzzer.
 */
#ifndef GB_FUZZ_H
#define GB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Sends stdout to /dev/null (GB_FUZZ_VERBOSE=1 keeps it); in fuzz_util.c. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The scratch directory (created on first use, removed at exit). */
const char *gb_fuzz_dir(void);

/* Writes data to DIR/name and returns its path (static storage per name slot). */
const char *gb_fuzz_file(const char *name, const uint8_t *data, size_t size);

/* Sends stderr to a scratch file until gb_fuzz_stderr_end, which returns
 * the number of lines written meanwhile. GB_FUZZ_VERBOSE=1 echoes them. */
void gb_fuzz_stderr_begin(void);
int gb_fuzz_stderr_end(void);

/* Aborts with a message on the real stderr: a broken invariant is a finding. */
_Noreturn void gb_fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
