package dev.herald.delivery.smtp;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Where a connection leaves from: a source address of an IP pool and the name it greets with, which
 * should be that address's reverse DNS name (receivers check that they match).
 *
 * @param source the local address to bind, or {@code null} for the system's choice
 * @param ehloName the EHLO (or HELO) argument
 */
public record Egress(InetAddress source, String ehloName) {

  public Egress {
    Objects.requireNonNull(ehloName, "ehloName");
    if (ehloName.isEmpty() || ehloName.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      throw new IllegalArgumentException("ehloName must be a non-empty ASCII name without spaces");
    }
  }
}
