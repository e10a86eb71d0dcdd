// SPDX-License-Identifier: GPL-2.0
/*
 * The two queues of each direction: a device-wide ring that any CPU drains
 * (parallel crypto) and a per-peer queue that is drained from its head only
 * (per-peer order). A packet sits on both until its crypto is done.
 */

#include <linux/cpumask.h>
#include <linux/percpu.h>

#include "queueing.h"

int wg_parallel_queue_init(struct wg_parallel_queue *queue,
			   struct workqueue_struct *wq, work_func_t fn,
			   void *ptr, unsigned int len)
{
	int cpu, ret;

	memset(queue, 0, sizeof(*queue));
	queue->wq = wq;
	queue->last_cpu = -1;
	ret = ptr_ring_init(&queue->ring, len, GFP_KERNEL);
	if (ret)
		return ret;
	queue->worker = alloc_percpu(struct wg_cpu_work);
	if (!queue->worker) {
		ptr_ring_cleanup(&queue->ring, NULL);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		INIT_WORK(&per_cpu_ptr(queue->worker, cpu)->work, fn);
		per_cpu_ptr(queue->worker, cpu)->ptr = ptr;
	}
	return 0;
}

/* The ring must be empty: every packet was drained with its peer. */
void wg_parallel_queue_uninit(struct wg_parallel_queue *queue)
{
	int cpu;

	if (!queue->worker)
		return;
	for_each_possible_cpu(cpu)
		flush_work(&per_cpu_ptr(queue->worker, cpu)->work);
	free_percpu(queue->worker);
	queue->worker = NULL;
	WARN_ON(!__ptr_ring_empty(&queue->ring));
	ptr_ring_cleanup(&queue->ring, NULL);
}

/* Round-robin over the online CPUs. */
static int cpu_next(int *last_cpu)
{
	int cpu = cpumask_next(READ_ONCE(*last_cpu), cpu_online_mask);

	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	WRITE_ONCE(*last_cpu, cpu);
	return cpu;
}

void wg_parallel_queue_kick(struct wg_parallel_queue *queue)
{
	int cpu = cpu_next(&queue->last_cpu);

	queue_work_on(cpu, queue->wq, &per_cpu_ptr(queue->worker, cpu)->work);
}

/* Wake workers on up to @n CPUs: a batch is spread, a single packet is not. */
void wg_parallel_queue_kick_n(struct wg_parallel_queue *queue, unsigned int n)
{
	n = min(n, num_online_cpus());
	while (n--)
		wg_parallel_queue_kick(queue);
}

/*
 * Put a packet on its peer's queue (fixing its place in the order), then on
 * the device ring for any CPU to crypt; the caller kicks the workers, once
 * per batch (wg_parallel_queue_kick_n()). Returns -EPIPE if the peer's queue is
 * full (the caller still owns the packet), or -ENOSPC if the ring is full
 * (the packet was marked dead on the peer's queue, which will free it).
 */
int wg_queue_enqueue_per_device_and_peer(struct wg_parallel_queue *device_queue,
					 struct sk_buff_head *peer_queue,
					 struct sk_buff *skb)
{
	unsigned long flags;

	atomic_set(&PACKET_CB(skb)->state, WG_PACKET_UNCRYPTED);
	spin_lock_irqsave(&peer_queue->lock, flags);
	if (skb_queue_len(peer_queue) >= WG_MAX_QUEUED_PACKETS) {
		spin_unlock_irqrestore(&peer_queue->lock, flags);
		return -EPIPE;
	}
	__skb_queue_tail(peer_queue, skb);
	spin_unlock_irqrestore(&peer_queue->lock, flags);

	if (unlikely(ptr_ring_produce_bh(&device_queue->ring, skb)))
		return -ENOSPC;
	return 0;
}

/*
 * Crypto is done (or failed): publish the state and wake the peer's
 * in-order consumer. Inside an RCU section so that the peer, which the
 * consumer may free as soon as the state is visible, outlives our use of it.
 */
void wg_queue_enqueue_per_peer_tx(struct sk_buff *skb, enum wg_packet_state state)
{
	struct wg_peer *peer;

	rcu_read_lock_bh();
	peer = wg_peer_get_maybe_zero(PACKET_PEER(skb));
	atomic_set_release(&PACKET_CB(skb)->state, state);
	if (peer && (!queue_work_on(raw_smp_processor_id(), wg_crypt_wq,
				    &peer->transmit_packet_work)))
		wg_peer_put(peer);
	rcu_read_unlock_bh();
}

void wg_queue_enqueue_per_peer_rx(struct sk_buff *skb, enum wg_packet_state state)
{
	struct wg_peer *peer;

	rcu_read_lock_bh();
	peer = PACKET_PEER(skb);
	atomic_set_release(&PACKET_CB(skb)->state, state);
	wg_packet_rx_schedule(peer);
	rcu_read_unlock_bh();
}
