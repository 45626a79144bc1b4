/**
 * The configuration model of every role ({@code api}, {@code backend}, {@code standalone}): every key defined once
 * in {@link dev.switchboard.server.config.ConfigKeys}, read from the YAML file, {@code SWITCHBOARD_*} environment
 * variables and flags into a {@link dev.switchboard.server.config.NodeConfig}, and each role's view of it
 * ({@link dev.switchboard.server.config.ApiSettings}, {@link dev.switchboard.server.config.BackendSettings}).
 * Validation errors are {@link dev.switchboard.server.config.ConfigException}s naming the key (and, for a value,
 * where it came from).
 */
@NullMarked
package dev.switchboard.server.config;

import org.jspecify.annotations.NullMarked;
