package dev.herald.feedback;

import static dev.herald.feedback.FeedbackReason.*;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies one SMTP reply (a synchronous reply to Herald's MTA, or the Diagnostic-Code of a bounce) into a
 * {@link FeedbackClass} and a {@link FeedbackReason}. The reasons are Sisimai's; the rules are Herald's own,
 * written after reading how Sisimai and KumoMTA match replies (docs/bounce-classification.md):
 * <ol>
 *   <li>the words of the reply, in a fixed order of reasons (the first family that matches wins), because the
 *       words say more than the codes: many servers answer 550 5.1.1 or 5.7.1 for anything;</li>
 *   <li>otherwise the enhanced status code (RFC 3463, RFC 5248's registry), then the reply code.</li>
 * </ol>
 * Every pattern is a plain alternation of words with bounded gaps, and the text is cut to {@link #MAX_TEXT}
 * characters, so matching is linear in a small input whatever a remote server sends.
 */
public final class ReplyClassifier {
  /** Replies longer than this are cut: every phrase that decides is near the start. */
  static final int MAX_TEXT = 2_000;
  private static final Pattern ENHANCED = Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
  private static final Pattern REPLY_CODE = Pattern.compile("(?<![\\d.])([245]\\d\\d)(?![\\d.])");

  private ReplyClassifier() {}

  /** One family of words and the reason it means. */
  record Rule(FeedbackReason reason, Pattern pattern) {
    static Rule of(FeedbackReason reason, String... phrases) {
      return new Rule(reason, Pattern.compile(String.join("|", phrases)));
    }
  }

  /**
   * The families in the order they are tried. Sender-side families come first where their words overlap with a
   * recipient's ("550 5.7.1 Recipient address rejected: sender IP listed at zen.spamhaus.org" is about the
   * sender); mailbox-full comes before user-unknown because full mailboxes are often reported with 5.1.1.
   */
  static final List<Rule> RULES = List.of(
      Rule.of(NOT_COMPLIANT_RFC, "rfc ?5322", "rfc ?822", "rfc ?2822", "not (?:rfc )?compliant", "rfc compliant",
          "multiple (?:from|subject|date|message-id|to)\\b", "multiple addresses in from", "duplicate header",
          "header (?:is )?(?:missing|invalid)", "missing (?:required )?header", "malformed"),
      Rule.of(SPAM_DETECTED, "(?:classified|detected|identified|rejected|considered|marked|flagged) as spam", "spam classification",
          "looks like spam"),
      Rule.of(AUTH_FAILURE, "unauthenticated email", "authentication level", "\\bspf\\b", "\\bdkim\\b", "\\bdmarc\\b", "sender policy framework", "domainkeys",
          "authentication (?:check )?fail", "5\\.7\\.2[346]\\b", "sender is not authori[sz]ed", "does not designate"),
      Rule.of(REQUIRE_PTR, "\\bptr\\b", "reverse dns", "reverse lookup", "reverse-dns", "\\brdns\\b",
          "reverse (?:hostname|name|mapping)", "cannot find your hostname", "unable to resolve your hostname",
          "no (?:dns )?reverse", "5\\.7\\.25\\b", "hostname (?:lookup|resolution) failed", "ip name lookup failed",
          "mismatches client ip"),
      // Block lists by name: the sender's IP or domain, whatever else the reply says about the recipient.
      Rule.of(BLOCKED, "blacklist", "black list", "blocklist", "block list", "denylist", "deny list", "\\bdnsbl\\b",
          "\\brbl\\b", "spamhaus", "spamcop", "sorbs", "listed (?:at|on|by)", "blocked using", "my name was rejected", "helo command rejected", "refused to talk to me",
          "client host(?: \\S{1,100})? (?:rejected|blocked)", "ip (?:address )?(?:\\S{1,40} )?(?:is )?(?:blocked|banned|bloquee)",
          "\\(bl\\)"),
      Rule.of(BAD_REPUTATION, "reputation", "\\btss?0[1-4]\\b", "unusual rate of unsolicited"),
      Rule.of(TOO_MANY_CONN, "too many (?:connections|concurrent|sessions|smtp sessions|hosts)", "connection limit",
          "connection rate limit", "too many simultaneous", "frequency limited"),
      Rule.of(SPEEDING, "rate limit", "rate-limit", "ratelimit", "too many messages", "sending rate",
          "throttl", "exceeded (?:the )?(?:daily|hourly|sending) (?:limit|quota)", "receiving mail at a rate",
          "too fast", "slow down", "4\\.7\\.28\\b"),
      Rule.of(VIRUS_DETECTED, "virus", "malware", "infected", "trojan"),
      Rule.of(SPAM_DETECTED, "spam", "\\bube\\b", "unsolicited", "junk mail", "bulk mail", "content rejected",
          "message content", "suspicious", "phish", "scam", "blocked by (?:the )?(?:content )?filter",
          "rejected by (?:the )?(?:content )?filter"),
      Rule.of(NO_RELAYING, "relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed)",
          "not permitted to relay", "unable to relay", "we do not relay", "no relay", "relay not permitted",
          "not a gateway", "relaying mail to", "not verified", "identities failed"),
      Rule.of(MAILBOX_FULL, "mailbox (?:is )?full", "mailbox size", "full mailbox", "over quota", "overquota",
          "quota exceeded", "exceeded (?:his|her|the|storage|their)? ?(?:\\S{1,20} )?(?:quota|storage)",
          "exceed(?:s|ed)? (?:the )?(?:mailbox )?quota", "insufficient (?:disk )?(?:space|storage) (?:for|in) (?:the )?(?:user|mailbox)",
          "mail ?box (?:has )?exceeded", "not enough (?:space|storage)", "user is over", "disk quota",
          "too much mail", "mail quota", "mailfolder is full", "storage allocation", "mailbox is full", "their mailbox is full",
          "out of storage"),
      Rule.of(MESSAGE_TOO_BIG, "message (?:is )?too (?:large|big)", "message size exceeds", "size exceeds",
          "exceeds (?:the )?(?:maximum )?(?:message )?size", "message (?:length|size) (?:exceeds|is over)",
          "too large", "mail size", "size limit", "5\\.3\\.4\\b"),
      Rule.of(REJECTED, "sender (?:address )?(?:rejected|denied|refused|blocked|verify failed|verification)",
          "rejected (?:by|because of) (?:the )?sender", "envelope (?:sender|from)", "invalid sender",
          "sender (?:domain|address) (?:is )?(?:invalid|unknown|does not exist|not found)",
          "domain of sender", "sender's domain", "bad sender", "unknown sender",
          "not accept(?:ing)? mail from", "permission to post", "send mail as"),
      Rule.of(HOST_UNKNOWN, "domain (?:does not|doesn'?t) exist", "no such domain", "domain not found", "dns error"),
      Rule.of(USER_UNKNOWN, "user unknown", "unknown user", "unknown recipient", "recipient unknown",
          "no such (?:user|mailbox|recipient|account|person|address)", "user (?:not found|doesn'?t exist|does not exist)",
          "(?:address|account|mailbox|recipient|user|addressee) (?:does not|doesn'?t|did not) exist",
          "does not exist", "doesn't exist", "invalid (?:recipient|mailbox|user)",
          "recipient (?:address )?(?:invalid|not found|not valid)", "mailbox (?:not found|unavailable|not available)",
          "mailbox (?:does not|not) exist", "bad destination", "no mailbox", "unrouteable address",
          "not (?:a )?(?:valid|known) (?:user|recipient|mailbox|address)", "is not a known user",
          "unknown (?:or illegal )?(?:alias|address|local)", "not our customer", "address unknown",
          "undeliverable address", "user invalid", "unknown mailbox", "nonexistent", "non-existent",
          "not listed in", "no such local user", "addressee unknown", "recipient not found", "wasn.t found at",
          "recipient address rejected: access denied", "(?:doesn'?t|does not) have an? (?:\\S{1,40} )?account",
          "no longer (?:a valid|exists)", "recipientnotfound", "not a valid recipient", "no valid recipients"),
      Rule.of(HAS_MOVED, "has moved", "moved to", "address (?:has )?changed", "no longer on (?:this )?server",
          "5\\.1\\.6\\b"),
      Rule.of(SUSPEND, "suspend", "disabled", "deactivated", "inactive", "not active", "account (?:is )?locked",
          "account (?:has been )?(?:closed|expired|frozen|blocked)", "mailbox (?:is )?(?:locked|closed|frozen)",
          "no longer (?:active|in use|available)", "extended inactivity"),
      Rule.of(NOT_ACCEPT, "does not accept mail", "not accept(?:ing)? (?:any )?mail", "null mx", "no mail accepted",
          "not accepting mail", "doesn'?t receive (?:e-?mail|mail)", "no mx record", "couldn.t find a mail exchanger", "no mail exchanger"),
      Rule.of(HOST_UNKNOWN, "host unknown", "unknown host", "host not found", "domain not found", "no such domain",
          "domain (?:does not|doesn'?t) exist", "unrouteable (?:mail )?domain", "name or service not known",
          "host or domain name not found", "domain name not found", "nxdomain", "unknown domain",
          "domain (?:is )?(?:invalid|unknown)", "invalid domain", "domain (?:is )?not reachable",
          "dns (?:lookup|resolution) fail"),
      Rule.of(NETWORK_ERROR, "lost connection"),
      Rule.of(BLOCKED, "your (?:ip|host|server|network|mail server)", "ip address", "access denied",
          "not allowed to send", "banned", "blocked", "dynamic ip", "dial-?up", "residential", "\\bhelo\\b",
          "\\behlo\\b", "refused to talk", "poor"),
      Rule.of(EXPIRED, "expired", "retry time", "retry timeout", "too long in (?:the )?queue", "delivery time",
          "could not be delivered (?:within|for|in)", "has not been delivered", "undelivered for",
          "timeout exceeded", "giving up", "gave up", "failing for a long time", "not yet been delivered",
          "have not yet received", "delayed", "queue too long", "warning message only"),
      Rule.of(NETWORK_ERROR, "network", "could not connect", "connection (?:timed out|refused|reset|lost|dropped)",
          "timed out", "unreachable", "too many hops", "loop", "no answer", "lost connection", "connect to",
          "no route to host", "not reachable", "did not accept our requests to connect"),
      Rule.of(SYSTEM_FULL, "system (?:is )?full", "disk full", "insufficient system storage", "out of disk",
          "no space left"),
      Rule.of(FAILED_STARTTLS, "starttls", "\\btls\\b(?: \\S{1,30})? required", "must issue a starttls"),
      Rule.of(SECURITY_ERROR, "authentication required", "auth(?:entication)? required", "must authenticate",
          "unauthenticated", "not authenticated", "smtp authentication", "security", "certificate"),
      Rule.of(CONTENT_ERROR, "8-?bit", "illegal character", "invalid (?:mime|header|character)",
          "attachment", "content"),
      Rule.of(POLICY_VIOLATION, "policy", "prohibited", "not allowed", "not authorized", "administrative"),
      Rule.of(FILTERED, "filter", "refuse", "rejected by (?:the )?recipient", "recipient (?:has )?(?:rejected|refused|blocked)",
          "does not (?:want|wish)", "not accepted"),
      Rule.of(SYSTEM_ERROR, "system error", "internal error", "local error", "server error",
          "configuration error", "misconfigur", "unavailable", "resources", "out of memory",
          "transaction failed"),
      Rule.of(MAILER_ERROR, "x-unix", "command (?:died|failed|output)", "procmail", "pipe to", "mailer error",
          "program"),
      Rule.of(SYNTAX_ERROR, "syntax error", "command (?:not recognized|unrecognized)", "unrecognized command",
          "bad sequence", "not implemented", "incorrectly constructed"));

  /** Words that mean little alone: tried only when the status code says nothing more precise. */
  static final List<Rule> WEAK_RULES = List.of(
      Rule.of(USER_UNKNOWN, "address rejected", "recipient rejected", "destinataire invalide", "bad recipient"));

  /**
   * The class and reason of one reply.
   *
   * @param replyCode the SMTP reply code, or 0 when unknown (it is then read from the text if the text starts with one)
   * @param enhancedStatus "5.1.1", or null or "" (it is then read from the text)
   * @param text the reply's text, or the Diagnostic-Code; may be null
   */
  public static FeedbackVerdict classify(int replyCode, String enhancedStatus, String text) {
    String raw = text == null ? "" : text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
    String status = enhanced(enhancedStatus);
    if (status.isEmpty()) status = enhanced(raw);
    String code = replyCode >= 200 && replyCode <= 599 ? Integer.toString(replyCode) : replyCodeIn(raw);
    FeedbackReason reason = reason(code, status, normalize(raw));
    String diagnostic = raw.strip();
    return new FeedbackVerdict(null, classOf(reason, code, status), reason, status, code, diagnostic, "");
  }

  /** The class a reason takes given the codes: a temporary "not accepted" is soft, an unknown failure soft. */
  static FeedbackClass classOf(FeedbackReason reason, String code, String status) {
    boolean temporary = status.startsWith("4") || (status.isEmpty() && code.startsWith("4"));
    if (temporary && reason.usualClass() == FeedbackClass.HARD) return FeedbackClass.SOFT;
    return switch (reason) {
      case UNDEFINED -> code.isEmpty() && status.isEmpty() ? FeedbackClass.UNKNOWN : FeedbackClass.SOFT;
      case DELIVERED -> FeedbackClass.DELIVERED;
      default -> reason.usualClass();
    };
  }

  static FeedbackReason reason(String code, String status, String text) {
    if (status.startsWith("2") || (status.isEmpty() && code.startsWith("2"))) return DELIVERED;
    FeedbackReason byCode = byStatus(status);
    if (byCode != null && DECISIVE.contains(status)) return byCode;
    FeedbackReason byWords = byWords(text);
    if (byWords != null) {
      boolean temporary = status.startsWith("4") || (status.isEmpty() && code.startsWith("4"));
      // A host that does not resolve for now is the network's problem, not a verdict on the address.
      if (temporary && byWords == HOST_UNKNOWN) return NETWORK_ERROR;
      return byWords;
    }
    if (byCode != null) return byCode;
    for (Rule rule : WEAK_RULES) {
      if (rule.pattern().matcher(text).find()) return rule.reason();
    }
    if (code.startsWith("5") || code.startsWith("4")) return ON_HOLD;
    return text.isBlank() && status.isEmpty() ? UNDEFINED : ON_HOLD;
  }

  /** The reason the first family of words that matches means, or null. */
  static FeedbackReason byWords(String text) {
    for (Rule rule : RULES) {
      if (rule.pattern().matcher(text).find()) return rule.reason();
    }
    return null;
  }

  /** Codes precise enough to overrule the words (the words of these replies are often generic). */
  static final List<String> DECISIVE = List.of("5.1.6", "5.1.7", "5.1.8", "5.7.23", "5.7.24", "5.7.25", "5.7.26", "5.7.27", "4.7.25",
      "4.7.26", "5.2.2", "4.2.2", "5.3.4", "5.2.3");

  /** The reason an enhanced status code means by itself (RFC 3463 and the IANA registry), or null if it says little. */
  static FeedbackReason byStatus(String status) {
    if (status.isEmpty()) return null;
    String detail = status.substring(status.indexOf('.') + 1);
    return switch (detail) {
      case "1.1", "1.3", "1.4" -> USER_UNKNOWN;
      case "1.2" -> HOST_UNKNOWN;
      case "1.6" -> HAS_MOVED;
      case "1.7", "1.8" -> REJECTED;
      case "1.10" -> NOT_ACCEPT;
      case "2.0", "2.1" -> FILTERED;
      case "2.2" -> MAILBOX_FULL;
      case "2.3" -> EXCEED_LIMIT;
      case "2.4" -> SYSTEM_ERROR;
      case "3.3", "3.5" -> SYSTEM_ERROR;
      case "3.1" -> SYSTEM_FULL;
      case "3.2" -> NOT_ACCEPT;
      case "3.4" -> MESSAGE_TOO_BIG;
      case "4.0", "4.1", "4.2", "4.3", "4.5" -> NETWORK_ERROR;
      case "4.4" -> HOST_UNKNOWN;
      case "4.6" -> NETWORK_ERROR;
      case "4.7" -> EXPIRED;
      case "5.1", "5.2", "5.3", "5.4", "5.5", "5.6" -> SYNTAX_ERROR;
      case "6.0", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9", "6.10" -> CONTENT_ERROR;
      case "7.0", "7.4", "7.5", "7.6", "7.8", "7.11", "7.12", "7.15", "7.16", "7.17", "7.18", "7.19", "7.20",
          "7.21", "7.22" -> SECURITY_ERROR;
      case "7.1" -> BLOCKED;
      case "7.2", "7.3", "7.9" -> POLICY_VIOLATION;
      case "7.7" -> CONTENT_ERROR;
      case "7.10" -> SECURITY_ERROR;
      case "7.13", "7.14" -> SUSPEND;
      case "7.23", "7.24", "7.26" -> AUTH_FAILURE;
      case "7.25" -> REQUIRE_PTR;
      case "7.27" -> REJECTED;
      case "7.28" -> SPAM_DETECTED;
      default -> null;
    };
  }

  /** The first enhanced status code in {@code text}, or "". */
  static String enhanced(String text) {
    if (text == null || text.isEmpty()) return "";
    Matcher m = ENHANCED.matcher(text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text);
    return m.find() ? m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3)) : "";
  }

  /** The first SMTP reply code in {@code text}, or "". */
  static String replyCodeIn(String text) {
    Matcher m = REPLY_CODE.matcher(text);
    return m.find() ? m.group(1) : "";
  }

  /** Lower case, one space between words, so that wrapped lines still match a phrase. */
  static String normalize(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_TEXT));
    boolean space = false;
    for (int i = 0; i < text.length() && out.length() < MAX_TEXT; i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        space = out.length() > 0;
        continue;
      }
      if (space) out.append(' ');
      space = false;
      out.append(Character.toLowerCase(c));
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }
}
