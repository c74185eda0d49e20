package io.jcable.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.testing.LogCapture;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Text frames through Jetty's core session on a real embedded Jetty 12 and real clients: the writer is found, and
 * frames written at once (straight to the connection's flusher), frames over the frame size limit (through the
 * session, which splits them), frames kept in Jetty's buffer until the next frame's write, and frames shared by
 * several sockets (one encoding) all arrive whole and in order, each write completing.
 */
class JettyTextFramesTest {
    private static final long WAIT_SECONDS = 10;

    private final JettyTextFrames frames = new JettyTextFrames();
    /** The server side of each connected socket, in connection order. */
    private final BlockingQueue<Writer> opened = new LinkedBlockingQueue<>();
    private EmbeddedJsr356 jetty;

    /** One socket's writer and its completions (one permit per completed write). */
    private record Writer(JettyTextFrames.Socket socket, Semaphore written, List<Throwable> failures) {
    }

    /** Server endpoint: makes each socket's writer. */
    public final class Opener extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            Semaphore written = new Semaphore(0);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            opened.add(new Writer(frames.socket(session, written::release, failures::add), written, failures));
        }
    }

    @BeforeEach
    void start() throws Exception {
        jetty = EmbeddedJsr356.start(Opener.class, Opener::new);
    }

    @AfterEach
    void stop() throws Exception {
        jetty.close();
    }

    @Test
    void framesWrittenAtOnceAndFramesOverTheFrameSizeLimitArriveWholeAndInOrder() throws Throwable {
        EmbeddedJsr356.TextClient client;
        Writer writer;
        try (LogCapture log = LogCapture.start()) {
            client = jetty.connect();
            writer = opened.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(writer, "no socket opened");
            assertTrue(log.text().contains("straight to the connection's frame flusher"), "no straight route");
        }
        assertNotNull(writer.socket(), "Jetty 12's core session not found: frames would go through sendText");
        String big = "b".repeat(200_000);
        List<String> sent = List.of("{\"n\":1}", big, "{\"n\":3,\"t\":\"h\u00e9llo \u20ac \uD83D\uDE00\"}");
        for (String text : sent) {
            writer.socket().send(text, false);
            assertTrue(writer.written().tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "write not completed");
        }
        for (String text : sent) {
            assertEquals(text, client.messages.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        assertTrue(writer.failures().isEmpty(), writer.failures().toString());
    }

    @Test
    void aFrameSharedBySeveralSocketsArrivesWholeAtEachOfThem() throws Throwable {
        List<EmbeddedJsr356.TextClient> clients = List.of(jetty.connect(), jetty.connect(), jetty.connect());
        List<Writer> writers = writers(clients.size());
        for (int n = 1; n <= 2; n++) {
            String shared = "{\"n\":" + n + ",\"t\":\"h\u00e9llo \u20ac \uD83D\uDE00\"}";
            for (Writer writer : writers) {
                writer.socket().send(shared, false);
                assertTrue(writer.written().tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "write not completed");
            }
        }
        for (EmbeddedJsr356.TextClient client : clients) {
            for (int n = 1; n <= 2; n++) {
                assertEquals("{\"n\":" + n + ",\"t\":\"h\u00e9llo \u20ac \uD83D\uDE00\"}",
                        client.messages.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            }
        }
        assertNull(clients.getFirst().messages.poll(), "a frame came twice");
    }

    @Test
    void batchedFramesCompleteAtOnceAndGoOutWithTheNextFrameWrittenWithoutBatchInOrder() throws Throwable {
        EmbeddedJsr356.TextClient client = jetty.connect();
        Writer writer = writers(1).getFirst();
        String big = "b".repeat(200_000);
        List<List<String>> batches = List.of(List.of("{\"type\":\"ping\",\"message\":1}", "{\"n\":1}"),
                List.of("{\"n\":2}", big, "{\"n\":3}", "{\"n\":4}"));
        for (List<String> batch : batches) {
            for (int i = 0; i < batch.size(); i++) {
                writer.socket().send(batch.get(i), i < batch.size() - 1);
                assertTrue(writer.written().tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "write not completed");
            }
        }
        for (List<String> batch : batches) {
            for (String text : batch) {
                assertEquals(text, client.messages.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            }
        }
        assertTrue(writer.failures().isEmpty(), writer.failures().toString());
    }

    @Test
    void twoSharedFramesAlternatingOverSeveralSocketsArriveWholeAtEachOfThem() throws Throwable {
        List<EmbeddedJsr356.TextClient> clients = List.of(jetty.connect(), jetty.connect(), jetty.connect());
        List<Writer> writers = writers(clients.size());
        // A tick's ping going along a broadcast: the two strings alternate from socket to socket.
        String ping = "{\"type\":\"ping\",\"message\":1700000000}";
        String broadcast = "{\"identifier\":\"x\",\"message\":\"h\u00e9llo \u20ac\"}";
        for (Writer writer : writers) {
            writer.socket().send(ping, true);
            writer.socket().send(broadcast, false);
            assertTrue(writer.written().tryAcquire(2, WAIT_SECONDS, TimeUnit.SECONDS), "writes not completed");
        }
        for (EmbeddedJsr356.TextClient client : clients) {
            assertEquals(ping, client.messages.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(broadcast, client.messages.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    /** The writers of the next {@code count} sockets opened, each on Jetty's core session. */
    private List<Writer> writers(int count) throws InterruptedException {
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Writer writer = opened.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(writer, "no socket opened");
            assertNotNull(writer.socket(), "Jetty 12's core session not found");
            writers.add(writer);
        }
        return writers;
    }
}
