// SPDX-License-Identifier: GPL-2.0
/*
 * fault-nth [-o FILE] [-r K] N TYPE COMMAND [ARGS...]
 *
 * Runs COMMAND under ptrace and makes the N-th allocation fault point of
 * its K-th (default first) netlink request of type TYPE fail, through the
 * kernel's per-task /proc/PID/fail-nth (CONFIG_FAULT_INJECTION: every
 * slab allocation that failslab considers and every page allocation that
 * fail_page_alloc considers is one point). TYPE is a netlink message type
 * (16 for RTM_NEWLINK, say) or "wireguard", the generic netlink family.
 *
 * The request's allocations are those of the send that carries it and of
 * the receives that follow on the same socket until the next request (a
 * dump is continued by the receives): the count runs only during those
 * system calls and is held, not counted, during any other one, so that a
 * failure lands in the kernel's handling of the request, never in the
 * program's own system calls.
 *
 * N = 0 injects nothing and only counts requests (kernels without fault
 * injection). When COMMAND is done this line goes to FILE (or stderr):
 *
 *   requests=R injected=0|1 points=P
 *
 * R: requests of TYPE sent; injected: the N-th point was reached and
 * failed; P: fault points the K-th request went through when it was not
 * (N minus what was left of the count), 0 otherwise. The exit status is
 * COMMAND's (128 + signal when it was killed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "../../../uapi/wireguard.h"
#include "genl-sock.h"

static void die(const char *what)
{
	perror(what);
	exit(125);
}

/* The id of the generic-netlink family @name, on a socket of our own. */
static unsigned short family_id(const char *name)
{
	unsigned short id;
	int fd;

	fd = genl_open();
	if (fd < 0)
		exit(125);
	id = genl_family_id(fd, name);
	close(fd);
	if (!id)
		exit(125);
	return id;
}

static int peek(pid_t pid, uint64_t addr, void *to, size_t len)
{
	struct iovec local = { .iov_base = to, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* The netlink header a sendto or sendmsg is about to send, if any. */
static int sent_header(pid_t pid, const struct user_regs_struct *r,
		       struct nlmsghdr *nlh)
{
	struct msghdr msg;
	struct iovec iov;

	if (r->orig_rax == SYS_sendto)
		return r->rdx >= sizeof(*nlh) ? peek(pid, r->rsi, nlh, sizeof(*nlh)) : -1;
	if (peek(pid, r->rsi, &msg, sizeof(msg)) || !msg.msg_iovlen ||
	    peek(pid, (uintptr_t)msg.msg_iov, &iov, sizeof(iov)) ||
	    iov.iov_len < sizeof(*nlh))
		return -1;
	return peek(pid, (uintptr_t)iov.iov_base, nlh, sizeof(*nlh));
}

static char nth_path[64];

static void write_nth(unsigned int n)
{
	char s[16];
	int fd, len;

	fd = open(nth_path, O_WRONLY);
	if (fd < 0)
		die(nth_path);
	len = snprintf(s, sizeof(s), "%u", n);
	if (write(fd, s, len) != len)
		die("write fail-nth");
	close(fd);
}

static unsigned int read_nth(void)
{
	char s[16] = { 0 };
	int fd;

	fd = open(nth_path, O_RDONLY);
	if (fd < 0)
		die(nth_path);
	if (read(fd, s, sizeof(s) - 1) < 0)
		die("read fail-nth");
	close(fd);
	return strtoul(s, NULL, 10);
}

enum { IDLE, ACTIVE, HELD, DONE };

int main(int argc, char **argv)
{
	unsigned int nth, left = 0, points = 0;
	int opt, req_wanted = 1, requests = 0, injected = 0, state = IDLE;
	int in_syscall = 0, status, armed_fd = -1, ret;
	const char *out = NULL;
	long type;
	char *end;
	pid_t pid;
	FILE *f;

	while ((opt = getopt(argc, argv, "+o:r:")) != -1) {
		if (opt == 'o')
			out = optarg;
		else if (opt == 'r')
			req_wanted = atoi(optarg);
		else
			goto usage;
	}
	if (argc - optind < 3) {
usage:
		fprintf(stderr, "usage: %s [-o FILE] [-r K] N TYPE|wireguard COMMAND [ARGS...]\n",
			argv[0]);
		return 125;
	}
	nth = strtoul(argv[optind], NULL, 10);
	type = strtol(argv[optind + 1], &end, 0);
	if (*end)
		type = family_id(argv[optind + 1]);

	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			die("PTRACE_TRACEME");
		raise(SIGSTOP);
		execvp(argv[optind + 2], argv + optind + 2);
		die(argv[optind + 2]);
	}
	snprintf(nth_path, sizeof(nth_path), "/proc/%d/fail-nth", pid);
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		die("waitpid");
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL |
		   PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT))
		die("PTRACE_SETOPTIONS");
	ret = ptrace(PTRACE_SYSCALL, pid, NULL, NULL);
	while (!ret) {
		int sig = 0;

		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			struct user_regs_struct r;
			struct nlmsghdr nlh;
			int related, over = 0;

			in_syscall = !in_syscall;
			if (!in_syscall || state == DONE ||
			    ptrace(PTRACE_GETREGS, pid, NULL, &r))
				goto resume;
			related = 0;
			if ((r.orig_rax == SYS_sendto || r.orig_rax == SYS_sendmsg) &&
			    !sent_header(pid, &r, &nlh) && nlh.nlmsg_type == type &&
			    (nlh.nlmsg_flags & NLM_F_REQUEST)) {
				requests++;
				if (requests == req_wanted) {
					armed_fd = r.rdi;
					if (nth) {
						write_nth(nth);
						state = ACTIVE;
					}
					goto resume;
				}
				/* The next request: the one under test is over. */
				over = requests > req_wanted;
			} else if ((r.orig_rax == SYS_recvfrom || r.orig_rax == SYS_recvmsg) &&
				   (int)r.rdi == armed_fd) {
				related = 1;
			}
			/* Anything else: the count is held (or over). */
			if (state == ACTIVE && !related) {
				left = read_nth();
				write_nth(0);
				state = left ? HELD : DONE;
				injected = !left;
			} else if (state == HELD && related) {
				write_nth(left);
				state = ACTIVE;
			}
			if (over && state == HELD)
				state = DONE;
		} else if (status >> 16 == PTRACE_EVENT_EXIT) {
			if (state == ACTIVE) {
				left = read_nth();
				injected = !left;
			}
			state = DONE;
		} else if (status >> 16 == 0) {
			sig = WSTOPSIG(status);
		}
resume:
		ret = ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig);
	}
	if (ret && waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (nth && !injected && requests >= req_wanted)
		points = nth - left;
	f = out ? fopen(out, "w") : stderr;
	if (!f)
		die(out);
	fprintf(f, "requests=%d injected=%d points=%u\n", requests, injected, points);
	if (out)
		fclose(f);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
