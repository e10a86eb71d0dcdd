/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-peer timers of protocol.md section 5. The packet paths report
 * events; the timers retransmit handshakes, send keepalives, start new
 * handshakes after silence and erase keys nobody renewed.
 *
 * Every event may be reported from any context but hard IRQ. Timers are
 * armed only while the device is up and the peer alive (is_dead checked
 * under RCU-bh, which removal's grace period waits for).
 */
#ifndef _KWG_TIMERS_H
#define _KWG_TIMERS_H

#include "peer.h"

/* Set up the timers of a new peer (none armed). Process context. */
void wg_timers_init(struct wg_peer *peer);

/*
 * Disarm every timer and wait for running callbacks and the key-erasing
 * work. Process context; the caller makes sure nothing re-arms them
 * (device down, or the peer dead).
 */
void wg_timers_stop(struct wg_peer *peer);

/* A data packet (not a keepalive) went out: expect an answer in time. */
void wg_timers_data_sent(struct wg_peer *peer);

/* A data packet came in: answer it within KEEPALIVE_TIMEOUT. */
void wg_timers_data_received(struct wg_peer *peer);

/* Anything authenticated went out: no keepalive is due. */
void wg_timers_any_authenticated_packet_sent(struct wg_peer *peer);

/* Anything authenticated came in: the peer is alive. */
void wg_timers_any_authenticated_packet_received(struct wg_peer *peer);

/* An initiation went out: retransmit it if no response comes. */
void wg_timers_handshake_initiated(struct wg_peer *peer);

/* A handshake completed (response or first data on new keys). */
void wg_timers_handshake_complete(struct wg_peer *peer);

/* New session keys: erase them if no handshake follows in time. */
void wg_timers_session_derived(struct wg_peer *peer);

/* Anything authenticated went either way: restart persistent keepalive. */
void wg_timers_any_authenticated_packet_traversal(struct wg_peer *peer);

#endif /* _KWG_TIMERS_H */
