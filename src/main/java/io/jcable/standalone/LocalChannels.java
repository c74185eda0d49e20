package io.jcable.standalone;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.jcable.config.AuthConfig;
import io.jcable.identity.SignedStreams;
import io.jcable.identity.StreamVerification;
import io.jcable.protocol.Json;
import io.jcable.protocol.ServerFrames;
import io.jcable.protocol.StateKeys;
import io.jcable.rpc.CommandRequest;
import io.jcable.rpc.CommandResult;
import io.jcable.rpc.RpcStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The channels the server serves itself, never asking the application (as anycable-go's streams controllers):
 * <ul>
 *   <li>{@code $pubsub} (reserved, always): {@code signed_stream_name} verified with the streams secret, or
 *       {@code stream_name} when public streams are on; the subscription's state gets {@code $w} (whisper: public
 *       streams, signed ones if {@code ANYCABLE_STREAMS_WHISPER}) and {@code $p} (presence: public streams,
 *       signed ones if {@code ANYCABLE_STREAMS_PRESENCE}) for the extended protocol;</li>
 *   <li>{@code Turbo::StreamsChannel} when Turbo Streams are on: its {@code signed_stream_name};</li>
 *   <li>{@code CableReady::Stream} when CableReady is on: its {@code identifier}.</li>
 * </ul>
 * A verified stream is attached and confirmed; anything else is rejected. {@code unsubscribe} only detaches;
 * {@code message} has no action to run and is refused. Other channels go to the application.
 */
final class LocalChannels {
    static final String TURBO_CHANNEL = "Turbo::StreamsChannel";
    static final String CABLE_READY_CHANNEL = "CableReady::Stream";
    /** Subscription state keys the extended protocol reads (docs/protocol.md §6.5, §6.6). */

    private final SignedStreams streams;
    private final boolean publicStreams;
    private final boolean whisper;
    private final boolean presence;
    private final SignedStreams turbo;
    private final SignedStreams cableReady;

    LocalChannels(AuthConfig auth) {
        this.streams = auth.streamsSecret() == null ? null : new SignedStreams(auth.streamsSecret());
        this.publicStreams = auth.publicStreams();
        this.whisper = auth.streamsWhisper();
        this.presence = auth.streamsPresence();
        this.turbo = auth.turboSecret() == null ? null : new SignedStreams(auth.turboSecret());
        this.cableReady = auth.cableReadySecret() == null ? null : new SignedStreams(auth.cableReadySecret());
    }

    /** The server's answer, or null when the identifier is not one of its channels. */
    CommandResult command(CommandRequest request) {
        String identifier = request.identifier();
        // Most commands are for the application's channels: look for a name before parsing anything.
        boolean candidate = identifier.contains(AuthConfig.PUBSUB_CHANNEL)
                || turbo != null && identifier.contains(TURBO_CHANNEL)
                || cableReady != null && identifier.contains(CABLE_READY_CHANNEL);
        JsonElement parsed = candidate ? Json.parseStrict(identifier) : null;
        if (parsed == null || !parsed.isJsonObject()) {
            return null;
        }
        JsonObject params = parsed.getAsJsonObject();
        String channel = string(params, "channel");
        if (channel == null
                || !channel.equals(AuthConfig.PUBSUB_CHANNEL) && !(turbo != null && channel.equals(TURBO_CHANNEL))
                        && !(cableReady != null && channel.equals(CABLE_READY_CHANNEL))) {
            return null;
        }
        return switch (request.command()) {
            case "subscribe" -> switch (channel) {
                case AuthConfig.PUBSUB_CHANNEL -> pubsub(identifier, params);
                case TURBO_CHANNEL -> signed(identifier, TURBO_CHANNEL, turbo, string(params, "signed_stream_name"),
                        false, false);
                default -> signed(identifier, CABLE_READY_CHANNEL, cableReady, string(params, "identifier"), false,
                        false);
            };
            case "unsubscribe" -> new CommandResult(RpcStatus.SUCCESS, false, true, List.of(), List.of(), List.of(),
                    Map.of(), Map.of(), "");
            default -> CommandResult.failure(List.of(), channel + ": no actions on a stream the server serves itself");
        };
    }

    private CommandResult pubsub(String identifier, JsonObject params) {
        String signed = string(params, "signed_stream_name");
        if (signed != null && !signed.isEmpty()) {
            if (streams == null) {
                return rejected(identifier, AuthConfig.PUBSUB_CHANNEL,
                        "no streams secret (ANYCABLE_STREAMS_SECRET or ANYCABLE_SECRET)");
            }
            return signed(identifier, AuthConfig.PUBSUB_CHANNEL, streams, signed, whisper, presence);
        }
        String stream = string(params, "stream_name");
        if (stream == null || stream.isEmpty()) {
            return rejected(identifier, AuthConfig.PUBSUB_CHANNEL, "neither stream_name nor signed_stream_name");
        }
        if (!publicStreams) {
            return rejected(identifier, AuthConfig.PUBSUB_CHANNEL, "public streams are off (ANYCABLE_PUBLIC_STREAMS)");
        }
        return confirmed(identifier, stream, true, true);
    }

    private static CommandResult signed(String identifier, String channel, SignedStreams verifier, String signed,
                                        boolean whisper, boolean presence) {
        if (signed == null || signed.isEmpty()) {
            return rejected(identifier, channel, "no signed stream name");
        }
        return switch (verifier.verify(signed)) {
            case StreamVerification.Verified verified -> confirmed(identifier, verified.stream(), whisper, presence);
            case StreamVerification.Refused refused ->
                    rejected(identifier, channel, "signed stream name: " + refused.reason());
        };
    }

    private static CommandResult confirmed(String identifier, String stream, boolean whisper, boolean presence) {
        Map<String, String> state = new HashMap<>(4);
        if (whisper) {
            state.put(StateKeys.WHISPER, stream);
        }
        if (presence) {
            state.put(StateKeys.PRESENCE, stream);
        }
        return new CommandResult(RpcStatus.SUCCESS, false, false, List.of(stream), List.of(),
                List.of(ServerFrames.confirmSubscription(identifier)), Map.of(), Map.copyOf(state), "");
    }

    /** A rejection; the reason names the channel, not the identifier (it may carry a signed name). */
    private static CommandResult rejected(String identifier, String channel, String why) {
        return CommandResult.failure(List.of(ServerFrames.rejectSubscription(identifier)), channel + ": " + why);
    }

    /** A member that is a JSON string, else null. */
    private static String string(JsonObject params, String name) {
        JsonElement value = params.get(name);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()
                ? value.getAsString() : null;
    }
}
