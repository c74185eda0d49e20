package io.jcable.session;

import io.jcable.broker.Broker;
import io.jcable.broker.SessionCache;
import io.jcable.config.DisconnectMode;
import io.jcable.hub.Hub;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.presence.Presence;
import io.jcable.pubsub.TransientPublisher;
import io.jcable.rpc.Controller;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session layer's entry points, called from container threads and never blocking them: a socket opens,
 * sends a message, is closed by the server or goes away, and the node shuts down. The work goes to the
 * session's mailbox, served by virtual threads; {@link Connector}, {@link FrameDispatcher}, {@link CommandRunner}
 * and {@link SessionTeardown} do it, {@link SessionRegistry} holds the sessions, {@link GracefulShutdown} ends
 * them all.
 */
public final class Node {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** Client messages allowed to wait behind a running command before the client counts as flooding. */
    static final int MAILBOX_LIMIT = 1024;

    private final ExecutorService sessionThreads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jcable-session-", 0).factory());
    private final SessionRegistry registry;
    private final Hub hub;
    private final Pinger pinger;
    private final Connector connector;
    private final FrameDispatcher dispatcher;
    private final LiveSnapshots liveSnapshots;
    private final SessionTeardown teardown;
    private final RemoteDisconnects remoteDisconnects;
    private final GracefulShutdown shutdown;
    private final SessionCache sessionCache;
    private final long maxQueuedInput;
    private final Counter failedClientMessages;
    private final Counter dataReceived;
    private volatile boolean shuttingDown;

    /**
     * @param local          what the server answers itself (standalone mode) before asking {@code controller}
     * @param publisher      where whispers and presence events are published
     * @param maxQueuedInput characters of client messages that may wait in one session's mailbox behind a
     *                       running command before the client counts as flooding
     */
    public Node(LocalAnswers local, Controller controller, Hub hub, Broker broker, SessionCache sessionCache,
                Presence presence, TransientPublisher publisher, DisconnectQueue disconnects, Pinger pinger,
                DisconnectMode disconnectMode, boolean sidFromRequestId, long maxQueuedInput, Metrics metrics) {
        this.hub = hub;
        this.registry = new SessionRegistry(sidFromRequestId);
        this.pinger = pinger;
        this.maxQueuedInput = maxQueuedInput;
        PresenceCommands presenceCommands = new PresenceCommands(presence);
        this.connector = new Connector(local, controller, hub, sessionCache, this::close, pinger, presenceCommands,
                metrics);
        this.liveSnapshots = new LiveSnapshots(sessionCache, this::close);
        this.dispatcher = new FrameDispatcher(new CommandRunner(local, controller, hub, this::close,
                new HistoryReplay(broker), presenceCommands, publisher), this::close, liveSnapshots, metrics);
        this.teardown = new SessionTeardown(hub, disconnects, disconnectMode, registry, sessionCache,
                this::isShuttingDown, presenceCommands);
        this.sessionCache = sessionCache;
        this.remoteDisconnects = new RemoteDisconnects(hub, this::close);
        this.shutdown = new GracefulShutdown(registry, disconnects, sessionThreads, this::socketClosed);
        this.failedClientMessages = metrics.counter("failed_client_msg_total");
        this.dataReceived = metrics.counter("data_rcvd_total");
        metrics.gauge("clients_num", registry::size);
        metrics.gauge("clients_uniq_num", hub::uniqueConnections);
        metrics.gauge("broadcast_streams_num", hub::streamCount);
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    public RemoteDisconnects remoteDisconnects() {
        return remoteDisconnects;
    }

    /**
     * A socket was upgraded: registers the session and starts Connect. Nothing between the registration and
     * the queued Connect may leave the session registered without a finish: a failure there ends it at once.
     */
    public ClientSession open(Transport transport, Handshake handshake) {
        if (shuttingDown) {
            ClientSession late = new ClientSession(hub.nextSerial(), registry.newSid(), handshake, transport,
                    sessionThreads, pinger);
            late.markClosed();
            GracefulShutdown.notifyRestart(transport);
            return late;
        }
        ClientSession session = registry.register(handshake.requestId(),
                sid -> new ClientSession(hub.nextSerial(), sid, handshake, transport, sessionThreads, pinger));
        try {
            if (shuttingDown) {
                // The shutdown listed the sessions to notify just before this one was registered.
                shutdown.restart(session);
                return session;
            }
            pinger.schedule(session);
            session.submit(() -> {
                connector.connect(session);
                liveSnapshots.changed(session);
            });
        } catch (RuntimeException | Error e) {
            LOG.error("sid={} could not be opened: closing (1011)", session.sid(), e);
            session.markClosed();
            // Not connected and nothing queued: the finish only takes it out of the registry.
            teardown.finish(session);
            transport.close(1011, "Internal Error");
        }
        return session;
    }

    /** A text message arrived (counted in {@code data_rcvd_total} once it is in the mailbox, or dropped). */
    public void receive(ClientSession session, String frame) {
        session.touch();
        if (!session.isClosed()
                && !session.offer(() -> dispatcher.handle(session, frame), frame.length(), MAILBOX_LIMIT, maxQueuedInput)) {
            LOG.warn("sid={} sent more than {} commands or {} characters without waiting: closing (1008)",
                    session.sid(), MAILBOX_LIMIT, maxQueuedInput);
            failedClientMessages.inc();
            close(session, 1008, "Too many pending commands");
        }
        dataReceived.add(frame.length());
    }

    /** A WebSocket pong arrived: the client is alive. */
    public void pong(ClientSession session) {
        session.touch();
    }

    /**
     * The server closes the session: marked closed at once (before the close can reach the client), so frames
     * already in its mailbox make no more RPC calls, and its finish (with the Disconnect, if connected) is
     * queued behind the running task.
     */
    public void close(ClientSession session, int code, String reason) {
        session.leftForGood = true;
        socketClosed(session);
        session.transport().close(code, reason);
    }

    /** The client closed its socket on purpose (it sent a close frame): the session will not be restored. */
    public void clientLeft(ClientSession session) {
        session.leftForGood = true;
    }

    /** The socket is gone (closed by either side, or broken). Safe to call more than once. */
    public void socketClosed(ClientSession session) {
        if (session.markClosed()) {
            session.submit(() -> teardown.finish(session));
        }
    }

    /**
     * Graceful shutdown, once: every client gets {@code server_restart} and a 1001 close, every session's
     * Disconnect is queued and drained without rate limit, all within {@code timeout}; the clients' closes are
     * waited for at most {@code closeWait}.
     */
    public void shutdown(Duration timeout, Duration closeWait) {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        // Sessions waiting for a restore that can no longer come: their Disconnects are due with the others.
        sessionCache.expireAll();
        shutdown.run(timeout, closeWait);
    }
}
