/** Load shedding shared by the backend and API nodes: the queue-delay gate ({@code limits.max-queue-delay}). */
@NullMarked
package dev.switchboard.core.load;

import org.jspecify.annotations.NullMarked;
