package dev.herald.feedback;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The recipients of a bounce: from an RFC 3464 message/delivery-status part when there is one (its per-recipient
 * fields, with the human-readable part as a second source of words), else from the words of the MTA's own format.
 */
final class Dsn {
  static final int MAX_RECIPIENTS = 100;
  /** How much text after a recipient's address is read as what happened to it. */
  static final int CONTEXT = 1_200;
  private static final Pattern DIAGNOSTIC_REPLY = Pattern.compile("^\\s*(?:[\\w-]{1,20};)?\\s*\\(?([245]\\d\\d)(?:[ -]|$)");
  private static final Pattern SAID_REPLY = Pattern.compile("(?:said|says|replied|answered|reply|response|error|<<<|\\]:|\\):|>:)\\s*:?\\s*\"?([245]\\d\\d)(?:[ -])");
  private static final Pattern ROBOT = Pattern.compile("^(?:mailer-daemon|postmaster|mail-daemon|maildaemon|mailer_daemon|bounce[s]?|double-bounce|no-?reply|root|abuse)@", Pattern.CASE_INSENSITIVE);

  /** The SMTP command a failure answered, as MTAs write it ("in reply to end of DATA command", ">>> RCPT To:"...). */
  private static final Pattern COMMAND = Pattern.compile("in reply to (?:the )?(rcpt to|mail from|end of data|data|helo|ehlo|connect)"
      + "|after (rcpt to|rcpt|mail from|end of data|data|initial connection|connect|helo|ehlo)|>>> ?(rcpt to|mail from|helo|ehlo)"
      + "|smtp command:? ?-*:? ?(rcpt to|mail from|data|helo|ehlo)|did not like our (rcpt to|mail from|data)", Pattern.CASE_INSENSITIVE);
  /** A line that starts quoted header fields (of the returned original or of a report): words after it are not the MTA's. */
  private static final Pattern QUOTED_HEADERS = Pattern.compile("(?im)^[ \\t>]*(?:received|return-path|dkim-signature|authentication-results|received-spf|"
      + "x-[a-z0-9-]{1,40}|message-id|content-type|mime-version|reporting-mta|arrival-date|final-recipient|original-recipient|"
      + "arc-[a-z-]{1,20}):");

  /** Words of a last try that timed out: with a final failure, the message ran out of time rather than hit an error. */
  private static final Pattern TIMED_OUT = Pattern.compile("timed out|time-?out|requests to connect|too long in (?:the )?queue");

  private Dsn() {}

  /** The last command named in {@code text}: "data", "rcpt", "mail", "helo" (connection and greeting), or "". */
  static String command(String text) {
    Matcher m = COMMAND.matcher(ReplyClassifier.normalize(text.length() > 4 * CONTEXT ? text.substring(0, 4 * CONTEXT) : text));
    String last = "";
    while (m.find()) {
      for (int g = 1; g <= m.groupCount(); g++) {
        if (m.group(g) != null) last = m.group(g).toLowerCase(Locale.ROOT);
      }
    }
    if (last.contains("data")) return "data";
    if (last.startsWith("rcpt")) return "rcpt";
    if (last.startsWith("mail")) return "mail";
    return last.isEmpty() ? "" : "helo";
  }

