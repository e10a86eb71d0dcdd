/* SPDX-License-Identifier: GPL-2.0 */
/* Key text forms: base64 for people and files, lowercase hex for the UAPI socket. */
#ifndef WG_ENCODING_H
#define WG_ENCODING_H

#include <stdbool.h>
#include <stdint.h>
#include "device.h"

/* out must hold WG_KEY_B64_LEN + 1 bytes. */
void key_to_base64(char out[WG_KEY_B64_LEN + 1], const uint8_t key[WG_KEY_LEN]);
/* Accepts only the canonical 44-character form. */
bool key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64);
/* out must hold WG_KEY_HEX_LEN + 1 bytes. */
void key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN]);
/* Accepts upper- or lowercase, exactly 64 digits. */
bool key_from_hex(uint8_t key[WG_KEY_LEN], const char *hex);

#endif
