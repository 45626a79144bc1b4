/** The command-line commands of DESIGN.md section 8. */
@NullMarked
package dev.switchboard.server.cli;

import org.jspecify.annotations.NullMarked;
