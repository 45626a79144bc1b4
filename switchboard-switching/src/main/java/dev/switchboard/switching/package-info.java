/** The switch between the tiers: its interface, the backend endpoint it calls, and the in-process switch. */
@NullMarked
package dev.switchboard.switching;

import org.jspecify.annotations.NullMarked;
