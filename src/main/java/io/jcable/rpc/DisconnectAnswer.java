package io.jcable.rpc;

/** What the app answered to Disconnect, whatever the transport. */
record DisconnectAnswer(RpcStatus status, String errorMessage) {
}
