package io.jcable.rpc;

/** Outcome of an RPC call as the application reports it (plus ERROR for transport failures). */
public enum RpcStatus {
    SUCCESS, FAILURE, ERROR
}
