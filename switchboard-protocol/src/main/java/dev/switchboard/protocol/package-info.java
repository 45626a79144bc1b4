/** The wire contract's hand-written part: the error model shared by every module. */
package dev.switchboard.protocol;
