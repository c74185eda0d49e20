package io.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.metrics.Metrics;
import io.jcable.rpc.CallContext;
import io.jcable.rpc.CommandRequest;
import io.jcable.rpc.CommandResult;
import io.jcable.rpc.ConnectResult;
import io.jcable.rpc.Controller;
import io.jcable.rpc.DisconnectCall;
import io.jcable.rpc.RequestEnv;
import io.jcable.rpc.RpcStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Disconnect queue's worker outlives a failing call (the pure logic, with a scripted controller). */
class DisconnectQueueTest {

    @Test
    void theWorkerSurvivesACallThatThrowsAndMakesTheNextOnes() throws InterruptedException {
        ThrowingOnce controller = new ThrowingOnce();
        Metrics metrics = new Metrics();
        DisconnectQueue queue = new DisconnectQueue(controller, 4, 1000, 2, metrics);
        queue.start();
        try {
            for (String sid : List.of("first", "second", "third")) {
                queue.enqueue(new DisconnectCall(sid, "{}", List.of(), new RequestEnv("http://x/cable", Map.of()),
                        Map.of(), Map.of()));
            }
            assertTrue(controller.madeAfterFailure.await(5, TimeUnit.SECONDS), "calls: " + controller.sids);
            assertEquals(List.of("first", "second", "third"), controller.sids);
            assertEquals(1, metrics.value("disconnect_failures_total"));
            assertEquals(0, metrics.value("disconnect_queue_stalled_seconds"));
        } finally {
            queue.stop();
        }
    }

    /** Throws an unexpected exception on its first Disconnect, answers SUCCESS to the others. */
    private static final class ThrowingOnce implements Controller {
        final List<String> sids = new CopyOnWriteArrayList<>();
        final CountDownLatch madeAfterFailure = new CountDownLatch(2);

        @Override
        public ConnectResult connect(CallContext context, RequestEnv env) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CommandResult command(CallContext context, CommandRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public RpcStatus disconnect(DisconnectCall request) {
            sids.add(request.sid());
            if (sids.size() == 1) {
                throw new IllegalStateException("a bug in the mapping");
            }
            madeAfterFailure.countDown();
            return RpcStatus.SUCCESS;
        }

        @Override
        public RpcStatus disconnect(DisconnectCall request, long deadlineNanos) {
            return disconnect(request);
        }

        @Override
        public boolean reachable() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
