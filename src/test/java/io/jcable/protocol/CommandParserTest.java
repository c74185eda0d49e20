package io.jcable.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandParserTest {
    private static final String ID = "{\"channel\":\"ChatChannel\",\"id\":42}";

    @Test
    void parsesTheThreeRpcCommandsKeepingIdentifierAndDataByteForByte() {
        String quoted = Json.quote(ID);
        assertEquals(new ClientCommand.Subscribe(ID),
                CommandParser.parse("{\"command\":\"subscribe\",\"identifier\":" + quoted + "}"));
        assertEquals(new ClientCommand.Unsubscribe(ID),
                CommandParser.parse("{\"command\":\"unsubscribe\",\"identifier\":" + quoted + "}"));
        String data = "{\"action\":\"speak\", \"text\":\"hi \\u00e9\"}";
        assertEquals(new ClientCommand.Message(ID, data), CommandParser.parse(
                "{\"command\":\"message\",\"identifier\":" + quoted + ",\"data\":" + Json.quote(data) + "}"));
    }

    @Test
    void pingAndPongCommands() {
        assertEquals(new ClientCommand.Ping(), CommandParser.parse("{\"command\":\"ping\"}"));
        assertEquals(new ClientCommand.Pong(), CommandParser.parse("{\"command\":\"pong\"}"));
    }

    @Test
    void textThatIsNotAJsonObjectIsMalformed() {
        for (String frame : new String[] {"not json", "[1,2]", "\"str\"", "42", "{\"command\":", "{} {}", "",
                "{command: subscribe}"}) {
            assertInstanceOf(ClientCommand.Malformed.class, CommandParser.parse(frame), frame);
        }
    }

    @Test
    void objectsThatAreNotSupportedCommandsAreUnsupportedNotMalformed() {
        for (String frame : new String[] {"{\"command\":\"dance\"}", "{\"foo\":\"bar\"}",
                "{\"command\":\"subscribe\"}", "{\"command\":\"subscribe\",\"identifier\":{\"channel\":\"X\"}}",
                "{\"command\":\"message\",\"identifier\":\"x\",\"data\":{\"action\":\"a\"}}",
                "{\"command\":\"message\",\"identifier\":\"x\"}", "{\"command\":\"history\",\"identifier\":\"x\"}",
                "{\"command\":42}"}) {
            assertInstanceOf(ClientCommand.Unsupported.class, CommandParser.parse(frame), frame);
        }
    }

    @Test
    void historyRequestsAreReadWithTheirPositionsAndBadNumbersMakeThemInvalid() {
        String quoted = Json.quote(ID);
        assertEquals(new ClientCommand.History(ID, new HistoryRequest(1681828329,
                        Map.of("chat_42", new StreamPosition("vRXl", 32)), null)),
                CommandParser.parse("{\"command\":\"history\",\"identifier\":" + quoted + ",\"history\":{"
                        + "\"since\":1681828329.7,\"streams\":{\"chat_42\":{\"offset\":32,\"epoch\":\"vRXl\"}}}}"));
        assertEquals(new ClientCommand.Subscribe(ID, new HistoryRequest(0, Map.of(), null), null),
                CommandParser.parse("{\"command\":\"subscribe\",\"identifier\":" + quoted + ",\"history\":{}}"));
        for (String history : new String[] {"[]", "{\"since\":\"1\"}", "{\"since\":1e400}", "{\"streams\":[]}",
                "{\"streams\":{\"s\":{\"offset\":1}}}", "{\"streams\":{\"s\":{\"offset\":1.5,\"epoch\":\"e\"}}}",
                "{\"streams\":{\"s\":{\"offset\":-1,\"epoch\":\"e\"}}}",
                "{\"streams\":{\"s\":{\"offset\":9223372036854775808,\"epoch\":\"e\"}}}"}) {
            ClientCommand parsed = CommandParser.parse("{\"command\":\"history\",\"identifier\":\"x\",\"history\":"
                    + history + "}");
            assertInstanceOf(ClientCommand.History.class, parsed, history);
            assertInstanceOf(String.class, ((ClientCommand.History) parsed).history().invalid(), history);
        }
    }

    @Test
    void whisperDataIsKeptAsJsonTextWhateverItsType() {
        String quoted = Json.quote(ID);
        assertEquals(new ClientCommand.Whisper(ID, "{\"event\":\"typing\",\"n\":[1,2.5]}"),
                CommandParser.parse("{\"command\":\"whisper\",\"identifier\":" + quoted
                        + ",\"data\":{\"event\":\"typing\",\"n\":[1,2.5]}}"));
        assertEquals(new ClientCommand.Whisper(ID, "\"hi \\\"you\\\"\""),
                CommandParser.parse("{\"command\":\"whisper\",\"identifier\":" + quoted
                        + ",\"data\":\"hi \\\"you\\\"\"}"));
        assertInstanceOf(ClientCommand.Unsupported.class,
                CommandParser.parse("{\"command\":\"whisper\",\"identifier\":" + quoted + "}"));
        // The tree is read under the same strict rules as the rest.
        assertInstanceOf(ClientCommand.Malformed.class,
                CommandParser.parse("{\"command\":\"whisper\",\"identifier\":" + quoted + ",\"data\":{a:1}}"));
    }

    @Test
    void presenceMembersAreCheckedAndTheirInfoKeptAsJsonText() {
        String quoted = Json.quote(ID);
        assertEquals(new ClientCommand.Join(ID, new PresenceJoin("42", "{\"name\":\"Jack\"}", null)),
                CommandParser.parse("{\"command\":\"join\",\"identifier\":" + quoted
                        + ",\"presence\":{\"id\":\"42\",\"info\":{\"name\":\"Jack\"}}}"));
        assertEquals(new ClientCommand.Subscribe(ID, null, new PresenceJoin("7", "null", null)),
                CommandParser.parse("{\"command\":\"subscribe\",\"identifier\":" + quoted
                        + ",\"presence\":{\"id\":\"7\"}}"));
        String big = "\"" + "é".repeat(PresenceJoin.MAX_INFO_BYTES / 2) + "\"";
        for (String presence : new String[] {"[]", "{\"info\":{}}", "{\"id\":42}", "{\"id\":\"\"}",
                "{\"id\":\"" + "x".repeat(PresenceJoin.MAX_ID_LENGTH + 1) + "\"}",
                "{\"id\":\"1\",\"info\":" + big + "}"}) {
            ClientCommand parsed = CommandParser.parse("{\"command\":\"join\",\"identifier\":\"x\",\"presence\":"
                    + presence + "}");
            assertInstanceOf(String.class, ((ClientCommand.Join) parsed).presence().invalid(), presence);
        }
        assertInstanceOf(String.class, ((ClientCommand.Join) CommandParser.parse(
                "{\"command\":\"join\",\"identifier\":\"x\"}")).presence().invalid());
        assertEquals(new ClientCommand.Leave(ID),
                CommandParser.parse("{\"command\":\"leave\",\"identifier\":" + quoted + "}"));
    }

    @Test
    void presenceRequestsReturnRecordsUnlessToldFalse() {
        String quoted = Json.quote(ID);
        String prefix = "{\"command\":\"presence\",\"identifier\":" + quoted;
        assertEquals(new ClientCommand.PresenceInfo(ID, true), CommandParser.parse(prefix + "}"));
        assertEquals(new ClientCommand.PresenceInfo(ID, true),
                CommandParser.parse(prefix + ",\"data\":{\"return_records\":true}}"));
        assertEquals(new ClientCommand.PresenceInfo(ID, false),
                CommandParser.parse(prefix + ",\"data\":{\"return_records\":false}}"));
        assertEquals(new ClientCommand.PresenceInfo(ID, true),
                CommandParser.parse(prefix + ",\"data\":{\"return_records\":\"no\"}}"));
    }
}
