package io.jcable.session;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open sessions by sid, and the sids themselves: generated ones, or the client's {@code X-Request-ID} when
 * allowed, safe and free (a duplicate would make two sockets share one entry).
 */
final class SessionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    /** Longest {@code X-Request-ID} taken as a sid (UUIDs and the usual proxy ids are far shorter). */
    static final int MAX_REQUESTED_SID = 128;
    private static final int SID_LENGTH = 21;
    private static final char[] SID_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private final boolean sidFromRequestId;
    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition empty = lock.newCondition();

    SessionRegistry(boolean sidFromRequestId) {
        this.sidFromRequestId = sidFromRequestId;
    }

    /** Builds a session with a sid nobody else holds and registers it. */
    ClientSession register(String requestId, Function<String, ClientSession> factory) {
        String requested = sidFromRequestId ? requestId : null;
        if (requested != null) {
            if (isSafeSid(requested)) {
                ClientSession session = factory.apply(requested);
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
            ClientSession session = factory.apply(newSid());
            if (sessions.putIfAbsent(session.sid(), session) == null) {
                return session;
            }
        }
    }

    /** Whether a client-chosen sid can go into RPC metadata, JSON and logs as it is. */
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

    /** A fresh random sid (21 URL-safe characters, 126 bits), not registered. */
    String newSid() {
        byte[] bytes = new byte[SID_LENGTH];
        random.nextBytes(bytes);
        char[] sid = new char[SID_LENGTH];
        for (int i = 0; i < sid.length; i++) {
            sid[i] = SID_ALPHABET[bytes[i] & 63];
        }
        return new String(sid);
    }

    void remove(ClientSession session) {
        sessions.remove(session.sid(), session);
        if (sessions.isEmpty()) {
            lock.lock();
            try {
                empty.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    int size() {
        return sessions.size();
    }

    List<ClientSession> snapshot() {
        return new ArrayList<>(sessions.values());
    }

    /** Waits until no session is registered or {@code deadlineNanos} ({@link System#nanoTime()}) passes. */
    boolean awaitEmpty(long deadlineNanos) {
        lock.lock();
        try {
            long left = deadlineNanos - System.nanoTime();
            while (!sessions.isEmpty() && left > 0) {
                left = empty.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return sessions.isEmpty();
    }
}
