/** The switch between the tiers: its interface, the backend endpoint it calls, and the in-process switch. */
package dev.switchboard.switching;
