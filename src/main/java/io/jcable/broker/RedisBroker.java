package io.jcable.broker;

import io.jcable.protocol.StreamPosition;
import io.jcable.redis.RedisWorkers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ANYCABLE_BROKER=redis}: the cluster's history in Redis (docs/broadcasting.md §5). One Lua script per
 * publication takes the cluster's epoch (created if absent, so a Redis that lost its data gives a new one), counts
 * the stream's offset and appends the entry, trimmed to {@code limit}; keys expire after the TTL (the counter after
 * {@value MemoryBroker#COUNTER_LIFETIMES} TTLs). Stores run on one thread, in call order; reads on their own
 * threads, and a caller waits for them at most {@link #READ_WAIT} (then the request is refused).
 */
public final class RedisBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
    /** Longer than the connection's read timeout, so a command in flight has ended when a caller gives up. */
    static final Duration READ_WAIT = Duration.ofSeconds(6);

    /** KEYS: epoch, offset, history. ARGV: epoch if new, limit, TTL s, counter TTL s, message, type. */
    private static final String STORE = """
            local epoch = redis.call('GET', KEYS[1])
            if not epoch then
              epoch = ARGV[1]
              redis.call('SET', KEYS[1], epoch)
            end
            local offset = redis.call('INCR', KEYS[2])
            redis.call('EXPIRE', KEYS[2], ARGV[4])
            redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[2], '*', 'o', offset, 'm', ARGV[5], 't', ARGV[6])
            redis.call('EXPIRE', KEYS[3], ARGV[3])
            return {epoch, offset}
            """;
    /**
     * KEYS: epoch, offset, history. ARGV: offset after which entries are wanted, or empty for all. One consistent
     * view: epoch, counter, Redis's time, and the retained entries; after an offset only the newest
     * (counter - offset), newest first: offsets are contiguous in a stream (one script adds each), so those are
     * exactly the ones after it, and fewer means some were evicted.
     */
    private static final String READ = """
            local now = redis.call('TIME')
            local last = redis.call('GET', KEYS[2])
            local entries
            if ARGV[1] == '' then
              entries = redis.call('XRANGE', KEYS[3], '-', '+')
            else
              local wanted = math.min(tonumber(last or '0') - tonumber(ARGV[1]), 1000000000)
              entries = wanted > 0 and redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', wanted) or {}
            end
            return {redis.call('GET', KEYS[1]), last, now[1], now[2], entries}
            """;

    private final RedisKeys keys;
    private final int limit;
    private final long ttlSeconds;
    private final RedisWorkers writer;
    private final RedisWorkers readers;

    /** The workers are the broker's own from now on: {@link #stop} stops them. */
    public RedisBroker(RedisKeys keys, int limit, Duration ttl, RedisWorkers writer, RedisWorkers readers) {
        this.keys = keys;
        this.limit = limit;
        this.ttlSeconds = ttl.toSeconds();
        this.writer = writer;
        this.readers = readers;
    }

    @Override
    public boolean clusterWide() {
        return true;
    }

    @Override
    public CompletableFuture<StreamPosition> store(String stream, String message, String type) {
        List<String> scriptKeys = List.of(keys.epoch(), keys.offset(stream), keys.history(stream));
        List<String> args = List.of(MemoryBroker.randomEpoch(), Integer.toString(limit), Long.toString(ttlSeconds),
                Long.toString(ttlSeconds * MemoryBroker.COUNTER_LIFETIMES), message, type == null ? "" : type);
        return writer.submit(jedis -> {
            List<?> reply = (List<?>) jedis.eval(STORE, scriptKeys, args);
            return new StreamPosition(text(reply.get(0)), number(reply.get(1)));
        });
    }

    /** One stream's state as the read script saw it. */
    private record StreamState(String epoch, long lastOffset, List<HistoryEntry> retained) {
    }

    @Override
    public History from(String stream, StreamPosition position) {
        return answer(stream, Long.toString(position.offset()), current -> {
            if (current.epoch() == null || !current.epoch().equals(position.epoch())) {
                return new History.Refused("unknown epoch");
            }
            if (current.lastOffset() == 0) {
                return new History.Refused("unknown stream");
            }
            return History.afterOffset(current.retained(), current.lastOffset(), position.offset());
        });
    }

    @Override
    public History since(String stream, long sinceSeconds) {
        long sinceMs = TimeUnit.SECONDS.toMillis(sinceSeconds);
        return answer(stream, "", current -> new History.Found(
                current.retained().stream().filter(e -> e.publishedAtMs() >= sinceMs).toList()));
    }

    /**
     * Reads the stream's state (the entries after offset {@code after}, or all for "") and answers from it;
     * refused when Redis could not answer in time.
     */
    private History answer(String stream, String after, Function<StreamState, History> answer) {
        List<String> scriptKeys = List.of(keys.epoch(), keys.offset(stream), keys.history(stream));
        CompletableFuture<StreamState> state = readers.submit(jedis -> parse(jedis.eval(READ, scriptKeys,
                List.of(after))));
        try {
            return answer.apply(state.get(READ_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            state.cancel(false);
            return new History.Refused("Redis did not answer within " + READ_WAIT.toSeconds() + " s");
        } catch (ExecutionException e) {
            return new History.Refused("Redis failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new History.Refused("interrupted");
        }
    }

    private StreamState parse(Object reply) {
        List<?> parts = (List<?>) reply;
        String epoch = text(parts.get(0));
        long lastOffset = parts.get(1) == null ? 0 : Long.parseLong(text(parts.get(1)));
        long nowMs = number(parts.get(2)) * 1000 + number(parts.get(3)) / 1000;
        long oldestMs = nowMs - TimeUnit.SECONDS.toMillis(ttlSeconds);
        List<HistoryEntry> retained = new ArrayList<>();
        for (Object item : (List<?>) parts.get(4)) {
            List<?> entry = (List<?>) item;
            String id = text(entry.get(0));
            long publishedAtMs = Long.parseLong(id.substring(0, id.indexOf('-')));
            if (publishedAtMs < oldestMs || epoch == null) {
                continue;
            }
            List<?> fields = (List<?>) entry.get(1);
            String offset = null;
            String message = null;
            String type = null;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String value = text(fields.get(i + 1));
                switch (text(fields.get(i))) {
                    case "o" -> offset = value;
                    case "m" -> message = value;
                    case "t" -> type = value.isEmpty() ? null : value;
                    default -> {
                    }
                }
            }
            if (offset == null || message == null) {
                LOG.warn("History entry {} of {} lacks its offset or message: skipped", id, keys.describe());
                continue;
            }
            retained.add(new HistoryEntry(new StreamPosition(epoch, Long.parseLong(offset)), publishedAtMs, message,
                    type));
        }
        retained.sort(Comparator.comparingLong(entry -> entry.position().offset()));
        return new StreamState(epoch, lastOffset, retained);
    }

    /** A bulk reply as text (Jedis hands scripts' strings as bytes or strings depending on the call). */
    static String text(Object reply) {
        return switch (reply) {
            case null -> null;
            case byte[] bytes -> new String(bytes, StandardCharsets.UTF_8);
            default -> reply.toString();
        };
    }

    private static long number(Object reply) {
        return reply instanceof Long value ? value : Long.parseLong(text(reply));
    }

    @Override
    public void stop() {
        writer.stop(RedisKeys.STOP_WAIT);
        readers.stop(RedisKeys.STOP_WAIT);
    }
}
