/**
 * The backend tier: {@link dev.switchboard.backend.BackendNode} hosts read and write sessions over Kafka behind
 * the switch, configured by {@link dev.switchboard.backend.BackendConfig} and
 * {@link dev.switchboard.backend.SessionLimits}.
 */
@NullMarked
package dev.switchboard.backend;

import org.jspecify.annotations.NullMarked;
