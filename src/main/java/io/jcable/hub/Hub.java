package io.jcable.hub;

import io.jcable.protocol.Json;
import io.jcable.protocol.ServerFrames;
import io.jcable.protocol.StreamPosition;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stream and identifier indexes. Thread-safe; add/remove are cheap, fan-out walks the index without locks.
 * Per stream, {@link #broadcast} must be called in publication order from one thread at a time (the broadcast
 * ingest guarantees that), which keeps per-stream FIFO for every session.
 *
 * <p>A fan-out visits a stream's subscribers in the order their sessions opened ({@link Subscriber#serial}), not
 * in hash order: sessions, their sockets and the kernel's socket state were allocated in that order, so the walk
 * goes through memory mostly forward instead of jumping (measured in {@code BENCHMARKS.md}).
 */
public final class Hub {
    /**
     * Initial capacity of the per-stream and per-user maps: most hold one entry (a user's own stream, one session
     * per user), and there are as many maps as streams and users: a table of 4 instead of the default 16 keeps
     * each of them small.
     */
    private static final int SMALL = 2;
    private static final Comparator<Subscriber> OPENING_ORDER = Comparator.comparingLong(Subscriber::serial);

    private final ConcurrentMap<String, ConcurrentMap<String, IdentifierGroup>> streams = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Set<Subscriber>> byConnectionIdentifiers = new ConcurrentHashMap<>();
    private final StreamInterest interest;
    private final AtomicLong serials = new AtomicLong();

    public Hub() {
        this(StreamInterest.NONE);
    }

    /** @param interest told when a stream gets its first local subscriber or loses its last */
    public Hub(StreamInterest interest) {
        this.interest = interest;
    }

    /**
     * Subscribers of one identifier on one stream, in opening order, with the identifier pre-encoded as a JSON
     * string.
     */
    private record IdentifierGroup(String quotedIdentifier, Set<Subscriber> members) {
    }

    /**
     * A serial for a new subscriber ({@link Subscriber#serial}): larger than every one handed out before. The hub
     * orders subscribers by it and takes two with the same serial for one, so serials come from here only.
     */
    public long nextSerial() {
        return serials.incrementAndGet();
    }

    /**
     * Attaches {@code subscriber}'s subscription {@code identifier} to {@code stream}. Returns once the pub/sub
     * delivers the stream to this node (bounded, {@link StreamInterest#follow}).
     */
    public void subscribe(String stream, String identifier, Subscriber subscriber) {
        streams.compute(stream, (name, groups) -> {
            ConcurrentMap<String, IdentifierGroup> result = groups;
            if (result == null) {
                result = new ConcurrentHashMap<>(SMALL);
                interest.mark(name, true);
            }
            result.computeIfAbsent(identifier,
                            id -> new IdentifierGroup(Json.quote(id), new ConcurrentSkipListSet<>(OPENING_ORDER)))
                    .members().add(subscriber);
            return result;
        });
        interest.follow(stream);
    }

    /** Detaches one (stream, identifier, subscriber) triple; drops empty groups and streams. */
    public void unsubscribe(String stream, String identifier, Subscriber subscriber) {
        boolean[] removed = new boolean[1];
        streams.computeIfPresent(stream, (name, groups) -> {
            groups.computeIfPresent(identifier, (id, group) -> {
                group.members().remove(subscriber);
                return group.members().isEmpty() ? null : group;
            });
            if (groups.isEmpty()) {
                removed[0] = true;
                interest.mark(name, false);
                return null;
            }
            return groups;
        });
        if (removed[0]) {
            interest.follow(stream);
        }
    }

    /**
     * Delivers a broadcast on {@code stream}: one frame per identifier, shared by all its subscribers except
     * the one whose sid is {@code excludeSid}. Returns the number of frames handed out.
     *
     * @param message JSON text of the message (already embedded, see {@link Json#embed})
     * @param type    {@code meta.broadcast_type} or null
     */
    public int broadcast(String stream, String message, String excludeSid, String type) {
        return broadcast(stream, message, excludeSid, type, null);
    }

    /**
     * As {@link #broadcast(String, String, String, String)}, for a publication the broker stored at
     * {@code position} (null: not stored): extended subscribers get the frame with the position fields, built
     * once per identifier too, the others the plain one.
     */
    public int broadcast(String stream, String message, String excludeSid, String type, StreamPosition position) {
        ConcurrentMap<String, IdentifierGroup> groups = streams.get(stream);
        if (groups == null) {
            return 0;
        }
        int delivered = 0;
        for (Map.Entry<String, IdentifierGroup> entry : groups.entrySet()) {
            IdentifierGroup group = entry.getValue();
            String plain = null;
            String positioned = null;
            for (Subscriber subscriber : group.members()) {
                if (excludeSid != null && excludeSid.equals(subscriber.sid())) {
                    continue;
                }
                if (position != null && subscriber.extended()) {
                    if (positioned == null) {
                        positioned = ServerFrames.data(group.quotedIdentifier(), message, type, stream, position);
                    }
                    subscriber.deliver(positioned, entry.getKey(), stream, position);
                } else {
                    if (plain == null) {
                        plain = ServerFrames.data(group.quotedIdentifier(), message, type);
                    }
                    subscriber.deliver(plain);
                }
                delivered++;
            }
        }
        return delivered;
    }

    /** Indexes an authenticated session by its connection identifiers (for remote disconnects). */
    public void addConnection(String identifiers, Subscriber subscriber) {
        byConnectionIdentifiers.computeIfAbsent(identifiers, id -> ConcurrentHashMap.newKeySet(SMALL)).add(subscriber);
    }

    public void removeConnection(String identifiers, Subscriber subscriber) {
        byConnectionIdentifiers.computeIfPresent(identifiers, (id, members) -> {
            members.remove(subscriber);
            return members.isEmpty() ? null : members;
        });
    }

    /** Every session whose connection identifiers equal {@code identifiers} exactly. */
    public Set<Subscriber> connections(String identifiers) {
        Set<Subscriber> members = byConnectionIdentifiers.get(identifiers);
        return members == null ? Set.of() : Set.copyOf(members);
    }

    /** Number of streams with at least one local subscriber. */
    public int streamCount() {
        return streams.size();
    }

    /** Number of distinct connection identifiers (unique clients). */
    public int uniqueConnections() {
        return byConnectionIdentifiers.size();
    }
}
