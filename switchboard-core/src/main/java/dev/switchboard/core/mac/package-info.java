/** Per-request MACs of the session protocol: session key derivation and the canonical request, shared by API and SDK. */
package dev.switchboard.core.mac;
