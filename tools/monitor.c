// SPDX-License-Identifier: GPL-2.0
/*
 * wg monitor: kwg's events as they happen, one line or JSON object each,
 * and a hook run for each. Hooks run one at a time and in order, from a
 * queue, while events go on being read and printed when they happen; a
 * full queue stops the reading, so that a hook too slow for the events
 * makes the socket overflow, which the kernel reports and this says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event.h"
#include "ipc.h"
#include "subcommands.h"

extern char **environ;

/* Hooks waiting to run; with this many, events wait in the socket. */
#define HOOK_QUEUE_MAX 1024

struct monitor {
	struct event_filter filter;
	bool json;
	const char *hook;		/* NULL: none */
	char **queue[HOOK_QUEUE_MAX];	/* their environments, a ring */
	size_t head, len;
	pid_t child;			/* the running hook; 0: none */
};

static const char *open_error(int err)
{
	switch (-err) {
	case ENOENT:
		return "no WireGuard module is loaded (events need the kwg module)";
	case ENOPROTOOPT:
		return "this WireGuard module announces no events (kwg only)";
	case EPERM:
	case EACCES:
		return "Permission denied (CAP_NET_ADMIN is needed)";
	default:
		return strerror(-err);
	}
}

static void enqueue_hook(struct monitor *m, const struct wg_event *ev)
{
	char **env;

	/* Reading stops while the queue is full, but one datagram may hold
	 * more than one message. */
	if (m->len == HOOK_QUEUE_MAX) {
		fprintf(stderr, "wg monitor: warning: %zu hooks are waiting already: none runs for this event\n",
			m->len);
		return;
	}
	env = event_environment(ev);
	if (!env) {
		fprintf(stderr, "wg monitor: warning: out of memory: no hook runs for this event\n");
		return;
	}
	m->queue[(m->head + m->len++) % HOOK_QUEUE_MAX] = env;
}

static void show(struct monitor *m, struct wg_event *ev)
{
	clock_gettime(CLOCK_REALTIME, &ev->time);
	if (m->json)
		event_format_json(stdout, ev);
	else
		event_format_line(stdout, ev);
	fflush(stdout);
	if (m->hook)
		enqueue_hook(m, ev);
}

static void on_event(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct wg_event ev;
	int err = event_parse(&ev, nlh);

	/* Commands of a newer module are skipped without a word. */
	if (err == -EBADMSG)
		fprintf(stderr, "wg monitor: warning: a malformed event was ignored\n");
	else if (!err && event_filter_match(&m->filter, &ev))
		show(m, &ev);
	event_clear(&ev);
}

static void on_module(bool loaded, int err, void *data)
{
	(void)data;
	if (!loaded)
		fprintf(stderr, "wg monitor: the WireGuard module was unloaded; waiting for it to come back\n");
	else if (!err)
		fprintf(stderr, "wg monitor: the WireGuard module was loaded again; events follow\n");
	else
		fprintf(stderr, "wg monitor: a WireGuard module was loaded, but: %s\n", open_error(err));
}

static const struct netlink_events_ops ops = { .event = on_event, .module = on_module };

static bool is_event_variable(const char *entry)
{
	for (const char *const *n = event_env_names; *n; n++) {
		size_t len = strlen(*n);

		if (!strncmp(entry, *n, len) && entry[len] == '=')
			return true;
	}
	return false;
}

/* Runs the oldest queued hook: /bin/sh -c HOOK, with this process's
 * environment less any variable of ours it had, plus the event's. */
