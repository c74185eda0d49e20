package io.jcable.web;

import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.ServerFrames;
import io.jcable.session.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per socket over the container's async remote: frames are queued and written one at a time (the
 * JSR-356 async remote allows a single outstanding write), never blocking the caller. Completions that arrive
 * inline are handled in a loop, not by recursion. When more than {@code maxPendingBytes} wait, the client is
 * too slow: the queue is dropped and the socket closed, so a reader that never reads costs bounded memory.
 * Sizes are counted in chars (UTF-16 units), close to bytes for JSON text. Frames sent together ({@link #sendAll}:
 * a history replay, a ping along a broadcast) go out in one socket write instead of one per frame, in the same
 * order: on Jetty all but the last are kept in its frame flusher's buffer and the last one's write takes them
 * along; elsewhere the container's batching is allowed and the standard flush (which blocks) runs on a virtual
 * thread, standing for the write in progress meanwhile.
 */
public final class WsTransport implements Transport, SendHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WsTransport.class);
    private static final CompletionStage<Void> CLOSED = CompletableFuture.completedStage(null);

    /** The frames of a {@link #sendAll} on their way to the queue, and their size. */
    private record Batch(List<String> frames, long chars) {
    }

    /** Queue markers in the frames of a {@link #sendAll}. */
    private enum Batching {
        /** Later frames may wait in the container's buffer. */
        START,
        /** On Jetty, before the last frame: it is written at once, and what waits goes out with it. */
        LAST,
        /** Elsewhere, after the last frame: flush what waits, stop batching (a write, done in {@link #onResult}). */
        FLUSH
    }

    private final Session socket;
    private final RemoteEndpoint.Async remote;
    /**
     * Jetty's core session, when reachable: frames shared by many sockets are encoded once, and a batch costs no
     * more than its frames' own writes; else null.
     */
    private final JettyTextFrames.Socket jetty;
    /** Between START and LAST of a {@link #sendAll} on Jetty: frames are batched; only the write loop touches it. */
    private boolean batching;
    private final long maxPendingBytes;
    private final long writeTimeoutNanos;
    private final EndpointContext context;

    private final ReentrantLock lock = new ReentrantLock();
    /** Items waiting behind the write in progress; created when first needed (most sockets never queue). */
    private ArrayDeque<Object> queue;
    private long pendingChars;
    private boolean writing;
    private boolean looping;
    private boolean closing;
    private boolean abandoned;
    private boolean socketClosed;
    /** Completed when the container reports the socket closed; created only when someone waits for that. */
    private CompletableFuture<Void> closedSignal;
    /** When the write in progress started; 0 when none is (read without the lock by {@link #checkWrite}). */
    private volatile long writeStartedNanos;

    WsTransport(Session socket, EndpointContext context) {
        this.socket = socket;
        this.remote = socket.getAsyncRemote();
        this.context = context;
        this.jetty = context.textFrames().socket(socket, this::written, this::failed);
        this.maxPendingBytes = context.server().maxPendingSize();
        this.writeTimeoutNanos = context.server().writeTimeout().toNanos();
    }

    @Override
    public void send(String frame) {
        enqueue(frame);
    }

    @Override
    public void sendAll(List<String> frames) {
        if (frames.size() < 2) {
            frames.forEach(this::enqueue);
            return;
        }
        long chars = 0;
        for (String frame : frames) {
            chars += frame.length();
        }
        enqueue(new Batch(frames, chars));
    }

    @Override
    public boolean batchesInOneWrite() {
        return jetty != null;
    }

    @Override
    public void close(int code, String reason) {
        enqueue(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
    }

    @Override
    public CompletionStage<Void> whenClosed() {
        lock.lock();
        try {
            if (socketClosed) {
                return CLOSED;
            }
            if (closedSignal == null) {
                closedSignal = new CompletableFuture<>();
            }
            return closedSignal;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the server began closing this socket (a close or an abandon was queued). */
    boolean isClosingByServer() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    /** The container reports the socket closed: the close handshake is done, or the connection is gone. */
    void socketClosed() {
        CompletableFuture<Void> signal;
        lock.lock();
        try {
            socketClosed = true;
            signal = closedSignal;
        } finally {
            lock.unlock();
        }
        if (signal != null) {
            signal.complete(null);
        }
    }

    private void enqueue(Object item) {
        String writeNow = null;
        boolean startLoop = false;
        boolean tooSlow = false;
        lock.lock();
        try {
            if (closing) {
                return;
            }
            long chars = item instanceof String frame ? frame.length()
                    : item instanceof Batch batch ? batch.chars() : 0;
            if (item instanceof CloseReason) {
                closing = true;
                queued().add(item);
                startLoop = startLoopIfIdle();
            } else if (writing && pendingChars + chars > maxPendingBytes) {
                // Only what waits behind a write in progress counts: one big frame to an idle client is fine.
                tooSlow = true;
                giveUp();
            } else if (item instanceof Batch batch) {
                ArrayDeque<Object> queued = queued();
                List<String> frames = batch.frames();
                int last = frames.size() - 1;
                queued.add(Batching.START);
                queued.addAll(frames.subList(0, last));
                if (jetty != null) {
                    queued.add(Batching.LAST);
                }
                queued.add(frames.get(last));
                if (jetty == null) {
                    queued.add(Batching.FLUSH);
                }
                pendingChars += chars;
                startLoop = startLoopIfIdle();
            } else if (startLoopIfIdle()) {
                // Idle, so nothing is queued: write it at once (the common case of a broadcast).
                startWrite();
                writeNow = (String) item;
            } else {
                pendingChars += chars;
                queued().add(item);
            }
        } finally {
            lock.unlock();
        }
        if (tooSlow) {
            slow("more than " + maxPendingBytes + " bytes pending", true);
        } else if (writeNow != null) {
            write(writeNow);
            writeLoop();
        } else if (startLoop) {
            writeLoop();
        }
    }

    /** Claims the write loop when nothing runs it; called with the lock held. True when the caller must run it. */
    private boolean startLoopIfIdle() {
        if (looping || writing) {
            return false;
        }
        looping = true;
        return true;
    }

    /**
     * Gives up on the socket, once: what waits is dropped and nothing more is queued (a write still blocked behind
     * this must not count the client slow again). Called with the lock held.
     */
    private void giveUp() {
        abandoned = true;
        closing = true;
        dropQueue();
        pendingChars = 0;
    }

    @Override
    public void ping() {
        Thread.ofVirtual().name("jcable-ping").start(() -> {
            try {
                // Blocking on every container (it waits until the frame is handed over): on its own thread.
                remote.sendPing(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
                LOG.debug("Ping to {} failed: {}", socket.getId(), e.toString());
            }
        });
    }

    @Override
    public void abandon(DisconnectReason reason) {
        boolean notify;
        lock.lock();
        try {
            if (abandoned) {
                return;
            }
            giveUp();
            notify = !writing;
        } finally {
            lock.unlock();
        }
        drop(reason, notify);
    }

    /** Gives up on a client that does not keep up with its writes (counted in the slow-clients metric). */
    private void slow(String why, boolean notify) {
        LOG.warn("Client {} is too slow ({}): disconnecting", socket.getId(), why);
        context.slowClients().inc();
        drop(DisconnectReason.TOO_SLOW, notify);
    }

    /**
     * Closes with {@code reason}, its notice first when {@code notify} (no write is in progress to block it).
     * The connection gets a short idle timeout, so it is dropped even when a blocked write keeps the close frame
     * from going out or the peer never answers the close.
     */
    private void drop(DisconnectReason reason, boolean notify) {
        socket.setMaxIdleTimeout(Math.max(1, writeTimeoutNanos / 1_000_000));
        CloseReason close = new CloseReason(CloseReason.CloseCodes.getCloseCode(reason.closeCode()),
                reason.closeText());
        if (!notify) {
            closeSocket(close);
            return;
        }
        try {
            remote.sendText(ServerFrames.disconnect(reason), result -> closeSocket(close));
        } catch (RuntimeException e) {
            // Some containers refuse a second outstanding async write; the close alone will do.
            closeSocket(close);
        }
    }

    /** Writes queued items while completions come back inline; returns when a write is in progress or idle. */
    private void writeLoop() {
        while (true) {
            Object item;
            lock.lock();
            try {
                if (writing) {
                    looping = false;
                    return;
                }
                item = queue == null ? null : queue.poll();
                if (item == null) {
                    looping = false;
                    return;
                }
                if (item instanceof String frame) {
                    pendingChars -= frame.length();
                    startWrite();
                } else if (item == Batching.FLUSH) {
                    startWrite();
                }
            } finally {
                lock.unlock();
            }
            switch (item) {
                case String frame -> write(frame);
                case Batching.START -> startBatching();
                case Batching.LAST -> batching = false;
                case Batching.FLUSH -> flush();
                case CloseReason reason -> {
                    closeSocket(reason);
                    lock.lock();
                    looping = false;
                    lock.unlock();
                    return;
                }
                default -> throw new IllegalStateException("unknown queue item " + item);
            }
        }
    }

    /** Lets the container keep the next frames in its buffer (their writes then complete at once). */
    private void startBatching() {
        if (jetty != null) {
            batching = true;
            return;
        }
        try {
            remote.setBatchingAllowed(true);
        } catch (IOException | RuntimeException e) {
            // The frames then go out one by one.
            LOG.debug("Batching for {} refused: {}", socket.getId(), e.toString());
        }
    }

    /**
     * Flushes what waits and stops batching (not on Jetty); completes like a write, in {@link #written} or
     * {@link #failed}. The standard flush (batching turned off) blocks, so it runs on a virtual thread.
     */
    private void flush() {
        context.writes().watch(this);
        Thread.ofVirtual().name("jcable-flush").start(() -> {
            SendResult result;
            try {
                remote.setBatchingAllowed(false);
                result = new SendResult();
            } catch (IOException | RuntimeException e) {
                result = new SendResult(e);
            }
            onResult(result);
        });
    }

    /** The queue, created on first use; called with the lock held. */
    private ArrayDeque<Object> queued() {
        if (queue == null) {
            queue = new ArrayDeque<>(4);
        }
        return queue;
    }

    /** Forgets everything queued; called with the lock held. */
    private void dropQueue() {
        queue = null;
    }

    /** Marks a write as in progress; called with the lock held. */
    private void startWrite() {
        writing = true;
        writeStartedNanos = System.nanoTime();
    }

    /** Hands one frame to the container; its completion may come back inline (then the loop goes on). */
    private void write(String frame) {
        try {
            if (jetty != null) {
                jetty.send(frame, batching);
            } else {
                remote.sendText(frame, this);
            }
            context.framesSent().inc();
            context.bytesSent().add(frame.length());
            if (writeStartedNanos != 0) {
                // Not completed inline: the socket is backed up, so the pinger watches this write.
                context.writes().watch(this);
            }
        } catch (Throwable e) {
            JettyTextFrames.rethrowError(e);
            failed(e);
        }
    }

    @Override
    public void onResult(SendResult result) {
        if (result.isOK()) {
            written();
        } else {
            failed(result.getException());
        }
    }

    /** A write failed: nothing more goes out, the socket is closed. */
    private void failed(Throwable cause) {
        context.failedFrames().inc();
        lock.lock();
        try {
            writing = false;
            writeStartedNanos = 0;
            closing = true;
            dropQueue();
        } finally {
            lock.unlock();
        }
        LOG.debug("Write to {} failed: {}", socket.getId(), String.valueOf(cause));
        closeSocket(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "Write failed"));
    }

    /** A write completed: the next queued item, if any, goes out. */
    private void written() {
        lock.lock();
        try {
            writing = false;
            writeStartedNanos = 0;
            if (looping) {
                // The loop that started this write is still running and will pick up the next item.
                return;
            }
            looping = true;
        } finally {
            lock.unlock();
        }
        writeLoop();
    }

    @Override
    public boolean checkWrite(long nowNanos) {
        long started = writeStartedNanos;
        if (started == 0) {
            return false;
        }
        if (nowNanos - started <= writeTimeoutNanos) {
            return true;
        }
        boolean stalled;
        boolean stillWriting;
        lock.lock();
        try {
            stalled = writing && !abandoned && nowNanos - writeStartedNanos > writeTimeoutNanos;
            if (stalled) {
                giveUp();
            }
            stillWriting = writing && !abandoned;
        } finally {
            lock.unlock();
        }
        if (stalled) {
            // No notice: it could not get past the blocked write.
            slow("a write blocked for more than " + writeTimeoutNanos / 1_000_000 + " ms", false);
        }
        return stillWriting;
    }

    private void closeSocket(CloseReason reason) {
        // Session.close may block until the close frame is flushed: never do it on the caller's thread.
        Thread.ofVirtual().name("jcable-close").start(() -> {
            try {
                socket.close(reason);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Close of {} failed: {}", socket.getId(), e.toString());
                // The container may then never report the close; nothing more will go out either way.
                socketClosed();
            }
        });
    }
}
