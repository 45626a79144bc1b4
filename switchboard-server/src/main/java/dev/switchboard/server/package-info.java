/** The switchboard executable's entry point. */
package dev.switchboard.server;
