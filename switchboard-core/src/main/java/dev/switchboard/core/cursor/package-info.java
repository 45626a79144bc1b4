/** The opaque, HMAC-tagged reader cursor and its codec. */
@NullMarked
package dev.switchboard.core.cursor;

import org.jspecify.annotations.NullMarked;
