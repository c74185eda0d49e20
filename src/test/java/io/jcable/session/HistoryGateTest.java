package io.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcable.protocol.StreamPosition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ordering rules of {@link HistoryGate} (docs/protocol.md §6.2, §6.3), without sockets. */
class HistoryGateTest {
    private static final String ID = "sub";
    private static final String STREAM = "s";

    private static StreamPosition at(long offset) {
        return new StreamPosition("e", offset);
    }

    /** As {@link HistoryReplay} does: the frame is written when the gate has not seen its position yet. */
    private static void replay(HistoryGate gate, ScriptedTransport transport, StreamPosition position, String frame) {
        if (gate.replay(ID, STREAM, position)) {
            transport.send(frame);
        }
    }

    @Test
    void aRestoredSubscriptionHoldsLiveFramesUntilItsReplayHasWrittenTheMissedOnes() {
        ScriptedTransport transport = new ScriptedTransport();
        HistoryGate gate = new HistoryGate();
        gate.holdForHistory(ID);
        gate.live(transport, ID, STREAM, at(4), "live-4");
        assertEquals(List.of(), transport.frames, "held until the history request");

        gate.hold(ID);
        for (long offset = 2; offset <= 4; offset++) {
            replay(gate, transport, at(offset), "replay-" + offset);
        }
        gate.endRestoreWait(transport);
        gate.live(transport, ID, STREAM, at(5), "live-5");
        assertEquals(List.of("replay-2", "replay-3", "replay-4"), transport.frames,
                "the end of the restore's wait must not break into a running replay");
        gate.release(transport, ID);
        assertEquals(List.of("replay-2", "replay-3", "replay-4", "live-5"), transport.frames,
                "covered live frames dropped, later ones after the replay");
    }

    @Test
    void withoutAHistoryRequestTheEndOfTheRestoresWaitLetsTheHeldFramesGoInOrder() {
        ScriptedTransport transport = new ScriptedTransport();
        HistoryGate gate = new HistoryGate();
        gate.holdForHistory(ID);
        gate.live(transport, ID, STREAM, at(7), "live-7");
        gate.live(transport, ID, STREAM, at(8), "live-8");
        gate.endRestoreWait(transport);
        gate.live(transport, ID, STREAM, at(9), "live-9");
        assertEquals(List.of("live-7", "live-8", "live-9"), transport.frames);
    }

    @Test
    void positionsOutOfOrderGoOutOnceAndDuplicatesAreDropped() {
        ScriptedTransport transport = new ScriptedTransport();
        HistoryGate gate = new HistoryGate();
        for (long offset : new long[] {2, 1, 3, 2, 1, 100, 37, 37, 36}) {
            gate.live(transport, ID, STREAM, at(offset), "e" + offset);
        }
        assertEquals(List.of("e2", "e1", "e3", "e100", "e37"), transport.frames, "36 is older than the window of 64");
    }

    @Test
    void anotherEpochStartsOverAndAReplayCoversTheHeldFrames() {
        ScriptedTransport transport = new ScriptedTransport();
        HistoryGate gate = new HistoryGate();
        gate.live(transport, ID, STREAM, at(5), "e5");
        gate.live(transport, ID, STREAM, new StreamPosition("f", 1), "f1");
        gate.hold(ID);
        gate.live(transport, ID, STREAM, new StreamPosition("f", 2), "f2");
        gate.live(transport, ID, STREAM, new StreamPosition("f", 3), "f3");
        replay(gate, transport, new StreamPosition("f", 2), "replayed f2");
        gate.release(transport, ID);
        assertEquals(List.of("e5", "f1", "replayed f2", "f3"), transport.frames);
    }
}
