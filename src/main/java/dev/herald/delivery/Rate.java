package dev.herald.delivery;

import dev.herald.platform.HeraldProperties;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many messages a destination takes in a period, written as KumoMTA writes it: {@code 100/s},
 * {@code 20/min}, {@code 1000/h}.
 */
record Rate(long count, Duration per) {

  /** The form settings accept, so a rate HeraldProperties let through always parses. */
  private static final Pattern FORM = Pattern.compile(HeraldProperties.RATE);

  Rate {
    if (count < 1) throw new IllegalArgumentException("a rate counts at least 1 message: " + count);
    if (per.isNegative() || per.isZero()) throw new IllegalArgumentException("a rate's period must be positive: " + per);
  }

  static Rate parse(String text) {
    Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) throw new IllegalArgumentException("a rate is count/s, count/min or count/h, e.g. 100/min: " + text);
    String[] parts = m.group().split("/");
    Duration per = switch (parts[1]) {
      case "s" -> Duration.ofSeconds(1);
      case "min" -> Duration.ofMinutes(1);
      default -> Duration.ofHours(1);
    };
    return new Rate(Long.parseLong(parts[0]), per);
  }

  /** The period's length in nanoseconds per message: the steady gap between two sends. */
  double nanosPerMessage() {
    return (double) per.toNanos() / count;
  }

  @Override
  public String toString() {
    String unit = per.equals(Duration.ofSeconds(1)) ? "s" : per.equals(Duration.ofMinutes(1)) ? "min"
        : per.equals(Duration.ofHours(1)) ? "h" : per.toString();
    return count + "/" + unit;
  }
}
