// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for kwg's module as `wg monitor' sees it, for the host, which
 * cannot load modules: preloaded into wg by tests/host/monitor.sh, it makes
 * the NETLINK_GENERIC socket one end of a socketpair, answers the family
 * queries, and delivers what the test asks for on the FIFO named by
 * KWG_FAKE_CTL, one command a line, as the kernel would deliver it:
 *
 *   send FILE     the netlink messages in FILE (of the joined groups only)
 *   forged FILE   the same, from another process's port instead of the kernel's
 *   enobufs       the next read fails with ENOBUFS, as after an overflow
 *   unload        the controller's CTRL_CMD_DELFAMILY for "wireguard"; the
 *                 event group is left, as the kernel leaves it
 *   load          CTRL_CMD_NEWFAMILY, with the event group to join again
 *
 * KWG_FAKE_MODULE is kwg (the default), stock (no event group) or none (no
 * family); KWG_FAKE_JOIN=eperm refuses joining the event group. Once wg
 * has joined it, KWG_FAKE_CTL.ready appears and the FIFO is read.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define FAMILY_ID 0x1c		/* as in tests/fuzz/corpus-event */
#define EVENT_GROUP 9
#define NOTIFY_GROUP GENL_ID_CTRL
#define PORTID 777

/* Every datagram on the pair starts with one of these. */
enum { FROM_KERNEL, FROM_OTHER, OVERFLOW };

static int app_fd = -1, kernel_fd = -1;
static bool joined_events, joined_notify, started;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int socket(int domain, int type, int protocol)
{
	int pair[2];

	if (domain != AF_NETLINK || protocol != NETLINK_GENERIC)
		return REAL(socket)(domain, type, protocol);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | (type & SOCK_CLOEXEC), 0, pair))
		return -1;
	app_fd = pair[0];
	kernel_fd = pair[1];
	return app_fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return fd == app_fd ? 0 : REAL(bind)(fd, addr, len);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = PORTID };

	if (fd != app_fd)
		return REAL(getsockname)(fd, addr, len);
	memcpy(addr, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
	*len = sizeof(nl);
	return 0;
}

static void put(int tag, const void *msg, size_t len)
{
	char buf[8192];
	uint32_t t = (uint32_t)tag;

	if (len + sizeof(t) > sizeof(buf))
		abort();
	memcpy(buf, &t, sizeof(t));
	memcpy(buf + sizeof(t), msg, len);
	if (write(kernel_fd, buf, len + sizeof(t)) < 0)
		abort();
}

struct msg {
	union {
		struct nlmsghdr nlh;
		char buf[1024];
	};
};

static void attr(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static struct nlattr *nest_start(struct msg *m, uint16_t type)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type | NLA_F_NESTED;
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_HDRLEN;
	return a;
}

static void nest_end(struct msg *m, struct nlattr *a)
{
	a->nla_len = (uint16_t)(m->buf + m->nlh.nlmsg_len - (char *)a);
}

static void genl_start(struct msg *m, uint16_t type, uint8_t cmd, uint32_t seq, uint32_t pid)
{
	struct genlmsghdr g = { .cmd = cmd, .version = 1 };

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_HDRLEN + sizeof(g);
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_seq = seq;
	m->nlh.nlmsg_pid = pid;
	memcpy(NLMSG_DATA(&m->nlh), &g, sizeof(g));
}

