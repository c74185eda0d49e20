package io.jcable.session;

import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.ClientCommand;
import io.jcable.protocol.CommandParser;
import io.jcable.protocol.LogText;
import io.jcable.protocol.ServerFrames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Handles one client text message of a connected session: parses it and runs the command. Runs on the mailbox. */
final class FrameDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDispatcher.class);

    private final CommandRunner commands;
    private final SessionCloser closer;
    private final LiveSnapshots liveSnapshots;
    private final Counter clientMessages;
    private final Counter failedClientMessages;

    FrameDispatcher(CommandRunner commands, SessionCloser closer, LiveSnapshots liveSnapshots, Metrics metrics) {
        this.commands = commands;
        this.closer = closer;
        this.liveSnapshots = liveSnapshots;
        this.clientMessages = metrics.counter("client_msg_total");
        this.failedClientMessages = metrics.counter("failed_client_msg_total");
    }

    void handle(ClientSession session, String frame) {
        if (session.isClosed() || !session.connected) {
            return;
        }
        clientMessages.inc();
        ClientCommand command = CommandParser.parse(frame);
        switch (command) {
            case ClientCommand.Malformed malformed -> {
                failedClientMessages.inc();
                LOG.warn("sid={} sent a malformed frame ({}): closing (1007)", session.sid(), malformed.reason());
                closer.close(session, 1007, "Invalid JSON");
            }
            case ClientCommand.Ping ping -> session.transport().send(ServerFrames.PONG);
            case ClientCommand.Pong pong -> {
                // Clients of the extended protocol answer every ping; any frame proves they are alive.
            }
            case ClientCommand.History request when !session.extended() ->
                    unsupported(session, "history without the extended protocol");
            case ClientCommand.Whisper whisper when !session.extended() ->
                    unsupported(session, "whisper without the extended protocol");
            case ClientCommand.Join join when !session.extended() ->
                    unsupported(session, "join without the extended protocol");
            case ClientCommand.Leave leave when !session.extended() ->
                    unsupported(session, "leave without the extended protocol");
            case ClientCommand.PresenceInfo info when !session.extended() ->
                    unsupported(session, "presence without the extended protocol");
            case ClientCommand.Unsupported unsupported -> unsupported(session, unsupported.reason());
            default -> {
                if (!commands.run(session, command)) {
                    failedClientMessages.inc();
                }
                liveSnapshots.changed(session);
            }
        }
    }

    private void unsupported(ClientSession session, String reason) {
        failedClientMessages.inc();
        if (session.mayLog()) {
            LOG.warn("sid={} sent an unsupported command: {}", session.sid(), LogText.clip(reason));
        }
    }
}
