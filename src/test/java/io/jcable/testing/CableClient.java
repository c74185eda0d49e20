package io.jcable.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;

import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.websocket.core.exception.UpgradeException;

/**
 * An Action Cable test client (like anyt's) on Jetty's jakarta WebSocket client: queues incoming frames
 * as JSON, skipping ignored types, and sends commands built with Gson.
 */
public final class CableClient implements AutoCloseable {
    /** How long {@link #receive()} waits for a frame (anyt's limit). */
    public static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(5);

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /**
     * Handshake settings. Defaults as anyt's default client: no extra headers, sub-protocol
     * {@code actioncable-v1-json}, {@code ping} and {@code welcome} frames ignored.
     */
    public record Options(Map<String, String> headers, List<String> subprotocols, Set<String> ignoredTypes) {
        public Options {
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            subprotocols = List.copyOf(subprotocols);
            ignoredTypes = Set.copyOf(ignoredTypes);
        }

        /** anyt's default client. */
        public static Options defaults() {
            return new Options(Map.of(), List.of("actioncable-v1-json"), Set.of("ping", "welcome"));
        }

        /** Adds (or replaces) a request header. */
        public Options withHeader(String name, String value) {
            Map<String, String> copy = new LinkedHashMap<>(headers);
            copy.put(name, value);
            return new Options(copy, subprotocols, ignoredTypes);
        }

        /** Replaces the offered sub-protocols (none: no {@code Sec-WebSocket-Protocol} header). */
        public Options withSubprotocols(String... protocols) {
            return new Options(headers, List.of(protocols), ignoredTypes);
        }

        /** Replaces the ignored frame types; {@code ignoring()} keeps every frame. */
        public Options ignoring(String... types) {
            return new Options(headers, subprotocols, Set.of(types));
        }
    }

    private record Frame(String raw, JsonObject json) {
    }

    /** One client container for every test client. */
    private static final class Container {
        private static final WebSocketContainer INSTANCE = create();

        private static WebSocketContainer create() {
            WebSocketContainer container = ContainerProvider.getWebSocketContainer();
            container.setDefaultMaxSessionIdleTimeout(0); // never time out on our side: the server decides
            container.setDefaultMaxTextMessageBufferSize(8 * 1024 * 1024); // big broadcasts are tested too
            return container;
        }
    }

    private final Options options;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private volatile Map<String, List<String>> responseHeaders = Map.of();
    private volatile Throwable lastError;
    private Session session;

    private CableClient(Options options) {
        this.options = options;
    }

    /** Connects with {@link Options#defaults()}. */
    public static CableClient connect(URI uri) {
        return connect(uri, Options.defaults());
    }

    /**
     * Opens a WebSocket to {@code uri}.
     *
     * @throws IllegalStateException if the handshake fails; the message carries the HTTP status when there is one
     */
    public static CableClient connect(URI uri, Options options) {
        CableClient client = new CableClient(options);
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .preferredSubprotocols(options.subprotocols())
                .configurator(client.new Handshake())
                .build();
        try {
            client.session = Container.INSTANCE.connectToServer(client.new Listener(), config, uri);
            return client;
        } catch (DeploymentException | IOException e) {
            throw new IllegalStateException(handshakeFailure(uri, e), e);
        }
    }

