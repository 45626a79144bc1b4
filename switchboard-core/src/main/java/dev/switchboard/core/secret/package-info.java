/** Secret files written so that nobody but the owner can ever read them ({@code OwnerOnlyFiles}). */
@NullMarked
package dev.switchboard.core.secret;

import org.jspecify.annotations.NullMarked;
