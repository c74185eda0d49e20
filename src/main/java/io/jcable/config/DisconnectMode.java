package io.jcable.config;

/** When the Disconnect RPC is called (docs/rpc.md §8). */
public enum DisconnectMode {
    /** Only for sessions whose RPC answers showed interest (every RPC-authenticated session). */
    AUTO,
    /** For every authenticated session. */
    ALWAYS,
    /** Never. */
    NEVER
}
