// SPDX-License-Identifier: GPL-2.0
/*
 * The per-peer timer state machine of protocol.md section 5. Events from
 * the packet paths arm or disarm timers; the timer callbacks run in softirq
 * and hand anything that may sleep to work items.
 *
 * The five timers of a peer are one timer_list and five due times: a
 * timer_list is 40 bytes, and most configured peers have none armed. Arming
 * stores the due time and pulls the shared timer in if that is sooner
 * (timer_reduce()); disarming only clears the due time, so the shared timer
 * may fire for nothing and then waits for the soonest left. A due time is
 * claimed with cmpxchg() by the callback that runs it, so each arming runs
 * its handler at most once, as with separate timers.
 */

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/random.h>

#include "events.h"
#include "timers.h"
#include "queueing.h"
#include "socket.h"

/* Unrenewed session keys are erased this long after the last handshake. */
#define WG_KEY_EXPIRY_SECONDS (WG_REJECT_AFTER_TIME * 3)

/*
 * For tests only: that delay divided by this, so that a VM test sees
 * KEYS_EXPIRED within seconds. Fixed at load: a timer armed with one
 * delay and compared with another would be no test at all.
 */
static unsigned int test_key_expiry_divisor = 1;

static int set_key_expiry_divisor(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, WG_KEY_EXPIRY_SECONDS);
}

static const struct kernel_param_ops key_expiry_divisor_ops = {
	.set = set_key_expiry_divisor,
	.get = param_get_uint,
};

module_param_cb(test_key_expiry_divisor, &key_expiry_divisor_ops,
		&test_key_expiry_divisor, 0444);
__MODULE_PARM_TYPE(test_key_expiry_divisor, "uint");
MODULE_PARM_DESC(test_key_expiry_divisor,
		 "for tests only: divide the 540 s after which unrenewed session keys are erased (1..540, default 1)");

static unsigned long key_expiry_delay(void)
{
	return WG_KEY_EXPIRY_SECONDS * HZ / test_key_expiry_divisor;
}

static unsigned long jitter(void)
{
	return msecs_to_jiffies(get_random_u32_below(WG_REKEY_TIMEOUT_JITTER_MAX_MS + 1));
}

/* Timers of a peer being removed, or of a device down, are never armed. */
static bool may_arm(struct wg_peer *peer)
{
	return netif_running(peer->device->dev) && !READ_ONCE(peer->is_dead);
}

/* As mod_timer() of that timer alone: due at @expires, whether armed or not. */
static void mod_peer_timer(struct wg_peer *peer, enum wg_peer_timer which,
			   unsigned long expires)
{
	/* 0 means "not armed": a deadline falling on it waits one jiffy. */
	expires += !expires;
	rcu_read_lock_bh();
	if (likely(may_arm(peer))) {
		WRITE_ONCE(peer->timer_due[which], expires);
		timer_reduce(&peer->timer, expires);
	}
	rcu_read_unlock_bh();
}

static bool peer_timer_pending(struct wg_peer *peer, enum wg_peer_timer which)
{
	return READ_ONCE(peer->timer_due[which]) != 0;
}

static void del_peer_timer(struct wg_peer *peer, enum wg_peer_timer which)
{
	WRITE_ONCE(peer->timer_due[which], 0);
}

static void expired_retransmit_handshake(struct wg_peer *peer)
{
	if (peer->timer_handshake_attempts > WG_MAX_TIMER_HANDSHAKES) {
		pr_debug("%s: handshake for peer %llu not completed after %d attempts, giving up\n",
			 peer->device->dev->name, peer->internal_id,
			 WG_MAX_TIMER_HANDSHAKES + 2);
		del_peer_timer(peer, WG_TIMER_SEND_KEEPALIVE);
		/* Nothing will carry these now; new data tries again. */
		wg_packet_purge_staged_packets(peer);
		/* Erase keys in a while unless a handshake succeeds first. */
		if (!peer_timer_pending(peer, WG_TIMER_ZERO_KEY_MATERIAL))
			mod_peer_timer(peer, WG_TIMER_ZERO_KEY_MATERIAL,
				       jiffies + key_expiry_delay());
	} else {
		++peer->timer_handshake_attempts;
		pr_debug("%s: handshake for peer %llu not completed after %d seconds, retrying (try %d)\n",
			 peer->device->dev->name, peer->internal_id,
			 WG_REKEY_TIMEOUT, peer->timer_handshake_attempts + 1);
		/* The source we used may be why nothing came back. */
		wg_socket_clear_peer_endpoint_src(peer);
		wg_packet_send_queued_handshake_initiation(peer, true);
	}
}

