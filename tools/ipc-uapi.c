// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace backend: the key=value text protocol that wireguard-go and
 * boringtun serve on /var/run/wireguard/<name>.sock (docs/protocol.md §7).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <sodium.h>

#include "ipc.h"
#include "uapi-parse.h"

#ifndef WG_SOCKET_DIR
#define WG_SOCKET_DIR "/var/run/wireguard"
#endif

static const char *socket_dir(void)
{
	return WG_SOCKET_DIR;
}

static int uapi_connect(const char *ifname)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	ret = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s.sock", socket_dir(), ifname);
	if (ret < 0 || (size_t)ret >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	if (stat(addr.sun_path, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EBADF;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int uapi_probe(const char *ifname)
{
	int fd = uapi_connect(ifname);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	/* A socket we may not open is still that device's: say so rather
	 * than fall through to the kernel and report something unrelated. */
	return fd == -EACCES || fd == -EPERM ? fd : 0;
}

bool uapi_has_device(const char *ifname)
{
	return uapi_probe(ifname) == 1;
}

int uapi_list_devices(struct name_list *list)
{
	DIR *dir = opendir(socket_dir());
	struct dirent *ent;
	int ret = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((ent = readdir(dir))) {
		char name[IFNAMSIZ + 8];
		size_t len = strlen(ent->d_name);

		if (len <= 5 || len - 5 >= IFNAMSIZ || strcmp(ent->d_name + len - 5, ".sock"))
			continue;
		memcpy(name, ent->d_name, len - 5);
		name[len - 5] = '\0';
		/* A socket left behind by a dead daemon is not a device;
		 * one we may not open is, and reading it will say why. */
		if (!uapi_probe(name))
			continue;
		ret = name_list_add(list, name);
		if (ret)
			break;
	}
	closedir(dir);
	return ret;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads until the blank line that ends an answer. */
static int read_answer(int fd, char **out, size_t *outlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				secure_zero(buf, cap);
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if ((len >= 2 && !memcmp(buf + len - 2, "\n\n", 2)) || (len == 1 && buf[0] == '\n'))
			break;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = cap;
	return 0;
}

int uapi_get_device(struct wg_device **out, const char *ifname)
{
	char *answer = NULL;
	size_t cap = 0;
	int fd, ret;

	fd = uapi_connect(ifname);
	if (fd < 0)
		return -ENODEV;
	ret = write_all(fd, "get=1\n\n", 7);
	if (!ret)
		ret = read_answer(fd, &answer, &cap);
	close(fd);
	if (ret)
		return ret;
	ret = uapi_parse_get(out, answer, ifname);
	secure_zero(answer, cap);
	free(answer);
	if (!ret && ((*out)->has & WGDEVICE_HAS_PRIVATE_KEY)) {
		/* The protocol has no public key: derive it. */
		if (crypto_scalarmult_curve25519_base((*out)->public_key, (*out)->private_key) == 0)
			(*out)->has |= WGDEVICE_HAS_PUBLIC_KEY;
	}
	return ret;
}

int uapi_set_device(struct wg_device *dev)
{
	char *req = NULL, *answer = NULL;
	size_t reqlen = 0, cap = 0;
	FILE *f;
	int fd, ret, err;

	f = open_memstream(&req, &reqlen);
	if (!f)
		return -ENOMEM;
	uapi_format_set(f, dev);
	if (fclose(f)) {
		free(req);
		return -ENOMEM;
	}
	fd = uapi_connect(dev->name);
	if (fd < 0) {
		ret = -ENODEV;
		goto out;
	}
	ret = write_all(fd, req, reqlen);
	if (!ret)
		ret = read_answer(fd, &answer, &cap);
	close(fd);
	if (ret)
		goto out;
	if (sscanf(answer, "errno=%d", &err) != 1)
		ret = -EPROTO;
	else
		ret = err < 0 ? err : -err;	/* daemons differ in the sign */
out:
	secure_zero(req, reqlen);
	free(req);
	if (answer) {
		secure_zero(answer, cap);
		free(answer);
	}
	return ret;
}