    /**
     * A Ruby {@code to_json}-style identifier: {@code identifier("X", "id", 1)} is {@code {"channel":"X","id":1}}
     * (insertion order, no spaces, numbers and booleans unquoted).
     */
    public static String identifier(String channel, Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("keyValues must come in pairs");
        }
        JsonObject identifier = new JsonObject();
        identifier.addProperty("channel", channel);
        for (int i = 0; i < keyValues.length; i += 2) {
            identifier.add(String.valueOf(keyValues[i]), GSON.toJsonTree(keyValues[i + 1]));
        }
        return GSON.toJson(identifier);
    }

    /** The negotiated sub-protocol, "" if none. */
    public String subprotocol() {
        String protocol = session.getNegotiatedSubprotocol();
        return protocol == null ? "" : protocol;
    }

    /** Headers of the handshake response, with case-insensitive names. */
    public Map<String, List<String>> responseHeaders() {
        return responseHeaders;
    }

    /** First value of a handshake response header (any case), or null. */
    public String responseHeader(String name) {
        List<String> values = responseHeaders.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The next non-ignored frame as a JSON object, waiting up to {@link #RECEIVE_TIMEOUT}. */
    public JsonObject receive() {
        return receive(RECEIVE_TIMEOUT);
    }

    /** The next non-ignored frame as a JSON object, waiting up to {@code timeout}. */
    public JsonObject receive(Duration timeout) {
        Frame frame = next(timeout);
        if (frame.json() == null) {
            throw new AssertionError("frame is not a JSON object: " + frame.raw());
        }
        return frame.json();
    }

    /** The next non-ignored frame as sent, waiting up to {@link #RECEIVE_TIMEOUT}. */
    public String receiveRaw() {
        return next(RECEIVE_TIMEOUT).raw();
    }

    /**
     * Fails if any non-ignored frame arrives within {@code duration}. A quiet period alone cannot tell "not
     * sent" from "slow": prefer a later frame that must come first (the socket's frames keep their order), or
     * check only after a control client received the same event.
     */
    public void expectNothing(Duration duration) {
        Frame frame = poll(duration);
        if (frame != null) {
            throw new AssertionError("expected no frame within " + duration + ", got: " + frame.raw());
        }
    }

    /** Sends a text frame. */
    public void send(String raw) {
        try {
            session.getBasicRemote().sendText(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one text message as several frames (a first frame and continuations), one per part. */
    public void sendFragmented(String... parts) {
        try {
            for (int i = 0; i < parts.length; i++) {
                session.getBasicRemote().sendText(parts[i], i == parts.length - 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a binary frame. */
    public void sendBinary(byte[] data) {
        try {
            session.getBasicRemote().sendBinary(ByteBuffer.wrap(data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Subscribes and asserts that the next frame is exactly the confirmation for {@code identifier}. */
    public void subscribe(String identifier) {
        sendSubscribe(identifier);
        JsonObject expected = new JsonObject();
        expected.addProperty("identifier", identifier);
        expected.addProperty("type", "confirm_subscription");
        JsonObject frame = receive();
        if (!expected.equals(frame)) {
            throw new AssertionError("expected " + expected + " but got " + frame);
        }
    }

    /** Sends the subscribe command without waiting for an answer. */
    public void sendSubscribe(String identifier) {
        sendCommand("subscribe", identifier);
    }

    /** Sends the unsubscribe command. */
    public void unsubscribe(String identifier) {
        sendCommand("unsubscribe", identifier);
    }

    /** Sends {@code {"command":"message","identifier":ID,"data":"<data as JSON text>"}}. */
    public void perform(String identifier, JsonObject data) {
        JsonObject command = command("message", identifier);
        command.addProperty("data", GSON.toJson(data));
        send(GSON.toJson(command));
    }

    /** Waits until the socket is closed (by either side) and returns the close reason. */
    public CloseReason awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("socket still open after " + timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Whether the socket is open (no close seen yet). */
    public boolean isOpen() {
        return session.isOpen() && !closed.isDone();
    }

    /** Drops the TCP connection without sending a close frame. */
    public void abort() {
        if (!(session instanceof JakartaWebSocketSession jetty)) {
            throw new IllegalStateException("not a Jetty session: " + session.getClass().getName());
        }
        jetty.abort();
    }

    /** Starts a normal (1000) close; does nothing if already closed and never throws. */
    @Override
    public void close() {
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, ""));
        } catch (IOException | RuntimeException e) {
            // the socket is going away either way; teardown must not fail the test
        }
    }

    private void sendCommand(String name, String identifier) {
        send(GSON.toJson(command(name, identifier)));
    }

    private static JsonObject command(String name, String identifier) {
        JsonObject command = new JsonObject();
        command.addProperty("command", name);
        command.addProperty("identifier", identifier);
        return command;
    }

    private Frame next(Duration timeout) {
        Frame frame = poll(timeout);
        if (frame == null) {
            String state = closed.isDone() ? "socket closed: " + describe(closed.join()) : "socket still open";
            Throwable error = lastError;
            throw new AssertionError("no frame within " + timeout + " (" + state + ")"
                    + (error == null ? "" : "; last error: " + error));
        }
        return frame;
    }

    private Frame poll(Duration timeout) {
        try {
            return frames.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private void onText(String raw) {
        JsonObject json = parseObject(raw);
        JsonElement type = json == null ? null : json.get("type");
        if (type != null && type.isJsonPrimitive() && options.ignoredTypes().contains(type.getAsString())) {
            return;
        }
        frames.add(new Frame(raw, json));
    }

    private static JsonObject parseObject(String raw) {
        try {
            JsonElement element = JsonParser.parseString(raw);
            return element.isJsonObject() ? element.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }

    private static String describe(CloseReason reason) {
        return reason.getCloseCode().getCode() + " '" + reason.getReasonPhrase() + "'";
    }

    private static String handshakeFailure(URI uri, Throwable failure) {
        String message = "WebSocket handshake with " + uri + " failed";
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UpgradeException upgrade && upgrade.getResponseStatusCode() > 0) {
                return message + ": HTTP " + upgrade.getResponseStatusCode() + " (" + failure + ")";
            }
        }
        return message + ": " + failure;
    }

    /** Adds the configured request headers and captures the response headers. */
    private final class Handshake extends ClientEndpointConfig.Configurator {
        @Override
        public void beforeRequest(Map<String, List<String>> headers) {
            options.headers().forEach((name, value) -> headers.put(name, List.of(value)));
        }

        @Override
        public void afterResponse(HandshakeResponse response) {
            Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            response.getHeaders().forEach((name, values) -> copy.put(name, List.copyOf(values)));
            responseHeaders = Collections.unmodifiableMap(copy);
        }
    }

    private final class Listener extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class, CableClient.this::onText);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            closed.complete(reason);
        }

        @Override
        public void onError(Session session, Throwable error) {
            lastError = error;
        }
    }
}
