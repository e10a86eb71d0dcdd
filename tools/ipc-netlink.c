// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel backend: the "wireguard" generic-netlink family through libmnl
 * (docs/protocol.md §6), and RTM_GETLINK to find the devices.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/utsname.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ipc.h"
#include "nlmsg.h"

#define RECV_BUFFER (64 * 1024)
/* A dump interrupted by a configuration change is read again; under
 * constant churn, give up only after this long. */
#define DUMP_RETRY_SECONDS 60

static char detail[256];
static bool have_detail;
/* EOPNOTSUPP from a real WireGuard link is about a feature, not the link. */
static bool feature_unsupported;

bool netlink_feature_unsupported(void)
{
	return feature_unsupported;
}

bool netlink_is_wireguard(const char *ifname)
{
	struct name_list list = { 0 };
	bool found = false;

	if (!netlink_list_devices(&list))
		for (size_t i = 0; i < list.len && !found; i++)
			found = !strcmp(list.names[i], ifname);
	name_list_free(&list);
	return found;
}

static int classify(int ret, const char *ifname)
{
	feature_unsupported = ret == -EOPNOTSUPP && netlink_is_wireguard(ifname);
	return ret;
}

const char *netlink_last_detail(void)
{
	return have_detail ? detail : NULL;
}

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char *buf;
};

static void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	/* Dumps bring the private key through this buffer. */
	if (nl->buf)
		secure_zero(nl->buf, RECV_BUFFER);
	free(nl->buf);
	memset(nl, 0, sizeof(*nl));
}

static int nl_open(struct nl *nl, int proto)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(RECV_BUFFER);
	if (!nl->buf)
		return -ENOMEM;
	/* Not inherited by the hooks of wg monitor. */
	nl->sock = mnl_socket_open2(proto, SOCK_CLOEXEC);
	if (!nl->sock) {
		err = -errno;
		nl_close(nl);
		return err;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		nl_close(nl);
		return err;
	}
	/* Error messages from the kernel, and acks without our (possibly
	 * large) request copied back. Older kernels lack them: no matter. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off;

	(void)data;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len) {
			mnl_attr_for_each(attr, nlh, off) {
				if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
				    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0) {
					snprintf(detail, sizeof(detail), "%s", mnl_attr_get_str(attr));
					have_detail = true;
				}
			}
		}
	}
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	/* A dump that fails part way reports its error in NLMSG_DONE. */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err = *(const int *)mnl_nlmsg_get_payload(nlh);

		if (err < 0) {
			errno = -err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = noop_cb,
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

struct dump_flag {
	bool interrupted;
};

/* Sends one request and reads until its ack or the end of its dump. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int seq = ++nl->seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, RECV_BUFFER);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(nl->buf, (size_t)n, seq, nl->portid, cb, data,
				  ctl_cbs, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

struct family_query {
	const char *name, *group;
	struct nlmsg_family f;
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_query *q = data;
	struct nlmsg_family f;
	int err = nlmsg_parse_family(nlh, q->group, &f);

	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	/* On a socket that listens to the controller, another family's
	 * notification may come between the request and its answer. */
	if (!strcmp(f.name, q->name))
		q->f = f;
	return MNL_CB_OK;
}

/* The id of the generic-netlink family name and of its multicast group
 * named group (NULL: none). -ENOENT: no such family. */
static int query_family(struct nl *nl, const char *name, const char *group,
			struct nlmsg_family *f)
{
	char buf[512];
	struct nlmsghdr *nlh = nlmsg_genl_header(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
						 NLM_F_REQUEST | NLM_F_ACK, 1);
	struct family_query q = { .name = name, .group = group };
	int ret;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	ret = nl_talk(nl, nlh, family_cb, &q);
	if (!ret && !q.f.id)
		ret = -ENOENT;
	*f = q.f;
	return ret;
}

static int resolve_family(struct nl *nl, uint16_t *id)
{
	struct nlmsg_family f;
	int ret = query_family(nl, WG_GENL_NAME, NULL, &f);

	*id = f.id;
	return ret;
}

