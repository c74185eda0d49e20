package io.jcable.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Copies everything written to {@code System.err} while open (where slf4j-simple writes the embedded jcable's log
 * lines) into a buffer, still passing it through. For checking what a log line says, and what it never says.
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
    private final ReentrantLock lock = new ReentrantLock();

    private LogCapture() {
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                lock.lock();
                try {
                    copy.write(bytes, offset, length);
                } finally {
                    lock.unlock();
                }
                original.write(bytes, offset, length);
            }
        }, true, StandardCharsets.UTF_8));
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    /** Everything captured so far. */
    public String text() {
        lock.lock();
        try {
            return copy.toString(StandardCharsets.UTF_8);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
