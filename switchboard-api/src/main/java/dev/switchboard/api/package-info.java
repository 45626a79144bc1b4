/**
 * The API tier's public surface: {@link dev.switchboard.api.ApiConfig} and {@link dev.switchboard.api.ApiServer},
 * the stateless HTTP node that speaks the Thrift protocol to clients and forwards each call over the switch.
 */
@NullMarked
package dev.switchboard.api;

import org.jspecify.annotations.NullMarked;
