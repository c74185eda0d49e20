package io.jcable.rpc;

import io.jcable.config.RpcConfig;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Histogram;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.LogText;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-neutral part of every RPC call (docs/rpc.md §9), shared by the gRPC and the HTTP controller: one
 * semaphore over all calls ({@code ANYCABLE_RPC_CONCURRENCY}), a deadline for each attempt, retries with
 * exponential backoff within {@code ANYCABLE_RPC_COMMAND_TIMEOUT}, skipping a call whose session closed while it
 * waited for a slot, and the {@code rpc_*} metrics, the latency histogram included. Transports only say what a
 * failed attempt means ({@link RpcFailure.Kind}).
 */
final class RetryingCaller {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingCaller.class);

    /** One attempt on the transport: it ends within {@code timeoutNanos}, with an answer or an {@link RpcFailure}. */
    @FunctionalInterface
    interface Attempt<T> {
        T run(long timeoutNanos) throws RpcFailure;
    }

    private final Semaphore slots;
    private final Duration requestTimeout;
    private final Duration callBudget;
    private final Runnable beforeUnavailableRetry;
    private final Counter calls;
    private final Counter errors;
    private final Counter retries;
    private final Counter timeouts;
    private final Counter canceled;
    /** {@code rpc_call_duration_seconds} by method. */
    private final Map<String, Histogram> durations;
    /** False from an attempt that found the app unreachable until one that reached it. */
    private volatile boolean lastAttemptReached = true;

    /** {@code beforeUnavailableRetry} runs before each retry after UNAVAILABLE (e.g. to reset a reconnect backoff). */
    RetryingCaller(RpcConfig config, Metrics metrics, Runnable beforeUnavailableRetry) {
        this.slots = new Semaphore(config.concurrency(), false);
        this.requestTimeout = config.requestTimeout();
        this.callBudget = config.commandTimeout();
        this.beforeUnavailableRetry = beforeUnavailableRetry;
        this.calls = metrics.counter("rpc_call_total");
        this.errors = metrics.counter("rpc_error_total");
        this.retries = metrics.counter("rpc_retries_total");
        this.timeouts = metrics.counter("rpc_timeout_total");
        this.canceled = metrics.counter("rpc_canceled_total");
        this.durations = List.of("Connect", "Command", "Disconnect").stream().collect(Collectors.toUnmodifiableMap(
                method -> method, method -> metrics.histogram("rpc_call_duration_seconds", "method", method)));
        metrics.gauge("rpc_pending_num", slots::getQueueLength);
        metrics.gauge("rpc_capacity_num", config::concurrency);
    }

    /**
     * Runs one logical call with retries, all of it (waits for a slot included) over within
     * {@code ANYCABLE_RPC_COMMAND_TIMEOUT}; null when it failed (already logged and counted). A call whose session
     * is gone while it waits for a slot is skipped.
     */
    <T> T call(String method, CallContext context, Attempt<T> attempt) {
        return call(method, context, budgetEnd(), attempt);
    }

    /**
     * Runs a Disconnect like {@link #call}, never skipped (its session is gone by definition) and over by
     * {@code deadlineNanos} if that comes first; an ERROR answer is logged.
     */
    RpcStatus disconnect(String sid, long deadlineNanos, Attempt<DisconnectAnswer> attempt) {
        DisconnectAnswer answer = call("Disconnect", new CallContext(sid, () -> false),
                Math.min(budgetEnd(), deadlineNanos), attempt);
        if (answer == null) {
            return RpcStatus.ERROR;
        }
        if (answer.status() == RpcStatus.ERROR) {
            LOG.warn("RPC Disconnect sid={} answered ERROR: {}", sid, LogText.clip(answer.errorMessage()));
        }
        return answer.status();
    }

    /** Whether the last attempt reached the app (any answer, or a timeout); true before the first one. */
    boolean lastAttemptReached() {
        return lastAttemptReached;
    }

    /** The app was reached outside a call (a transport's own check): reachable until an attempt says otherwise. */
    void appReached() {
        lastAttemptReached = true;
    }

    /** When a call starting now must be over: {@code ANYCABLE_RPC_COMMAND_TIMEOUT} from now. */
    private long budgetEnd() {
        return System.nanoTime() + callBudget.toNanos();
    }

    private <T> T call(String method, CallContext context, long deadline, Attempt<T> attempt) {
        long start = System.nanoTime();
        boolean counted = false;
        try {
            RpcFailure.Kind lastRetried = null;
            int attempts = 0;
            while (true) {
                try {
                    if (!slots.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        // An attempt started now would fail at once with a timeout: count it as one.
                        timeouts.inc();
                        return failed(method, context, "no RPC slot before the deadline");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                RpcFailure failure;
                try {
                    if (context.gone().getAsBoolean()) {
                        canceled.inc();
                        LOG.debug("RPC {} sid={} skipped: session closed while waiting", method, context.sid());
                        return null;
                    }
                    if (lastRetried == null) {
                        // A logical call counts once; its further attempts are in rpc_retries_total.
                        calls.inc();
                        counted = true;
                    }
                    // Every attempt ends by the call's deadline, so an app that accepts and never answers cannot hang
                    // a session; ANYCABLE_RPC_REQUEST_TIMEOUT may cut a single attempt shorter.
                    long attemptNanos = deadline - System.nanoTime();
                    if (!requestTimeout.isZero()) {
                        attemptNanos = Math.min(attemptNanos, requestTimeout.toNanos());
                    }
                    T answer = attempt.run(Math.max(1, attemptNanos));
                    lastAttemptReached = true;
                    return answer;
                } catch (RpcFailure e) {
                    failure = e;
                    lastAttemptReached = e.kind() != RpcFailure.Kind.UNAVAILABLE;
                } finally {
                    slots.release();
                }
                RpcFailure.Kind kind = failure.kind();
                if (kind == RpcFailure.Kind.TIMEOUT) {
                    timeouts.inc();
                }
                long base = kind.backoffBaseMillis();
                if (base == 0) {
                    return failed(method, context, failure.getMessage());
                }
                attempts = kind == lastRetried ? attempts + 1 : 0;
                lastRetried = kind;
                long delayMs = (1L << Math.min(attempts, 16)) * base;
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) > deadline) {
                    return failed(method, context, failure.getMessage());
                }
                retries.inc();
                if (kind == RpcFailure.Kind.UNAVAILABLE) {
                    beforeUnavailableRetry.run();
                }
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        } finally {
            if (counted) {
                // From the call's start to its outcome: the wait for a slot and the retries are what a session waits.
                durations.get(method).observeNanos(System.nanoTime() - start);
            }
        }
    }

    private <T> T failed(String method, CallContext context, String reason) {
        errors.inc();
        LOG.error("RPC {} sid={} failed: {}", method, context.sid(), reason);
        return null;
    }
}
