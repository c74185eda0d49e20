package io.jcable.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * Opens and holds Action Cable clients against one URL from this process (one socket each: the number is
 * bounded by the open-files limit, checked up front). Frames of subscribed clients go to the current
 * {@link Receiver}.
 */
final class LoadGenerator implements AutoCloseable {
    /** Files this process keeps for itself (jars, selectors, Redis, gRPC, logs) besides the client sockets. */
    private static final int FILES_RESERVED = 300;
    /** Extra time per client allowed for a whole connect phase, on top of one attempt's timeout. */
    private static final Duration PHASE_TIME_PER_CLIENT = Duration.ofMillis(5);

    /** How a batch of connection attempts went. */
    record ConnectOutcome(int attempted, int connected, Latencies.Summary latency, Duration elapsed,
                          Map<String, Integer> failureReasons) {
        int failed() {
            return attempted - connected;
        }
    }

    private final URI url;
    private final Duration timeout;
    private final ClientPlan plan;
    private final WebSocketCoreClient core;
    private final ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final Configuration.ConfigurationCustomizer configuration = new Configuration.ConfigurationCustomizer();
    private final ReentrantLock lock = new ReentrantLock();
    private final List<LoadClient> clients = new ArrayList<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final AtomicInteger openSessions = new AtomicInteger();
    private volatile Receiver receiver = Receiver.IGNORE;
    private volatile Consumer<LoadClient> subscribedListener = client -> { };

    /**
     * Clients of BenchmarkChannel, identified by the application ({@link ClientPlan#rpc}).
     *
     * @param uniqueIdentifiers each client subscribes with its own {@code id} (so every broadcast frame differs
     *                          per client), else all share one identifier (one frame for all)
     */
    LoadGenerator(URI url, int capacity, Duration timeout, boolean uniqueIdentifiers) {
        this(url, capacity, timeout, ClientPlan.rpc(uniqueIdentifiers));
    }

    /**
     * @param capacity the most clients this generator will hold
     * @param timeout  limit for one connection attempt (connect, welcome, confirmation)
     * @param plan     how each client connects and subscribes
     */
    LoadGenerator(URI url, int capacity, Duration timeout, ClientPlan plan) {
        checkOpenFiles(capacity);
        this.url = url;
        this.timeout = timeout;
        this.plan = plan;
        core = startCore(capacity, timeout, virtualThreads);
        configuration.setIdleTimeout(Duration.ofHours(1));
        configuration.setMaxTextMessageSize(4 << 20);
    }

    /** A started Jetty WebSocket client for {@code capacity} connections, its frames handled on {@code executor}. */
    static WebSocketCoreClient startCore(int capacity, Duration timeout, ExecutorService executor) {
        HttpClient http = new HttpClient();
        http.setName("bench-ws-client");
        // Jetty hands every readable socket's frame handling to its executor as a blocking task. On the
        // generator's one core, virtual threads run those one after another on a single carrier instead of
        // waking a pool thread per frame: ~10% less generator CPU in a fan-out (BENCHMARKS.md, fifth run).
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("bench-ws-client");
        pool.setVirtualThreadsExecutor(executor);
        http.setExecutor(pool);
        http.setConnectTimeout(timeout.toMillis());
        http.setMaxConnectionsPerDestination(capacity + 16);
        http.setMaxRequestsQueuedPerDestination(capacity + 16);
        WebSocketCoreClient core = new WebSocketCoreClient(http, null);
        try {
            core.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Jetty WebSocket client", e);
        }
        return core;
    }

