package io.jcable.session;

import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.ServerFrames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graceful shutdown: every client gets {@code server_restart} and a 1001 close, every session's Disconnect
 * is queued, and the queue is drained without rate limit, all within the shutdown timeout.
 */
final class GracefulShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
    /** How long the last step waits for the session threads it interrupts. */
    private static final Duration STOP_WAIT = Duration.ofMillis(250);
    private static final String RESTART_FRAME = ServerFrames.disconnect(DisconnectReason.SERVER_RESTART);

    private final SessionRegistry registry;
    private final DisconnectQueue disconnects;
    private final ExecutorService sessionThreads;
    private final Consumer<ClientSession> socketClosed;

    /** {@code socketClosed} marks a notified session closed and queues its finish ({@link Node#socketClosed}). */
    GracefulShutdown(SessionRegistry registry, DisconnectQueue disconnects, ExecutorService sessionThreads,
                     Consumer<ClientSession> socketClosed) {
        this.registry = registry;
        this.disconnects = disconnects;
        this.sessionThreads = sessionThreads;
        this.socketClosed = socketClosed;
    }

    /**
     * Runs the sequence. The closes are waited for at most {@code closeWait} (the write timeout): a client that
     * neither reads nor answers the close has had its notice written as far as it ever will be, and must not
     * hold the shutdown until the timeout.
     */
    void run(Duration timeout, Duration closeWait) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        // Before any session finishes: with more sessions than the backlog holds, their Disconnects must not
        // wait for the normal rate.
        disconnects.startDrain(deadline);
        List<ClientSession> open = registry.snapshot();
        LOG.info("Shutting down: notifying {} clients", open.size());
        List<CompletableFuture<Void>> notices = new ArrayList<>(open.size());
        for (ClientSession session : open) {
            restart(session);
            notices.add(session.transport().whenClosed().toCompletableFuture());
        }
        if (!registry.awaitEmpty(deadline)) {
            LOG.warn("Shutdown timeout reached with {} sessions still busy", registry.size());
        }
        awaitNotices(notices, Math.min(deadline, start + closeWait.toNanos()));
        disconnects.finishDrain();
        sessionThreads.shutdownNow();
        try {
            sessionThreads.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells the client the server is going away ({@code server_restart}, 1001) and closes the session. */
    void restart(ClientSession session) {
        notifyRestart(session.transport());
        socketClosed.accept(session);
    }

    static void notifyRestart(Transport transport) {
        transport.send(RESTART_FRAME);
        transport.close(DisconnectReason.SERVER_RESTART.closeCode(), DisconnectReason.SERVER_RESTART.closeText());
    }

    /**
     * Waits until every notified socket is closed, so the container stopping its connectors next cannot cut
     * off a {@code server_restart} still queued behind a slow write. One future per socket, no thread.
     */
    private static void awaitNotices(List<CompletableFuture<Void>> notices, long deadline) {
        try {
            CompletableFuture.allOf(notices.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Shutdown goes on with {} of {} clients not closed yet",
                    notices.stream().filter(notice -> !notice.isDone()).count(), notices.size());
        } catch (ExecutionException e) {
            LOG.warn("Waiting for the clients' close failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
