/*
 * registry.c - the model table. In-tree models are linked statically from
 * models.def; external ones come from dlopen(), after a forked child has
 * survived loading them. This file checks a plugin's shape, not what it
 * measures.
 */
#include "registry.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

#define GB_MODEL(n) extern const struct gb_model_ops gb_model_##n;
#include "models.def"
#undef GB_MODEL

#define REG_MAX 64

static const struct gb_model_ops *reg_models[REG_MAX + 1] = {
#define GB_MODEL(n) &gb_model_##n,
#include "models.def"
#undef GB_MODEL
};

static unsigned reg_count(void)
{
	unsigned n = 0;
	while (reg_models[n])
		n++;
	return n;
}

const struct gb_model_ops *const *gb_models(void)
{
	return reg_models;
}

const struct gb_model_ops *gb_model_find(const char *name)
{
	for (unsigned i = 0; reg_models[i]; i++)
		if (strcmp(reg_models[i]->name, name) == 0)
			return reg_models[i];
	return NULL;
}

int gb_model_check(const struct gb_model_ops *m, char *why, size_t why_len)
{
	if (m->abi != GB_MODEL_ABI) {
		snprintf(why, why_len, "model ABI %u, this gilbench expects ABI %u", m->abi,
		         GB_MODEL_ABI);
		return -EINVAL;
	}
	if (!m->name || !*m->name || !m->summary) {
		snprintf(why, why_len, "model has no name or summary");
		return -EINVAL;
	}
	if (!m->init || !m->run || !m->fini) {
		snprintf(why, why_len, "model '%s' lacks init, run or fini", m->name);
		return -EINVAL;
	}
	if (!(m->workloads & GB_WL_ALL)) {
		snprintf(why, why_len, "model '%s' supports no workload", m->name);
		return -EINVAL;
	}
	return 0;
}

static int reg_add_model(const char *path, const struct gb_model_ops *m)
{
	char why[256];
	unsigned n;

	if (gb_model_check(m, why, sizeof(why)) != 0) {
		gb_err("--plugin", "%s: %s", path, why);
		return -EINVAL;
	}
	if (gb_model_find(m->name)) {
		gb_err("--plugin", "%s: a model named '%s' already exists", path, m->name);
		return -EEXIST;
	}
	n = reg_count();
	if (n >= REG_MAX) {
		gb_err("--plugin", "%s: too many models", path);
		return -ENOSPC;
	}
	reg_models[n] = m;
	reg_models[n + 1] = NULL;
	return 0;
}

static int reg_add_policy(const char *path, void *h, const struct gb_gil_policy *g)
{
	const unsigned *abi = dlsym(h, GB_PLUGIN_ABI_SYMBOL);
	int err;

	if (!abi || *abi != GB_MODEL_ABI) {
		if (abi)
			gb_err("--plugin",
			       "%s: GIL policy plugin ABI %u, this gilbench expects ABI %u", path,
			       *abi, GB_MODEL_ABI);
		else
			gb_err("--plugin", "%s: a GIL policy plugin must export '%s' (its ABI)",
			       path, GB_PLUGIN_ABI_SYMBOL);
		return -EINVAL;
	}
	err = gb_gil_policy_register(g);
	if (err == -EEXIST)
		gb_err("--plugin", "%s: a GIL policy named '%s' already exists", path, g->name);
	else if (err)
		gb_err("--plugin",
		       "%s: GIL policy '%s' is incomplete (name, create, destroy, "
		       "acquire, release and check_slow are required)",
		       path, g->name ? g->name : "?");
	return err;
}

#define REG_PROBE_MS 30000 /* a constructor still busy after this is a hang */

/* The probe child's status, or -errno. A child still running is killed. */
static int reg_probe_wait(pid_t pid, int fd, char *verdict)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int status, n;

	do
		n = poll(&pfd, 1, REG_PROBE_MS);
	while (n < 0 && errno == EINTR);
	if (n > 0 && read(fd, verdict, 1) != 1)
		*verdict = 0;
	if (n == 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return n == 0 ? -ETIMEDOUT : status;
}

/*
 * A plugin's constructors run inside dlopen(): one that crashes, aborts,
 * exits or hangs would take gilbench with it, with no word of why. So a
 * forked child loads it first and says it got through; only then is it
 * loaded here. 0 (loaded, or dlopen failed: the real dlopen reports that
 * with its own error), or -ENOEXEC after one line naming the plugin.
 */
static int reg_probe(const char *path)
{
	int fds[2], status;
	char verdict = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return 0; /* no probe possible: load as before */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	if (pid == 0) {
		char ok = dlopen(path, RTLD_NOW | RTLD_LOCAL) ? 'y' : 'n';

		close(fds[0]);
		_exit(write(fds[1], &ok, 1) == 1 ? 0 : 1);
	}
	close(fds[1]);
	status = reg_probe_wait(pid, fds[0], &verdict);
	close(fds[0]);
	if (verdict)
		return 0;
	if (status == -ETIMEDOUT)
		gb_err("--plugin", "%s: still loading after %d s (a constructor that hangs?)", path,
		       REG_PROBE_MS / 1000);
	else if (status >= 0 && WIFSIGNALED(status))
		gb_err("--plugin", "%s: crashed while loading (signal %d, %s)", path,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (status >= 0)
		gb_err("--plugin", "%s: exited with status %d while loading", path,
		       WEXITSTATUS(status));
	else
		gb_err("--plugin", "%s: cannot probe: %s", path, strerror(-status));
	return -ENOEXEC;
}

int gb_plugin_load(const char *path)
{
	const struct gb_model_ops *m;
	const struct gb_gil_policy *g;
	char buf[4096];
	void *h;
	int err = 0;

	/* A path without a slash would be searched in the library path. */
	if (!strchr(path, '/')) {
		snprintf(buf, sizeof(buf), "./%s", path);
		path = buf;
	}
	if (reg_probe(path) != 0)
		return -ENOEXEC;
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		gb_err("--plugin", "cannot load %s", dlerror());
		return -ENOEXEC;
	}
	m = dlsym(h, GB_MODEL_SYMBOL);
	g = dlsym(h, GB_GIL_POLICY_SYMBOL);
	if (!m && !g) {
		gb_err("--plugin", "%s: neither '%s' nor '%s': not a gilbench plugin", path,
		       GB_MODEL_SYMBOL, GB_GIL_POLICY_SYMBOL);
		err = -EINVAL;
	}
	if (!err && g)
		err = reg_add_policy(path, h, g);
	if (!err && m)
		err = reg_add_model(path, m);
	if (err) {
		dlclose(h);
		return err;
	}
	/* The handle stays open for the life of the process: no dlclose races. */
	return 0;
}
