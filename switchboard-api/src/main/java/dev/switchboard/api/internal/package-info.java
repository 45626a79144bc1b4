/**
 * How the API tier works inside: Jetty core handlers (bytes and headers in, bytes out), the Thrift dispatcher
 * that decodes one call and encodes its reply, and the {@code Switchboard.Iface} implementation that forwards
 * each call over the switch. The HTTP side hands the call side only a {@link dev.switchboard.api.internal.CallContext},
 * the seam where authentication plugs in.
 */
@NullMarked
package dev.switchboard.api.internal;

import org.jspecify.annotations.NullMarked;
