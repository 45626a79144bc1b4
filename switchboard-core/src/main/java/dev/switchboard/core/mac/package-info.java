/** Per-request MACs of the session protocol: session key derivation and the canonical request, shared by API and SDK. */
@NullMarked
package dev.switchboard.core.mac;

import org.jspecify.annotations.NullMarked;
