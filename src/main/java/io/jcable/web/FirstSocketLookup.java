package io.jcable.web;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * What jcable finds out about the container's session class at the first socket, looked up once (the lookup
 * logs what it found, so it must not run twice) and read without a lock afterwards.
 */
final class FirstSocketLookup<T> {
    private final ReentrantLock lock = new ReentrantLock();
    /** Null until the first socket. */
    private volatile T found;

    /**
     * The value found, running {@code lookUp} on the first socket's session class if this is the first call;
     * callers racing it wait for it.
     */
    T get(Class<?> sessionClass, Function<Class<?>, T> lookUp) {
        T value = found;
        if (value != null) {
            return value;
        }
        lock.lock();
        try {
            if (found == null) {
                found = lookUp.apply(sessionClass);
            }
            return found;
        } finally {
            lock.unlock();
        }
    }

    /** Replaces what was found (a container that refused it later). */
    void replace(T value) {
        found = value;
    }
}
