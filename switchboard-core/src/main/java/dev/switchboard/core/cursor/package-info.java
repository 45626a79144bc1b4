/** The opaque, HMAC-tagged reader cursor and its codec. */
package dev.switchboard.core.cursor;
