/** Compression on the wire (LZ4), shared by the SDK and the API tier. */
@NullMarked
package dev.switchboard.protocol.compress;

import org.jspecify.annotations.NullMarked;
