package io.jcable.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a Redis user ({@code what}) can reach Redis, shared by its {@link RedisWorkers}: the loss is logged once
 * with its consequence and the return once, never per command; while Redis is lost, commands fail at once except
 * one try per {@link #RETRY} (so a dead Redis costs no waiting, and a Redis that is back is found within a second).
 */
public final class RedisOutage {
    private static final Logger LOG = LoggerFactory.getLogger(RedisOutage.class);
    static final Duration RETRY = Duration.ofSeconds(1);

    private final String what;
    private final String consequence;
    private final String where;
    private final AtomicBoolean lost = new AtomicBoolean();
    private final AtomicLong retryAtNanos = new AtomicLong();
    /** How many times Redis was lost: a connection opened before the latest loss may be dead (Redis restarted). */
    private final AtomicLong losses = new AtomicLong();

    /**
     * @param what        who uses Redis, for the log ("The Redis broker")
     * @param consequence what happens meanwhile, for the log
     * @param where       the Redis, for the log ({@link RedisConnector#describe()})
     */
    public RedisOutage(String what, String consequence, String where) {
        this.what = what;
        this.consequence = consequence;
        this.where = where;
    }

    /** True while Redis is lost and this is not the moment to try again: fail without trying. */
    boolean failFast() {
        if (!lost.get()) {
            return false;
        }
        long retryAt = retryAtNanos.get();
        return System.nanoTime() - retryAt < 0 || !retryAtNanos.compareAndSet(retryAt, System.nanoTime()
                + RETRY.toNanos());
    }

    void failed(RuntimeException cause) {
        retryAtNanos.set(System.nanoTime() + RETRY.toNanos());
        if (lost.compareAndSet(false, true)) {
            losses.incrementAndGet();
            LOG.warn("{} lost Redis at {} (check ANYCABLE_REDIS_URL): {}. Until it is back: {}", what, where,
                    cause.getMessage(), consequence);
        }
    }

    void succeeded() {
        if (lost.compareAndSet(true, false)) {
            LOG.info("{} reached Redis at {} again", what, where);
        }
    }

    /** How many times Redis was lost so far. */
    long losses() {
        return losses.get();
    }

    /** Whether Redis is lost now (for tests and readiness-like checks). */
    public boolean isLost() {
        return lost.get();
    }
}
