package io.jcable.presence;

import io.jcable.pubsub.TransientPublisher;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence as the session layer sees it (docs/protocol.md §6.6): changes a session's records in the
 * {@link PresenceStore} and publishes the events due as transient broadcasts of type {@code presence} on the
 * presence stream, through the pub/sub (so every node's subscribers get them once). A session that is gone lingers
 * {@code ANYCABLE_PRESENCE_TTL}; one platform thread renews this node's live records in the store and ends the
 * lingers whose time is up every {@link #SWEEP}. Methods
 * other than {@link #linger} throw {@link PresenceUnavailable} when the store cannot serve them.
 */
public final class Presence {
    private static final Logger LOG = LoggerFactory.getLogger(Presence.class);
    /** Broadcast type of the events: the frames arrive as {@code {"type":"presence",…}}. */
    public static final String BROADCAST_TYPE = "presence";
    static final Duration SWEEP = Duration.ofMillis(250);

    private final PresenceStore store;
    private final TransientPublisher publisher;
    private final long ttlMillis;
    private final LongSupplier clock;
    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("jcable-presence").daemon().factory());
    /** Whether the last sweep failed (logged once per outage); owned by the sweeper thread. */
    private boolean sweepFailing;

    public Presence(PresenceStore store, TransientPublisher publisher, Duration ttl) {
        this(store, publisher, ttl, System::currentTimeMillis);
    }

    Presence(PresenceStore store, TransientPublisher publisher, Duration ttl, LongSupplier clock) {
        this.store = store;
        this.publisher = publisher;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    /** Starts the sweeper (stopped by {@link #stop}). */
    public void start() {
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@code sid} joins as {@code membership} (replacing what it held on that stream). */
    public void join(String sid, Membership membership) {
        publish(store.join(membership.stream(), sid, membership.id(), membership.info()));
    }

    /** {@code sid} leaves {@code stream} at once. */
    public void leave(String sid, String stream) {
        PresenceEvent leave = store.leave(stream, sid);
        if (leave != null) {
            publish(List.of(leave));
        }
    }

    /** {@code sid} is gone: its record stays {@code ANYCABLE_PRESENCE_TTL}. A failure is only logged. */
    public void linger(String sid, Membership membership) {
        try {
            store.linger(membership.stream(), sid, clock.getAsLong() + ttlMillis);
        } catch (PresenceUnavailable e) {
            LOG.warn("sid={} presence on a stream could not linger: {}", sid, e.getMessage());
        }
    }

    /**
     * A restored session takes over what its lost predecessor held: the new sid joins before the old one leaves, so
     * the id never looks absent and nobody hears a leave and a join.
     */
    public void handOver(String oldSid, String newSid, Membership membership) {
        join(newSid, membership);
        leave(oldSid, membership.stream());
    }

    public PresenceState state(String stream, boolean withRecords) {
        return store.state(stream, withRecords);
    }

    private void publish(List<PresenceEvent> events) {
        for (PresenceEvent event : events) {
            publisher.publish(event.stream(), event.message(), null, BROADCAST_TYPE);
        }
    }

    /** On the sweeper thread: renews this node's records, ends due lingers, and announces the joins and leaves. */
    void sweep() {
        try {
            long now = clock.getAsLong();
            publish(store.renew(now));
            publish(store.expire(now));
            if (sweepFailing) {
                sweepFailing = false;
                LOG.info("Presence lingers are ended again");
            }
        } catch (PresenceUnavailable e) {
            if (!sweepFailing) {
                sweepFailing = true;
                LOG.warn("Presence lingers cannot be ended now (retrying every {} ms): {}", SWEEP.toMillis(),
                        e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("Presence sweep failed", e);
        }
    }

    public void stop() {
        sweeper.shutdownNow();
        store.stop();
    }
}
