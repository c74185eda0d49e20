package io.jcable.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The threads of the gRPC channel's transport: each connection's frame reader on a platform thread of its own,
 * its writes on {@link TransportThreads} (virtual on JDK 24+). A virtual reader parks in the JDK's poller after
 * every read, so each answer costs a master-poller wake-up, a sub-poller's turn on the carrier and an
 * {@code epoll_ctl} re-arm on top of the read; a platform reader waits in the kernel. Writes stay virtual: a
 * session's call hands its flush to a continuation on the same carrier, no OS thread switch.
 */
final class GrpcTransportThreads extends AbstractExecutorService {
    /**
     * grpc-core's {@code io.grpc.internal.SerializingExecutor}, named rather than imported (grpc-core is only a
     * runtime dependency here). Should a later gRPC rename it, every task goes to platform threads: slower, not wrong.
     */
    private static final String SERIALIZING_EXECUTOR = "io.grpc.internal.SerializingExecutor";

    private final ExecutorService writers;
    private final ExecutorService readers;

    GrpcTransportThreads(String namePrefix) {
        this.writers = TransportThreads.create(namePrefix + "writer-");
        this.readers = Executors.newCachedThreadPool(
                Thread.ofPlatform().daemon().name(namePrefix + "reader-", 0).factory());
    }

    /**
     * OkHttp's transport runs its writes (and its connect) through a {@code SerializingExecutor} on this executor;
     * anything else it hands over is the reader loop of a connection (or the short task that starts it).
     */
    @Override
    public void execute(Runnable task) {
        (task.getClass().getName().equals(SERIALIZING_EXECUTOR) ? writers : readers).execute(task);
    }

    @Override
    public void shutdown() {
        writers.shutdown();
        readers.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> pending = new ArrayList<>(writers.shutdownNow());
        pending.addAll(readers.shutdownNow());
        return pending;
    }

    @Override
    public boolean isShutdown() {
        return writers.isShutdown() && readers.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return writers.isTerminated() && readers.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long end = System.nanoTime() + unit.toNanos(timeout);
        return writers.awaitTermination(timeout, unit)
                && readers.awaitTermination(end - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
}
