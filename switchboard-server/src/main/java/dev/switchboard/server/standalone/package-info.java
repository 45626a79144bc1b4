/** Standalone mode: every part of Switchboard wired together in one JVM on embedded defaults. */
@NullMarked
package dev.switchboard.server.standalone;

import org.jspecify.annotations.NullMarked;
