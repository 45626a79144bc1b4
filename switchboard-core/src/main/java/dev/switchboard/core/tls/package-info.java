/** TLS helpers shared by the SDK and the AMQP switch: trusting the certificates of a PEM file. */
@NullMarked
package dev.switchboard.core.tls;

import org.jspecify.annotations.NullMarked;
