package io.jcable.standalone;

import io.jcable.config.AuthConfig;
import io.jcable.identity.Identification;
import io.jcable.identity.JwtIdentifier;
import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.Json;
import io.jcable.protocol.ServerFrames;
import io.jcable.rpc.CommandRequest;
import io.jcable.rpc.CommandResult;
import io.jcable.rpc.ConnectResult;
import io.jcable.rpc.RpcStatus;
import io.jcable.session.Handshake;
import io.jcable.session.LocalAnswers;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The server's own answers (docs/protocol.md §7, anycable-go's identifier pipeline): a socket with a token is
 * identified by it when JWT is on (valid → the {@code ext} identifiers and the server's welcome with the sid;
 * expired → {@code token_expired}; anything else → {@code unauthorized}); without one it is refused when
 * {@code ANYCABLE_ENFORCE_JWT}, let in as {@code {"sid":…}} when {@code ANYCABLE_NOAUTH}, else left to the
 * application's Connect. Commands go to {@link LocalChannels}.
 */
public final class StandaloneAnswers implements LocalAnswers {
    private final JwtIdentifier jwt;
    private final boolean enforceJwt;
    private final boolean noAuth;
    private final LocalChannels channels;

    public StandaloneAnswers(AuthConfig auth, Clock clock) {
        this.jwt = auth.jwt() ? new JwtIdentifier(auth.jwtSecret(), clock) : null;
        this.enforceJwt = auth.enforceJwt();
        this.noAuth = auth.noAuth();
        this.channels = new LocalChannels(auth);
    }

    @Override
    public ConnectResult connect(String sid, Handshake handshake) {
        if (jwt != null && handshake.token() != null) {
            return switch (jwt.identify(handshake.token())) {
                case Identification.Identified identified -> welcome(sid, identified.identifiers());
                case Identification.Expired expired -> refused(DisconnectReason.TOKEN_EXPIRED, "token expired");
                case Identification.Rejected rejected ->
                        refused(DisconnectReason.UNAUTHORIZED, "invalid token: " + rejected.reason());
            };
        }
        if (enforceJwt) {
            return refused(DisconnectReason.UNAUTHORIZED, "no token (ANYCABLE_ENFORCE_JWT)");
        }
        if (noAuth) {
            return welcome(sid, "{\"sid\":" + Json.quote(sid) + "}");
        }
        return null;
    }

    @Override
    public CommandResult command(CommandRequest request) {
        return channels.command(request);
    }

    private static ConnectResult welcome(String sid, String identifiers) {
        return new ConnectResult(RpcStatus.SUCCESS, identifiers, List.of(ServerFrames.welcome(sid)), Map.of(), "");
    }

    private static ConnectResult refused(DisconnectReason reason, String why) {
        return new ConnectResult(RpcStatus.FAILURE, "", List.of(ServerFrames.disconnect(reason)), Map.of(), why);
    }
}
