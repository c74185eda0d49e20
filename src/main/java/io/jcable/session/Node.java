package io.jcable.session;

import io.jcable.config.DisconnectMode;
import io.jcable.hub.Hub;
import io.jcable.hub.Subscriber;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.ClientCommand;
import io.jcable.protocol.CommandParser;
import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.Json;
import io.jcable.protocol.ServerFrames;
import io.jcable.rpc.CallContext;
import io.jcable.rpc.ConnectResult;
import io.jcable.rpc.Controller;
import io.jcable.rpc.DisconnectCall;
import io.jcable.rpc.RpcStatus;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every session: Connect on open, commands in order, the close and its Disconnect, remote disconnects and
 * the graceful shutdown. Entry points are called from container threads and never block them: the work goes
 * to the session's mailbox, served by virtual threads.
 */
public final class Node {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** Client frames allowed to wait behind a running command before the client counts as flooding. */
    static final int MAILBOX_LIMIT = 1024;
    /** Longest {@code X-Request-ID} taken as a sid (UUIDs and the usual proxy ids are far shorter). */
    static final int MAX_REQUESTED_SID = 128;
    /** How long the shutdown's last step waits for the session threads it interrupts. */
    private static final Duration STOP_WAIT = Duration.ofMillis(250);
    private static final String RESTART_FRAME = ServerFrames.disconnect(DisconnectReason.SERVER_RESTART);
    private static final char[] SID_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private final Controller controller;
    private final Hub hub;
    private final DisconnectQueue disconnects;
    private final Pinger pinger;
    private final DisconnectMode disconnectMode;
    private final boolean sidFromRequestId;
    private final CommandRunner commands;
    private final ExecutorService executor =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jcable-session-", 0).factory());
    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Condition allFinished = drainLock.newCondition();
    private volatile boolean shuttingDown;

    private final Counter clientMessages;
    private final Counter failedClientMessages;
    private final Counter failedAuths;
    private final Counter dataReceived;

