package io.jcable.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.junit.jupiter.api.Test;

/**
 * The parts of Jetty's JSR-356 session that jcable never uses are dropped, on a real embedded Jetty 12 with a
 * real client, and the socket goes on working: messages in and out, a clean close.
 */
class JettySessionTrimTest {
    private static final long WAIT_SECONDS = 10;

    private final JettySessionTrim trim = new JettySessionTrim();
    private final BlockingQueue<Session> opened = new LinkedBlockingQueue<>();
    private final BlockingQueue<CloseReason> closed = new LinkedBlockingQueue<>();

    /** Server endpoint: trims its session once its handler is added, then echoes text. */
    public final class Echo extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
                try {
                    session.getBasicRemote().sendText("echo " + text);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            trim.trim(session);
            opened.add(session);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            closed.add(reason);
        }
    }

    @Test
    void theUnusedPartsAreDroppedAndTheSocketStillWorks() throws Exception {
        try (EmbeddedJsr356 jetty = EmbeddedJsr356.start(Echo.class, Echo::new)) {
            EmbeddedJsr356.TextClient client = jetty.connect();
            JakartaWebSocketSession session = (JakartaWebSocketSession) opened.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(session, "no socket opened");

            assertFalse(session.getDecoders().iterator().hasNext(), "decoders kept");
            assertFalse(session.getEncoders().test(String.class), "encoders kept");
            boolean mutable = JettySessionTrim.finalFieldsMutable(Runtime.version().feature(),
                    ManagementFactory.getRuntimeMXBean().getInputArguments());
            assertEquals(mutable, session.getFrameHandler().getUpgradeRequest() == null,
                    "upgrade request dropped where final fields are mutable, kept elsewhere");
            assertEquals("/ws", session.getRequestURI().getPath(), "the handshake's URI is the core session's");

            client.socket().sendText("h\u00e9llo", true).join();
            assertEquals("echo h\u00e9llo", client.messages.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            client.socket().sendClose(1000, "bye").join();
            CloseReason reason = closed.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(reason, "no close reported");
            assertEquals(1000, reason.getCloseCode().getCode());
        }
    }

    @Test
    void finalFieldsAreClearedSilentlyBeforeJdk26OrWithTheFlagNamingTheClassPath() {
        assertTrue(JettySessionTrim.finalFieldsMutable(25, List.of()));
        assertFalse(JettySessionTrim.finalFieldsMutable(26, List.of("-Xmx1g")));
        assertFalse(JettySessionTrim.finalFieldsMutable(26, List.of("--enable-final-field-mutation=my.module")));
        assertTrue(JettySessionTrim.finalFieldsMutable(27, List.of("--enable-final-field-mutation=m,ALL-UNNAMED")));
        assertTrue(JettySessionTrim.finalFieldsMutable(26, List.of("--enable-final-field-mutation", "ALL-UNNAMED")));
    }
}