/* Opens a generic-netlink socket with the wireguard family resolved. A
 * missing family means no kernel device can be a WireGuard device. */
static int open_family(struct nl *nl, uint16_t *family, const char *ifname)
{
	int ret = nl_open(nl, NETLINK_GENERIC);

	if (ret)
		return ret;
	ret = resolve_family(nl, family);
	if (ret == -ENOENT && ifname)
		ret = if_nametoindex(ifname) ? -EOPNOTSUPP : -ENODEV;
	if (ret)
		nl_close(nl);
	return ret;
}

struct get_ctx {
	struct wg_device *dev;
	bool interrupted;
	int err;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *ctx = data;
	int err;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ctx->interrupted = true;
	err = nlmsg_parse_device(ctx->dev, nlh);
	if (err) {
		ctx->err = err;
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int netlink_get_device(struct wg_device **out, const char *ifname)
{
	uint16_t family;
	int ret = 0;

	struct timespec start, now, pause = { 0, 0 };

	have_detail = false;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		char buf[512];
		struct get_ctx ctx = { 0 };
		struct nlmsghdr *nlh;
		struct nl nl;

		ret = open_family(&nl, &family, ifname);
		if (ret)
			return ret;
		ctx.dev = device_new();
		if (!ctx.dev) {
			nl_close(&nl);
			return -ENOMEM;
		}
		nlh = nlmsg_genl_header(buf, family, WG_CMD_GET_DEVICE,
					NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, WG_GENL_VERSION);
		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
		ret = nl_talk(&nl, nlh, get_cb, &ctx);
		/* A socket left mid-dump is not reused: each try gets a new one. */
		nl_close(&nl);
		if (ret == -EINTR || (!ret && ctx.interrupted)) {
			/* The configuration changed under the dump: the
			 * pieces may not fit together, read it again. */
			device_free(ctx.dev);
			ret = -EAGAIN;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= DUMP_RETRY_SECONDS)
				return ret;
			/* Back off a little so a writer can finish its burst. */
			if (pause.tv_nsec < 50 * 1000 * 1000)
				pause.tv_nsec += 5 * 1000 * 1000;
			nanosleep(&pause, NULL);
			continue;
		}
		if (ret) {
			device_free(ctx.dev);
			return classify(ret, ifname);
		}
		if (!ctx.dev->name[0])
			snprintf(ctx.dev->name, sizeof(ctx.dev->name), "%s", ifname);
		*out = ctx.dev;
		return 0;
	}
}

