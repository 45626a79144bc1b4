/** How the AMQP test fixture finds a broker and isolates virtual hosts on it. */
@NullMarked
package dev.switchboard.testkit.internal;

import org.jspecify.annotations.NullMarked;
