package io.jcable.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.jcable.config.CableConfig;
import io.jcable.config.ConfigSource;
import io.jcable.metrics.Metrics;
import io.jcable.rpc.CallContext;
import io.jcable.rpc.CommandRequest;
import io.jcable.rpc.CommandResult;
import io.jcable.rpc.Controller;
import io.jcable.rpc.GrpcController;
import io.jcable.rpc.RequestEnv;
import io.jcable.rpc.RpcStatus;

/**
 * jcable's gRPC client alone, in its own JVM for the {@code grpc} scenario:
 * {@code GrpcClientMain <warmup-s> <step-s> <rate>...}. Its {@link GrpcController} is set up as jcable sets it up
 * (from the {@code ANYCABLE_*} / {@code JCABLE_*} variables and {@code -Danycable.*} / {@code -Djcable.*} flags;
 * the scenario points {@code ANYCABLE_RPC_HOST} at the fake app), and it sends {@code echo} performs open loop:
 * each call on a virtual thread of its own started at its planned instant, as a session's perform is. Prints
 * {@code STEP <rate> <calls> <errors> <p50 ms> <p99 ms> <cpu s> <user cpu s> <wall s> <rss KiB>} per rate (its
 * own CPU from /proc, so the scheduling thread counts too), then {@code DONE}.
 */
public final class GrpcClientMain {
    private static final CommandRequest ECHO = new CommandRequest("message", "{\"channel\":\"BenchmarkChannel\"}",
            "{}", "{\"action\":\"echo\",\"text\":\"0123456789abcdef0123456789abcdef\"}",
            new RequestEnv("http://127.0.0.1/cable", Map.of("REMOTE_ADDR", "127.0.0.1")), Map.of(), Map.of());
    private static final CallContext CONTEXT = new CallContext("bench-sid", () -> false);

    private GrpcClientMain() {
    }

    public static void main(String[] args) {
        Duration warmup = Duration.ofSeconds(Long.parseLong(args[0]));
        long seconds = Long.parseLong(args[1]);
        List<Integer> rates = List.of(args).subList(2, args.length).stream().map(Integer::parseInt).toList();
        CableConfig config = CableConfig.load(ConfigSource.of(name -> null));
        ProcessProbe self = ProcessProbe.self();
        try (Controller controller = new GrpcController(config.rpc(), new Metrics())) {
            run(controller, rates.getFirst(), warmup.toSeconds());
            for (int rate : rates) {
                double cpu = self.cpuSeconds();
                double user = self.userCpuSeconds();
                long start = System.nanoTime();
                Outcome outcome = run(controller, rate, seconds);
                double wall = (System.nanoTime() - start) / 1e9;
                Latencies.Summary latency = outcome.latency().summary();
                System.out.printf(Locale.ROOT, "STEP %d %d %d %.3f %.3f %.4f %.4f %.3f %d%n", rate,
                        latency.count(), outcome.errors(), latency.p50(), latency.p99(), self.cpuSeconds() - cpu,
                        self.userCpuSeconds() - user, wall, self.rssKiB());
            }
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    private record Outcome(Latencies latency, long errors) {
    }

    /** {@code rate} calls a second for {@code seconds}, each timed from its planned instant; waits for all. */
    private static Outcome run(Controller controller, int rate, long seconds) {
        int planned = (int) (rate * seconds);
        Latencies latency = new Latencies(planned);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        ReentrantLock lock = new ReentrantLock();
        Condition finished = lock.newCondition();
        long start = System.nanoTime() + 10_000_000;
        for (long seq = 0; seq < planned; seq++) {
            long due = start + seq * 1_000_000_000L / rate;
            Timing.sleepUntil(due);
            Thread.startVirtualThread(() -> {
                CommandResult result = controller.command(CONTEXT, ECHO);
                latency.record(System.nanoTime() - due);
                if (result.status() != RpcStatus.SUCCESS) {
                    errors.incrementAndGet();
                }
                if (done.incrementAndGet() == planned) {
                    lock.lock();
                    try {
                        finished.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            });
        }
        lock.lock();
        try {
            while (done.get() < planned) {
                finished.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            lock.unlock();
        }
        return new Outcome(latency, errors.get());
    }
}
