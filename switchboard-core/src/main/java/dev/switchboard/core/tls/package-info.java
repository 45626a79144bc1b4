/** TLS helpers shared by the SDK and the AMQP switch: trusting the certificates of a PEM file. */
package dev.switchboard.core.tls;
