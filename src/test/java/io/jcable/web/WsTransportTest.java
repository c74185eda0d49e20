package io.jcable.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.config.CableConfig;
import io.jcable.config.ConfigSource;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.ServerFrames;
import io.jcable.session.WriteWatch;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The writer's slow-client rules against a socket whose writes never complete (a client that stopped reading):
 * the container's objects are stand-ins, so no network is involved.
 */
class WsTransportTest {
    private static final long WRITE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Metrics metrics = new Metrics();
    /** Frames handed to the container; none of their writes ever completes. */
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicLong idleTimeoutMillis = new AtomicLong();
    private final WsTransport transport = new WsTransport(stuckSocket(), context());

    @Test
    void clientOverThePendingLimitIsCountedSlowOnceEvenWhenItsWriteThenTimesOut() {
        transport.send("x".repeat(100));
        transport.send("y".repeat(600));
        transport.send("z".repeat(600));

        assertEquals(1, metrics.value("disconnected_slow_clients_total"));
        assertEquals(1000L, idleTimeoutMillis.get(), "the socket is dropped one write timeout from now");
        assertEquals(ServerFrames.disconnect(DisconnectReason.TOO_SLOW), written.getLast());
        assertFalse(transport.checkWrite(System.nanoTime() + 2 * WRITE_TIMEOUT_NANOS),
                "a transport already given up on is no longer watched");
        assertEquals(1, metrics.value("disconnected_slow_clients_total"));
        assertEquals("x".repeat(100), written.getFirst());
    }

    @Test
    void writeBlockedPastTheTimeoutIsCountedSlowOnce() throws InterruptedException {
        transport.send("x".repeat(100));

        long late = System.nanoTime() + 2 * WRITE_TIMEOUT_NANOS;
        assertFalse(transport.checkWrite(late));
        assertTrue(closed.await(5, TimeUnit.SECONDS), "socket not closed");
        assertFalse(transport.checkWrite(late + WRITE_TIMEOUT_NANOS));
        assertEquals(1, metrics.value("disconnected_slow_clients_total"));
    }

    @Test
    void framesSentTogetherAreBatchedAndFlushedOnceAndALaterFrameWaitsForTheFlush() throws InterruptedException {
        List<String> calls = new CopyOnWriteArrayList<>();
        CountDownLatch flushing = new CountDownLatch(1);
        CountDownLatch flushMayEnd = new CountDownLatch(1);
        CountDownLatch liveWritten = new CountDownLatch(1);
        RemoteEndpoint.Async remote = proxy(RemoteEndpoint.Async.class, (method, args) -> {
            switch (method) {
                case "setBatchingAllowed" -> {
                    calls.add("batching " + args[0]);
                    if (args[0].equals(false)) {
                        // Turning batching off flushes (JSR-356): the flush takes its time.
                        flushing.countDown();
                        await(flushMayEnd);
                    }
                }
                case "sendText" -> {
                    calls.add((String) args[0]);
                    if (args[0].equals("live")) {
                        liveWritten.countDown();
                    }
                    ((SendHandler) args[1]).onResult(new SendResult());
                }
                default -> {
                }
            }
            return null;
        });
        WsTransport batching = new WsTransport(proxy(Session.class, (method, args) -> switch (method) {
            case "getAsyncRemote" -> remote;
            case "getId" -> "batching";
            default -> null;
        }), context());

        batching.sendAll(List.of("a", "b", "c"));
        assertTrue(flushing.await(5, TimeUnit.SECONDS), "never flushed");
        batching.send("live");
        assertEquals(List.of("batching true", "a", "b", "c", "batching false"), calls,
                "the live frame waits for the flush");
        flushMayEnd.countDown();
        assertTrue(liveWritten.await(5, TimeUnit.SECONDS), "the live frame never went out");
        assertEquals(List.of("batching true", "a", "b", "c", "batching false", "live"), calls);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private EndpointContext context() {
        CableConfig config = CableConfig.load(new ConfigSource(key -> null,
                Map.of("ANYCABLE_WS_MAX_PENDING_SIZE", "1000", "ANYCABLE_WS_WRITE_TIMEOUT", "1"), key -> null));
        return EndpointContext.create(null, new WriteWatch(), config.server(), config.rpc(), config.auth(), "test",
                metrics);
    }

    /** A session whose async remote accepts every frame and never reports the write done. */
    private Session stuckSocket() {
        RemoteEndpoint.Async remote = proxy(RemoteEndpoint.Async.class, (method, args) -> {
            if (method.equals("sendText") && args.length == 2 && args[1] instanceof SendHandler) {
                written.add((String) args[0]);
            }
            return null;
        });
        return proxy(Session.class, (method, args) -> switch (method) {
            case "getAsyncRemote" -> remote;
            case "getId" -> "stuck";
            case "setMaxIdleTimeout" -> {
                idleTimeoutMillis.set((Long) args[0]);
                yield null;
            }
            case "close" -> {
                closed.countDown();
                yield null;
            }
            default -> null;
        });
    }

    private interface Call {
        Object handle(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Call call) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> call.handle(method.getName(), args == null ? new Object[0] : args)));
    }
}
