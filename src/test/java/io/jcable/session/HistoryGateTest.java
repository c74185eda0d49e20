package io.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ordering rules of {@link HistoryGate} (docs/protocol.md §6.2, §6.3), without sockets. */
class HistoryGateTest {
    private static final String ID = "sub";
    private static final String STREAM = "s";

    @Test
    void aRestoredSubscriptionHoldsLiveFramesUntilItsReplayHasWrittenTheMissedOnes() {
        ScriptedTransport transport = new ScriptedTransport();
        HistoryGate gate = new HistoryGate();
        gate.holdForHistory(ID);
        gate.live(transport, ID, STREAM, 4, "live-4");
        assertEquals(List.of(), transport.frames, "held until the history request");

        gate.hold(ID);
        for (long offset = 2; offset <= 4; offset++) {
            gate.replay(transport, ID, STREAM, offset, "replay-" + offset);
        }
        gate.endRestoreWait(transport);
        gate.live(transport, ID, STREAM, 5, "live-5");
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
        gate.live(transport, ID, STREAM, 7, "live-7");
        gate.live(transport, ID, STREAM, 8, "live-8");
        gate.endRestoreWait(transport);
        gate.live(transport, ID, STREAM, 9, "live-9");
        assertEquals(List.of("live-7", "live-8", "live-9"), transport.frames);
    }
}
