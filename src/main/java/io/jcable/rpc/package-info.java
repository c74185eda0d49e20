/**
 * The application seam: {@link io.jcable.rpc.Controller} and its two implementations, anycable.RPC over gRPC
 * (grpc-okhttp) and over HTTP (JSON bodies, JDK HTTP client), both called blocking from virtual threads through one
 * call policy ({@link io.jcable.rpc.RetryingCaller}: concurrency limit, deadlines, retries). RPC failures are
 * mapped here, once, to {@link io.jcable.rpc.RpcStatus#ERROR} results.
 */
package io.jcable.rpc;
