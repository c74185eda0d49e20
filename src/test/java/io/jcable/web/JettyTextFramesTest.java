package io.jcable.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.testing.LogCapture;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Text frames through Jetty's core session on a real embedded Jetty 12 and real clients: the writer is found, and
 * frames written at once (straight to the connection's flusher), frames over the frame size limit (through the
 * session, which splits them) and frames shared by several sockets (one encoding) all arrive whole and in order,
 * each write completing.
 */
class JettyTextFramesTest {
    private static final long WAIT_SECONDS = 10;

    private final JettyTextFrames frames = new JettyTextFrames();
    /** The server side of each connected socket, in connection order. */
    private final BlockingQueue<Writer> opened = new LinkedBlockingQueue<>();
    private Server server;
    private URI uri;

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
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
                container.addEndpoint(ServerEndpointConfig.Builder.create(Opener.class, "/ws")
                        .configurator(new ServerEndpointConfig.Configurator() {
                            @Override
                            public <T> T getEndpointInstance(Class<T> endpointClass) {
                                return endpointClass.cast(new Opener());
                            }
                        }).build()));
        server.setHandler(context);
        server.start();
        uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void framesWrittenAtOnceAndFramesOverTheFrameSizeLimitArriveWholeAndInOrder() throws Throwable {
        Client client;
        Writer writer;
        try (LogCapture log = LogCapture.start()) {
            client = connect();
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
        List<Client> clients = List.of(connect(), connect(), connect());
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            Writer writer = opened.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(writer, "no socket opened");
            assertNotNull(writer.socket(), "Jetty 12's core session not found");
            writers.add(writer);
        }
        for (int n = 1; n <= 2; n++) {
            String shared = "{\"n\":" + n + ",\"t\":\"h\u00e9llo \u20ac \uD83D\uDE00\"}";
            for (Writer writer : writers) {
                writer.socket().send(shared, false);
                assertTrue(writer.written().tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "write not completed");
            }
        }
        for (Client client : clients) {
            for (int n = 1; n <= 2; n++) {
                assertEquals("{\"n\":" + n + ",\"t\":\"h\u00e9llo \u20ac \uD83D\uDE00\"}",
                        client.messages.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            }
        }
        assertNull(clients.getFirst().messages.poll(), "a frame came twice");
    }

    private Client connect() {
        Client client = new Client();
        HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, client).join();
        return client;
    }

    /** A real client that collects whole text messages. */
    private static final class Client implements WebSocket.Listener {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            socket.request(1);
            return CompletableFuture.completedStage(null);
        }
    }
}
