/** Standalone mode: every part of Switchboard wired together in one JVM on embedded defaults. */
package dev.switchboard.server.standalone;
