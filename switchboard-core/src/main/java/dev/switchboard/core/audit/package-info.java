/**
 * The audit stream's events (access to sessions, authentication failures, admin calls) and the sink both tiers hand
 * them to; the sink that writes them to {@code __switchboard_audit} lives in the server module.
 */
@NullMarked
package dev.switchboard.core.audit;

import org.jspecify.annotations.NullMarked;
