package dev.herald.delivery;

import dev.herald.platform.HeraldProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Which {@link Site} a recipient domain's MX hosts belong to and the limits it is sent under: the
 * large mailbox providers' limits by MX suffix (as KumoMTA ships them), the operator's overrides by
 * MX suffix on top, and a general default for every other destination.
 */
final class ShapingRules {

  /** A mailbox provider known by the suffix of its MX host names; {@code null} limits keep the default. */
  record Provider(String name, List<String> mxSuffixes, Integer connectionLimit, Integer deliveriesPerConnection) {
    Provider {
      mxSuffixes = List.copyOf(mxSuffixes);
    }
  }

  /** The operator's limits for the MX hosts under one suffix; {@code null} keeps the provider's or default value. */
  record Override(String mxSuffix, Integer connectionLimit, Integer deliveriesPerConnection, Rate messageRate) {
    Override {
      Objects.requireNonNull(mxSuffix, "mxSuffix");
    }
  }

  /**
   * KumoMTA's {@code assets/policy-extras/shaping.toml} (KumoCorp/kumomta, read at commit 016ebf44):
   * {@code [provider."google"]} {@code .google.com}/{@code .googlemail.com}: 50 deliveries per
   * connection, provider connection limit 5; {@code "yahoo"} {@code .yahoodns.net}: 20 per
   * connection; {@code "outlook"} {@code .olc.protection.outlook.com}, {@code "office365"}
   * {@code .mail.protection.outlook.com} and {@code "office365-dane"} {@code .mx.microsoft}: 50 and 5;
   * {@code "apple"} {@code .icloud.com}: 5 per connection, 10 connections. None of them sets a
   * message rate, so they keep the default's. Its per-domain entries (comcast.net, orange.fr) are keyed by
   * recipient domain, not MX, and are left to an operator's override.
   */
  static final List<Provider> PROVIDERS = List.of(
      new Provider("google", List.of(".google.com", ".googlemail.com"), 5, 50),
      new Provider("yahoo", List.of(".yahoodns.net"), null, 20),
      new Provider("outlook", List.of(".olc.protection.outlook.com"), 5, 50),
      new Provider("office365", List.of(".mail.protection.outlook.com"), 5, 50),
      new Provider("office365-dane", List.of(".mx.microsoft"), 5, 50),
      new Provider("apple", List.of(".icloud.com"), 10, 5));

  /**
   * KumoMTA's {@code ["default"]}: {@code connection_limit = 10}, {@code max_deliveries_per_connection = 100},
   * {@code max_message_rate = "100/s"}. HeraldProperties' defaults are these.
   */
  static final Shaping KUMOMTA_DEFAULT = new Shaping(10, 100, new Rate(100, java.time.Duration.ofSeconds(1)));

  private final Shaping defaults;
  private final List<Provider> providers;
  private final List<Override> overrides;

  ShapingRules(Shaping defaults, List<Provider> providers, List<Override> overrides) {
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.providers = List.copyOf(providers);
    this.overrides = List.copyOf(overrides);
  }

  ShapingRules(Shaping defaults, List<Override> overrides) {
    this(defaults, PROVIDERS, overrides);
  }

  /** The rules of {@code herald.delivery.shaping.*}: its defaults, the providers' limits, its sites on top. */
  static ShapingRules from(HeraldProperties.Delivery.Shaping settings) {
    List<Override> overrides = new ArrayList<>();
    for (HeraldProperties.Delivery.Shaping.Site site : settings.sites()) {
      overrides.add(new Override(site.mxSuffix(), site.connectionLimit(), site.deliveriesPerConnection(),
          site.messageRate() == null ? null : Rate.parse(site.messageRate())));
    }
    return new ShapingRules(new Shaping(settings.connectionLimit(), settings.deliveriesPerConnection(),
        Rate.parse(settings.messageRate())), overrides);
  }

  /** The most connections any site may have at once (the default's, a provider's or an override's). */
  int largestConnectionLimit() {
    int largest = defaults.connectionLimit();
    for (Provider p : providers) {
      if (p.connectionLimit() != null) largest = Math.max(largest, p.connectionLimit());
    }
    for (Override o : overrides) {
      if (o.connectionLimit() != null) largest = Math.max(largest, o.connectionLimit());
    }
    return largest;
  }

  /**
   * The site of a domain whose MX hosts (or, without MX records, its own host) are these. A provider
   * or an override applies when every host is under one of its suffixes, as in KumoMTA: a domain
   * with one Gmail MX and one of its own is not all Gmail's.
   */
  Site site(List<String> mxHosts) {
    if (mxHosts.isEmpty()) throw new IllegalArgumentException("a site has at least one MX host");
    List<String> hosts = new ArrayList<>();
    for (String host : mxHosts) hosts.add(normalize(host));

    String name = null;
    Shaping shaping = defaults;
    for (Provider p : providers) {
      if (allUnder(hosts, p.mxSuffixes())) {
        name = p.name();
        shaping = shaping.with(p.connectionLimit(), p.deliveriesPerConnection(), null);
        break;
      }
    }
    for (Override o : overrides) {
      if (allUnder(hosts, List.of(o.mxSuffix()))) {
        if (name == null) name = "." + bare(o.mxSuffix());
        shaping = shaping.with(o.connectionLimit(), o.deliveriesPerConnection(), o.messageRate());
        break;
      }
    }
    if (name == null) name = String.join(",", new TreeSet<>(hosts));
    return new Site(name, shaping);
  }

  private static boolean allUnder(List<String> hosts, List<String> suffixes) {
    for (String host : hosts) {
      boolean under = false;
      for (String suffix : suffixes) {
        String s = bare(suffix);
        if (host.equals(s) || host.endsWith("." + s)) {
          under = true;
          break;
        }
      }
      if (!under) return false;
    }
    return true;
  }

  /** {@code .google.com} and {@code google.com} name the same suffix. */
  private static String bare(String suffix) {
    String s = normalize(suffix);
    return s.startsWith(".") ? s.substring(1) : s;
  }

  /** DNS names are case-insensitive and may come fully qualified ({@code mx.example.com.}). */
  private static String normalize(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }
}
