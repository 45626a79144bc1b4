/** The command-line commands of DESIGN.md section 8. */
package dev.switchboard.server.cli;