static void start_hook(struct monitor *m)
{
	char **env = m->queue[m->head], **envp;
	char *argv[] = { "sh", "-c", (char *)m->hook, NULL };
	size_t n = 0, extra = 0;
	posix_spawnattr_t attr;
	sigset_t none;
	int err;

	m->head = (m->head + 1) % HOOK_QUEUE_MAX;
	m->len--;
	while (environ[n])
		n++;
	while (env[extra])
		extra++;
	envp = calloc(n + extra + 1, sizeof(*envp));
	if (!envp) {
		fprintf(stderr, "wg monitor: warning: out of memory: a hook did not run\n");
		event_environment_free(env);
		return;
	}
	n = 0;
	for (char **e = environ; *e; e++)
		if (!is_event_variable(*e))
			envp[n++] = *e;
	memcpy(envp + n, env, extra * sizeof(*env));
	/* Signals are blocked here to be read from a signalfd; the hook
	 * starts with none blocked. */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	err = posix_spawn(&m->child, "/bin/sh", NULL, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	if (err) {
		m->child = 0;
		fprintf(stderr, "wg monitor: warning: cannot run /bin/sh for the hook: %s\n", strerror(err));
	}
	free(envp);
	event_environment_free(env);
}

static void reap(struct monitor *m)
{
	pid_t pid;
	int status;

	/* Also whatever the hooks left behind and that became ours. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != m->child)
			continue;
		m->child = 0;
		if (WIFEXITED(status) && WEXITSTATUS(status))
			fprintf(stderr, "wg monitor: warning: the hook exited with status %d\n",
				WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			fprintf(stderr, "wg monitor: warning: the hook was killed by signal %d\n",
				WTERMSIG(status));
	}
}

static void drop_queue(struct monitor *m)
{
	while (m->len) {
		event_environment_free(m->queue[m->head]);
		m->head = (m->head + 1) % HOOK_QUEUE_MAX;
		m->len--;
	}
}

/* The arguments, in this order: [<interface> | all] [json] [--exec CMD]. */
static bool parse_arguments(struct monitor *m, int argc, char **argv)
{
	int i = 1;

	if (i < argc && strcmp(argv[i], "json") && strcmp(argv[i], "--exec")) {
		if (strcmp(argv[i], "all")) {
			if (!interface_name_fits(argv[i]))
				return false;
			strcpy(m->filter.ifname, argv[i]);
		}
		i++;
	}
	if (i < argc && !strcmp(argv[i], "json")) {
		m->json = true;
		i++;
	}
	if (i + 1 < argc && !strcmp(argv[i], "--exec")) {
		m->hook = argv[i + 1];
		i += 2;
	}
	if (i < argc) {
		subcommand_usage("monitor");
		return false;
	}
	return true;
}

/* A named interface must be one whose events the module can announce. */
static bool check_interface(struct monitor *m)
{
	const char *ifname = m->filter.ifname;

	if (!ifname[0])
		return true;
	m->filter.ifindex = if_nametoindex(ifname);
	if (!m->filter.ifindex) {
		fprintf(stderr, "wg monitor: there is no interface %s yet; its events will show once it exists\n",
			ifname);
		return true;
	}
	if (!netlink_is_wireguard(ifname)) {
		fprintf(stderr, "wg monitor: %s: Not a WireGuard device\n", ifname);
		return false;
	}
	return true;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor *m = calloc(1, sizeof(*m));
	struct netlink_events *events = NULL;
	sigset_t mask;
	int sfd = -1, err, ret = 1, stop = 0;

	if (!m) {
		fprintf(stderr, "Out of memory\n");
		return 1;
	}
	if (!parse_arguments(m, argc, argv))
		goto out;
	if (m->filter.ifname[0] && uapi_has_device(m->filter.ifname)) {
		fprintf(stderr, "wg monitor: %s is served by a userspace implementation, which announces no events (kwg only)\n",
			m->filter.ifname);
		goto out;
	}
	err = netlink_events_open(&events);
	if (err) {
		fprintf(stderr, "wg monitor: %s\n", open_error(err));
		goto out;
	}
	if (!check_interface(m))
		goto out;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) ||
	    (sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		perror("wg monitor: signalfd");
		goto out;
	}
	/* Until a signal to stop, and then until the running hook ends. */
	while (!stop || m->child) {
		struct pollfd fds[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = netlink_events_fd(events), .events = POLLIN },
		};
		nfds_t nfds = stop || m->len == HOOK_QUEUE_MAX ? 1 : 2;
		struct signalfd_siginfo si;

		if (poll(fds, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("wg monitor: poll");
			goto out;
		}
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGCHLD) {
				reap(m);
			} else if (!stop) {
				/* The hook may not have had it: pass it on. */
				stop = (int)si.ssi_signo;
				drop_queue(m);
				if (m->child)
					kill(m->child, stop);
			}
		}
		if (nfds == 2 && (fds[1].revents & (POLLIN | POLLERR))) {
			err = netlink_events_read(events, &ops, m);
			if (err == -ENOBUFS) {
				struct wg_event lost = { .cmd = WG_EVENT_LOST };

				fprintf(stderr, "wg monitor: warning: events were lost: they came faster than they were %s\n",
					m->hook ? "handled (a slow hook?)" : "read");
				show(m, &lost);
			} else if (err) {
				fprintf(stderr, "wg monitor: %s\n", strerror(-err));
				goto out;
			}
		}
		if (!stop && !m->child && m->len)
			start_hook(m);
	}
	ret = 0;
out:
	if (m->child)
		waitpid(m->child, NULL, 0);
	drop_queue(m);
	if (sfd >= 0)
		close(sfd);
	netlink_events_close(events);
	free(m);
	return ret;
}
