package io.jcable.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SubprotocolsTest {

    @Test
    void serverOrderWinsAndUnknownOrNoneGivesNoProtocol() {
        assertEquals("actioncable-v1-json", Subprotocols.negotiate(List.of("actioncable-v1-json")));
        assertEquals("actioncable-v1-ext-json", Subprotocols.negotiate(List.of("actioncable-v1-ext-json")));
        assertEquals("actioncable-v1-json",
                Subprotocols.negotiate(List.of("actioncable-v1-ext-json", "actioncable-v1-json")));
        assertEquals("actioncable-v1-json",
                Subprotocols.negotiate(List.of("anycable-token.abc", "actioncable-v1-json")));
        assertEquals("", Subprotocols.negotiate(List.of("foo")));
        assertEquals("", Subprotocols.negotiate(List.of()));
    }
}
