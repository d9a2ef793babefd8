package dev.herald.delivery;

import java.util.Objects;

/**
 * The limits one destination is sent under: connections open to it at once, messages one connection
 * carries before it is closed, and how fast messages go to it.
 */
record Shaping(int connectionLimit, int deliveriesPerConnection, Rate messageRate) {
  Shaping {
    if (connectionLimit < 1) throw new IllegalArgumentException("connection limit must be at least 1: " + connectionLimit);
    if (deliveriesPerConnection < 1) {
      throw new IllegalArgumentException("deliveries per connection must be at least 1: " + deliveriesPerConnection);
    }
    Objects.requireNonNull(messageRate, "messageRate");
  }

  /** These limits with the values an override gives; {@code null} keeps the value. */
  Shaping with(Integer connectionLimit, Integer deliveriesPerConnection, Rate messageRate) {
    return new Shaping(
        connectionLimit != null ? connectionLimit : this.connectionLimit,
        deliveriesPerConnection != null ? deliveriesPerConnection : this.deliveriesPerConnection,
        messageRate != null ? messageRate : this.messageRate);
  }
}
