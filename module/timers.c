// SPDX-License-Identifier: GPL-2.0
/*
 * The per-peer timer state machine of protocol.md section 5. Events from
 * the packet paths arm or disarm timers; the timer callbacks run in softirq
 * and hand anything that may sleep to work items.
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

/* Timers of a peer being removed are never armed again. */
static void mod_peer_timer(struct wg_peer *peer, struct timer_list *timer,
			   unsigned long expires)
{
	rcu_read_lock_bh();
	if (likely(netif_running(peer->device->dev) && !READ_ONCE(peer->is_dead)))
		mod_timer(timer, expires);
	rcu_read_unlock_bh();
}

static void expired_retransmit_handshake(struct timer_list *timer)
{
	struct wg_peer *peer = from_timer(peer, timer, timer_retransmit_handshake);

	if (peer->timer_handshake_attempts > WG_MAX_TIMER_HANDSHAKES) {
		pr_debug("%s: handshake for peer %llu not completed after %d attempts, giving up\n",
			 peer->device->dev->name, peer->internal_id,
			 WG_MAX_TIMER_HANDSHAKES + 2);
		del_timer(&peer->timer_send_keepalive);
		/* Nothing will carry these now; new data tries again. */
		wg_packet_purge_staged_packets(peer);
		/* Erase keys in a while unless a handshake succeeds first. */
		if (!timer_pending(&peer->timer_zero_key_material))
			mod_peer_timer(peer, &peer->timer_zero_key_material,
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

static void expired_send_keepalive(struct timer_list *timer)
{
	struct wg_peer *peer = from_timer(peer, timer, timer_send_keepalive);

	wg_packet_send_keepalive(peer);
	if (peer->timer_need_another_keepalive) {
		peer->timer_need_another_keepalive = false;
		mod_peer_timer(peer, &peer->timer_send_keepalive,
			       jiffies + WG_KEEPALIVE_TIMEOUT * HZ);
	}
}

static void expired_new_handshake(struct timer_list *timer)
{
	struct wg_peer *peer = from_timer(peer, timer, timer_new_handshake);

	pr_debug("%s: no reply from peer %llu for %d seconds, new handshake\n",
		 peer->device->dev->name, peer->internal_id,
		 WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT);
	wg_socket_clear_peer_endpoint_src(peer);
	wg_packet_send_queued_handshake_initiation(peer, false);
}

static void expired_zero_key_material(struct timer_list *timer)
{
	struct wg_peer *peer = from_timer(peer, timer, timer_zero_key_material);

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

static void expired_persistent_keepalive(struct timer_list *timer)
{
	struct wg_peer *peer = from_timer(peer, timer, timer_persistent_keepalive);

	if (likely(peer->persistent_keepalive_interval))
		wg_packet_send_keepalive(peer);
}

/* A data packet went out. */
void wg_timers_data_sent(struct wg_peer *peer)
{
	if (!timer_pending(&peer->timer_new_handshake))
		mod_peer_timer(peer, &peer->timer_new_handshake,
			       jiffies + (WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT) * HZ +
			       jitter());
}

/* A data packet came in: answer it within the keepalive timeout. */
void wg_timers_data_received(struct wg_peer *peer)
{
	if (likely(netif_running(peer->device->dev))) {
		if (!timer_pending(&peer->timer_send_keepalive))
			mod_peer_timer(peer, &peer->timer_send_keepalive,
				       jiffies + WG_KEEPALIVE_TIMEOUT * HZ);
		else
			peer->timer_need_another_keepalive = true;
	}
}

/* Anything authenticated went out: no keepalive is needed for a while. */
void wg_timers_any_authenticated_packet_sent(struct wg_peer *peer)
{
	del_timer(&peer->timer_send_keepalive);
}

/* Anything authenticated came in: the peer is alive. */
void wg_timers_any_authenticated_packet_received(struct wg_peer *peer)
{
	del_timer(&peer->timer_new_handshake);
}

void wg_timers_handshake_initiated(struct wg_peer *peer)
{
	mod_peer_timer(peer, &peer->timer_retransmit_handshake,
		       jiffies + WG_REKEY_TIMEOUT * HZ + jitter());
}

void wg_timers_handshake_complete(struct wg_peer *peer)
{
	struct timespec64 now;

	del_timer(&peer->timer_retransmit_handshake);
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
	mod_peer_timer(peer, &peer->timer_zero_key_material,
		       jiffies + key_expiry_delay());
}

/* Anything authenticated went either way: restart the persistent keepalive. */
void wg_timers_any_authenticated_packet_traversal(struct wg_peer *peer)
{
	u16 interval = READ_ONCE(peer->persistent_keepalive_interval);

	if (interval)
		mod_peer_timer(peer, &peer->timer_persistent_keepalive,
			       jiffies + interval * HZ);
}

void wg_timers_init(struct wg_peer *peer)
{
	timer_setup(&peer->timer_retransmit_handshake,
		    expired_retransmit_handshake, 0);
	timer_setup(&peer->timer_send_keepalive, expired_send_keepalive, 0);
	timer_setup(&peer->timer_new_handshake, expired_new_handshake, 0);
	timer_setup(&peer->timer_zero_key_material,
		    expired_zero_key_material, 0);
	timer_setup(&peer->timer_persistent_keepalive,
		    expired_persistent_keepalive, 0);
	INIT_WORK(&peer->clear_peer_work, clear_peer_worker);
	peer->timer_handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	peer->timer_need_another_keepalive = false;
}

/* Disarm every timer and wait for running callbacks. */
void wg_timers_stop(struct wg_peer *peer)
{
	del_timer_sync(&peer->timer_retransmit_handshake);
	del_timer_sync(&peer->timer_send_keepalive);
	del_timer_sync(&peer->timer_new_handshake);
	del_timer_sync(&peer->timer_zero_key_material);
	del_timer_sync(&peer->timer_persistent_keepalive);
	if (cancel_work_sync(&peer->clear_peer_work))
		wg_peer_put(peer);
}
