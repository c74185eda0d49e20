package io.jcable.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.gson.Gson;
import com.google.gson.JsonObject;

import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * One Action Cable client on Jetty's core WebSocket client: after the welcome it subscribes (to
 * {@code BenchmarkChannel}, or what its {@link ClientPlan} says); once confirmed, every frame goes to the
 * generator's receiver.
 */
final class LoadClient implements FrameHandler {
    private static final Gson GSON = new Gson();

    private final LoadGenerator generator;
    private final String protocol;
    private final String quotedIdentifier;
    private final CompletableFuture<LoadClient> subscribed = new CompletableFuture<>();
    private volatile CoreSession session;
    /** Parts of a fragmented text message; frames of one session arrive one at a time. */
    private ByteArrayOutputStream fragments;

    /**
     * @param protocol   the sub-protocol to ask for
     * @param identifier the subscription's identifier (JSON text)
     */
    LoadClient(LoadGenerator generator, String protocol, String identifier) {
        this.generator = generator;
        this.protocol = protocol;
        this.quotedIdentifier = GSON.toJson(identifier);
    }

    /**
     * The identifier {@code {"channel":"BenchmarkChannel","id":"<id>"}} as JSON text, or, with a null id,
     * {@code {"channel":"BenchmarkChannel"}}, which every such client shares (as in websocket-bench).
     */
    static String identifier(String id) {
        JsonObject identifier = new JsonObject();
        identifier.addProperty("channel", "BenchmarkChannel");
        if (id != null) {
            identifier.addProperty("id", id);
        }
        return identifier.toString();
    }

    /** Connects; the future completes at the subscription's confirmation, or fails (reject, close, timeout). */
    CompletableFuture<LoadClient> open(WebSocketCoreClient core, URI url, Duration timeout,
                                       Configuration.ConfigurationCustomizer configuration) {
        return upgrade(core, url, this, protocol, timeout, configuration, subscribed);
    }

    /**
     * Starts the upgrade of {@code handler}'s connection offering {@code protocol}; a failed upgrade fails
     * {@code outcome}, which is returned bounded by {@code timeout}.
     */
    static <T> CompletableFuture<T> upgrade(WebSocketCoreClient core, URI url, FrameHandler handler, String protocol,
                                            Duration timeout, Configuration.ConfigurationCustomizer configuration,
                                            CompletableFuture<T> outcome) {
        CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(core, url, handler);
        request.setSubProtocols(protocol);
        request.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        request.setConfiguration(configuration);
        try {
            core.connect(request).whenComplete((connected, failure) -> {
                if (failure != null) {
                    outcome.completeExceptionally(failure);
                }
            });
        } catch (IOException e) {
            outcome.completeExceptionally(e);
        }
        return outcome.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends the {@code message} command with {@code data} (JSON text, e.g. {@code {"action":"echo"}}). */
    void perform(String data) {
        send("{\"command\":\"message\",\"identifier\":" + quotedIdentifier + ",\"data\":" + GSON.toJson(data) + "}");
    }

    /** Starts the closing handshake. */
    void close() {
        CoreSession open = session;
        if (open != null) {
            open.close(CloseStatus.NORMAL, "benchmark done", Callback.NOOP);
        }
    }

    /** Drops the connection without a handshake (a failed or timed-out attempt). */
    void abort() {
        CoreSession open = session;
        if (open != null) {
            open.abort();
        }
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        session = coreSession;
        generator.opened();
        callback.succeeded();
        if (subscribed.isCompletedExceptionally()) {
            coreSession.abort(); // the attempt timed out while the upgrade was still on its way
        } else {
            coreSession.demand();
        }
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OpCode.TEXT, OpCode.CONTINUATION -> {
                long received = System.nanoTime();
                String text = text(frame);
                callback.succeeded();
                if (text != null) {
                    onText(text, received);
                }
                session.demand();
            }
            default -> control(session, frame, callback);
        }
    }

    /** A frame that is not text: a ping is answered, a close left to the session, anything else skipped. */
    static void control(CoreSession session, Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OpCode.PING -> session.sendFrame(new Frame(OpCode.PONG, true, BufferUtil.copy(frame.getPayload())),
                    Callback.from(session::demand, callback), false);
            case OpCode.CLOSE -> callback.succeeded();
            default -> {
                callback.succeeded();
                session.demand();
            }
        }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        subscribed.completeExceptionally(cause);
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        subscribed.completeExceptionally(new IOException("closed before the confirmation: " + closeStatus));
        generator.closed();
        callback.succeeded();
    }

    /** The whole text message once its last frame is in, else null. */
    private String text(Frame frame) {
        if (frame.isFin() && fragments == null) {
            return frame.getPayloadAsUTF8();
        }
        if (fragments == null) {
            fragments = new ByteArrayOutputStream();
        }
        ByteBuffer payload = frame.getPayload();
        if (payload != null) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            fragments.writeBytes(bytes);
        }
        if (!frame.isFin()) {
            return null;
        }
        String text = fragments.toString(StandardCharsets.UTF_8);
        fragments = null;
        return text;
    }

    private void onText(String text, long receivedNanos) {
        if (subscribed.isDone()) {
            generator.deliver(this, text, receivedNanos);
        } else if (text.contains("\"type\":\"welcome\"")) {
            send("{\"command\":\"subscribe\",\"identifier\":" + quotedIdentifier + "}");
        } else if (text.contains("\"type\":\"confirm_subscription\"")) {
            subscribed.complete(this);
        } else if (text.contains("\"type\":\"reject_subscription\"") || text.contains("\"type\":\"disconnect\"")) {
            subscribed.completeExceptionally(new IOException("refused: " + text));
        }
    }

    private void send(String text) {
        session.sendFrame(new Frame(OpCode.TEXT, text), Callback.NOOP, false);
    }
}
