package io.jcable.rpc;

/** Outcome of an RPC call as the application reports it (plus ERROR for transport failures). */
public enum RpcStatus {
    SUCCESS, FAILURE, ERROR;

    /** The wire value of {@code anycable.Status}; anything but 1 and 2 is ERROR, the proto default included. */
    static RpcStatus of(int value) {
        return switch (value) {
            case 1 -> SUCCESS;
            case 2 -> FAILURE;
            default -> ERROR;
        };
    }
}
