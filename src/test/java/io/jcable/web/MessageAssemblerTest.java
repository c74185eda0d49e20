package io.jcable.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MessageAssemblerTest {

    @Test
    void aMessageInOnePartIsPassedOnAsIs() {
        String message = "{\"command\":\"ping\"}";
        assertSame(message, new MessageAssembler(100).add(message, true));
    }

    @Test
    void partsAreJoinedInOrder() {
        MessageAssembler assembler = new MessageAssembler(100);
        assertNull(assembler.add("{\"command\":", false));
        assertNull(assembler.add("\"pi", false));
        assertEquals("{\"command\":\"ping\"}", assembler.add("ng\"}", true));
        assertEquals("next", assembler.add("next", true));
    }

    @Test
    void theLimitIsInUtf8BytesAcrossParts() {
        assertEquals(1 + 2 + 3 + 4, MessageAssembler.utf8Length("aé€😀"));
        MessageAssembler assembler = new MessageAssembler(11);
        assertNull(assembler.add("éé", false));
        assertEquals("éééé€", assembler.add("éé€", true));
        assertEquals("éééééé", new MessageAssembler(12).add("éééééé", true));
        assertThrows(MessageAssembler.TooBig.class, () -> new MessageAssembler(11).add("éééééé", true));
    }

    @Test
    void overTheLimitThrowsOnceAndTheRestOfThatMessageIsDropped() {
        MessageAssembler assembler = new MessageAssembler(8);
        assertNull(assembler.add("12345", false));
        assertThrows(MessageAssembler.TooBig.class, () -> assembler.add("6789", false));
        assertNull(assembler.add("more", false));
        assertNull(assembler.add("end", true));
        assertEquals("fits", assembler.add("fits", true));
    }
}
