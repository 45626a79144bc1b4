/**
 * The SDK's implementation, not a public API: the HTTP transport carrying Thrift compact calls, the retry loop,
 * the read and write session mirrors (driven by switchboard-core's state machines) and the cursor stores.
 */
@NullMarked
package dev.switchboard.client.internal;

import org.jspecify.annotations.NullMarked;
