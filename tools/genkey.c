// SPDX-License-Identifier: GPL-2.0
/* genkey, genpsk and pubkey: the only users of libsodium. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "encoding.h"
#include "subcommands.h"

int cmd_genkey(int argc, char **argv)
{
	uint8_t key[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN + 1];
	struct stat st;
	bool psk = !strcmp(argv[0], "genpsk");

	(void)argc; /* main() checked the count against the usage */

	if (sodium_init() < 0) {
		fprintf(stderr, "%s: unable to initialise libsodium\n", argv[0]);
		return 1;
	}
	/* A key redirected into a file others can read is a leaked key. */
	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n", stderr);
	randombytes_buf(key, sizeof(key));
	if (!psk)
		key_clamp(key);
	key_to_base64(b64, key);
	sodium_memzero(key, sizeof(key));
	puts(b64);
	sodium_memzero(b64, sizeof(b64));
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	return 0;
}

int cmd_pubkey(int argc, char **argv)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	char buf[WG_KEY_B64_LEN + 64], out[WG_KEY_B64_LEN + 1];
	size_t len = 0, start = 0;
	int ret = 1;

	(void)argc; /* main() checked the count against the usage */

	if (sodium_init() < 0) {
		fprintf(stderr, "%s: unable to initialise libsodium\n", argv[0]);
		return 1;
	}
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	while (len && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	while (isspace((unsigned char)buf[start]))
		start++;
	if (!key_from_base64(priv, buf + start)) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", argv[0]);
		goto out;
	}
	if (crypto_scalarmult_curve25519_base(pub, priv)) {
		fprintf(stderr, "%s: Unable to derive a public key\n", argv[0]);
		goto out;
	}
	key_to_base64(out, pub);
	puts(out);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(buf, sizeof(buf));
	return ret;
}
