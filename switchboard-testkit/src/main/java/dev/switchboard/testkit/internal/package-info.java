/** How the AMQP test fixture finds a broker and isolates virtual hosts on it. */
package dev.switchboard.testkit.internal;
