/** The switchboard executable's entry point. */
@NullMarked
package dev.switchboard.server;

import org.jspecify.annotations.NullMarked;
