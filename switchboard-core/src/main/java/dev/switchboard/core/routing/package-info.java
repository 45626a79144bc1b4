/**
 * Which shard a new session goes to: rendezvous hashing of its affinity over the shards that take sessions, computed
 * alike by every API node and by tools that want to know in advance (the scaling bench spreads its topics evenly).
 */
@NullMarked
package dev.switchboard.core.routing;

import org.jspecify.annotations.NullMarked;
