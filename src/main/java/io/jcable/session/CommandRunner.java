package io.jcable.session;

import io.jcable.hub.Hub;
import io.jcable.protocol.ClientCommand;
import io.jcable.protocol.HistoryRequest;
import io.jcable.protocol.LogText;
import io.jcable.protocol.PresenceJoin;
import io.jcable.protocol.ServerFrames;
import io.jcable.protocol.StateKeys;
import io.jcable.pubsub.TransientPublisher;
import io.jcable.rpc.CallContext;
import io.jcable.rpc.CommandRequest;
import io.jcable.rpc.CommandResult;
import io.jcable.rpc.Controller;
import io.jcable.rpc.RpcStatus;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one client command, answered by the server itself ({@link LocalAnswers}) or through the application, and
 * applies the answer in the order of docs/rpc.md §7:
 * streams first (so a broadcast sent after the client saw the confirmation arrives), then state, then
 * transmissions, then the application's presence, then the disconnect. Whispers and presence commands of extended
 * sessions are served here without the application. Runs on the session's mailbox.
 */
final class CommandRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);

    private final LocalAnswers local;
    private final Controller controller;
    private final Hub hub;
    private final SessionCloser closer;
    private final HistoryReplay history;
    private final PresenceCommands presence;
    private final TransientPublisher whispers;

    CommandRunner(LocalAnswers local, Controller controller, Hub hub, SessionCloser closer, HistoryReplay history,
                  PresenceCommands presence, TransientPublisher whispers) {
        this.local = local;
        this.controller = controller;
        this.hub = hub;
        this.closer = closer;
        this.history = history;
        this.presence = presence;
        this.whispers = whispers;
    }

    /** Returns false when the command was refused locally (its precondition failed). */
    boolean run(ClientSession session, ClientCommand command) {
        return switch (command) {
            case ClientCommand.Subscribe subscribe -> subscribe(session, subscribe.identifier(), subscribe.history(),
                    subscribe.presence());
            case ClientCommand.History request -> history(session, request.identifier(), request.history());
            case ClientCommand.Unsubscribe unsubscribe -> unsubscribe(session, unsubscribe.identifier());
            case ClientCommand.Message message -> message(session, message.identifier(), message.data());
            case ClientCommand.Whisper whisper -> whisper(session, whisper.identifier(), whisper.data());
            case ClientCommand.Join join -> {
                Subscription subscription = known(session, "join", join.identifier());
                yield subscription != null && presence.join(session, join.identifier(), subscription, join.presence());
            }
            case ClientCommand.Leave leave -> {
                Subscription subscription = known(session, "leave", leave.identifier());
                yield subscription != null && presence.leave(session, leave.identifier(), subscription);
            }
            case ClientCommand.PresenceInfo info -> {
                Subscription subscription = known(session, "presence", info.identifier());
                yield subscription != null
                        && presence.info(session, info.identifier(), subscription, info.returnRecords());
            }
            default -> throw new IllegalArgumentException("not an RPC command: " + command);
        };
    }

    /**
     * @param historyRequest  an extended client's {@code history} member, or null
     * @param presenceRequest an extended client's {@code presence} member, or null
     */
    private boolean subscribe(ClientSession session, String identifier, HistoryRequest historyRequest,
                              PresenceJoin presenceRequest) {
        if (session.subscriptions.containsKey(identifier)) {
            if (session.mayLog()) {
                LOG.info("sid={} already subscribed to {}: ignored", session.sid(), LogText.identifier(identifier));
            }
            return false;
        }
        CommandResult result = call(session, "subscribe", identifier, "", Map.of());
        if (result == null) {
            return true;
        }
        if (result.status() == RpcStatus.ERROR) {
            if (session.mayLog()) {
                LOG.error("sid={} subscribe {} failed: {}", session.sid(), LogText.identifier(identifier), result.errorMessage());
            }
            session.transport().send(ServerFrames.rejectSubscription(identifier));
            return true;
        }
        Subscription subscription = null;
        if (result.status() == RpcStatus.SUCCESS) {
            subscription = new Subscription();
            session.subscriptions.put(identifier, subscription);
        }
        boolean replay = subscription != null && historyRequest != null && session.extended();
        if (replay) {
            // Before the streams are attached: a live frame must not overtake the history that precedes it.
            session.historyGate().hold(identifier);
        }
        apply(session, identifier, subscription, result);
        if (replay) {
            history.serve(session, identifier, subscription, historyRequest);
        }
        if (subscription != null && presenceRequest != null && session.extended() && !session.isClosed()) {
            presence.join(session, identifier, subscription, presenceRequest);
        }
        return true;
    }

    private boolean history(ClientSession session, String identifier, HistoryRequest request) {
        Subscription subscription = known(session, "history", identifier);
        if (subscription == null) {
            return false;
        }
        history.serve(session, identifier, subscription, request);
        return true;
    }

    private boolean unsubscribe(ClientSession session, String identifier) {
        Subscription subscription = known(session, "unsubscribe", identifier);
        if (subscription == null) {
            return false;
        }
        CommandResult result = call(session, "unsubscribe", identifier, "", subscription.istate());
        // Whatever the application said, the subscription is gone on our side (docs/protocol.md §9 #3).
        detachAll(session, identifier, subscription);
        presence.unsubscribed(session, identifier, subscription);
        session.subscriptions.remove(identifier);
        if (session.extended()) {
            session.historyGate().forget(identifier);
        }
        if (result == null) {
            return true;
        }
        if (result.status() == RpcStatus.ERROR) {
            if (session.mayLog()) {
                LOG.error("sid={} unsubscribe {} failed: {}", session.sid(), LogText.identifier(identifier), result.errorMessage());
            }
            return true;
        }
        apply(session, identifier, null, result);
        return true;
    }

    private boolean message(ClientSession session, String identifier, String data) {
        Subscription subscription = known(session, "message", identifier);
        if (subscription == null) {
            return false;
        }
        CommandResult result = call(session, "message", identifier, data, subscription.istate());
        if (result == null) {
            return true;
        }
        if (result.status() == RpcStatus.ERROR) {
            if (session.mayLog()) {
                LOG.error("sid={} perform on {} failed: {}", session.sid(), LogText.identifier(identifier), result.errorMessage());
            }
            return true;
        }
        apply(session, identifier, subscription, result);
        return true;
    }

    /**
     * Publishes the whisper to the subscription's {@code $w} stream for everyone but this session (docs/protocol.md
     * §6.5): transient, through the pub/sub like any broadcast. Without {@code $w}: logged and ignored.
     */
    private boolean whisper(ClientSession session, String identifier, String data) {
        Subscription subscription = known(session, "whisper", identifier);
        if (subscription == null) {
            return false;
        }
        String stream = subscription.istate().get(StateKeys.WHISPER);
        if (stream == null) {
            if (session.mayLog()) {
                LOG.info("sid={} whisper on {} without whispers ($w): ignored", session.sid(),
                        LogText.identifier(identifier));
            }
            return false;
        }
        whispers.publish(stream, data, session.sid(), null);
        return true;
    }

    /** The session's subscription to {@code identifier}; null (logged) when it has none. */
    private static Subscription known(ClientSession session, String command, String identifier) {
        Subscription subscription = session.subscriptions.get(identifier);
        if (subscription == null && session.mayLog()) {
            LOG.info("sid={} {} on unknown {}: ignored", session.sid(), command, LogText.identifier(identifier));
        }
        return subscription;
    }

    /** The server's own answer, else the RPC call's; null when the session went away before it was sent. */
    private CommandResult call(ClientSession session, String command, String identifier, String data,
                               Map<String, String> istate) {
        if (session.isClosed()) {
            return null;
        }
        CommandRequest request = new CommandRequest(command, identifier, session.identifiers, data,
                session.handshake().env(), session.cstate, istate);
        CommandResult answer = local.command(request);
        if (answer != null) {
            // The reason names the channel; the identifier may carry a signed stream name, a credential.
            if (answer.status() == RpcStatus.FAILURE && session.mayLog()) {
                LOG.info("sid={} {} refused: {}", session.sid(), command, answer.errorMessage());
            }
            return answer;
        }
        session.disconnectInterest = true;
        answer = controller.command(new CallContext(session.sid(), session::isClosed), request);
        if (answer.status() == RpcStatus.FAILURE && !answer.errorMessage().isEmpty() && session.mayLog()) {
            LOG.info("sid={} {} {} refused: {}", session.sid(), command, LogText.identifier(identifier),
                    LogText.clip(answer.errorMessage()));
        }
        return answer;
    }

    /** Applies a SUCCESS or FAILURE answer; {@code subscription} is null when none is (or stays) recorded. */
    private void apply(ClientSession session, String identifier, Subscription subscription, CommandResult result) {
        if (subscription != null) {
            if (result.stopStreams()) {
                detachAll(session, identifier, subscription);
            } else {
                for (String stream : result.stoppedStreams()) {
                    if (subscription.removeStream(stream)) {
                        hub.unsubscribe(stream, identifier, session);
                    }
                }
            }
            for (String stream : result.streams()) {
                if (subscription.addStream(stream)) {
                    hub.subscribe(stream, identifier, session);
                }
            }
            subscription.mergeIstate(result.istate());
        }
        session.cstate = StateMerge.merge(session.cstate, result.cstate());
        result.transmissions().forEach(session.transport()::send);
        if (subscription != null && result.presence() != null) {
            presence.apply(session, identifier, subscription, result.presence());
        }
        if (result.disconnect()) {
            LOG.info("sid={} disconnected by the application", session.sid());
            closer.close(session, 1000, "Command Failed");
        }
    }

    private void detachAll(ClientSession session, String identifier, Subscription subscription) {
        subscription.clearStreams().forEach(stream -> hub.unsubscribe(stream, identifier, session));
    }
}
