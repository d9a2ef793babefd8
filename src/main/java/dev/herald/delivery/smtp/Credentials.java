package dev.herald.delivery.smtp;

import java.util.Objects;

/**
 * A user name and password for SMTP AUTH (RFC 4954) with a delivery server. {@link #toString} never shows the
 * password, so a credential that ends up in a message or a log line gives nothing away.
 */
public record Credentials(String user, String password) {

  public Credentials {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    // PLAIN separates the parts with NUL; CR and LF would end the command line.
    if (user.isEmpty() || (user + password).chars().anyMatch(c -> c == 0 || c == '\r' || c == '\n')) {
      throw new IllegalArgumentException("a user name is required, and neither it nor the password may hold NUL, CR or LF");
    }
  }

  @Override
  public String toString() {
    return "Credentials[user=" + user + ", password=(hidden)]";
  }
}
