/** The framing of the binary TCP transport, shared by the API tier's server and the SDK's client. */
@NullMarked
package dev.switchboard.protocol.tcp;

import org.jspecify.annotations.NullMarked;
