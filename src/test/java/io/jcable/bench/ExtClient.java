package io.jcable.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * An {@code actioncable-v1-ext-json} client of the restore scenario, as {@code @anycable/web} behaves: subscribes
 * to {@code {"channel":"BenchmarkChannel"}} and remembers the position of stream {@code all}; after a lost
 * connection it comes back with {@code ?sid=<its sid>} and, once the welcome says {@code restored}, keeps its
 * subscription and asks {@code history} from the remembered position. Or, as {@code @anycable/web} does when a
 * restore fails, it comes back without its sid and subscribes again with {@code history} from that position. It
 * answers pings with pongs. One session at a time; its frames arrive one by one (messages are small: no fragments).
 */
final class ExtClient implements FrameHandler {
    static final String PROTOCOL = "actioncable-v1-ext-json";
    static final String IDENTIFIER = LoadClient.identifier(null);
    static final String STREAM = "all";
    private static final String QUOTED_IDENTIFIER = new JsonPrimitive(IDENTIFIER).toString();

    private final ReentrantLock lock = new ReentrantLock();
    private volatile CoreSession session;
    private volatile CompletableFuture<Void> step = new CompletableFuture<>();
    private volatile Comeback comeback = Comeback.NONE;
    private String sid;
    private String epoch;
    private long offset;
    /** Offsets of stream {@code all} received since the restore began, and how many came twice. */
    private final BitSet replayed = new BitSet();
    private int duplicates;

    /** How the client comes to its current session. */
    private enum Comeback {
        /** First connection: subscribes, complete at the confirmation. */
        NONE,
        /** With its sid; asks the history once restored. */
        RESTORE,
        /** Without its sid; subscribes with the history. */
        RESUBSCRIBE
    }

    /** Connects to {@code url} and subscribes; completes at the confirmation. */
    CompletableFuture<Void> subscribe(WebSocketCoreClient core, URI url, Duration timeout,
                                      Configuration.ConfigurationCustomizer configuration) {
        comeback = Comeback.NONE;
        return open(core, url, timeout, configuration);
    }

    /**
     * Comes back at {@code url} without its sid (a new Connect) and subscribes with the history after its
     * position; completes at {@code confirm_history}.
     */
    CompletableFuture<Void> resubscribe(WebSocketCoreClient core, URI url, Duration timeout,
                                        Configuration.ConfigurationCustomizer configuration) {
        comeback = Comeback.RESUBSCRIBE;
        return open(core, url, timeout, configuration);
    }

    /**
     * Comes back at {@code url} with its sid and asks the history after its position; completes at
     * {@code confirm_history}, fails when the session was not restored or the history refused.
     */
    CompletableFuture<Void> restore(WebSocketCoreClient core, URI url, Duration timeout,
                                    Configuration.ConfigurationCustomizer configuration) {
        comeback = Comeback.RESTORE;
        return open(core, URI.create(url + "?sid=" + sid), timeout, configuration);
    }

    private CompletableFuture<Void> open(WebSocketCoreClient core, URI url, Duration timeout,
                                         Configuration.ConfigurationCustomizer configuration) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        step = done;
        return LoadClient.upgrade(core, url, this, PROTOCOL, timeout, configuration, done);
    }

    /** The sid of its last welcome. */
    String sid() {
        lock.lock();
        try {
            return sid;
        } finally {
            lock.unlock();
        }
    }

    /** The position of stream {@code all} this client last saw (offset 0: none yet). */
    long offset() {
        lock.lock();
        try {
            return offset;
        } finally {
            lock.unlock();
        }
    }

    /** Offsets {@code from..to} of stream {@code all} that never arrived since the client came back. */
    int missing(long from, long to) {
        lock.lock();
        try {
            int missing = 0;
            for (long n = from; n <= to; n++) {
                missing += replayed.get((int) n) ? 0 : 1;
            }
            return missing;
        } finally {
            lock.unlock();
        }
    }

    int duplicates() {
        lock.lock();
        try {
            return duplicates;
        } finally {
            lock.unlock();
        }
    }

    /** Drops the connection without a closing handshake (the network failed). */
    void abort() {
        CoreSession open = session;
        if (open != null) {
            open.abort();
        }
    }

    void close() {
        CoreSession open = session;
        if (open != null) {
            open.close(CloseStatus.NORMAL, "benchmark done", Callback.NOOP);
        }
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        session = coreSession;
        callback.succeeded();
        coreSession.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OpCode.TEXT -> {
                String text = frame.getPayloadAsUTF8();
                callback.succeeded();
                onText(text);
                session.demand();
            }
            default -> LoadClient.control(session, frame, callback);
        }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        step.completeExceptionally(cause);
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        step.completeExceptionally(new IOException("closed: " + closeStatus));
        callback.succeeded();
    }

    private void onText(String text) {
        JsonObject frame = JsonParser.parseString(text).getAsJsonObject();
        String type = frame.has("type") ? frame.get("type").getAsString() : "";
        switch (type) {
            case "ping" -> send("{\"command\":\"pong\"}");
            case "welcome" -> welcome(frame);
            case "confirm_subscription" -> {
                if (comeback == Comeback.NONE) {
                    step.complete(null);
                }
            }
            case "confirm_history" -> step.complete(null);
            case "reject_subscription", "reject_history", "disconnect" ->
                    step.completeExceptionally(new IOException("refused: " + text));
            default -> {
                if (frame.has("offset")) {
                    position(frame);
                }
            }
        }
    }

    private void welcome(JsonObject frame) {
        boolean restored = frame.has("restored") && frame.get("restored").getAsBoolean();
        lock.lock();
        String history;
        try {
            sid = frame.get("sid").getAsString();
            history = ",\"history\":{\"streams\":{\"" + STREAM + "\":{\"epoch\":"
                    + new JsonPrimitive(String.valueOf(epoch)) + ",\"offset\":" + offset + "}}}}";
        } finally {
            lock.unlock();
        }
        switch (comeback) {
            case NONE -> send("{\"command\":\"subscribe\",\"identifier\":" + QUOTED_IDENTIFIER + "}");
            case RESUBSCRIBE -> send("{\"command\":\"subscribe\",\"identifier\":" + QUOTED_IDENTIFIER + history);
            case RESTORE -> {
                if (restored) {
                    send("{\"command\":\"history\",\"identifier\":" + QUOTED_IDENTIFIER + history);
                } else {
                    step.completeExceptionally(new IOException("not restored: " + frame));
                }
            }
        }
    }

    private void position(JsonObject frame) {
        lock.lock();
        try {
            long at = frame.get("offset").getAsLong();
            if (comeback != Comeback.NONE) {
                if (replayed.get((int) at)) {
                    duplicates++;
                }
                replayed.set((int) at);
            }
            epoch = frame.get("epoch").getAsString();
            offset = Math.max(offset, at);
        } finally {
            lock.unlock();
        }
    }

    private void send(String text) {
        session.sendFrame(new Frame(OpCode.TEXT, text), Callback.NOOP, false);
    }
}
