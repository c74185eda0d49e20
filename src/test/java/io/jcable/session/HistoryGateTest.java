package io.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** What the gate lets through to the client: each position once, also when the pub/sub brings them out of order. */
class HistoryGateTest {
    /** Records the frames sent; the gate uses nothing else. */
    private static final class Frames implements Transport {
        final List<String> sent = new ArrayList<>();

        @Override
        public void send(String frame) {
            sent.add(frame);
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public void ping() {
        }

        @Override
        public void abandon(DisconnectReason reason) {
        }

        @Override
        public CompletionStage<Void> whenClosed() {
            return new CompletableFuture<>();
        }

        @Override
        public boolean checkWrite(long nowNanos) {
            return false;
        }
    }

    private final HistoryGate gate = new HistoryGate();
    private final Frames frames = new Frames();

    private void live(String epoch, long offset) {
        gate.live(frames, "id", "s", new StreamPosition(epoch, offset), epoch + offset);
    }

    @Test
    void positionsOutOfOrderGoOutOnceAndDuplicatesAreDropped() {
        live("e", 2);
        live("e", 1);
        live("e", 3);
        live("e", 2);
        live("e", 1);
        live("e", 100);
        live("e", 37);
        live("e", 37);
        live("e", 36);
        assertEquals(List.of("e2", "e1", "e3", "e100", "e37"), frames.sent, "36 is older than the window of 64");
    }

    @Test
    void anotherEpochStartsOverAndAReplayCoversTheHeldFrames() {
        live("e", 5);
        live("f", 1);
        gate.hold("id");
        live("f", 2);
        live("f", 3);
        gate.replay(frames, "id", "s", new StreamPosition("f", 2), "replayed f2");
        gate.release(frames, "id");
        assertEquals(List.of("e5", "f1", "replayed f2", "f3"), frames.sent);
    }
}
