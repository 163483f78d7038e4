/*
 * registry.h - the table of models: the in-tree ones from models.def and
 * any loaded with --plugin; and the names of workloads.
 */
#ifndef GB_REGISTRY_H
#define GB_REGISTRY_H

#include <gilbench/model.h>

/* The models, in-tree first then plugins; NULL-terminated. */
const struct gb_model_ops *const *gb_models(void);
const struct gb_model_ops *gb_model_find(const char *name);

/*
 * Checks a model table entry as fio's check_engine_ops does: ABI, name,
 * summary, init/run/fini, a non-empty workload mask. 0, or -EINVAL with
 * the reason in why.
 */
int gb_model_check(const struct gb_model_ops *m, char *why, size_t why_len);

/* dlopen()s PATH, finds GB_MODEL_SYMBOL, checks it, adds it. 0 or -errno
 * after printing one line naming PATH and the problem. */
int gb_plugin_load(const char *path);

#endif
