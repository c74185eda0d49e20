package io.jcable.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
        List<Recorder> opened = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            opened.add(new Recorder(hub.nextSerial(), deliveries));
        }
        List<Recorder> subscribing = new ArrayList<>(opened);
        Collections.shuffle(subscribing, new Random(42));
        for (Recorder subscriber : subscribing) {
            hub.subscribe("all", "{\"channel\":\"C\"}", subscriber);
        }

        assertEquals(200, hub.broadcast("all", "{}", null, null));

        assertEquals(opened.stream().map(Recorder::serial).toList(), deliveries);
    }

    @Test
    void anUnsubscribedOrExcludedSessionIsSkippedAndTheRestKeepTheirOrder() {
        Hub hub = new Hub();
        List<Long> deliveries = new ArrayList<>();
        Recorder first = new Recorder(hub.nextSerial(), deliveries);
        Recorder second = new Recorder(hub.nextSerial(), deliveries);
        Recorder third = new Recorder(hub.nextSerial(), deliveries);
        Recorder fourth = new Recorder(hub.nextSerial(), deliveries);
        for (Recorder subscriber : List.of(fourth, third, first, second)) {
            hub.subscribe("all", "{\"channel\":\"C\"}", subscriber);
        }

        hub.unsubscribe("all", "{\"channel\":\"C\"}", third);

        assertEquals(2, hub.broadcast("all", "{}", second.sid(), null));
        assertEquals(List.of(first.serial(), fourth.serial()), deliveries);
    }
}