  /**
   * What the command adds to a verdict (Sisimai reads it the same way): "user unknown" in reply to DATA, or with
   * status 5.2.0/5.2.1 (mailbox disabled) other than at RCPT, is a filter refusing the message (the address was
   * accepted at RCPT), an unexplained refusal of MAIL FROM is about the sender,
   * and one at the greeting is about the connecting host.
   */
  static FeedbackVerdict refine(FeedbackVerdict verdict, String text) {
    String command = command(text);
    FeedbackReason reason = verdict.reason();
    String status = verdict.status();
    boolean mailboxDisabled = status.endsWith(".2.0") || status.endsWith(".2.1");
    if (reason == FeedbackReason.USER_UNKNOWN && (command.equals("data") && !status.endsWith(".1.1") || mailboxDisabled && !command.equals("rcpt"))) {
      reason = FeedbackReason.FILTERED;
    }
    else if (undecided(verdict) && command.equals("mail")) reason = FeedbackReason.REJECTED;
    else if (undecided(verdict) && command.equals("helo")) reason = FeedbackReason.BLOCKED;
    if (reason == verdict.reason()) return verdict;
    return new FeedbackVerdict(verdict.recipient(), ReplyClassifier.classOf(reason, verdict.replyCode(), verdict.status()), reason,
        verdict.status(), verdict.replyCode(), verdict.diagnostic(), verdict.remoteMta());
  }

  /** {@code text} up to the first line of quoted header fields. */
  static String beforeQuotedHeaders(String text) {
    Matcher m = QUOTED_HEADERS.matcher(text);
    return m.find() ? text.substring(0, m.start()) : text;
  }

  /** The recipients of a message/delivery-status part; {@code notification} is the human-readable text beside it. */
  static List<FeedbackVerdict> read(String status, String notification) {
    List<FeedbackVerdict> verdicts = new ArrayList<>();
    String reportingMta = "";
    for (Headers block : Headers.blocks(status, MAX_RECIPIENTS + 1)) {
      if (block.has("reporting-mta")) reportingMta = typed(block.first("reporting-mta"));
      List<String> recipients = block.has("final-recipient") ? block.all("final-recipient") : block.all("original-recipient");
      if (recipients.isEmpty()) recipients = block.all("x-actual-recipient");
      for (int i = 0; i < recipients.size() && verdicts.size() < MAX_RECIPIENTS; i++) {
        String address = FeedbackParser.firstAddress(recipients.get(i));
        if (address == null) address = typed(recipients.get(i));
        verdicts.add(recipient(address, nth(block, "action", i).toLowerCase(Locale.ROOT), nth(block, "status", i),
            nth(block, "diagnostic-code", i), typed(nth(block, "remote-mta", i)), notification));
      }
    }
    return verdicts;
  }

  /** The i-th value of a field, or the last one (damaged reports put several recipients in one block). */
  private static String nth(Headers block, String name, int i) {
    List<String> values = block.all(name);
    return values.isEmpty() ? "" : values.get(Math.min(i, values.size() - 1));
  }

  /** "rfc822; a@b" → "a@b", "dns; mx.example" → "mx.example". */
  static String typed(String value) {
    int semicolon = value.indexOf(';');
    return (semicolon >= 0 ? value.substring(semicolon + 1) : value).strip();
  }