int netlink_set_device(struct wg_device *dev)
{
	struct nlmsg_set_state state = { 0 };
	uint16_t family;
	struct nl nl;
	char *buf;
	int ret;

	have_detail = false;
	for (size_t i = 0; i < dev->num_peers; i++)
		for (size_t j = 0; j < dev->peers[i].num_ips; j++)
			if (dev->peers[i].ips[j].flags & ~(uint32_t)__WGALLOWEDIP_F_ALL)
				return -EINVAL;
	ret = open_family(&nl, &family, dev->name);
	if (ret)
		return ret;
	buf = malloc(NLMSG_SET_BUFFER);
	if (!buf) {
		nl_close(&nl);
		return -ENOMEM;
	}
	/* Large configurations go out as several messages, each applied
	 * by the kernel in turn; see nlmsg_build_set(). */
	do {
		struct nlmsghdr *nlh = nlmsg_build_set(buf, NLMSG_SET_BUFFER, family, dev, &state);

		if (!nlh) {
			ret = -EMSGSIZE;
			break;
		}
		ret = nl_talk(&nl, nlh, NULL, NULL);
	} while (!ret && !state.done);
	secure_zero(buf, NLMSG_SET_BUFFER);
	free(buf);
	nl_close(&nl);
	return classify(ret, dev->name);
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct name_list *list = data;
	const struct nlattr *attr, *info;
	const char *name = NULL;
	bool wireguard = false;

	mnl_attr_for_each(attr, nlh, sizeof(struct ifinfomsg)) {
		switch (mnl_attr_get_type(attr)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
				name = mnl_attr_get_str(attr);
			break;
		case IFLA_LINKINFO:
			mnl_attr_for_each_nested(info, attr) {
				if (mnl_attr_get_type(info) == IFLA_INFO_KIND &&
				    mnl_attr_validate(info, MNL_TYPE_NUL_STRING) >= 0 &&
				    !strcmp(mnl_attr_get_str(info), "wireguard"))
					wireguard = true;
			}
			break;
		}
	}
	if (wireguard && name && name_list_add(list, name)) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int netlink_list_devices(struct name_list *list)
{
	int ret = 0;

	for (unsigned int attempt = 0; attempt < 100; attempt++) {
		char buf[512];
		struct nlmsghdr *nlh;
		struct ifinfomsg *ifm;
		struct name_list found = { 0 };
		struct nl nl;

		ret = nl_open(&nl, NETLINK_ROUTE);
		if (ret)
			return ret;
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
		ifm->ifi_family = AF_UNSPEC;
		ret = nl_talk(&nl, nlh, link_cb, &found);
		nl_close(&nl);
		if (ret == -EINTR) {
			name_list_free(&found);
			continue;
		}
		for (size_t i = 0; !ret && i < found.len; i++)
			ret = name_list_add(list, found.names[i]);
		name_list_free(&found);
		return ret;
	}
	return ret;
}

static int policy_cb(const struct nlmsghdr *nlh, void *data)
{
	nlmsg_parse_policies(data, nlh);
	return MNL_CB_OK;
}

/* WGALLOWEDIP_F_REMOVE_ME is part of mainline's module since 6.16. */
static bool kernel_has_removal(void)
{
	struct utsname u;
	unsigned int major, minor;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 16);
}

/* The family's attribute policies (what SET accepts) into a new ctx. */
static int dump_policies(const char *ifname, struct nlmsg_policies **out)
{
	struct nlmsg_policies *ctx = calloc(1, sizeof(*ctx));
	uint16_t family;
	struct nl nl;
	char buf[512];
	struct nlmsghdr *nlh;
	int ret;

	if (!ctx)
		return -ENOMEM;
	ret = open_family(&nl, &family, ifname);
	if (ret) {
		free(ctx);
		return ret;
	}
	nlh = nlmsg_genl_header(buf, GENL_ID_CTRL, CTRL_CMD_GETPOLICY,
				NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, 1);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, family);
	ret = nl_talk(&nl, nlh, policy_cb, ctx);
	nl_close(&nl);
	if (ret) {
		free(ctx);
		return ret;
	}
	*out = ctx;
	return 0;
}

bool netlink_supports_allowedip_removal(void)
{
	struct nlmsg_policies *ctx;
	bool ok;

	if (kernel_has_removal())
		return true;
	/* A kernel that does not expose its policies counts as not
	 * supporting removal, which only costs the list-replacing fallback. */
	if (dump_policies(NULL, &ctx))
		return false;
	ok = nlmsg_policies_allowedip_removal(ctx);
	free(ctx);
	return ok;
}

int netlink_peer_names(const char *ifname)
{
	struct nlmsg_policies *ctx;
	int ret = dump_policies(ifname, &ctx);

	if (ret)
		return ret;
	ret = nlmsg_policies_peer_names(ctx) ? IPC_NAMES_STORED : IPC_NAMES_OLD_MODULE;
	free(ctx);
	/* Say what is wrong with a device that is missing or foreign rather
	 * than blame the module for names it will never be asked to store. */
	if (ret == IPC_NAMES_OLD_MODULE && !netlink_is_wireguard(ifname))
		ret = if_nametoindex(ifname) ? -EOPNOTSUPP : -ENODEV;
	return ret;
}

struct netlink_events {
	struct nl nl;
	uint16_t family;	/* 0 while there is no WireGuard module */
	uint32_t group;		/* joined; 0: none */
};

static int join_group(struct nl *nl, uint32_t group)
{
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		return -errno;
	return 0;
}

