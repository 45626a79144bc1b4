/**
 * Test-only simulations of a client SDK and a backend host running the same session state machine over a lossy,
 * duplicating, reordering-free network, with Kafka acknowledging or failing at random points. Property tests
 * drive them with generated {@link dev.switchboard.core.session.simulation.Step} lists.
 */
package dev.switchboard.core.session.simulation;
