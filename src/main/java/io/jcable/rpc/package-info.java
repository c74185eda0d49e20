/**
 * The application seam: {@link io.jcable.rpc.Controller} and its gRPC implementation (anycable.RPC over
 * grpc-okhttp, blocking calls from virtual threads, one concurrency limit, retries). RPC failures are mapped
 * here, once, to {@link io.jcable.rpc.RpcStatus#ERROR} results.
 */
package io.jcable.rpc;