    public Node(Controller controller, Hub hub, DisconnectQueue disconnects, Pinger pinger,
                DisconnectMode disconnectMode, boolean sidFromRequestId, Metrics metrics) {
        this.controller = controller;
        this.hub = hub;
        this.disconnects = disconnects;
        this.pinger = pinger;
        this.disconnectMode = disconnectMode;
        this.sidFromRequestId = sidFromRequestId;
        this.commands = new CommandRunner(controller, hub, this::close);
        this.clientMessages = metrics.counter("client_msg_total");
        this.failedClientMessages = metrics.counter("failed_client_msg_total");
        this.failedAuths = metrics.counter("failed_auths_total");
        this.dataReceived = metrics.counter("data_rcvd_total");
        metrics.gauge("clients_num", sessions::size);
        metrics.gauge("clients_uniq_num", hub::uniqueConnections);
        metrics.gauge("broadcast_streams_num", hub::streamCount);
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /** A socket was upgraded: registers the session and starts Connect. */
    public ClientSession open(Transport transport, Handshake handshake) {
        if (shuttingDown) {
            ClientSession late = new ClientSession(newSid(), handshake, transport, executor);
            late.markClosed();
            notifyRestart(transport);
            return late;
        }
        ClientSession session = register(transport, handshake);
        if (shuttingDown) {
            // The shutdown listed the sessions to notify just before this one was registered.
            restart(session);
            return session;
        }
        pinger.schedule(session);
        session.submit(() -> connect(session), Integer.MAX_VALUE);
        return session;
    }

    /**
     * Registers the session under a sid nobody else holds: the client's {@code X-Request-ID} when allowed, a
     * safe token and free, else a generated one (a duplicate would make two sockets share one registry entry).
     */
    private ClientSession register(Transport transport, Handshake handshake) {
        String requested = sidFromRequestId ? handshake.requestId() : null;
        if (requested != null) {
            if (isSafeSid(requested)) {
                ClientSession session = new ClientSession(requested, handshake, transport, executor);
                if (sessions.putIfAbsent(requested, session) == null) {
                    return session;
                }
                LOG.warn("X-Request-ID {} is already a session id: using a generated one", requested);
            } else {
                LOG.warn("X-Request-ID is not a safe session id (1-{} of A-Z a-z 0-9 - _ . : / + =): using a "
                        + "generated one", MAX_REQUESTED_SID);
            }
        }
        while (true) {
            ClientSession session = new ClientSession(newSid(), handshake, transport, executor);
            if (sessions.putIfAbsent(session.sid(), session) == null) {
                return session;
            }
        }
    }

    /** Whether a client-chosen sid can go into gRPC metadata, JSON and logs as it is. */
    static boolean isSafeSid(String sid) {
        if (sid.isEmpty() || sid.length() > MAX_REQUESTED_SID) {
            return false;
        }
        for (int i = 0; i < sid.length(); i++) {
            char c = sid.charAt(i);
            boolean safe = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-_.:/+=".indexOf(c) >= 0;
            if (!safe) {
                return false;
            }
        }
        return true;
    }

    /** A text message arrived (counted in {@code data_rcvd_total} once it is in the mailbox, or dropped). */
    public void receive(ClientSession session, String frame) {
        if (!session.isClosed() && !session.submit(() -> handleFrame(session, frame), MAILBOX_LIMIT)) {
            LOG.warn("sid={} sent more than {} commands without waiting: closing (1008)", session.sid(), MAILBOX_LIMIT);
            failedClientMessages.inc();
            close(session, 1008, "Too many pending commands");
        }
        dataReceived.add(frame.length());
    }

    /**
     * The server closes the session: marked closed at once (before the close can reach the client), so frames
     * already in its mailbox make no more RPC calls, and its finish (with the Disconnect, if connected) is
     * queued behind the running task.
     */
    public void close(ClientSession session, int code, String reason) {
        socketClosed(session);
        session.transport().close(code, reason);
    }

    /** The socket is gone (closed by either side, or broken). Safe to call more than once. */
    public void socketClosed(ClientSession session) {
        if (session.markClosed()) {
            session.submit(() -> finish(session), Integer.MAX_VALUE);
        }
    }

    /**
     * Remote disconnect command: every session with exactly these identifiers gets the {@code remote}
     * disconnect frame and is closed (then gets its Disconnect as usual). Returns how many were closed.
     */
    public int disconnectRemotely(String identifiers, boolean reconnect) {
        int count = 0;
        for (Subscriber subscriber : hub.connections(identifiers)) {
            ClientSession session = (ClientSession) subscriber;
            session.transport().send(ServerFrames.disconnect("remote", reconnect));
            close(session, 1000, "Closed remotely");
            count++;
        }
        return count;
    }

    private void connect(ClientSession session) {
        ConnectResult result = controller.connect(new CallContext(session.sid(), session::isClosed),
                session.handshake().env());
        switch (result.status()) {
            case SUCCESS -> {
                session.identifiers = result.identifiers();
                session.connected = true;
                session.cstate = StateMerge.merge(session.cstate, result.cstate());
                hub.addConnection(session.identifiers, session);
                if (!session.isClosed()) {
                    result.transmissions().forEach(session.transport()::send);
                }
            }
            case FAILURE -> {
                failedAuths.inc();
                LOG.info("sid={} rejected by the application (Connect FAILURE)", session.sid());
                result.transmissions().forEach(session.transport()::send);
                close(session, 1000, "Auth Failed");
            }
            case ERROR -> {
                LOG.error("sid={} Connect failed: {}", session.sid(), result.errorMessage());
                session.transport().send(ServerFrames.disconnect(DisconnectReason.SERVER_ERROR));
                close(session, DisconnectReason.SERVER_ERROR.closeCode(), DisconnectReason.SERVER_ERROR.closeText());
            }
        }
    }

    private void handleFrame(ClientSession session, String frame) {
        if (session.isClosed() || !session.connected) {
            return;
        }
        clientMessages.inc();
        ClientCommand command = CommandParser.parse(frame);
        switch (command) {
            case ClientCommand.Malformed malformed -> {
                failedClientMessages.inc();
                LOG.warn("sid={} sent a malformed frame ({}): closing (1007)", session.sid(), malformed.reason());
                close(session, 1007, "Invalid JSON");
            }
            case ClientCommand.Ping ping -> session.transport().send(ServerFrames.PONG);
            case ClientCommand.Pong pong -> {
                // Clients of the extended protocol answer every ping; any frame proves they are alive.
            }
            case ClientCommand.Unsupported unsupported -> {
                failedClientMessages.inc();
                LOG.warn("sid={} sent an unsupported command: {}", session.sid(), unsupported.reason());
            }
            default -> {
                if (!commands.run(session, command)) {
                    failedClientMessages.inc();
                }
            }
        }
    }

    private void finish(ClientSession session) {
        if (session.finished) {
            return;
        }
        session.finished = true;
        List<String> subscriptions = new ArrayList<>(session.subscriptions.keySet());
        Map<String, String> istates = new LinkedHashMap<>();
        session.subscriptions.forEach((identifier, subscription) -> {
            subscription.streams().forEach(stream -> hub.unsubscribe(stream, identifier, session));
            if (!subscription.istate().isEmpty()) {
                istates.put(identifier, Json.toJson(subscription.istate()));
            }
        });
        session.subscriptions.clear();
        if (session.connected) {
            hub.removeConnection(session.identifiers, session);
            if (disconnectMode != DisconnectMode.NEVER) {
                disconnects.enqueue(new DisconnectCall(session.sid(), session.identifiers, subscriptions,
                        session.handshake().env(), session.cstate, istates));
            }
        }
        sessions.remove(session.sid(), session);
        if (sessions.isEmpty()) {
            drainLock.lock();
            try {
                allFinished.signalAll();
            } finally {
                drainLock.unlock();
            }
        }
    }

    /**
     * Graceful shutdown: every client gets {@code server_restart} and a 1001 close, every session's Disconnect
     * is queued, and the queue is drained without rate limit — all within {@code timeout}. The closes are waited
     * for at most {@code closeWait} (the write timeout): a client that neither reads nor answers the close has
     * had its notice written as far as it ever will be, and must not hold the shutdown until the timeout.
     */
    public void shutdown(Duration timeout, Duration closeWait) {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        // Before any session finishes: with more sessions than the backlog holds, their Disconnects must not
        // wait for the normal rate.
        disconnects.startDrain(deadline);
        List<ClientSession> open = new ArrayList<>(sessions.values());
        LOG.info("Shutting down: notifying {} clients", open.size());
        List<CompletableFuture<Void>> notices = new ArrayList<>(open.size());
        for (ClientSession session : open) {
            restart(session);
            notices.add(session.transport().whenClosed().toCompletableFuture());
        }
        awaitSessionsFinished(deadline);
        awaitNotices(notices, Math.min(deadline, start + closeWait.toNanos()));
        disconnects.finishDrain();
        executor.shutdownNow();
        try {
            executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    private void awaitSessionsFinished(long deadline) {
        drainLock.lock();
        try {
            long left = deadline - System.nanoTime();
            while (!sessions.isEmpty() && left > 0) {
                left = allFinished.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            drainLock.unlock();
        }
        if (!sessions.isEmpty()) {
            LOG.warn("Shutdown timeout reached with {} sessions still busy", sessions.size());
        }
    }

    /** Tells the client the server is going away ({@code server_restart}, 1001) and closes the session. */
    private void restart(ClientSession session) {
        notifyRestart(session.transport());
        socketClosed(session);
    }

    private static void notifyRestart(Transport transport) {
        transport.send(RESTART_FRAME);
        transport.close(DisconnectReason.SERVER_RESTART.closeCode(), DisconnectReason.SERVER_RESTART.closeText());
    }

    private String newSid() {
        char[] sid = new char[21];
        byte[] bytes = new byte[21];
        random.nextBytes(bytes);
        for (int i = 0; i < sid.length; i++) {
            sid[i] = SID_ALPHABET[bytes[i] & 63];
        }
        return new String(sid);
    }
}
