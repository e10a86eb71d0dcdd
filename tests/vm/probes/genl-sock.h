/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic-netlink plumbing the probes share: a bound socket, and the id
 * of a family asked of the controller. Raw netlink on purpose, like the
 * probes: no library between a test and the messages. Errors are printed
 * and returned; what they cost (the exit status) is each probe's choice.
 */
#ifndef GENL_SOCK_H
#define GENL_SOCK_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "../../../uapi/wireguard.h"

/* A NETLINK_GENERIC socket bound to a kernel-chosen port, or -1. */
static int genl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("netlink socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("netlink bind");
		close(fd);
		return -1;
	}
	return fd;
}

/* The id of the family @name, asked on @fd; 0 if there is none. */
static unsigned short genl_family_id(int fd, const char *name)
{
	char req[128] __attribute__((aligned(NLMSG_ALIGNTO))) = { 0 };
	static char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)req;
	struct genlmsghdr *genl = NLMSG_DATA(nlh);
	size_t namelen = strlen(name) + 1;
	struct nlattr *nla;
	ssize_t len;
	int rem;

	if (NLMSG_LENGTH(GENL_HDRLEN) + NLA_HDRLEN + namelen > sizeof(req)) {
		fprintf(stderr, "family name too long: %s\n", name);
		return 0;
	}
	nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 1;
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	nla = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);
	nla->nla_type = CTRL_ATTR_FAMILY_NAME;
	nla->nla_len = NLA_HDRLEN + namelen;
	memcpy((char *)nla + NLA_HDRLEN, name, namelen);
	nlh->nlmsg_len += NLA_ALIGN(nla->nla_len);
	if (send(fd, req, nlh->nlmsg_len, 0) < 0) {
		perror("netlink send");
		return 0;
	}
	len = recv(fd, buf, sizeof(buf), 0);
	if (len < 0) {
		perror("netlink recv");
		return 0;
	}
	nlh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nlh, len) || nlh->nlmsg_type == NLMSG_ERROR) {
		fprintf(stderr, "no generic netlink family %s\n", name);
		return 0;
	}
	nla = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	rem = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (; rem >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN && nla->nla_len <= rem;
	     rem -= NLA_ALIGN(nla->nla_len),
	     nla = (struct nlattr *)((char *)nla + NLA_ALIGN(nla->nla_len)))
		if ((nla->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			return *(unsigned short *)((char *)nla + NLA_HDRLEN);
	fprintf(stderr, "no family id for %s\n", name);
	return 0;
}

/* A socket for the "wireguard" family, its id in @family; -1 after
 * printing why. */
static inline int genl_open_wireguard(unsigned short *family)
{
	int fd = genl_open();

	if (fd < 0)
		return -1;
	*family = genl_family_id(fd, WG_GENL_NAME);
	if (!*family) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Appends attribute @type with @len bytes of @data to the message @nlh. */
static inline void genl_put_attr(struct nlmsghdr *nlh, unsigned short type,
				 const void *data, size_t len)
{
	struct nlattr *nla = (struct nlattr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(nla->nla_len);
}

/*
 * Sends the GET_DEVICE dump request of the "wireguard" family (id @family)
 * for the device named @ifname, as wg does (version 1, no ACK asked);
 * 0, or -1 after printing why.
 */
static inline int genl_dump_device(int fd, unsigned short family, const char *ifname)
{
	char req[256] __attribute__((aligned(NLMSG_ALIGNTO))) = { 0 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)req;
	struct genlmsghdr *genl = NLMSG_DATA(nlh);

	if (strlen(ifname) >= IFNAMSIZ) {
		fprintf(stderr, "interface name too long: %s\n", ifname);
		return -1;
	}
	nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	genl->cmd = WG_CMD_GET_DEVICE;
	genl->version = 1;
	genl_put_attr(nlh, WGDEVICE_A_IFNAME, ifname, strlen(ifname) + 1);
	if (send(fd, req, nlh->nlmsg_len, 0) < 0) {
		perror("netlink send");
		return -1;
	}
	return 0;
}

/* genl_dump_part()'s answers. */
enum {
	GENL_DUMP_MORE,		/* the dump goes on: read the next part */
	GENL_DUMP_DONE,		/* NLMSG_DONE was in this part */
	GENL_DUMP_REFUSED,	/* the kernel answered an error (printed) */
	GENL_DUMP_BROKEN,	/* reading failed (printed) */
};

/*
 * Reads one part of the dump that answers the request sent on @fd (one
 * recv into @buf of @size bytes) and hands @each every message of it
 * before an error, NLMSG_DONE included (its flags say what the end's do).
 */
static inline int genl_dump_part(int fd, void *buf, size_t size,
				 void (*each)(const struct nlmsghdr *nlh, void *ctx), void *ctx)
{
	const struct nlmsghdr *nlh;
	ssize_t len = recv(fd, buf, size, 0);

	if (len < 0) {
		perror("netlink recv");
		return GENL_DUMP_BROKEN;
	}
	for (nlh = buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *err = NLMSG_DATA(nlh);

			fprintf(stderr, "dump failed: %s\n", strerror(-err->error));
			return GENL_DUMP_REFUSED;
		}
		each(nlh, ctx);
		if (nlh->nlmsg_type == NLMSG_DONE)
			return GENL_DUMP_DONE;
	}
	return GENL_DUMP_MORE;
}

#endif /* GENL_SOCK_H */
