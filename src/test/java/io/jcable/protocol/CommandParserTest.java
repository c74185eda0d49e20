package io.jcable.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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
}
