/**
 * The session protocol's state machines (pure transition functions shared by backend and SDK) and session ids.
 */
@NullMarked
package dev.switchboard.core.session;

import org.jspecify.annotations.NullMarked;
