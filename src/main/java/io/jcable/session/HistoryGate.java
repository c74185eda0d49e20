package io.jcable.session;

import io.jcable.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps an extended session's stored-publication frames in order and free of duplicates while history is replayed
 * (docs/protocol.md §6.3). It remembers, per (subscription, stream), which of the last {@value Written#WINDOW}
 * offsets up to the highest were written to the client; while a subscription replays history, live frames for it
 * are held back, and on release only those not written yet go out. An offset below the highest that was not
 * written yet still goes out: with the Redis broker, nodes store concurrently, so the pub/sub may bring a stream's
 * positions slightly out of order. Older than the window counts as written. A position of another epoch always
 * goes out (the broker started over: a Redis broker whose Redis lost its data numbers from 1 again under a new
 * epoch). A restored subscription is held from before its streams are attached until the client's history request
 * for it is served (or the wait for it ends): a live frame written first would have hidden the missed entries
 * below its offset from that replay. Live frames come from the broadcast thread, the replay from the mailbox, the
 * end of a restore's wait from the pinger: one lock, held only to queue frames (sending never blocks).
 */
final class HistoryGate {
    private record Key(String identifier, String stream) {
    }

    private record Held(String stream, StreamPosition position, String frame) {
    }

    /** The offsets of one epoch written for one (subscription, stream): the highest, and a bit per offset below. */
    private static final class Written {
        static final int WINDOW = 64;
        final String epoch;
        long highest;
        /** Bit {@code d}: offset {@code highest - d} was written. */
        long bits;

        Written(StreamPosition first) {
            epoch = first.epoch();
            highest = first.offset();
            bits = 1;
        }

        /** Marks the offset written; false when it already was (or is older than the window). */
        boolean mark(long offset) {
            if (offset > highest) {
                long shift = offset - highest;
                bits = shift >= WINDOW ? 1 : bits << shift | 1;
                highest = offset;
                return true;
            }
            long below = highest - offset;
            if (below >= WINDOW || (bits & 1L << below) != 0) {
                return false;
            }
            bits |= 1L << below;
            return true;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Key, Written> written = new HashMap<>(4);
    private final Map<String, List<Held>> holding = new HashMap<>(2);
    /** Restored subscriptions held until their history request comes; a subset of {@link #holding}'s keys. */
    private final Set<String> awaitingHistory = new HashSet<>(2);

    /** A live frame: written at once, or held while {@code identifier} replays; dropped when already written. */
    void live(Transport transport, String identifier, String stream, StreamPosition position, String frame) {
        lock.lock();
        try {
            List<Held> held = holding.get(identifier);
            if (held != null) {
                held.add(new Held(stream, position, frame));
            } else {
                writeOnce(transport, new Key(identifier, stream), position, frame);
            }
        } finally {
            lock.unlock();
        }
    }

    /** From now on, live frames of {@code identifier} wait for {@link #release}: its replay has started. */
    void hold(String identifier) {
        lock.lock();
        try {
            awaitingHistory.remove(identifier);
            holding.putIfAbsent(identifier, new ArrayList<>(2));
        } finally {
            lock.unlock();
        }
    }

    /**
     * A restored subscription: its live frames wait for its history request (whose replay ends the hold) or for
     * {@link #endRestoreWait}, whichever comes first.
     */
    void holdForHistory(String identifier) {
        lock.lock();
        try {
            awaitingHistory.add(identifier);
            holding.putIfAbsent(identifier, new ArrayList<>(2));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The wait for the restored subscriptions' history requests is over: those still waiting (no replay started)
     * let their held frames go, in arrival order. A replay already running keeps its hold.
     */
    void endRestoreWait(Transport transport) {
        lock.lock();
        try {
            for (String identifier : awaitingHistory) {
                writeHeld(transport, identifier, holding.remove(identifier));
            }
            awaitingHistory.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A replayed position: marked written and true, or false when it already was (its frame is then not written).
     * The replay writes its frames itself, all together, before {@link #release}.
     */
    boolean replay(String identifier, String stream, StreamPosition position) {
        lock.lock();
        try {
            return markWritten(new Key(identifier, stream), position);
        } finally {
            lock.unlock();
        }
    }

    /** Ends the replay of {@code identifier}: the held frames the replay did not cover go out, in arrival order. */
    void release(Transport transport, String identifier) {
        lock.lock();
        try {
            writeHeld(transport, identifier, holding.remove(identifier));
        } finally {
            lock.unlock();
        }
    }

    /** The subscription is gone: its positions are forgotten (a new subscription starts afresh). */
    void forget(String identifier) {
        lock.lock();
        try {
            holding.remove(identifier);
            awaitingHistory.remove(identifier);
            written.keySet().removeIf(key -> key.identifier().equals(identifier));
        } finally {
            lock.unlock();
        }
    }

    private void writeHeld(Transport transport, String identifier, List<Held> held) {
        if (held != null) {
            for (Held frame : held) {
                writeOnce(transport, new Key(identifier, frame.stream()), frame.position(), frame.frame());
            }
        }
    }

    private void writeOnce(Transport transport, Key key, StreamPosition position, String frame) {
        if (markWritten(key, position)) {
            transport.send(frame);
        }
    }

    private boolean markWritten(Key key, StreamPosition position) {
        Written last = written.get(key);
        if (last == null || !last.epoch.equals(position.epoch())) {
            written.put(key, new Written(position));
            return true;
        }
        return last.mark(position.offset());
    }
}
