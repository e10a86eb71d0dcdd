/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KWG_DEVICE_H
#define _KWG_DEVICE_H

#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/list.h>
#include <linux/ptr_ring.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "noise.h"
#include "cookie.h"
#include "allowedips.h"
#include "ratelimiter.h"

struct net_device;

/* One work item per CPU, all serving the same device-wide ring. */
struct wg_cpu_work {
	struct work_struct work;
	void *ptr;
};

/*
 * A device-wide ring of packets drained by a worker on every CPU: this is
 * what spreads the crypto of one peer over all CPUs (packets to encrypt or
 * decrypt, handshake messages to answer).
 */
struct wg_parallel_queue {
	struct ptr_ring ring;
	struct wg_cpu_work __percpu *worker;
	struct workqueue_struct *wq;	/* where the workers run */
	int last_cpu;
};

/**
 * struct wg_rx_napi - A delivery poll for decrypted packets, shared by peers.
 * @napi: polls @ready, on the CPU that last scheduled it.
 * @lock: guards @ready, which any CPU's decryption may add to; taken with
 *	BH off.
 * @ready: this poll's peers whose oldest queued packet is decrypted (or
 *	dead), each holding a reference and WG_PEER_RX_SCHEDULED while on it.
 *
 * As many as possible CPUs, each peer tied to one for its life (by its
 * id) rather than a napi_struct per peer: one is some 400 bytes, a fifth
 * of what a peer costs, and idle peers need none. Tied, because GRO and
 * the batching of the stack hold packets per napi_struct until the poll
 * ends: a peer moving between two would see its packets overtake each
 * other. So a peer's packets still go up from one poll, in order.
 */
struct wg_rx_napi {
	struct napi_struct napi;
	spinlock_t lock;		/* guards ready */
	struct list_head ready;
} ____cacheline_aligned_in_smp;

struct wg_device {
	struct net_device *dev;
	/*
	 * The namespace the device was created in. Its UDP sockets live
	 * there for the device's whole life, even after the device moves to
	 * another namespace; the device dies with this namespace. No
	 * reference is held: the pernet exit hook detaches the device first.
	 */
	struct net *creating_net;
	/* Serialises configuration changes; packet paths never take it. */
	struct mutex device_update_lock;
	struct list_head device_list;	/* under RTNL */
	u16 incoming_port;
	u32 fwmark;

	struct sock __rcu *sock4;
	struct sock __rcu *sock6;

	struct wg_noise_device noise;
	struct wg_cookie_checker cookie_checker;
	struct wg_allowedips peer_allowedips;
	struct wg_ratelimiter ratelimiter;

	struct list_head peer_list;	/* under device_update_lock */
	unsigned int num_peers;
	/* Removal of a peer waits here for its packets in flight. */
	wait_queue_head_t dead_peer_drained;
	/* Bumped on every configuration change: marks dumps interrupted. */
	unsigned int device_update_gen;
	u64 peer_next_id;

	struct wg_parallel_queue encrypt_queue;
	struct wg_parallel_queue decrypt_queue;
	/* Indexed by CPU id, nr_cpu_ids of them: see struct wg_rx_napi. */
	struct wg_rx_napi *rx_napi;
	/* Received handshake messages (skbs), bounded, served on all CPUs. */
	struct wg_parallel_queue incoming_handshakes;
	atomic_t incoming_handshakes_len;
	/* wg_clock_ns() when the handshake queue was last found loaded. */
	u64 last_under_load;
};

/*
 * Workqueues shared by every device (created at module load): one for data
 * packets (encryption, decryption, in-order transmission), one for the
 * handshake (answering received messages, sending initiations, erasing
 * keys that expired), which may sleep.
 */
extern struct workqueue_struct *wg_crypt_wq;
extern struct workqueue_struct *wg_handshake_wq;

/*
 * Create the workqueues and register the link kind and the namespace hook.
 * Module init; returns 0 or a negative errno.
 */
int wg_device_init(void);

/* Undo it; every device is gone once the link kind is unregistered. */
void wg_device_uninit(void);

#endif /* _KWG_DEVICE_H */
