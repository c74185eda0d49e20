package io.jcable.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/** The presence records of one node ({@code ANYCABLE_BROKER=memory}), under one lock that guards no I/O. */
public final class MemoryPresenceStore implements PresenceStore {

    /** One stream's records. */
    private static final class StreamRecords {
        final Map<String, String> idBySid = new HashMap<>(4);
        /** id → info, in order of the first join. */
        final Map<String, String> infoById = new LinkedHashMap<>(4);
        final Map<String, Integer> sessionsById = new HashMap<>(4);
    }

    private record Linger(String stream, String sid) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, StreamRecords> streams = new HashMap<>();
    private final Map<Linger, Long> lingering = new HashMap<>();

    @Override
    public List<PresenceEvent> join(String stream, String sid, String id, String info) {
        lock.lock();
        try {
            lingering.remove(new Linger(stream, sid));
            StreamRecords records = streams.computeIfAbsent(stream, s -> new StreamRecords());
            String held = records.idBySid.get(sid);
            if (id.equals(held)) {
                records.infoById.put(id, info);
                return List.of();
            }
            List<PresenceEvent> events = new ArrayList<>(2);
            if (held != null && release(records, held)) {
                events.add(PresenceEvent.leave(stream, held));
            }
            records.idBySid.put(sid, id);
            records.infoById.put(id, info);
            if (records.sessionsById.merge(id, 1, Integer::sum) == 1) {
                events.add(PresenceEvent.join(stream, id, info));
            }
            return events;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public PresenceEvent leave(String stream, String sid) {
        lock.lock();
        try {
            lingering.remove(new Linger(stream, sid));
            return remove(stream, sid);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void linger(String stream, String sid, long expiresAtMillis) {
        lock.lock();
        try {
            StreamRecords records = streams.get(stream);
            if (records != null && records.idBySid.containsKey(sid)) {
                lingering.put(new Linger(stream, sid), expiresAtMillis);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public PresenceState state(String stream, boolean withRecords) {
        lock.lock();
        try {
            StreamRecords records = streams.get(stream);
            if (records == null) {
                return new PresenceState(0, Map.of());
            }
            return new PresenceState(records.infoById.size(),
                    withRecords ? new LinkedHashMap<>(records.infoById) : Map.of());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<PresenceEvent> expire(long nowMillis) {
        lock.lock();
        try {
            List<PresenceEvent> events = new ArrayList<>();
            for (Iterator<Map.Entry<Linger, Long>> it = lingering.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Linger, Long> entry = it.next();
                if (entry.getValue() <= nowMillis) {
                    it.remove();
                    PresenceEvent leave = remove(entry.getKey().stream(), entry.getKey().sid());
                    if (leave != null) {
                        events.add(leave);
                    }
                }
            }
            return events;
        } finally {
            lock.unlock();
        }
    }

    /** Removes the sid's record; the leave event when its id lost its last session. Under the lock. */
    private PresenceEvent remove(String stream, String sid) {
        StreamRecords records = streams.get(stream);
        if (records == null) {
            return null;
        }
        String id = records.idBySid.remove(sid);
        PresenceEvent leave = id != null && release(records, id) ? PresenceEvent.leave(stream, id) : null;
        if (records.idBySid.isEmpty()) {
            streams.remove(stream);
        }
        return leave;
    }

    /** One session fewer holds {@code id}; true when it was the last (the id's record is gone). */
    private static boolean release(StreamRecords records, String id) {
        Integer left = records.sessionsById.merge(id, -1, Integer::sum);
        if (left != null && left <= 0) {
            records.sessionsById.remove(id);
            records.infoById.remove(id);
            return true;
        }
        return false;
    }

    /** Records live as long as this node: nothing to renew. */
    @Override
    public List<PresenceEvent> renew(long nowMillis) {
        return List.of();
    }

    @Override
    public void stop() {
    }
}
