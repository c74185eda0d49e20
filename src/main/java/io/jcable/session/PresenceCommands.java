package io.jcable.session;

import io.jcable.presence.Membership;
import io.jcable.presence.Presence;
import io.jcable.presence.PresenceUnavailable;
import io.jcable.protocol.LogText;
import io.jcable.protocol.PresenceJoin;
import io.jcable.protocol.ServerFrames;
import io.jcable.protocol.StateKeys;
import io.jcable.rpc.PresenceAnswer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's presence (docs/protocol.md §6.6) on the stream in its subscription's istate {@code $p}: the
 * {@code join}, {@code leave} and {@code presence} commands, a join on {@code subscribe}, the application's
 * {@code CommandResponse.presence}, and what a closed or restored session does with its records. Runs on the
 * mailbox. A join or leave that cannot be served is answered with the presence error frame, the session is kept.
 */
final class PresenceCommands {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceCommands.class);

    private final Presence presence;

    PresenceCommands(Presence presence) {
        this.presence = presence;
    }

    /** The client's join; false when refused (no {@code $p}, an invalid request). */
    boolean join(ClientSession session, String identifier, Subscription subscription, PresenceJoin request) {
        String stream = subscription.istate().get(StateKeys.PRESENCE);
        if (stream == null) {
            if (session.mayLog()) {
                LOG.info("sid={} join on {} without presence ($p): ignored", session.sid(),
                        LogText.identifier(identifier));
            }
            return false;
        }
        if (request.invalid() != null) {
            if (session.mayLog()) {
                LOG.info("sid={} join on {} refused: {}", session.sid(), LogText.identifier(identifier),
                        request.invalid());
            }
            session.transport().send(ServerFrames.presenceError(identifier));
            return false;
        }
        joinAs(session, identifier, subscription, new Membership(stream, request.id(), request.info()));
        return true;
    }

    /** The client's leave; false when the subscription holds no presence. */
    boolean leave(ClientSession session, String identifier, Subscription subscription) {
        if (subscription.presence() == null) {
            if (session.mayLog()) {
                LOG.info("sid={} leave on {} without a join: ignored", session.sid(), LogText.identifier(identifier));
            }
            return false;
        }
        leaveNow(session, identifier, subscription);
        return true;
    }

    /**
     * The {@code presence} command: the info frame, or the error frame when there is no {@code $p} (then false: the
     * request was refused) or no store.
     */
    boolean info(ClientSession session, String identifier, Subscription subscription, boolean withRecords) {
        String stream = subscription.istate().get(StateKeys.PRESENCE);
        String frame;
        if (stream == null) {
            if (session.mayLog()) {
                LOG.info("sid={} presence on {} without presence ($p)", session.sid(), LogText.identifier(identifier));
            }
            frame = ServerFrames.presenceInfoError(identifier);
        } else {
            try {
                frame = ServerFrames.presence(identifier, presence.state(stream, withRecords).message(withRecords));
            } catch (PresenceUnavailable e) {
                logUnavailable(session, "presence", e);
                frame = ServerFrames.presenceInfoError(identifier);
            }
        }
        session.transport().send(frame);
        return stream != null;
    }

    /** The application's join or leave on the user's behalf, after its istate was merged. */
    void apply(ClientSession session, String identifier, Subscription subscription, PresenceAnswer answer) {
        if (!answer.join()) {
            if (subscription.presence() != null) {
                leaveNow(session, identifier, subscription);
            }
            return;
        }
        String stream = subscription.istate().get(StateKeys.PRESENCE);
        if (stream == null) {
            LOG.warn("sid={} the application joined presence on {}, which has no $p: ignored", session.sid(),
                    LogText.identifier(identifier));
            return;
        }
        joinAs(session, identifier, subscription, new Membership(stream, answer.id(), answer.info()));
    }

    /** The subscription ended (unsubscribe): its presence leaves at once; a failure is only logged. */
    void unsubscribed(ClientSession session, String identifier, Subscription subscription) {
        if (subscription.presence() == null) {
            return;
        }
        try {
            presence.leave(session.sid(), subscription.presence().stream());
        } catch (PresenceUnavailable e) {
            LOG.warn("sid={} presence on {} not left: {}", session.sid(), LogText.identifier(identifier),
                    e.getMessage());
        }
        subscription.presence(null);
    }

    /** The session is gone: what it held lingers {@code ANYCABLE_PRESENCE_TTL}. */
    void closed(ClientSession session) {
        session.subscriptions.values().forEach(subscription -> {
            if (subscription.presence() != null) {
                presence.linger(session.sid(), subscription.presence());
            }
        });
    }

    /** A restored session takes over the records its lost predecessor {@code oldSid} left lingering. */
    void restored(ClientSession session, String oldSid, String identifier, Subscription subscription,
                  Membership membership) {
        try {
            presence.handOver(oldSid, session.sid(), membership);
            subscription.presence(membership);
        } catch (PresenceUnavailable e) {
            LOG.warn("sid={} presence on {} not restored: {}", session.sid(), LogText.identifier(identifier),
                    e.getMessage());
        }
    }

    private void joinAs(ClientSession session, String identifier, Subscription subscription, Membership membership) {
        try {
            Membership held = subscription.presence();
            if (held != null && !held.stream().equals(membership.stream())) {
                presence.leave(session.sid(), held.stream());
                subscription.presence(null);
            }
            presence.join(session.sid(), membership);
            subscription.presence(membership);
        } catch (PresenceUnavailable e) {
            logUnavailable(session, "join", e);
            session.transport().send(ServerFrames.presenceError(identifier));
        }
    }

    private void leaveNow(ClientSession session, String identifier, Subscription subscription) {
        try {
            presence.leave(session.sid(), subscription.presence().stream());
            subscription.presence(null);
        } catch (PresenceUnavailable e) {
            logUnavailable(session, "leave", e);
            session.transport().send(ServerFrames.presenceError(identifier));
        }
    }

    private static void logUnavailable(ClientSession session, String command, PresenceUnavailable e) {
        if (session.mayLog()) {
            LOG.warn("sid={} {} failed: {}", session.sid(), command, e.getMessage());
        }
    }
}