    /**
     * Opens {@code count} more clients, at most {@code concurrency} attempts in flight, each measured from its
     * start to its subscription's confirmation. The whole batch is bounded by one attempt's timeout plus a few
     * milliseconds per client; attempts not started by then count as failures.
     */
    ConnectOutcome connect(int count, int concurrency) {
        Semaphore permits = new Semaphore(concurrency);
        Latencies latencies = new Latencies(count);
        CountDownLatch finished = new CountDownLatch(count);
        AtomicInteger connected = new AtomicInteger();
        Map<String, Integer> reasons = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long deadline = start + timeout.plus(PHASE_TIME_PER_CLIENT.multipliedBy(count)).toNanos();
        try {
            for (int i = 0; i < count; i++) {
                if (!permits.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    reasons.merge("not started before the phase deadline", count - i, Integer::sum);
                    for (int skipped = i; skipped < count; skipped++) {
                        finished.countDown();
                    }
                    break;
                }
                int n = nextId.getAndIncrement();
                LoadClient client = new LoadClient(this, plan.protocol(), plan.identifier().apply(n));
                URI clientUrl = URI.create(url + plan.query().apply(n));
                long attemptStart = System.nanoTime();
                client.open(core, clientUrl, timeout, configuration).whenComplete((subscribed, failure) -> {
                    if (failure == null) {
                        latencies.record(System.nanoTime() - attemptStart);
                        connected.incrementAndGet();
                        subscribedListener.accept(client);
                        add(client);
                    } else {
                        reasons.merge(reason(failure), 1, Integer::sum);
                        client.abort();
                    }
                    permits.release();
                    finished.countDown();
                });
            }
            // every attempt ends by its own timeout; the extra second covers the completion callbacks
            finished.await(Math.max(0, deadline - System.nanoTime()) + timeout.toNanos() + 1_000_000_000L,
                    TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting", e);
        }
        return new ConnectOutcome(count, connected.get(), latencies.summary(),
                Duration.ofNanos(System.nanoTime() - start), new TreeMap<>(reasons));
    }

    /** The subscribed clients, in the order they were confirmed. */
    List<LoadClient> clients() {
        lock.lock();
        try {
            return List.copyOf(clients);
        } finally {
            lock.unlock();
        }
    }

    /**
     * From now on, {@code listener} sees each client as its subscription is confirmed: on the client's frame
     * thread before its next frame, unless the confirmation came before the attempt's callback was in place.
     */
    void onSubscribed(Consumer<LoadClient> listener) {
        subscribedListener = listener;
    }

    /** Closes {@code client} (closing handshake) and stops holding it. */
    void release(LoadClient client) {
        lock.lock();
        try {
            clients.remove(client);
        } finally {
            lock.unlock();
        }
        client.close();
    }

    /** From now on, frames of subscribed clients go to {@code next}. */
    void receiver(Receiver next) {
        receiver = next;
    }

    /** Closes every client (closing handshake, bounded wait) and stops the Jetty client. */
    @Override
    public void close() {
        List<LoadClient> all = clients();
        all.forEach(LoadClient::close);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).plusMillis(all.size() / 5).toNanos();
        while (openSessions.get() > 0 && System.nanoTime() < deadline) {
            Timing.sleep(Duration.ofMillis(20));
        }
        try {
            core.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the Jetty WebSocket client", e);
        } finally {
            virtualThreads.shutdownNow();
        }
    }

    void deliver(LoadClient client, String frame, long receivedNanos) {
        receiver.onMessage(client, frame, receivedNanos);
    }

    void opened() {
        openSessions.incrementAndGet();
    }

    void closed() {
        openSessions.decrementAndGet();
    }

    private void add(LoadClient client) {
        lock.lock();
        try {
            clients.add(client);
        } finally {
            lock.unlock();
        }
    }

    static String reason(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String message = String.valueOf(cause.getMessage());
        return cause.getClass().getSimpleName() + ": "
                + (message.length() > 100 ? message.substring(0, 100) + "…" : message);
    }

    static void checkOpenFiles(int capacity) {
        long limit = openFilesLimit();
        long free = limit - ProcessProbe.self().openFiles() - FILES_RESERVED;
        if (capacity > free) {
            throw new IllegalArgumentException(capacity + " clients need as many sockets, but this process may open "
                    + limit + " files and " + free + " are left for clients: run fewer clients per generator "
                    + "process (at most about " + (limit - FILES_RESERVED) + ")");
        }
    }

    private static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no open-files limit in /proc/self/limits");
    }
}
