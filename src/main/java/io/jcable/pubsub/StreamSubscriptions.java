package io.jcable.pubsub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which streams a pub/sub should receive ({@code desired}, as the hub marks them) and which it has subscribed
 * on the live connection ({@code active}). {@link #follow} compares the two under one lock, so whatever order the
 * threads of a first and a last subscriber come in, the last follow leaves the transport as the hub is. After a
 * reconnect {@link #resubscribeAll} subscribes every desired stream again, in batches.
 */
final class StreamSubscriptions {
    /** Streams per SUBSCRIBE after a reconnect (broadcasting.md: batches of 256). */
    static final int BATCH = 256;
    /** How long a first subscriber waits for the transport to confirm the stream's subscription. */
    private static final Duration ACK_WAIT = Duration.ofSeconds(2);

    /** The transport's subscribe and unsubscribe; false when nothing was sent (not connected). */
    interface Transport {
        boolean subscribe(List<String> streams);

        boolean unsubscribe(List<String> streams);
    }

    private final Transport transport;
    private final Set<String> desired = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<Void>> acks = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private final Set<String> active = new HashSet<>();
    private volatile int activeCount;

    StreamSubscriptions(Transport transport) {
        this.transport = transport;
    }

    void mark(String stream, boolean subscribed) {
        if (subscribed) {
            desired.add(stream);
        } else {
            desired.remove(stream);
        }
    }

    /** Subscribes or unsubscribes {@code stream} as marked; waits (bounded) for a pending confirmation. */
    void follow(String stream) {
        CompletableFuture<Void> ack = null;
        lock.lock();
        try {
            boolean want = desired.contains(stream);
            boolean have = active.contains(stream);
            if (want && !have) {
                CompletableFuture<Void> pending = new CompletableFuture<>();
                acks.put(stream, pending);
                if (transport.subscribe(List.of(stream))) {
                    active.add(stream);
                    ack = pending;
                } else {
                    acks.remove(stream, pending);
                }
            } else if (!want && have) {
                active.remove(stream);
                acks.remove(stream);
                transport.unsubscribe(List.of(stream));
            } else if (want) {
                ack = acks.get(stream);
            }
            activeCount = active.size();
        } finally {
            lock.unlock();
        }
        if (ack != null) {
            await(ack);
        }
    }

    /** The transport confirmed a subscription. */
    void acked(String stream) {
        CompletableFuture<Void> ack = acks.remove(stream);
        if (ack != null) {
            ack.complete(null);
        }
    }

    /** A new connection: nothing is subscribed on it yet; subscribe every desired stream in batches. */
    void resubscribeAll() {
        lock.lock();
        try {
            active.clear();
            List<String> all = new ArrayList<>(desired);
            for (int from = 0; from < all.size(); from += BATCH) {
                List<String> batch = all.subList(from, Math.min(all.size(), from + BATCH));
                if (!transport.subscribe(batch)) {
                    break;
                }
                active.addAll(batch);
            }
            activeCount = active.size();
        } finally {
            lock.unlock();
        }
    }

    /** Streams subscribed on the live connection (metrics). */
    int activeCount() {
        return activeCount;
    }

    private static void await(CompletableFuture<Void> ack) {
        try {
            ack.get(ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Bounded: the confirmation goes out anyway; the subscription is in place or will be after a reconnect.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