static void expired_send_keepalive(struct wg_peer *peer)
{
	wg_packet_send_keepalive(peer);
	if (peer->timer_need_another_keepalive) {
		peer->timer_need_another_keepalive = false;
		mod_peer_timer(peer, WG_TIMER_SEND_KEEPALIVE,
			       jiffies + WG_KEEPALIVE_TIMEOUT * HZ);
	}
}

static void expired_new_handshake(struct wg_peer *peer)
{
	pr_debug("%s: no reply from peer %llu for %d seconds, new handshake\n",
		 peer->device->dev->name, peer->internal_id,
		 WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT);
	wg_socket_clear_peer_endpoint_src(peer);
	wg_packet_send_queued_handshake_initiation(peer, false);
}

static void expired_zero_key_material(struct wg_peer *peer)
{
	/* Clearing the handshake takes its semaphore: not in softirq. */
	rcu_read_lock_bh();
	if (!READ_ONCE(peer->is_dead)) {
		wg_peer_get(peer);
		if (!queue_work(wg_handshake_wq, &peer->clear_peer_work))
			wg_peer_put(peer);
	}
	rcu_read_unlock_bh();
}

static void clear_peer_worker(struct work_struct *work)
{
	struct wg_peer *peer = container_of(work, struct wg_peer, clear_peer_work);

	pr_debug("%s: zeroing keys of peer %llu: no new handshake for %u seconds\n",
		 peer->device->dev->name, peer->internal_id,
		 WG_KEY_EXPIRY_SECONDS / test_key_expiry_divisor);
	wg_noise_handshake_clear(&peer->handshake);
	/* No event when there was nothing to erase (after a failed handshake). */
	if (wg_noise_keypairs_clear(&peer->keypairs))
		wg_event_keys_expired(peer);
	wg_peer_put(peer);
}

static void expired_persistent_keepalive(struct wg_peer *peer)
{
	if (likely(peer->persistent_keepalive_interval))
		wg_packet_send_keepalive(peer);
}

static void (*const peer_timer_handler[WG_PEER_TIMERS])(struct wg_peer *) = {
	[WG_TIMER_RETRANSMIT_HANDSHAKE] = expired_retransmit_handshake,
	[WG_TIMER_SEND_KEEPALIVE] = expired_send_keepalive,
	[WG_TIMER_NEW_HANDSHAKE] = expired_new_handshake,
	[WG_TIMER_ZERO_KEY_MATERIAL] = expired_zero_key_material,
	[WG_TIMER_PERSISTENT_KEEPALIVE] = expired_persistent_keepalive,
};

/* The shared timer: run what is due, then wait for the soonest left. */
static void expired_peer_timer(struct timer_list *timer)
{
	struct wg_peer *peer = from_timer(peer, timer, timer);
	unsigned long now = jiffies, next = 0, due;
	int i;

	for (i = 0; i < WG_PEER_TIMERS; i++) {
		due = READ_ONCE(peer->timer_due[i]);
		/* Not if disarmed or pushed back meanwhile. */
		if (due && time_after_eq(now, due) &&
		    cmpxchg(&peer->timer_due[i], due, 0) == due)
			peer_timer_handler[i](peer);
	}
	for (i = 0; i < WG_PEER_TIMERS; i++) {
		due = READ_ONCE(peer->timer_due[i]);
		if (due && (!next || time_before(due, next)))
			next = due;
	}
	/* An arming that raced with this pulled the timer in itself. */
	rcu_read_lock_bh();
	if (next && likely(may_arm(peer)))
		timer_reduce(&peer->timer, next);
	rcu_read_unlock_bh();
}