int netlink_events_open(struct netlink_events **out)
{
	struct netlink_events *ev = calloc(1, sizeof(*ev));
	struct nlmsg_family ctrl, wg;
	/* Room for bursts, such as a setconf of many peers, while a hook
	 * runs: the limit of SO_RCVBUFFORCE is ours to choose with
	 * CAP_NET_ADMIN, otherwise net.core.rmem_max caps SO_RCVBUF. */
	int size = 8 << 20, ret;

	if (!ev)
		return -ENOMEM;
	ret = nl_open(&ev->nl, NETLINK_GENERIC);
	if (ret) {
		free(ev);
		return ret;
	}
	/* The controller's notifications first, so that the module going
	 * away or coming back from now on is seen. */
	ret = query_family(&ev->nl, "nlctrl", "notify", &ctrl);
	if (!ret && ctrl.group)
		ret = join_group(&ev->nl, ctrl.group);
	if (!ret)
		ret = query_family(&ev->nl, WG_GENL_NAME, WG_MULTICAST_GROUP_EVENTS, &wg);
	if (!ret && !wg.group)
		ret = -ENOPROTOOPT;
	if (!ret)
		ret = join_group(&ev->nl, wg.group);
	if (ret) {
		nl_close(&ev->nl);
		free(ev);
		return ret;
	}
	ev->family = wg.id;
	ev->group = wg.group;
	if (setsockopt(mnl_socket_get_fd(ev->nl.sock), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(mnl_socket_get_fd(ev->nl.sock), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	*out = ev;
	return 0;
}

int netlink_events_fd(const struct netlink_events *ev)
{
	return mnl_socket_get_fd(ev->nl.sock);
}

/* The controller says a family came or went: follow the WireGuard one,
 * whose id and group change when its module is loaded again. */
static void controller_message(struct netlink_events *ev, const struct nlmsghdr *nlh,
			       const struct netlink_events_ops *ops, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct nlmsg_family f;
	int err;

	if (nlmsg_parse_family(nlh, WG_MULTICAST_GROUP_EVENTS, &f) || strcmp(f.name, WG_GENL_NAME))
		return;
	switch (genl->cmd) {
	case CTRL_CMD_DELFAMILY:
		if (!ev->family)
			return;
		ev->family = 0;
		ev->group = 0;
		ops->module(false, 0, data);
		return;
	case CTRL_CMD_NEWFAMILY:
	case CTRL_CMD_NEWMCAST_GRP:
		/* A new family lists its groups, and each group is then
		 * announced again on its own. */
		if (ev->family == f.id && (ev->group || genl->cmd == CTRL_CMD_NEWMCAST_GRP))
			return;
		ev->family = f.id;
		err = f.group ? join_group(&ev->nl, f.group) : -ENOPROTOOPT;
		ev->group = err ? 0 : f.group;
		ops->module(true, err, data);
		return;
	}
}

int netlink_events_read(struct netlink_events *ev, const struct netlink_events_ops *ops, void *data)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = ev->nl.buf, .iov_len = RECV_BUFFER };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			      .msg_iovlen = 1 };
	const struct nlmsghdr *nlh;
	ssize_t n = recvmsg(mnl_socket_get_fd(ev->nl.sock), &msg, 0);
	int len;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	/* Only the kernel speaks for the module: a message from another
	 * process's port (which takes CAP_NET_ADMIN to send) is no event,
	 * and neither is a truncated one. */
	if (msg.msg_namelen != sizeof(from) || from.nl_pid || (msg.msg_flags & MSG_TRUNC))
		return 0;
	len = (int)n;
	for (nlh = (const struct nlmsghdr *)ev->nl.buf; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
			continue;
		if (nlh->nlmsg_type == GENL_ID_CTRL)
			controller_message(ev, nlh, ops, data);
		else if (ev->family && nlh->nlmsg_type == ev->family)
			ops->event(nlh, data);
	}
	return 0;
}

void netlink_events_close(struct netlink_events *ev)
{
	if (!ev)
		return;
	nl_close(&ev->nl);
	free(ev);
}
