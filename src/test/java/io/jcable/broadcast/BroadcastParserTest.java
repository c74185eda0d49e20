package io.jcable.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.jcable.protocol.StreamPosition;
import java.util.List;
import org.junit.jupiter.api.Test;

class BroadcastParserTest {

    @Test
    void singlePublicationWithMeta() {
        assertEquals(new BroadcastMessage.Publication("chat_42", "{\"text\":\"Hello\"}", "rcl245", "presence"),
                BroadcastParser.parse("{\"stream\":\"chat_42\",\"data\":\"{\\\"text\\\":\\\"Hello\\\"}\","
                        + "\"meta\":{\"exclude_socket\":\"rcl245\",\"broadcast_type\":\"presence\",\"x\":1}}"));
    }

    @Test
    void aPositionTravelsWithThePublicationAndOnlyAWellFormedOneIsRead() {
        BroadcastMessage.Publication positioned = new BroadcastMessage.Publication("s", "1", "x", "t", true,
                new StreamPosition("Ab3d", 42));
        assertEquals(positioned, BroadcastParser.parse(positioned.toJson()));
        assertEquals(positioned.at(null), BroadcastParser.parse(positioned.at(null).toJson()));
        for (String offset : List.of("0", "-1", "1.5", "1e30", "\"7\"", "null")) {
            BroadcastMessage parsed = BroadcastParser.parse("{\"stream\":\"s\",\"data\":\"1\",\"epoch\":\"e\","
                    + "\"offset\":" + offset + "}");
            assertEquals(null, assertInstanceOf(BroadcastMessage.Publication.class, parsed).position(), offset);
        }
        assertEquals(null, ((BroadcastMessage.Publication) BroadcastParser.parse(
                "{\"stream\":\"s\",\"data\":\"1\",\"epoch\":\"\",\"offset\":3}")).position());
    }

    @Test
    void batchKeepsArrayOrder() {
        BroadcastMessage parsed = BroadcastParser.parse(
                "[{\"stream\":\"a\",\"data\":\"1\"},{\"stream\":\"b\",\"data\":\"2\"},{\"stream\":\"a\",\"data\":\"3\"}]");
        assertEquals(new BroadcastMessage.Batch(List.of(
                new BroadcastMessage.Publication("a", "1", null, null),
                new BroadcastMessage.Publication("b", "2", null, null),
                new BroadcastMessage.Publication("a", "3", null, null)), List.of()), parsed);
    }

    @Test
    void invalidBatchElementsAreLeftOutWithTheirReasonAndTheOthersKept() {
        BroadcastMessage parsed = BroadcastParser.parse("[{\"stream\":\"a\",\"data\":\"1\"},{\"data\":\"y\"},"
                + "{\"stream\":\"b\",\"data\":{\"x\":1}},42,{\"stream\":\"\",\"data\":\"z\"},{\"stream\":7,\"data\":\"z\"},"
                + "{\"stream\":\"a\",\"data\":\"2\",\"meta\":{\"broadcast_type\":\"t\"}}]");
        assertEquals(new BroadcastMessage.Batch(List.of(
                new BroadcastMessage.Publication("a", "1", null, null),
                new BroadcastMessage.Publication("a", "2", null, "t")), List.of(
                "element 1: no non-empty \"stream\"",
                "element 2: \"data\" must be a string",
                "element 3: no non-empty \"stream\"",
                "element 4: no non-empty \"stream\"",
                "element 5: no non-empty \"stream\"")), parsed);
        assertEquals(new BroadcastMessage.Batch(List.of(), List.of("element 0: \"data\" must be a string")),
                BroadcastParser.parse("[{\"stream\":\"a\",\"data\":1}]"));
    }

    @Test
    void remoteDisconnectReconnectDefaultsToFalse() {
        assertEquals(new BroadcastMessage.RemoteDisconnect("{\"uid\":\"26\"}", true), BroadcastParser.parse(
                "{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"{\\\"uid\\\":\\\"26\\\"}\",\"reconnect\":true}}"));
        assertEquals(new BroadcastMessage.RemoteDisconnect("x", false),
                BroadcastParser.parse("{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"x\"}}"));
        assertEquals(new BroadcastMessage.UnknownCommand("reload"),
                BroadcastParser.parse("{\"command\":\"reload\"}"));
    }

    @Test
    void invalidPayloadsSayWhy() {
        for (String payload : new String[] {"nope", "{\"stream\":\"\",\"data\":\"x\"}",
                "{\"stream\":\"a\",\"data\":{\"obj\":1}}", "{\"stream\":\"a\"}", "[]", "[1]",
                "[{\"data\":\"y\"},{\"stream\":\"a\",\"data\":\"x\"}]", "{\"foo\":1}", "42",
                "{\"command\":\"disconnect\"}"}) {
            assertInstanceOf(BroadcastMessage.Invalid.class, BroadcastParser.parse(payload), payload);
        }
    }
}
