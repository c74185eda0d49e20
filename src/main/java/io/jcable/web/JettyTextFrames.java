package io.jcable.web;

import jakarta.websocket.Session;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Text frames written through Jetty 12's core WebSocket session instead of {@code sendText}, so that a frame
 * shared by many sockets (a broadcast, a tick's ping) is encoded to UTF-8 once rather than once per socket: each
 * socket gets a read-only slice of the same bytes (Jetty's flusher only reads a payload and moves the slice's
 * position as it writes; server frames are not masked). Encoding and wrapping were a third of the bytes the
 * fan-out thread allocated.
 *
 * <p>Reached by reflection from the JSR-356 session ({@code getCoreSession()}): a web app does not see Jetty's
 * classes, and needs none of them on its class path. On any other container (Tomcat) the lookup fails once and
 * {@link WsTransport} keeps the standard {@code sendText}. One per web app; the lookup happens at the first socket.
 */
final class JettyTextFrames {
    private static final Logger LOG = LoggerFactory.getLogger(JettyTextFrames.class);

    /** The container's calls, all typed with Object (their Jetty types are not visible here). */
    private record Calls(Class<?> sessionClass, MethodHandle coreSession, MethodHandle newTextFrame,
                         MethodHandle newCallback, MethodHandle sendFrame, Straight straight) {
    }

    /**
     * The calls of the straight route to the connection's frame flusher, typed with Object; {@link #NONE} where
     * Jetty has no such calls (before 12.1): then every frame takes the core session.
     */
    private record Straight(Class<?> sessionClass, MethodHandle connection, MethodHandle maxFrameSize,
                            MethodHandle enqueueText) {
        static final Straight NONE = new Straight(null, null, null, null);
    }

    /** One frame's text and its UTF-8 bytes (read-only), kept for the sockets that get the same string next. */
    private record Encoded(String text, ByteBuffer utf8) {
    }

    private static final Calls UNAVAILABLE = new Calls(null, null, null, null, null, Straight.NONE);

    /** {@link #UNAVAILABLE} when the container is not Jetty 12. */
    private final FirstSocketLookup<Calls> calls = new FirstSocketLookup<>();
    /**
     * The last two frames encoded (by any thread; another thread's frames in between only cost new encodings):
     * two, because a broadcast and the tick's ping that goes along it alternate.
     */
    private volatile Encoded last;
    private volatile Encoded beforeLast;

    /**
     * A writer for {@code socket} whose completions go to {@code written} / {@code failed} (at most one write is
     * outstanding per socket, so one callback serves them all); null where only {@code sendText} will do.
     */
    Socket socket(Session socket, Runnable written, Consumer<Throwable> failed) {
        Calls found = calls.get(socket.getClass(), JettyTextFrames::lookUp);
        if (found == UNAVAILABLE || found.sessionClass() != socket.getClass()) {
            return null;
        }
        try {
            Object coreSession = (Object) found.coreSession().invokeExact((Object) socket);
            Straight straight = found.straight();
            Object connection = null;
            long maxFrameSize = 0;
            if (straight != Straight.NONE && straight.sessionClass().isInstance(coreSession)) {
                connection = (Object) straight.connection().invokeExact(coreSession);
                maxFrameSize = (long) straight.maxFrameSize().invokeExact(coreSession);
            }
            return new Socket(found, coreSession, connection, maxFrameSize > 0 ? maxFrameSize : Long.MAX_VALUE,
                    (Object) found.newCallback().invokeExact(written, failed));
        } catch (Throwable e) {
            rethrowError(e);
            LOG.warn("Jetty core session of {} not usable, writing through sendText: {}", socket.getId(), e.toString());
            return null;
        }
    }

    /** One socket's core session, its connection and completion callback. */
    final class Socket {
        private final Calls found;
        private final Object coreSession;
        /** The connection under the core session; null when it has none (then every frame takes the session). */
        private final Object connection;
        /** Frames longer than this go through the session, which splits them into frames the peer accepts. */
        private final long maxFrameSize;
        private final Object callback;

        private Socket(Calls found, Object coreSession, Object connection, long maxFrameSize, Object callback) {
            this.found = found;
            this.coreSession = coreSession;
            this.connection = connection;
            this.maxFrameSize = maxFrameSize;
            this.callback = callback;
        }

        /**
         * Queues {@code text} as one text frame; with {@code batch}, Jetty keeps it in its frame flusher's buffer
         * (the completion then comes at once) and writes it together with the next frame sent without. The
         * completion comes back through the socket's callback. A frame goes straight to the connection's frame
         * flusher (the one every frame of the socket ends in, which keeps them in order and refuses frames after
         * the close), past the session's layers: its validation of a frame that is always valid, its split of long
         * frames (not needed under the frame size limit), the extensions (none: {@link CableEndpointConfigurator}
         * negotiates no extension) and two more flushers, each with its lock and allocations. One outstanding
         * write per socket keeps the two routes from overtaking each other.
         */
        void send(String text, boolean batch) throws Throwable {
            ByteBuffer utf8 = encoded(text);
            if (connection != null && utf8.remaining() <= maxFrameSize) {
                found.straight().enqueueText().invokeExact(connection, utf8.slice(), callback, batch);
                return;
            }
            Object frame = (Object) found.newTextFrame().invokeExact(utf8.slice());
            found.sendFrame().invokeExact(coreSession, frame, callback, batch);
        }
    }

    private ByteBuffer encoded(String text) {
        Encoded known = last;
        if (known != null && known.text() == text) {
            return known.utf8();
        }
        Encoded before = beforeLast;
        if (before != null && before.text() == text) {
            return before.utf8();
        }
        Encoded fresh = new Encoded(text, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer());
        beforeLast = known;
        last = fresh;
        return fresh.utf8();
    }

    private static Calls lookUp(Class<?> sessionClass) {
        try {
            ClassLoader loader = sessionClass.getClassLoader();
            Class<?> coreSession = Class.forName("org.eclipse.jetty.websocket.core.CoreSession", false, loader);
            Class<?> frame = Class.forName("org.eclipse.jetty.websocket.core.Frame", false, loader);
            Class<?> callback = Class.forName("org.eclipse.jetty.util.Callback", false, loader);
            byte text = Class.forName("org.eclipse.jetty.websocket.core.OpCode", false, loader)
                    .getField("TEXT").getByte(null);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle getCoreSession = lookup.findVirtual(sessionClass, "getCoreSession",
                    MethodType.methodType(coreSession));
            MethodHandle newFrame = lookup.findConstructor(frame,
                    MethodType.methodType(void.class, byte.class, ByteBuffer.class));
            MethodHandle newCallback = lookup.findStatic(callback, "from",
                    MethodType.methodType(callback, Runnable.class, Consumer.class));
            MethodHandle sendFrame = lookup.findVirtual(coreSession, "sendFrame",
                    MethodType.methodType(void.class, frame, callback, boolean.class));
            MethodHandle newTextFrame = MethodHandles.insertArguments(newFrame, 0, text);
            Straight straight = straightRoute(loader, coreSession, frame, callback, newTextFrame);
            LOG.info("Text frames go through Jetty's core WebSocket session (one UTF-8 encoding per shared frame{})",
                    straight == Straight.NONE ? "" : ", straight to the connection's frame flusher");
            return new Calls(sessionClass,
                    getCoreSession.asType(MethodType.methodType(Object.class, Object.class)),
                    newTextFrame.asType(MethodType.methodType(Object.class, ByteBuffer.class)),
                    newCallback.asType(MethodType.methodType(Object.class, Runnable.class, Consumer.class)),
                    sendFrame.asType(MethodType.methodType(void.class, Object.class, Object.class, Object.class,
                            boolean.class)),
                    straight);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("Text frames go through JSR-356 sendText ({} has no Jetty 12 core session: {})",
                    sessionClass.getName(), e.toString());
            return UNAVAILABLE;
        }
    }

    /** The straight route's calls: {@code enqueueFrame} of the core session's connection, and what it needs. */
    private static Straight straightRoute(ClassLoader loader, Class<?> coreSession, Class<?> frame,
                                          Class<?> callback, MethodHandle newTextFrame) {
        try {
            Class<?> session = Class.forName("org.eclipse.jetty.websocket.core.WebSocketCoreSession", false, loader);
            Class<?> connection = Class.forName("org.eclipse.jetty.websocket.core.WebSocketConnection", false, loader);
            Class<?> entry = Class.forName("org.eclipse.jetty.websocket.core.OutgoingEntry", false, loader);
            Class<?> builder = Class.forName("org.eclipse.jetty.websocket.core.OutgoingEntry$Builder", false, loader);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle getConnection = lookup.findVirtual(session, "getConnection",
                    MethodType.methodType(connection));
            MethodHandle maxFrameSize = lookup.findVirtual(coreSession, "getMaxFrameSize",
                    MethodType.methodType(long.class));
            // (connection, payload, callback, batch) -> connection.enqueueFrame(new Builder(new Frame(TEXT,
            // payload), callback).batch(batch).build())
            MethodHandle newBuilder = MethodHandles.collectArguments(
                    lookup.findVirtual(builder, "batch", MethodType.methodType(builder, boolean.class)), 0,
                    lookup.findConstructor(builder, MethodType.methodType(void.class, frame, callback)));
            MethodHandle newEntry = MethodHandles.filterReturnValue(newBuilder,
                    lookup.findVirtual(builder, "build", MethodType.methodType(entry)));
            MethodHandle enqueueText = MethodHandles.filterArguments(
                    MethodHandles.collectArguments(
                            lookup.findVirtual(connection, "enqueueFrame", MethodType.methodType(void.class, entry)),
                            1, newEntry),
                    1, newTextFrame);
            return new Straight(session, getConnection.asType(MethodType.methodType(Object.class, Object.class)),
                    maxFrameSize.asType(MethodType.methodType(long.class, Object.class)),
                    enqueueText.asType(MethodType.methodType(void.class, Object.class, ByteBuffer.class,
                            Object.class, boolean.class)));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("Jetty has no straight route to the frame flusher: every frame goes through the core session ({})",
                    e.toString());
            return Straight.NONE;
        }
    }

    /** Errors (out of memory, stack overflow) are not a container's refusal: they go on. */
    static void rethrowError(Throwable e) {
        if (e instanceof Error error) {
            throw error;
        }
    }
}
