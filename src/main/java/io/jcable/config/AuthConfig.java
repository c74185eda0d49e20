package io.jcable.config;

/**
 * Standalone identification and streams (docs/config.md §7). Secrets are null when unset; none is ever logged.
 *
 * @param jwtSecret        {@code ANYCABLE_JWT_SECRET} (legacy {@code ANYCABLE_JWT_ID_KEY}), else {@code ANYCABLE_SECRET};
 *                         null = no JWT identification
 * @param jwtParam         {@code ANYCABLE_JWT_PARAM} (legacy {@code ANYCABLE_JWT_ID_PARAM}), default {@code jid}: the
 *                         query parameter; the header is {@code X-} + it
 * @param enforceJwt       {@code ANYCABLE_ENFORCE_JWT} (legacy {@code ANYCABLE_JWT_ID_ENFORCE}): no token → unauthorized
 * @param streamsSecret    {@code ANYCABLE_STREAMS_SECRET}, else {@code ANYCABLE_SECRET}; null = signed {@code $pubsub}
 *                         names are rejected
 * @param publicStreams    {@code ANYCABLE_PUBLIC_STREAMS}: unsigned {@code stream_name} on {@code $pubsub} allowed
 * @param streamsWhisper   {@code ANYCABLE_STREAMS_WHISPER}, default false: whisper on signed streams (public: always)
 * @param streamsPresence  {@code ANYCABLE_STREAMS_PRESENCE}, default true: presence on {@code $pubsub} streams
 * @param turboSecret      secret for {@code Turbo::StreamsChannel} when {@code ANYCABLE_TURBO_STREAMS} (or the legacy
 *                         {@code ANYCABLE_TURBO_RAILS_KEY}) is on: {@code ANYCABLE_TURBO_STREAMS_SECRET}, legacy key,
 *                         streams secret; null = Turbo subscriptions go to the application
 * @param cableReadySecret the same for {@code CableReady::Stream} ({@code ANYCABLE_CABLE_READY},
 *                         {@code ANYCABLE_CABLE_READY_SECRET}, legacy {@code ANYCABLE_CABLE_READY_KEY})
 * @param noAuth           {@code ANYCABLE_NOAUTH}, or {@code ANYCABLE_PUBLIC}: every socket accepted without Connect
 * @param noRpc            {@code ANYCABLE_NORPC}: no RPC at all
 * @param publicMode       {@code ANYCABLE_PUBLIC}: noauth + public streams + unauthenticated HTTP broadcasts
 * @param demo             {@code JCABLE_DEMO}: when {@link DemoMode#ON}, public mode and norpc as well
 */
public record AuthConfig(String jwtSecret, String jwtParam, boolean enforceJwt, String streamsSecret,
                         boolean publicStreams, boolean streamsWhisper, boolean streamsPresence, String turboSecret,
                         String cableReadySecret, boolean noAuth, boolean noRpc, boolean publicMode,
                         DemoMode demo) {

    public static final String PUBSUB_CHANNEL = "$pubsub";

    public boolean jwt() {
        return jwtSecret != null;
    }

    /** Reads the options; {@code secret} is {@code ANYCABLE_SECRET} (null when unset). */
    static AuthConfig load(OptionReader options, String secret) {
        String jwtSecret = orElse(options.secret("jwt_secret", "jwt_id_key"), secret);
        String jwtParam = options.string("jwt_param", "jwt_id_param", "jid");
        boolean enforceJwt = options.bool("enforce_jwt", "jwt_id_enforce", false);
        if (enforceJwt && jwtSecret == null) {
            throw OptionReader.invalid("enforce_jwt", "true",
                    "needs a JWT secret: set ANYCABLE_JWT_SECRET or ANYCABLE_SECRET");
        }
        String streamsSecret = orElse(options.secret("streams_secret"), secret);
        DemoMode demo = demo(options);
        boolean publicMode = options.bool("public", false) || demo == DemoMode.ON;

        return new AuthConfig(jwtSecret, jwtParam, enforceJwt, streamsSecret,
                options.bool("public_streams", false) || publicMode,
                options.bool("streams_whisper", false), options.bool("streams_presence", true),
                channelSecret(options, "turbo_streams", "turbo_rails_key", streamsSecret),
                channelSecret(options, "cable_ready", "cable_ready_key", streamsSecret),
                options.bool("noauth", false) || publicMode, options.bool("norpc", false) || demo == DemoMode.ON,
                publicMode, demo);
    }

    /** The demo never runs next to an application: {@code ANYCABLE_RPC_HOST} or {@code ANYCABLE_SECRET} refuses it. */
    private static DemoMode demo(OptionReader options) {
        if (!options.jcableBool("demo", false)) {
            return DemoMode.OFF;
        }
        return options.isSet("rpc_host") || options.isSet("secret") ? DemoMode.REFUSED : DemoMode.ON;
    }

    /**
     * The key of a channel the server serves itself when switched on ({@code <switch>}, or its legacy key set):
     * {@code <switch>_secret}, else the legacy key, else the streams secret; null when off.
     */
    private static String channelSecret(OptionReader options, String switchName, String legacyKey,
                                        String streamsSecret) {
        String legacy = options.secret(legacyKey);
        boolean on = options.bool(switchName, false) || legacy != null;
        String secret = orElse(orElse(options.secret(switchName + "_secret"), legacy), streamsSecret);
        if (on && secret == null) {
            throw OptionReader.invalid(switchName, "true", "needs a secret: set "
                    + OptionReader.envName(switchName + "_secret") + ", ANYCABLE_STREAMS_SECRET or ANYCABLE_SECRET");
        }
        return on ? secret : null;
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }

    /** Masks the secrets: the record's own {@code toString} would print them. */
    @Override
    public String toString() {
        return "AuthConfig[jwt=" + jwt() + ", jwtParam=" + jwtParam + ", enforceJwt=" + enforceJwt
                + ", signedStreams=" + (streamsSecret != null) + ", publicStreams=" + publicStreams
                + ", streamsWhisper=" + streamsWhisper + ", streamsPresence=" + streamsPresence
                + ", turboStreams=" + (turboSecret != null) + ", cableReady=" + (cableReadySecret != null)
                + ", noAuth=" + noAuth + ", noRpc=" + noRpc + ", publicMode=" + publicMode + ", demo=" + demo + "]";
    }
}