static void family(struct msg *m, uint8_t cmd, const char *name, uint16_t id, const char *group,
		   uint32_t group_id, uint32_t seq, uint32_t pid)
{
	genl_start(m, GENL_ID_CTRL, cmd, seq, pid);
	attr(m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	attr(m, CTRL_ATTR_FAMILY_ID, &id, sizeof(id));
	if (group) {
		struct nlattr *groups = nest_start(m, CTRL_ATTR_MCAST_GROUPS);
		struct nlattr *g = nest_start(m, 1);

		attr(m, CTRL_ATTR_MCAST_GRP_NAME, group, strlen(group) + 1);
		attr(m, CTRL_ATTR_MCAST_GRP_ID, &group_id, sizeof(group_id));
		nest_end(m, g);
		nest_end(m, groups);
	}
}

static void ack(const struct nlmsghdr *req, int error)
{
	struct msg m = { 0 };
	struct nlmsgerr e = { .error = error, .msg = *req };

	m.nlh.nlmsg_len = NLMSG_HDRLEN + sizeof(e);
	m.nlh.nlmsg_type = NLMSG_ERROR;
	m.nlh.nlmsg_flags = NLM_F_CAPPED;
	m.nlh.nlmsg_seq = req->nlmsg_seq;
	m.nlh.nlmsg_pid = req->nlmsg_pid;
	memcpy(NLMSG_DATA(&m.nlh), &e, sizeof(e));
	put(FROM_KERNEL, &m, m.nlh.nlmsg_len);
}

static const char *module_kind(void)
{
	const char *k = getenv("KWG_FAKE_MODULE");

	return k ? k : "kwg";
}

/* The answer to CTRL_CMD_GETFAMILY; every other request is refused. */
static void answer(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = NLMSG_DATA(req);
	const struct nlattr *a = (const struct nlattr *)((const char *)g + GENL_HDRLEN);
	const char *name = NULL;
	struct msg m;

	if (req->nlmsg_type != GENL_ID_CTRL || g->cmd != CTRL_CMD_GETFAMILY) {
		ack(req, -EOPNOTSUPP);
		return;
	}
	for (; (const char *)a < (const char *)req + req->nlmsg_len;
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_NAME)
			name = (const char *)a + NLA_HDRLEN;
	if (name && !strcmp(name, "nlctrl")) {
		family(&m, CTRL_CMD_NEWFAMILY, "nlctrl", GENL_ID_CTRL, "notify", NOTIFY_GROUP,
		       req->nlmsg_seq, req->nlmsg_pid);
	} else if (name && !strcmp(name, "wireguard") && strcmp(module_kind(), "none")) {
		bool kwg = !strcmp(module_kind(), "kwg");

		family(&m, CTRL_CMD_NEWFAMILY, "wireguard", FAMILY_ID, kwg ? "kwg-events" : NULL,
		       EVENT_GROUP, req->nlmsg_seq, req->nlmsg_pid);
	} else {
		ack(req, -ENOENT);
		return;
	}
	put(FROM_KERNEL, &m, m.nlh.nlmsg_len);
	if (req->nlmsg_flags & NLM_F_ACK)
		ack(req, 0);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
	if (fd != app_fd)
		return REAL(sendto)(fd, buf, len, flags, to, tolen);
	answer(buf);
	return (ssize_t)len;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	char buf[8192 + sizeof(uint32_t)];
	struct sockaddr_nl from = { .nl_family = AF_NETLINK };
	uint32_t tag;
	ssize_t n;

	if (fd != app_fd)
		return REAL(recvmsg)(fd, msg, flags);
	n = read(fd, buf, sizeof(buf));
	if (n < (ssize_t)sizeof(tag))
		return n < 0 ? -1 : 0;
	memcpy(&tag, buf, sizeof(tag));
	if (tag == OVERFLOW) {
		errno = ENOBUFS;
		return -1;
	}
	n -= sizeof(tag);
	if ((size_t)n > msg->msg_iov[0].iov_len)
		abort();
	memcpy(msg->msg_iov[0].iov_base, buf + sizeof(tag), (size_t)n);
	from.nl_pid = tag == FROM_OTHER ? 4242 : 0;
	from.nl_groups = tag == FROM_OTHER ? 0 : EVENT_GROUP;
	if (msg->msg_name)
		memcpy(msg->msg_name, &from, sizeof(from));
	msg->msg_namelen = sizeof(from);
	msg->msg_flags = 0;
	return n;
}

/* Delivers the messages of a file, as the kernel would to this socket:
 * only those of the groups it has joined. */
static void send_file(const char *path, int tag)
{
	char buf[8192] __attribute__((aligned(4)));
	int fd = open(path, O_RDONLY);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	size_t off = 0;

	if (fd >= 0)
		close(fd);
	if (len < 0)
		abort();
	while (off + NLMSG_HDRLEN <= (size_t)len) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + off);
		bool joined;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || off + nlh->nlmsg_len > (size_t)len)
			abort();
		pthread_mutex_lock(&lock);
		joined = nlh->nlmsg_type == GENL_ID_CTRL ? joined_notify : joined_events;
		pthread_mutex_unlock(&lock);
		if (joined || tag == FROM_OTHER)
			put(tag, nlh, nlh->nlmsg_len);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
}

static void *control(void *arg)
{
	const char *ctl = arg;
	char ready[4096], line[4096];
	sigset_t all;
	FILE *f;
	struct msg m;

	/* Signals are wg's: this thread would take those it blocks to read
	 * them from a signalfd, and die of them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	snprintf(ready, sizeof(ready), "%s.ready", ctl);
	close(open(ready, O_WRONLY | O_CREAT, 0600));
	f = fopen(ctl, "r");
	if (!f)
		abort();
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "send ", 5)) {
			send_file(line + 5, FROM_KERNEL);
		} else if (!strncmp(line, "forged ", 7)) {
			send_file(line + 7, FROM_OTHER);
		} else if (!strcmp(line, "enobufs")) {
			put(OVERFLOW, "", 0);
		} else if (!strcmp(line, "unload")) {
			pthread_mutex_lock(&lock);
			joined_events = false;
			pthread_mutex_unlock(&lock);
			family(&m, CTRL_CMD_DELFAMILY, "wireguard", FAMILY_ID, NULL, 0, 0, 0);
			put(FROM_KERNEL, &m, m.nlh.nlmsg_len);
		} else if (!strcmp(line, "load")) {
			family(&m, CTRL_CMD_NEWFAMILY, "wireguard", FAMILY_ID, "kwg-events", EVENT_GROUP, 0, 0);
			put(FROM_KERNEL, &m, m.nlh.nlmsg_len);
		} else {
			abort();
		}
	}
	return NULL;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	const char *ctl = getenv("KWG_FAKE_CTL"), *join = getenv("KWG_FAKE_JOIN");
	uint32_t group;
	pthread_t t;

	if (fd != app_fd)
		return REAL(setsockopt)(fd, level, name, val, len);
	if (level != SOL_NETLINK || name != NETLINK_ADD_MEMBERSHIP)
		return 0;
	memcpy(&group, val, sizeof(group));
	if (group == EVENT_GROUP && join && !strcmp(join, "eperm")) {
		errno = EPERM;
		return -1;
	}
	pthread_mutex_lock(&lock);
	if (group == EVENT_GROUP)
		joined_events = true;
	else if (group == NOTIFY_GROUP)
		joined_notify = true;
	pthread_mutex_unlock(&lock);
	if (group == EVENT_GROUP && ctl && !started) {
		started = true;
		if (pthread_create(&t, NULL, control, (void *)ctl))
			abort();
		pthread_detach(t);
	}
	return 0;
}
