package io.jcable.config;

/** {@code JCABLE_DEMO}: the first-run demo (public streams, open HTTP broadcast, no RPC, the demo page at {@code /}). */
public enum DemoMode {
    /** Not asked for: the production server. */
    OFF,
    /** Asked for with neither {@code ANYCABLE_RPC_HOST} nor {@code ANYCABLE_SECRET} set. */
    ON,
    /** Asked for, but an application is configured ({@code ANYCABLE_RPC_HOST} or {@code ANYCABLE_SECRET}): off. */
    REFUSED
}
