package io.jcable.broker;

import io.jcable.protocol.StreamPosition;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * {@code ANYCABLE_BROKER=memory}: one node's history. The epoch is a random 4-character id chosen at start (a
 * restart makes every position the clients hold unknown, so they are refused and refetch by time). Per stream:
 * offsets 1, 2, 3 …, the newest {@code limit} entries each at most {@code ttl} old; a stream's counter is
 * forgotten {@value #COUNTER_LIFETIMES} TTLs after its last publication. Each stream's state changes inside its
 * map entry's lock, which is held only to copy a few references.
 */
public final class MemoryBroker implements Broker {
    /** A stream's offset counter outlives its last entry by this many TTLs (as anycable-go's). */
    static final int COUNTER_LIFETIMES = 10;
    private static final String EPOCH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final String epoch;
    private final int limit;
    private final long ttlMs;
    private final LongSupplier clock;
    private final ConcurrentMap<String, StreamLog> streams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService expiry;

    /** One stream's counter and retained entries; touched only inside its map entry's compute. */
    private static final class StreamLog {
        long lastOffset;
        long lastPublishedAtMs;
        final ArrayDeque<HistoryEntry> entries = new ArrayDeque<>();
    }

    /** Starts the expiry thread (stopped by {@link #stop}). */
    public MemoryBroker(int limit, Duration ttl) {
        this(limit, ttl, System::currentTimeMillis, randomEpoch());
        expiry.scheduleWithFixedDelay(this::expire, 1, Math.max(1, ttl.toSeconds() / 2), TimeUnit.SECONDS);
    }

    /** Without the expiry thread: expiry happens on access and by {@link #expire} (tests drive the clock). */
    MemoryBroker(int limit, Duration ttl, LongSupplier clock, String epoch) {
        this.limit = limit;
        this.ttlMs = ttl.toMillis();
        this.clock = clock;
        this.epoch = epoch;
        this.expiry = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("jcable-broker-expiry").daemon().factory());
    }

    static String randomEpoch() {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            id.append(EPOCH_CHARS.charAt(random.nextInt(EPOCH_CHARS.length())));
        }
        return id.toString();
    }

    @Override
    public boolean clusterWide() {
        return false;
    }

    @Override
    public CompletableFuture<StreamPosition> store(String stream, String message, String type) {
        long now = clock.getAsLong();
        StreamPosition[] stored = new StreamPosition[1];
        streams.compute(stream, (name, log) -> {
            StreamLog result = log == null ? new StreamLog() : log;
            StreamPosition position = new StreamPosition(epoch, ++result.lastOffset);
            result.lastPublishedAtMs = now;
            result.entries.addLast(new HistoryEntry(position, now, message, type));
            while (result.entries.size() > limit) {
                result.entries.removeFirst();
            }
            evictExpired(result, now);
            stored[0] = position;
            return result;
        });
        return CompletableFuture.completedFuture(stored[0]);
    }

    @Override
    public History from(String stream, StreamPosition position) {
        if (!epoch.equals(position.epoch())) {
            return new History.Refused("unknown epoch");
        }
        long now = clock.getAsLong();
        History[] answer = {new History.Refused("unknown stream")};
        streams.computeIfPresent(stream, (name, log) -> {
            evictExpired(log, now);
            answer[0] = History.afterOffset(List.copyOf(log.entries), log.lastOffset, position.offset());
            return log;
        });
        return answer[0];
    }

    @Override
    public History since(String stream, long sinceSeconds) {
        long now = clock.getAsLong();
        long sinceMs = TimeUnit.SECONDS.toMillis(sinceSeconds);
        History[] answer = {new History.Found(List.of())};
        streams.computeIfPresent(stream, (name, log) -> {
            evictExpired(log, now);
            answer[0] = new History.Found(after(log, e -> e.publishedAtMs() >= sinceMs));
            return log;
        });
        return answer[0];
    }

    private static List<HistoryEntry> after(StreamLog log, Predicate<HistoryEntry> from) {
        List<HistoryEntry> found = new ArrayList<>();
        for (HistoryEntry entry : log.entries) {
            if (from.test(entry)) {
                found.add(entry);
            }
        }
        return found;
    }

    /** Drops expired entries everywhere, and the counters of streams idle for {@value #COUNTER_LIFETIMES} TTLs. */
    void expire() {
        long now = clock.getAsLong();
        for (String stream : streams.keySet()) {
            streams.computeIfPresent(stream, (name, log) -> {
                evictExpired(log, now);
                return log.entries.isEmpty() && now - log.lastPublishedAtMs > COUNTER_LIFETIMES * ttlMs ? null : log;
            });
        }
    }

    private void evictExpired(StreamLog log, long now) {
        while (!log.entries.isEmpty() && now - log.entries.getFirst().publishedAtMs() > ttlMs) {
            log.entries.removeFirst();
        }
    }

    /** Streams with a counter (for tests and metrics). */
    int streamCount() {
        return streams.size();
    }

    @Override
    public void stop() {
        expiry.shutdownNow();
    }
}