  static FeedbackVerdict recipient(String address, String action, String statusField, String diagnosticCode, String remoteMta,
      String notification) {
    if (action.startsWith("deliver") || action.equals("relayed") || action.equals("expanded")) {
      return new FeedbackVerdict(address, FeedbackClass.DELIVERED, FeedbackReason.DELIVERED, ReplyClassifier.enhanced(statusField),
          "", typed(diagnosticCode), remoteMta);
    }
    String status = ReplyClassifier.enhanced(statusField);
    String inDiagnostic = ReplyClassifier.enhanced(diagnosticCode);
    if ((status.isEmpty() || status.endsWith(".0.0")) && !inDiagnostic.isEmpty()) status = inDiagnostic;
    int code = replyCode(diagnosticCode);
    FeedbackVerdict verdict = ReplyClassifier.classify(code, status, diagnosticCode);
    String context = context(notification, address);
    if (diagnosticCode.strip().toLowerCase(Locale.ROOT).startsWith("x-unix") && verdict.reason() != FeedbackReason.MAILBOX_FULL) {
      // A local delivery program failed (procmail, a pipe): whatever it printed, the mailer is the cause.
      verdict = new FeedbackVerdict(null, FeedbackClass.SOFT, FeedbackReason.MAILER_ERROR, verdict.status(), verdict.replyCode(),
          verdict.diagnostic(), "");
    } else if (undecided(verdict)) {
      if (!context.isEmpty()) {
        if (code == 0) code = replyCode(context);
        FeedbackVerdict withContext = ReplyClassifier.classify(code, status, diagnosticCode + "\n" + context);
        if (!undecided(withContext)) verdict = withContext;
      }
    }
    verdict = refine(verdict, diagnosticCode + "\n" + context);
    FeedbackReason reason = verdict.reason();
    FeedbackClass feedbackClass = verdict.feedbackClass();
    // Still delayed, or failed with a temporary status (the MTA stopped retrying): time ran out, whatever the last try met.
    boolean gaveUp = action.equals("delayed") || action.startsWith("fail") && verdict.status().startsWith("4");
    String said = ReplyClassifier.normalize(typed(diagnosticCode));
    boolean timedOut = TIMED_OUT.matcher(said).find();
    boolean nothingSaid = said.replaceAll("[^a-z]", "").isEmpty();
    if (action.equals("delayed") && undecided(verdict) || gaveUp && (timedOut || nothingSaid && undecided(verdict))) {
      reason = FeedbackReason.EXPIRED;
      feedbackClass = FeedbackClass.SOFT;
    }
    String diagnostic = typed(diagnosticCode);
    return new FeedbackVerdict(address, feedbackClass, reason, verdict.status(), verdict.replyCode(),
        diagnostic.isEmpty() ? verdict.diagnostic() : diagnostic, remoteMta);
  }

  static boolean undecided(FeedbackVerdict verdict) {
    return verdict.reason() == FeedbackReason.ON_HOLD || verdict.reason() == FeedbackReason.UNDEFINED;
  }

