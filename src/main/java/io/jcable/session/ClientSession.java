package io.jcable.session;

import io.jcable.broker.SessionSnapshot;
import io.jcable.hub.Subscriber;
import io.jcable.protocol.StreamPosition;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: identifiers, connection state, subscriptions, and a mailbox that runs the session's
 * work (Connect, each command, the close) one task at a time, in arrival order, on a virtual thread that
 * exists only while there is work. State below the mailbox is touched only by mailbox tasks.
 */
public final class ClientSession implements Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    /** Log lines a client can cause at once, then one per {@link #LOG_REFILL_NANOS}. */
    private static final int LOG_BURST = 10;
    private static final long LOG_REFILL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final VarHandle LAST_PING_TICK;

    static {
        try {
            LAST_PING_TICK = MethodHandles.lookup().findVarHandle(ClientSession.class, "lastPingTick", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A mailbox entry: the work, and the size of the client message it carries (0 for the server's own). */
    private record Task(Runnable work, int chars) {
    }

    private final long serial;
    private final String sid;
    private final Handshake handshake;
    private final Transport transport;
    private final Executor executor;
    private final Pinger pinger;
    /** Orders stored-publication frames around history replays; extended sessions only, else null. */
    private final HistoryGate historyGate;

    private final ReentrantLock mailboxLock = new ReentrantLock();
    private final ArrayDeque<Task> mailbox = new ArrayDeque<>(2);
    /** Sizes of the client messages waiting in the mailbox, in chars. */
    private long queuedChars;
    private boolean draining;

    private volatile boolean closed;
    /**
     * Closed on purpose, by the server (remote disconnect, the application, bad input) or by the client's own close
     * frame: never kept for a restore. A lost socket (or a {@code no_pong}) leaves it false.
     */
    volatile boolean leftForGood;
    /** Restored on another node while still open here: it ends without its Disconnect (that node makes it). */
    volatile boolean takenOver;
    /** The pinger's tick for this session's next ping; owned by the {@link Pinger}. */
    long pingTick;
    /**
     * The ticks after a ping from which the next may go along a frame (0 = never); set by the {@link Pinger}
     * before the session can get any frame.
     */
    long pingAlongGapTicks;
    /** The tick of the last ping sent ({@link Pinger#NEVER} = none yet); changed only through {@link #claimPing}. */
    private volatile long lastPingTick = Pinger.NEVER;
    /** The pinger's tick by which an extended session must have sent something (0 = none); pinger-owned. */
    long pongDeadlineTick;
    /**
     * For a session without pings ({@code ?pi=0}): whether a WebSocket ping was sent, and how many liveness
     * checks in a row found the client silent since; owned by the {@link Pinger}.
     */
    boolean awaitingPong;
    byte unansweredPings;
    /** Whether the client sent anything (a message or a pong) since the pinger last cleared it. */
    volatile boolean heardFrom;
    /** Log lines this client may still cause before the next refill ({@link #mayLog}); mailbox-owned. */
    private int logAllowance = LOG_BURST;
    private long logRefillNanos;
    private boolean logMuted;

    // Mailbox-owned state.
    String identifiers;
    boolean connected;
    /** Whether the application answered for this session (Connect or a command): it wants the Disconnect call. */
    boolean disconnectInterest;
    boolean finished;
    Map<String, String> cstate = Map.of();
    final Map<String, Subscription> subscriptions = new LinkedHashMap<>(4);
    /** The snapshot last handed to the session cache while live ({@link LiveSnapshots}), or null. */
    SessionSnapshot liveSnapshot;

    ClientSession(long serial, String sid, Handshake handshake, Transport transport, Executor executor,
            Pinger pinger) {
        this.serial = serial;
        this.sid = sid;
        this.handshake = handshake;
        this.transport = transport;
        this.executor = executor;
        this.pinger = pinger;
        this.historyGate = handshake.extended() ? new HistoryGate() : null;
    }

    @Override
    public long serial() {
        return serial;
    }

    @Override
    public String sid() {
        return sid;
    }

    /** Queues {@code frame}, with the session's next ping ahead of it in the same write when one may go along. */
    @Override
    public void deliver(String frame) {
        String ping = pinger.pingAlong(this);
        if (ping == null) {
            transport.send(frame);
        } else {
            transport.sendAll(List.of(ping, frame));
        }
    }

    @Override
    public boolean extended() {
        return historyGate != null;
    }

    @Override
    public void deliver(String frame, String identifier, String stream, StreamPosition position) {
        if (historyGate == null) {
            transport.send(frame);
        } else {
            historyGate.live(transport, identifier, stream, position, frame);
        }
    }

    /** The extended session's {@link HistoryGate}; null for {@code actioncable-v1-json}. */
    HistoryGate historyGate() {
        return historyGate;
    }

    Handshake handshake() {
        return handshake;
    }

    Transport transport() {
        return transport;
    }

    /** Whether the socket is gone (or going): no more RPC calls are started for it. */
    boolean isClosed() {
        return closed;
    }

    long lastPingTick() {
        return lastPingTick;
    }

    /** Records a ping at {@code tick} unless another ping was recorded since {@code last} was read. */
    boolean claimPing(long last, long tick) {
        return LAST_PING_TICK.compareAndSet(this, last, tick);
    }

    /** Marks the socket gone; true only for the first caller. */
    boolean markClosed() {
        mailboxLock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        } finally {
            mailboxLock.unlock();
        }
    }

    /** Queues the server's own work (Connect, the finish): never refused. Starts a drainer when none runs. */
    void submit(Runnable work) {
        enqueue(new Task(work, 0), Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * Queues the handling of a client message of {@code chars} characters; returns false, queueing nothing, when
     * {@code maxTasks} tasks or {@code maxChars} characters of messages already wait (the caller decides what a
     * flood means).
     */
    boolean offer(Runnable work, int chars, int maxTasks, long maxChars) {
        return enqueue(new Task(work, chars), maxTasks, maxChars);
    }

    private boolean enqueue(Task task, int maxTasks, long maxChars) {
        mailboxLock.lock();
        try {
            // A message bigger than the bound on its own still gets in when nothing else waits.
            if (mailbox.size() >= maxTasks || queuedChars > 0 && queuedChars + task.chars() > maxChars) {
                return false;
            }
            mailbox.add(task);
            queuedChars += task.chars();
            if (draining) {
                return true;
            }
            draining = true;
        } finally {
            mailboxLock.unlock();
        }
        executor.execute(this::drain);
        return true;
    }

    /** The client sent something: it is alive. */
    void touch() {
        heardFrom = true;
    }

    /**
     * Whether a line about this client's input may be logged now: a burst of {@link #LOG_BURST}, then one per
     * {@link #LOG_REFILL_NANOS}, so a client cannot flood the log. Called on the mailbox.
     */
    boolean mayLog() {
        long now = System.nanoTime();
        if (logAllowance > 0) {
            if (--logAllowance == 0) {
                logRefillNanos = now;
            }
            return true;
        }
        if (now - logRefillNanos >= LOG_REFILL_NANOS) {
            logRefillNanos = now;
            return true;
        }
        if (!logMuted) {
            logMuted = true;
            LOG.warn("sid={} causes too many log lines: from now on at most one per {} s", sid,
                    TimeUnit.NANOSECONDS.toSeconds(LOG_REFILL_NANOS));
        }
        return false;
    }

    private void drain() {
        while (true) {
            Task task;
            mailboxLock.lock();
            try {
                task = mailbox.poll();
                if (task == null) {
                    draining = false;
                    return;
                }
                queuedChars -= task.chars();
            } finally {
                mailboxLock.unlock();
            }
            try {
                task.work().run();
            } catch (RuntimeException | Error e) {
                // A bug must cost this one connection, not wedge its mailbox: close it and keep draining.
                LOG.error("sid={} internal error: closing (1011)", sid, e);
                transport.close(1011, "Internal Error");
            }
        }
    }
}
