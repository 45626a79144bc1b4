/**
 * Configuration of the cluster roles ({@code api}, {@code backend}): the YAML file shape, flag overrides, and
 * the validated settings each role starts from. Validation errors are {@link ConfigException}s naming the key.
 */
package dev.switchboard.server.config;
