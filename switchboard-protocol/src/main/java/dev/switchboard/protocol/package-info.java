/** The wire contract's hand-written part: the error model shared by every module. */
@NullMarked
package dev.switchboard.protocol;

import org.jspecify.annotations.NullMarked;
