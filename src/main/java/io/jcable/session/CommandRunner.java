package io.jcable.session;

import io.jcable.hub.Hub;
import io.jcable.protocol.ClientCommand;
import io.jcable.protocol.LogText;
import io.jcable.protocol.ServerFrames;
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
 * transmissions, then the disconnect. Runs on the session's mailbox.
 */
final class CommandRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);

    private final LocalAnswers local;
    private final Controller controller;
    private final Hub hub;
    private final SessionCloser closer;

    CommandRunner(LocalAnswers local, Controller controller, Hub hub, SessionCloser closer) {
        this.local = local;
        this.controller = controller;
        this.hub = hub;
        this.closer = closer;
    }

    /** Returns false when the command was refused locally (its precondition failed). */
    boolean run(ClientSession session, ClientCommand command) {
        return switch (command) {
            case ClientCommand.Subscribe subscribe -> subscribe(session, subscribe.identifier());
            case ClientCommand.Unsubscribe unsubscribe -> unsubscribe(session, unsubscribe.identifier());
            case ClientCommand.Message message -> message(session, message.identifier(), message.data());
            default -> throw new IllegalArgumentException("not an RPC command: " + command);
        };
    }

    private boolean subscribe(ClientSession session, String identifier) {
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
        apply(session, identifier, subscription, result);
        return true;
    }

    private boolean unsubscribe(ClientSession session, String identifier) {
        Subscription subscription = session.subscriptions.get(identifier);
        if (subscription == null) {
            if (session.mayLog()) {
                LOG.info("sid={} unsubscribe from unknown {}: ignored", session.sid(), LogText.identifier(identifier));
            }
            return false;
        }
        CommandResult result = call(session, "unsubscribe", identifier, "", subscription.istate());
        // Whatever the application said, the subscription is gone on our side (docs/protocol.md §9 #3).
        detachAll(session, identifier, subscription);
        session.subscriptions.remove(identifier);
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
        Subscription subscription = session.subscriptions.get(identifier);
        if (subscription == null) {
            if (session.mayLog()) {
                LOG.info("sid={} message for unknown {}: ignored", session.sid(), LogText.identifier(identifier));
            }
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
        if (result.disconnect()) {
            LOG.info("sid={} disconnected by the application", session.sid());
            closer.close(session, 1000, "Command Failed");
        }
    }

    private void detachAll(ClientSession session, String identifier, Subscription subscription) {
        subscription.clearStreams().forEach(stream -> hub.unsubscribe(stream, identifier, session));
    }
}
