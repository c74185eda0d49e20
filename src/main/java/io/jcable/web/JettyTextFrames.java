package io.jcable.web;

import jakarta.websocket.Session;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.locks.ReentrantLock;
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
 *
 * <p>While it reaches into the session, it also empties the session's JSR-356 decoders (see {@link #socket}).
 */
final class JettyTextFrames {
    private static final Logger LOG = LoggerFactory.getLogger(JettyTextFrames.class);

    /**
     * The container's calls, all typed with Object (their Jetty types are not visible here); {@code decoders} is
     * null where the session has no {@code getDecoders()}.
     */
    private record Calls(Class<?> sessionClass, MethodHandle coreSession, MethodHandle newTextFrame,
                         MethodHandle newCallback, MethodHandle sendFrame, MethodHandle flush, MethodHandle decoders) {
    }

    /** One frame's text and its UTF-8 bytes (read-only), kept for the sockets that get the same string next. */
    private record Encoded(String text, ByteBuffer utf8) {
    }

    private static final Calls UNAVAILABLE = new Calls(null, null, null, null, null, null, null);

    private final ReentrantLock lookUpLock = new ReentrantLock();
    /** Null until the first socket; {@link #UNAVAILABLE} when the container is not Jetty 12. */
    private volatile Calls calls;
    /** The last frame encoded (by any thread; another thread's frame in between only costs a new encoding). */
    private volatile Encoded last;

    /**
     * A writer for {@code socket} whose completions go to {@code written} / {@code failed} (at most one write is
     * outstanding per socket, so one callback serves them all); null where only {@code sendText} will do.
     *
     * <p>Called once the endpoint has added its message handlers. Jetty 12 registers the decoders of every
     * primitive type in each session (21 objects, about 0.8 KiB a socket, kept for the socket's life) whatever
     * the endpoint configures; jcable's handlers (partial text and binary, whole pong) take no decoder, and Jetty
     * reads the list only when a handler is added. So the list is emptied here, through the public
     * {@code Iterable} that the session's {@code getDecoders()} returns.
     */
    Socket socket(Session socket, Runnable written, Consumer<Throwable> failed) {
        Calls found = calls;
        if (found == null) {
            lookUpLock.lock();
            try {
                found = calls;
                if (found == null) {
                    found = lookUp(socket.getClass());
                    calls = found;
                }
            } finally {
                lookUpLock.unlock();
            }
        }
        if (found == UNAVAILABLE || found.sessionClass() != socket.getClass()) {
            return null;
        }
        dropDecoders(found, socket);
        try {
            return new Socket(found, (Object) found.coreSession().invokeExact((Object) socket),
                    (Object) found.newCallback().invokeExact(written, failed));
        } catch (Throwable e) {
            rethrowError(e);
            LOG.warn("Jetty core session of {} not usable, writing through sendText: {}", socket.getId(), e.toString());
            return null;
        }
    }

    /** One socket's core session and completion callback. */
    final class Socket {
        private final Calls found;
        private final Object coreSession;
        private final Object callback;

        private Socket(Calls found, Object coreSession, Object callback) {
            this.found = found;
            this.coreSession = coreSession;
            this.callback = callback;
        }

        /**
         * Queues {@code text} as one text frame, kept in Jetty's buffer until {@link #flush} when {@code batch};
         * the completion comes back through the socket's callback.
         */
        void send(String text, boolean batch) throws Throwable {
            Object frame = (Object) found.newTextFrame().invokeExact(encoded(text).slice());
            found.sendFrame().invokeExact(coreSession, frame, callback, batch);
        }

        /** Writes what the batched frames left in Jetty's buffer; the completion comes back like a write's. */
        void flush() throws Throwable {
            found.flush().invokeExact(coreSession, callback);
        }
    }

    private static void dropDecoders(Calls found, Session socket) {
        if (found.decoders() == null) {
            return;
        }
        try {
            Iterator<?> registered = ((Iterable<?>) (Object) found.decoders().invokeExact((Object) socket)).iterator();
            while (registered.hasNext()) {
                registered.next();
                registered.remove();
            }
        } catch (Throwable e) {
            rethrowError(e);
            // A Jetty whose list cannot shrink keeps its decoders: memory, not function.
            LOG.debug("decoders of {} kept: {}", socket.getId(), e.toString());
        }
    }

    private ByteBuffer encoded(String text) {
        Encoded known = last;
        if (known == null || known.text() != text) {
            known = new Encoded(text, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer());
            last = known;
        }
        return known.utf8();
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
            MethodHandle flush = lookup.findVirtual(coreSession, "flush", MethodType.methodType(void.class, callback));
            LOG.info("Text frames go through Jetty's core WebSocket session (one UTF-8 encoding per shared frame)");
            MethodHandle decoders = decoders(lookup, sessionClass);
            return new Calls(sessionClass,
                    getCoreSession.asType(MethodType.methodType(Object.class, Object.class)),
                    MethodHandles.insertArguments(newFrame, 0, text)
                            .asType(MethodType.methodType(Object.class, ByteBuffer.class)),
                    newCallback.asType(MethodType.methodType(Object.class, Runnable.class, Consumer.class)),
                    sendFrame.asType(MethodType.methodType(void.class, Object.class, Object.class, Object.class,
                            boolean.class)),
                    flush.asType(MethodType.methodType(void.class, Object.class, Object.class)), decoders);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("Text frames go through JSR-356 sendText ({} has no Jetty 12 core session: {})",
                    sessionClass.getName(), e.toString());
            return UNAVAILABLE;
        }
    }

    /** The session's {@code getDecoders()} typed {@code (Object)Object}, or null where it has no such list. */
    private static MethodHandle decoders(MethodHandles.Lookup lookup, Class<?> sessionClass) {
        try {
            Method getDecoders = sessionClass.getMethod("getDecoders");
            if (!Iterable.class.isAssignableFrom(getDecoders.getReturnType())) {
                return null;
            }
            return lookup.unreflect(getDecoders).asType(MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("JSR-356 decoders kept in every session ({}: {})", sessionClass.getName(), e.toString());
            return null;
        }
    }

    /** Errors (out of memory, stack overflow) are not a container's refusal: they go on. */
    static void rethrowError(Throwable e) {
        if (e instanceof Error error) {
            throw error;
        }
    }
}