  /** The reply code a diagnostic starts with, or the one a server "said" in it; 0 when none. */
  static int replyCode(String text) {
    if (text == null || text.isEmpty()) return 0;
    String head = text.length() > 600 ? text.substring(0, 600) : text;
    Matcher m = DIAGNOSTIC_REPLY.matcher(head);
    if (m.find()) return Integer.parseInt(m.group(1));
    m = SAID_REPLY.matcher(head.toLowerCase(Locale.ROOT));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** The text after the first mention of {@code address} in {@code text}, up to {@link #CONTEXT} characters. */
  static String context(String text, String address) {
    if (address == null || address.isEmpty()) return "";
    int at = indexOfIgnoreCase(text, address);
    if (at < 0) return "";
    int from = at + address.length();
    return beforeQuotedHeaders(text.substring(from, Math.min(text.length(), from + CONTEXT)));
  }

  private static int indexOfIgnoreCase(String text, String needle) {
    return text.toLowerCase(Locale.ROOT).indexOf(needle.toLowerCase(Locale.ROOT));
  }

  /**
   * The recipients of a bounce without a delivery-status part: the addresses the MTA names (X-Failed-Recipients,
   * else those in its text that are neither the bounce's own nor the original sender's), each classified from the
   * words that follow it; the returned message's To when the text names nobody.
   */
  static List<FeedbackVerdict> readText(MimeParts message, String notification, FeedbackParser.Returned returned) {
    String text = unquoted(notification);
    int returnedAt = returned.text().isEmpty() ? -1 : text.indexOf(returned.text().length() > 200 ? returned.text().substring(0, 200) : returned.text());
    if (returnedAt > 0) text = text.substring(0, returnedAt);
    Set<String> others = new LinkedHashSet<>();
    Headers top = message.headers();
    for (String name : List.of("from", "to", "return-path", "reply-to", "sender", "cc")) others.addAll(FeedbackParser.addresses(top.first(name)));
    for (String name : List.of("from", "return-path", "sender", "reply-to")) others.addAll(FeedbackParser.addresses(returned.headers().first(name)));

    List<String> recipients = new ArrayList<>();
    for (String value : top.all("x-failed-recipients")) {
      for (String address : FeedbackParser.addresses(value)) if (!recipients.contains(address)) recipients.add(address);
    }
    if (recipients.isEmpty()) {
      for (String address : FeedbackParser.addresses(withoutHeaderLines(text))) {
        if (!others.contains(address) && !ROBOT.matcher(address).find() && recipients.size() < MAX_RECIPIENTS) recipients.add(address);
      }
    }
    if (recipients.isEmpty()) {
      String to = FeedbackParser.firstAddress(returned.headers().first("to"));
      if (to == null) to = FeedbackParser.firstAddress(top.first("x-original-to"));
      recipients.add(to == null ? null : to.toLowerCase(Locale.ROOT));
    }

    String lower = text.toLowerCase(Locale.ROOT);
    List<FeedbackVerdict> verdicts = new ArrayList<>();
    for (int i = 0; i < recipients.size(); i++) {
      String address = recipients.get(i);
      String context = text;
      if (address != null) {
        int from = lower.indexOf(address);
        if (from >= 0) {
          int start = from + address.length();
          int to = Math.min(text.length(), start + CONTEXT);
          String window = lower.substring(start, to);
          for (int j = 0; j < recipients.size(); j++) {
            int next = j == i ? -1 : window.indexOf(recipients.get(j));
            if (next > 0 && start + next < to && !window.substring(0, next).isBlank()) to = start + next;
          }
          context = beforeQuotedHeaders(text.substring(start, to));
        }
      }
      FeedbackVerdict verdict = refine(ReplyClassifier.classify(replyCode(context), "", context), context);
      if (undecided(verdict) && !context.equals(text)) {
        FeedbackVerdict whole = refine(ReplyClassifier.classify(replyCode(text), "", text), text);
        if (!undecided(whole)) verdict = whole;
      }
      if (address != null && address.endsWith("@googlegroups.com") && lower.contains("groups.google.com")) {
        // Google Groups refusing a post, in the poster's language: the group does not take mail from this sender.
        verdict = new FeedbackVerdict(null, FeedbackClass.BLOCK, FeedbackReason.REJECTED, verdict.status(), verdict.replyCode(), verdict.diagnostic(), "");
      }
      if (verdict.reason() == FeedbackReason.DELIVERED || verdict.reason() == FeedbackReason.UNDEFINED) {
        verdict = new FeedbackVerdict(null, FeedbackClass.SOFT, FeedbackReason.ON_HOLD, verdict.status(), verdict.replyCode(), verdict.diagnostic(), "");
      }
      verdicts.add(verdict.forRecipient(address, ""));
    }
    return verdicts;
  }

  /** A forwarded bounce's text without the "> " its lines were quoted with. */
  static String unquoted(String text) {
    long quoted = text.lines().limit(400).filter(l -> l.startsWith(">")).count();
    if (quoted < 5) return text;
    StringBuilder out = new StringBuilder(text.length());
    for (String line : text.split("\n", -1)) {
      int i = 0;
      while (i < line.length() && i < 10 && (line.charAt(i) == '>' || line.charAt(i) == ' ' && i > 0 && line.charAt(i - 1) == '>')) i++;
      out.append(line, i, line.length()).append('\n');
    }
    return out.toString();
  }

  /** The text without the lines that quote header fields (From:, Message-ID:, Received:...), whose addresses are not recipients. */
  static String withoutHeaderLines(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (String line : text.split("\n", -1)) {
      String l = line.stripLeading().toLowerCase(Locale.ROOT);
      if (l.startsWith("from:") || l.startsWith("message-id:") || l.startsWith("received:") || l.startsWith("return-path:")
          || l.startsWith("reply-to:") || l.startsWith("sender:") || l.startsWith("references:") || l.startsWith("in-reply-to:")
          || l.startsWith("mail from:") || l.startsWith(">>> mail from")) continue;
      out.append(line).append('\n');
    }
    return out.toString();
  }
}
