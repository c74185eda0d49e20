package io.jcable.session;

import io.jcable.hub.Subscriber;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
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
    private final String sid;
    private final Handshake handshake;
    private final Transport transport;
    private final Executor executor;

    private final ReentrantLock mailboxLock = new ReentrantLock();
    private final ArrayDeque<Runnable> mailbox = new ArrayDeque<>(2);
    private boolean draining;

    private volatile boolean closed;
    /** The pinger's tick for this session's next ping; owned by the {@link Pinger}. */
    long pingTick;

    // Mailbox-owned state.
    String identifiers;
    boolean connected;
    boolean finished;
    Map<String, String> cstate = Map.of();
    final Map<String, Subscription> subscriptions = new LinkedHashMap<>(4);

    ClientSession(String sid, Handshake handshake, Transport transport, Executor executor) {
        this.sid = sid;
        this.handshake = handshake;
        this.transport = transport;
        this.executor = executor;
    }

    @Override
    public String sid() {
        return sid;
    }

    @Override
    public void deliver(String frame) {
        transport.send(frame);
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

    /**
     * Queues a task; returns false when {@code limit} tasks are already waiting (the caller decides what a
     * flood means). Starts a drainer when none runs.
     */
    boolean submit(Runnable task, int limit) {
        mailboxLock.lock();
        try {
            if (mailbox.size() >= limit) {
                return false;
            }
            mailbox.add(task);
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

    private void drain() {
        while (true) {
            Runnable task;
            mailboxLock.lock();
            try {
                task = mailbox.poll();
                if (task == null) {
                    draining = false;
                    return;
                }
            } finally {
                mailboxLock.unlock();
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                // A bug must cost this one connection, not wedge its mailbox: close it and keep draining.
                LOG.error("sid={} internal error: closing (1011)", sid, e);
                transport.close(1011, "Internal Error");
            }
        }
    }
}
