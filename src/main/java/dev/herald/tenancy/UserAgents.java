package dev.herald.tenancy;

import java.util.List;
import java.util.Map;

/**
 * Names a browser's User-Agent header the way people say it ("Chrome on Linux", "Safari on iPhone") for the
 * session list. Only the common browsers and systems are known; anything else is "Unknown browser". The order
 * of the checks matters: Edge and Opera also say "Chrome", Chrome also says "Safari", Android also says "Linux".
 */
final class UserAgents {
  private static final List<Map.Entry<String, String>> BROWSERS = List.of(
      Map.entry("Edg/", "Edge"), Map.entry("EdgA/", "Edge"), Map.entry("EdgiOS/", "Edge"),
      Map.entry("OPR/", "Opera"), Map.entry("SamsungBrowser/", "Samsung Internet"), Map.entry("Vivaldi/", "Vivaldi"),
      Map.entry("Firefox/", "Firefox"), Map.entry("FxiOS/", "Firefox"),
      Map.entry("CriOS/", "Chrome"), Map.entry("Chromium/", "Chromium"), Map.entry("Chrome/", "Chrome"),
      Map.entry("Safari/", "Safari"), Map.entry("curl/", "curl"));
  private static final List<Map.Entry<String, String>> SYSTEMS = List.of(
      Map.entry("iPhone", "iPhone"), Map.entry("iPad", "iPad"), Map.entry("Android", "Android"),
      Map.entry("CrOS", "ChromeOS"), Map.entry("Windows", "Windows"), Map.entry("Macintosh", "macOS"),
      Map.entry("Mac OS X", "macOS"), Map.entry("Linux", "Linux"));

  private UserAgents() {}

  static String describe(String userAgent) {
    if (userAgent == null || userAgent.isBlank()) return "Unknown browser";
    String browser = first(BROWSERS, userAgent);
    String system = first(SYSTEMS, userAgent);
    if (browser == null) browser = "Unknown browser";
    return system == null ? browser : browser + " on " + system;
  }

  private static String first(List<Map.Entry<String, String>> known, String userAgent) {
    return known.stream().filter(e -> userAgent.contains(e.getKey())).map(Map.Entry::getValue).findFirst().orElse(null);
  }
}
