/**
 * The session protocol's state machines (pure transition functions shared by backend and SDK) and session ids.
 */
package dev.switchboard.core.session;
