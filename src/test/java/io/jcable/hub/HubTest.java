package io.jcable.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class HubTest {

    /** Records the serial of every subscriber a frame reaches, in delivery order. */
    private record Recorder(long serial, List<Long> deliveries) implements Subscriber {
        @Override
        public String sid() {
            return "sid-" + serial;
        }

        @Override
        public void deliver(String frame) {
            deliveries.add(serial);
        }
    }

    @Test
    void aBroadcastReachesSubscribersInTheOrderTheirSessionsOpenedWhateverOrderTheySubscribedIn() {
        Hub hub = new Hub();
        List<Long> deliveries = new ArrayList<>();
        List<Long> serials = new ArrayList<>(LongStream.rangeClosed(1, 200).boxed().toList());
        Collections.shuffle(serials, new Random(42));
        for (long serial : serials) {
            hub.subscribe("all", "{\"channel\":\"C\"}", new Recorder(serial, deliveries));
        }

        assertEquals(200, hub.broadcast("all", "{}", null, null));

        assertEquals(LongStream.rangeClosed(1, 200).boxed().toList(), deliveries);
    }

    @Test
    void anUnsubscribedOrExcludedSessionIsSkippedAndTheRestKeepTheirOrder() {
        Hub hub = new Hub();
        List<Long> deliveries = new ArrayList<>();
        Recorder third = new Recorder(3, deliveries);
        for (Recorder subscriber : List.of(new Recorder(4, deliveries), third, new Recorder(1, deliveries),
                new Recorder(2, deliveries))) {
            hub.subscribe("all", "{\"channel\":\"C\"}", subscriber);
        }

        hub.unsubscribe("all", "{\"channel\":\"C\"}", third);

        assertEquals(2, hub.broadcast("all", "{}", "sid-2", null));
        assertEquals(List.of(1L, 4L), deliveries);
    }
}
