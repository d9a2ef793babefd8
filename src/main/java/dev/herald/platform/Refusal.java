package dev.herald.platform;

import java.time.Duration;

/**
 * Why Herald says no, independent of the transport that carries the answer. Services throw it
 * (wrapped in {@link Refused}); the web layer renders it as problem+json or as an error beside a
 * panel field, and the SMTP server will render it as a reply code ({@code Invalid} on a recipient is
 * {@code 550 5.1.3}, {@code Limited} is {@code 451 4.7.1}, ...). Nothing here knows about HTTP.
 */
public sealed interface Refusal {
  /** A sentence for a person: what is wrong and, where it helps, what to do instead. */
  String message();

  /** The input named by {@code field} (a request field, {@code entries[3].email}; null: the request as a whole) is wrong. */
  record Invalid(String field, String message) implements Refusal {}

  /** The thing asked for does not exist, or belongs to someone the caller may not see (never tell which). */
  record NotFound(String message) implements Refusal {}

  /** The request is well formed but clashes with the current state (a duplicate key, the last owner...). */
  record Conflict(String field, String message) implements Refusal {}

  /** The caller may not do this, and saying so reveals nothing they may not know. */
  record Forbidden(String message) implements Refusal {}

  /** Too many of these lately; {@code retryAfter} (null: unknown) says when trying again may work. */
  record Limited(String message, Duration retryAfter) implements Refusal {}

  /** Herald cannot take this now (no free slot, low disk, no database); the same request may work later. */
  record Unavailable(String message, Duration retryAfter) implements Refusal {}

  /** The field this refusal is about, or null. */
  default String field() {
    return switch (this) {
      case Invalid i -> i.field();
      case Conflict c -> c.field();
      default -> null;
    };
  }

  /** The same refusal about {@code prefix + field} (an element of a bulk request: {@code [3].email}). */
  default Refusal underField(String prefix) {
    return switch (this) {
      case Invalid i when i.field() != null -> new Invalid(prefix + i.field(), i.message());
      case Conflict c when c.field() != null -> new Conflict(prefix + c.field(), c.message());
      default -> this;
    };
  }
}
