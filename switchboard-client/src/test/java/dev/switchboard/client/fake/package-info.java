/**
 * Test doubles of the backend tier: {@link dev.switchboard.client.fake.FakeNode} runs switchboard-core's session
 * machines over {@link dev.switchboard.client.fake.FakeKafka}, an in-memory log, with injectable faults.
 */
package dev.switchboard.client.fake;
