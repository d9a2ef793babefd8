package dev.herald.tracking;

import dev.herald.messages.LinkTracking;
import dev.herald.platform.HeraldProperties;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Opens and clicks that no person made. README's "Tracking" section lists the rules for users; in short:
 * <ul>
 * <li><b>Apple Mail Privacy Protection</b> fetches every image of a message when it arrives, through Apple's proxies,
 * whether anyone reads it or not. Its fetches carry the bare user agent {@code Mozilla/5.0} (a real browser always says
 * more) or come from Apple's own network 17.0.0.0/8.
 * <li><b>Image proxies</b> of mailbox providers fetch the pixel for their users and say so in the user agent
 * ({@code GoogleImageProxy} for Gmail, {@code YahooMailProxy}). Gmail fetches when the message is opened, but caches
 * the image, so later opens never reach us: the fetch says little about a person and is counted apart.
 * <li><b>Link scanners</b> (Microsoft Safe Links, Mimecast, Proofpoint, Barracuda) follow links before the recipient
 * could: a click within {@code herald.tracking.scanner-window} (10 s) of delivery, or one recipient's clicks on every
 * link of a message with two or more links, or on five or more links, within {@link #BURST}.
 * <li><b>Automated agents</b>: no user agent, or one naming a bot, crawler, HTTP library or headless browser.
 * </ul>
 * A scanner's first click may be stored in one batch and the rest in the next: its row is then marked afterwards, but
 * the engagement it moved (the subscriber's last click time) stays.
 * A rule that misses a machine counts it as a person, as every ESP's does; a person taken for a machine is not lost,
 * only counted apart (reports show both).
 */
@Component
class MachineDetector {
  static final Duration BURST = Duration.ofSeconds(5);
  static final int BURST_LINKS = 5;
  private static final Pattern PROXY = Pattern.compile("GoogleImageProxy|YahooMailProxy|ggpht\\.com", Pattern.CASE_INSENSITIVE);
  private static final Pattern AGENT = Pattern.compile(
      "bot\\b|bot/|crawler|spider|headless|python-|curl/|wget/|go-http-client|java/|okhttp|libwww|httpclient|scanner|barracuda|mimecast"
          + "|proofpoint|safelinks|urldefense|preview", Pattern.CASE_INSENSITIVE);

  private final Duration scannerWindow;

  @org.springframework.beans.factory.annotation.Autowired
  MachineDetector(HeraldProperties properties) {
    this(properties.tracking().scannerWindow());
  }

  MachineDetector(Duration scannerWindow) {
    this.scannerWindow = scannerWindow;
  }

  /** What one request shows by itself; null when it looks like a person. */
  MachineReason reason(EventKind kind, String userAgent, String ip, Instant at, Instant deliveredAt) {
    String agent = userAgent == null ? "" : userAgent.strip();
    if (kind == EventKind.OPEN) {
      if (agent.equals("Mozilla/5.0") || apple(ip)) return MachineReason.APPLE_PRIVACY;
      if (PROXY.matcher(agent).find()) return MachineReason.IMAGE_PROXY;
    }
    if (agent.isEmpty() || AGENT.matcher(agent).find()) return MachineReason.AUTOMATED_AGENT;
    // Within the window after delivery. A click cannot come before its delivery; when it seems to, the difference is
    // the clocks' (another node's skew, or the delivery time stored in the database's microseconds, rounded up past the
    // click's nanoseconds), so up to a window before counts as at delivery too.
    if (kind == EventKind.CLICK && deliveredAt != null && Duration.between(deliveredAt, at).abs().compareTo(scannerWindow) < 0) {
      return MachineReason.SCANNER_EARLY;
    }
    return null;
  }

  /** Apple's own network, 17.0.0.0/8, from a literal address (never a DNS look-up). */
  static boolean apple(String ip) {
    if (ip == null || ip.isEmpty()) return false;
    try {
      byte[] a = InetAddress.ofLiteral(ip).getAddress();
      return a.length == 4 && (a[0] & 0xff) == 17;
    } catch (IllegalArgumentException notAnAddress) {
      return false;
    }
  }

  /** A stored click as the burst rule sees it: its row id, its recipient, its link and time. */
  record Click(long id, long messageId, long recipientId, int link, Instant at, int linksInMessage) {}

  /** A recent click; {@code marked} once it was answered as part of a walk, so it is answered (and updated) once. */
  private static final class Seen {
    final long id;
    final int link;
    final Instant at;
    boolean marked;

    Seen(long id, int link, Instant at) {
      this.id = id;
      this.link = link;
      this.at = at;
    }
  }

  /**
   * The recent clicks of each recipient on this node, {@link #BURST} long: a scanner's clicks on a message's links come
   * within a second or two, but may fall into two batches. Bounded: emptied past {@link #MAX_RECENT} recipients.
   */
  private final Map<RecipientKey, ArrayDeque<Seen>> recent = new HashMap<>();

  private record RecipientKey(long messageId, long recipientId) {}

  static final int MAX_RECENT = 100_000;
  /**
   * The clicks kept per recipient and message: a person clicks a few times in {@link #BURST}, a walk is at most
   * {@link LinkTracking#MAX_LINKS} links but is seen within its first {@code BURST_LINKS}. Without a bound, one token
   * fetched thousands of times a second (a loop, or someone hammering it) made each click look through all the others:
   * the writer fell behind and the buffer filled for everyone (bench/tracking.sh, where every token repeats within a
   * second).
   */
  static final int MAX_SEEN = 64;

  /**
   * The row ids of clicks that are a scanner walking a message: one recipient's clicks on every link of a message with
   * two or more links, or on {@link #BURST_LINKS} or more, within {@link #BURST} (among its last {@link #MAX_SEEN}
   * clicks). Ids of earlier batches' clicks may be among them (their rows are marked afterwards); each id is answered
   * once.
   */
  synchronized Set<Long> walkedAllLinks(List<Click> clicks) {
    if (recent.size() > MAX_RECENT) recent.clear();
    List<Click> inOrder = new ArrayList<>(clicks);
    inOrder.sort(Comparator.comparing(Click::at));
    Set<Long> machine = new HashSet<>();
    for (Click c : inOrder) {
      ArrayDeque<Seen> seen = recent.computeIfAbsent(new RecipientKey(c.messageId(), c.recipientId()), k -> new ArrayDeque<>());
      Instant from = c.at().minus(BURST);
      while (!seen.isEmpty() && (seen.peekFirst().at.isBefore(from) || seen.size() >= MAX_SEEN)) seen.pollFirst();
      seen.addLast(new Seen(c.id(), c.link(), c.at()));
      if (walk(seen, c.linksInMessage())) {
        // Newest first, up to the first marked one: a walk marks every click kept and clicks join at the end, so the
        // marked ones are always the oldest (looking at all 64 per click was a tenth of the listener's and writer's
        // samples in a flight recording of bench/tracking.sh's clicks, where every recipient walks all the time).
        for (var it = seen.descendingIterator(); it.hasNext();) {
          Seen s = it.next();
          if (s.marked) break;
          machine.add(s.id);
          s.marked = true;
        }
      }
    }
    return machine;
  }

  /**
   * Whether the kept clicks name every link of a message of two or more, or {@link #BURST_LINKS} links: counted newest
   * first and only up to that many, since a recipient's clicks are mostly the same few links over and over (a set of
   * all {@link #MAX_SEEN} per click was a fifth of the writer's CPU in a flight recording of bench/tracking.sh).
   */
  private static boolean walk(ArrayDeque<Seen> seen, int linksInMessage) {
    int needed = linksInMessage >= 2 ? Math.min(linksInMessage, BURST_LINKS) : BURST_LINKS;
    if (seen.size() < needed) return false;
    int[] distinct = new int[needed];
    int count = 0;
    for (var it = seen.descendingIterator(); it.hasNext();) {
      int link = it.next().link;
      boolean known = false;
      for (int i = 0; i < count && !known; i++) known = distinct[i] == link;
      if (known) continue;
      distinct[count++] = link;
      if (count == needed) return true;
    }
    return false;
  }
}
