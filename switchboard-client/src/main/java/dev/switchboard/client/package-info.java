/**
 * The Switchboard Java client SDK: {@link dev.switchboard.client.SwitchboardClient} and the
 * {@link dev.switchboard.client.Publisher} / {@link dev.switchboard.client.Subscriber} it creates, their options,
 * the events they carry and the {@link dev.switchboard.client.CursorStore} a subscriber saves its position to.
 * Nothing in this package accepts or returns {@code null}.
 */
@NullMarked
package dev.switchboard.client;

import org.jspecify.annotations.NullMarked;