/* A data packet went out. */
void wg_timers_data_sent(struct wg_peer *peer)
{
	if (!peer_timer_pending(peer, WG_TIMER_NEW_HANDSHAKE))
		mod_peer_timer(peer, WG_TIMER_NEW_HANDSHAKE,
			       jiffies + (WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT) * HZ +
			       jitter());
}

/* A data packet came in: answer it within the keepalive timeout. */
void wg_timers_data_received(struct wg_peer *peer)
{
	if (likely(netif_running(peer->device->dev))) {
		if (!peer_timer_pending(peer, WG_TIMER_SEND_KEEPALIVE))
			mod_peer_timer(peer, WG_TIMER_SEND_KEEPALIVE,
				       jiffies + WG_KEEPALIVE_TIMEOUT * HZ);
		else
			peer->timer_need_another_keepalive = true;
	}
}

/* Anything authenticated went out: no keepalive is needed for a while. */
void wg_timers_any_authenticated_packet_sent(struct wg_peer *peer)
{
	del_peer_timer(peer, WG_TIMER_SEND_KEEPALIVE);
}

/* Anything authenticated came in: the peer is alive. */
void wg_timers_any_authenticated_packet_received(struct wg_peer *peer)
{
	del_peer_timer(peer, WG_TIMER_NEW_HANDSHAKE);
}

void wg_timers_handshake_initiated(struct wg_peer *peer)
{
	mod_peer_timer(peer, WG_TIMER_RETRANSMIT_HANDSHAKE,
		       jiffies + WG_REKEY_TIMEOUT * HZ + jitter());
}

void wg_timers_handshake_complete(struct wg_peer *peer)
{
	struct timespec64 now;

	del_peer_timer(peer, WG_TIMER_RETRANSMIT_HANDSHAKE);
	peer->timer_handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	ktime_get_real_ts64(&now);
	spin_lock_bh(&peer->walltime_lock);
	peer->walltime_last_handshake = now;
	spin_unlock_bh(&peer->walltime_lock);
	wg_event_handshake_completed(peer, &now);
}

/* New keys: they are erased if no other handshake follows in time. */
void wg_timers_session_derived(struct wg_peer *peer)
{
	mod_peer_timer(peer, WG_TIMER_ZERO_KEY_MATERIAL,
		       jiffies + key_expiry_delay());
}

/* Anything authenticated went either way: restart the persistent keepalive. */
void wg_timers_any_authenticated_packet_traversal(struct wg_peer *peer)
{
	u16 interval = READ_ONCE(peer->persistent_keepalive_interval);

	if (interval)
		mod_peer_timer(peer, WG_TIMER_PERSISTENT_KEEPALIVE,
			       jiffies + interval * HZ);
}

void wg_timers_init(struct wg_peer *peer)
{
	int i;

	timer_setup(&peer->timer, expired_peer_timer, 0);
	for (i = 0; i < WG_PEER_TIMERS; i++)
		peer->timer_due[i] = 0;
	INIT_WORK(&peer->clear_peer_work, clear_peer_worker);
	peer->timer_handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	peer->timer_need_another_keepalive = false;
}

/* Disarm every timer and wait for running callbacks. */
void wg_timers_stop(struct wg_peer *peer)
{
	int i;

	/*
	 * Arming is refused by now; a handler still running may have armed
	 * another of the five before it saw that: clear them after the wait.
	 */
	del_timer_sync(&peer->timer);
	for (i = 0; i < WG_PEER_TIMERS; i++)
		WRITE_ONCE(peer->timer_due[i], 0);
	if (cancel_work_sync(&peer->clear_peer_work))
		wg_peer_put(peer);
}
