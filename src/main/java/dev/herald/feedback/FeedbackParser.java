package dev.herald.feedback;

import dev.herald.feedback.ParsedFeedback.Kind;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one inbound message (a bounce, a complaint, an auto-reply, anything) into a {@link ParsedFeedback}: which
 * kind it is, a classified verdict per recipient, and the returned original's Message-ID and Herald VERP return
 * path. The order of the checks: an ARF report (RFC 5965), an RFC 3464 delivery status, a bounce in an MTA's own
 * words, an automatic reply, a mailed unsubscribe request. Never throws: malformed input gives
 * {@link Kind#OTHER} with no recipients, and every step is bounded (see {@link MimeParts}).
 */
public final class FeedbackParser {
  private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\\.){1,8}[A-Za-z]{2,24}");
  private static final Pattern VERP = Pattern.compile("\\bb\\+[0-9a-z]{1,13}\\.[0-9a-z]{1,13}\\.[a-z2-7]{16}@bounces\\.[a-z0-9](?:[a-z0-9-]{0,62}\\.){1,8}[a-z]{2,24}", Pattern.CASE_INSENSITIVE);
  private static final Pattern BOUNCE_SENDER = Pattern.compile("mailer-daemon|post_?master|mail delivery|mail administrator|mailer_daemon|mmdf|maildelivery|delivery subsystem|bounce", Pattern.CASE_INSENSITIVE);
  private static final Pattern BOUNCE_SUBJECT = Pattern.compile("undeliver|undelivered|delivery (?:status )?(?:notification|failure|failed|report|problem)|failure notice|returned mail|mail delivery failed|could not be delivered|not be delivered|delivery has failed|non[- ]?delivery|\\bbounce|returned to sender|mail system error|failed delivery|delivery error|warning: could not send|unzustellbar|nicht zustellbar|non remis|no entregado|message not delivered|rejected|permanent error|delayed mail|delivery delayed|mail loop|loop alert|loop detected|mail error|unable to deliver|failure|error sending"
      // The same in other languages: German, French, Spanish, Italian, Portuguese, Russian, Japanese, Chinese.
      + "|zustellung fehlgeschlagen|[eé]chec de (?:la )?(?:remise|distribution|livraison)|non distribuable|entrega fallida|no se pudo entregar"
      + "|mensaje no entregado|non recapitabile|mancato recapito|n[aã]o (?:foi )?entregue|falha na entrega|недоставлен|не доставлен"
      + "|配信(?:エラー|失敗|不能)|未達|退信|投递失败", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  private static final Pattern AUTO_SUBJECT = Pattern.compile("^[\\[【(]?(?:auto(?:matic)?[ -]?(?:reply|response|answer)|auto:|out of (?:the )?office|vacation|away from|autoreply"
      + "|abwesen|automatische antwort|réponse automatique|absence|respuesta automática|risposta automatica|resposta automática|fuera de la oficina"
      + "|i am (?:currently )?(?:out|away)|автоответ|автоматический ответ|自動(?:返信|応答)|自动回复|不在)", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  private static final Pattern INLINE_STATUS = Pattern.compile("(?im)^(?:reporting-mta|final-recipient):[ \\t]*(?:dns|dsn|rfc822)[ \\t]*;");
  /** Lines that start the returned original in a bounce without MIME parts. */
  private static final Pattern RETURNED_MARKER = Pattern.compile("(?im)^[ \\t>|*=-]{0,80}(?:below this line is a copy of the message|this is a copy of the message|original message follows|unsent message follows|original message|returned message|message headers follow|the original message was|undelivered message|copy of the original|headers of your message follow|original message header|your message reads|\\*\\*\\* the message follows|--- the header of the original message is following|content-type: message/rfc822)[^\\n]*$");

  private FeedbackParser() {}

  /** The feedback in {@code rawMessage}, the whole message as received (headers and body). */
  public static ParsedFeedback parse(byte[] rawMessage) {
    try {
      return read(MimeParts.read(rawMessage));
    } catch (RuntimeException | StackOverflowError e) {
      return new ParsedFeedback(Kind.OTHER, List.of(), Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  static ParsedFeedback read(MimeParts message) {
    return read(message, 0);
  }

  private static ParsedFeedback read(MimeParts message, int depth) {
    Returned returned = returned(message);
    Optional<String> messageId = messageId(returned.headers());
    Optional<String> verp = verp(message, returned);

    MimeParts.Part report = message.first("message/feedback-report");
    String reportType = parameter(message.headers().first("content-type"), "report-type");
    if (report != null || "feedback-report".equals(reportType)) {
      Arf arf = Arf.read(report != null ? report.text() : notification(message), returned.headers());
      if (arf != null) {
        return new ParsedFeedback(Kind.ARF, List.of(arf.verdict()), messageId.or(arf::messageId), verp, Optional.of(arf.feedbackType()));
      }
    }

    SesNotification.Read ses = message.parts().isEmpty() ? null : SesNotification.read(notification(message));
    if (ses != null && !ses.verdicts().isEmpty()) {
      Optional<String> id = messageId.or(() -> Optional.of(ses.messageId()).filter(s -> !s.isBlank()));
      return new ParsedFeedback(ses.kind(), ses.verdicts(), id, verp, Optional.ofNullable(ses.feedbackType()));
    }

    // Microsoft's JMRP: no report part, only the original with the complaining recipient in its own header field.
    String jmrpRecipient = FeedbackParser.firstAddress(returned.headers().first("x-hmxmroriginalrecipient"));
    if (report == null && jmrpRecipient != null) {
      FeedbackVerdict verdict = new FeedbackVerdict(jmrpRecipient, FeedbackClass.COMPLAINT, FeedbackReason.FEEDBACK, "", "",
          "feedback-type: abuse", "");
      return new ParsedFeedback(Kind.ARF, List.of(verdict), messageId, verp, Optional.of("abuse"));
    }

    MimeParts.Part status = message.first("message/delivery-status");
    if (status == null) status = message.first("message/global-delivery-status");
    List<FeedbackVerdict> recipients = List.of();
    if (status != null) recipients = Dsn.read(status.text(), notification(message));
    if (status == null) {
      // Some MTAs write the delivery-status fields into the text part instead of a part of their own.
      String text = notification(message);
      Matcher fields = INLINE_STATUS.matcher(text);
      if (fields.find()) recipients = Dsn.read(text.substring(fields.start()), text.substring(0, fields.start()));
    }
    if (recipients.isEmpty() && looksLikeBounce(message)) {
      // A bounce that returns another bounce (a relay reporting a failure it was told of): the inner one names the recipients.
      if (depth == 0 && !returned.text().isEmpty()) {
        ParsedFeedback inner = read(MimeParts.read(returned.text().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)), 1);
        if (inner.kind() == Kind.DSN && inner.recipients().stream().anyMatch(v -> v.recipient() != null && !Dsn.undecided(v))) {
          return new ParsedFeedback(Kind.DSN, inner.recipients(), inner.originalMessageId().or(() -> messageId), verp.or(inner::originalReturnPath),
              Optional.empty());
        }
      }
      recipients = Dsn.readText(message, notification(message), returned);
    }
    if (!recipients.isEmpty()) return new ParsedFeedback(Kind.DSN, recipients, messageId, verp, Optional.empty());

    Headers top = message.headers();
    if (isAutoReply(top)) {
      FeedbackVerdict verdict = new FeedbackVerdict(firstAddress(top.first("from")), FeedbackClass.AUTO_REPLY,
          FeedbackReason.VACATION, "", "", top.first("subject"), "");
      return new ParsedFeedback(Kind.AUTO_REPLY, List.of(verdict), messageId, verp, Optional.empty());
    }
    if (isUnsubscribeRequest(top)) {
      FeedbackVerdict verdict = new FeedbackVerdict(firstAddress(top.first("from")), FeedbackClass.UNSUBSCRIBE,
          FeedbackReason.FEEDBACK, "", "", top.first("subject"), "");
      return new ParsedFeedback(Kind.UNSUBSCRIBE_REQUEST, List.of(verdict), messageId, verp, Optional.empty());
    }
    return new ParsedFeedback(Kind.OTHER, List.of(), messageId, verp, Optional.empty());
  }

  /** The returned original's header (message/rfc822, text/rfc822-headers, or after a marker line in the text). */
  record Returned(Headers headers, String text) {}

  static Returned returned(MimeParts message) {
    for (MimeParts.Part part : message.parts()) {
      if (part.is("message/rfc822") || part.is("text/rfc822-headers") || part.is("message/rfc822-headers")
          || part.is("text/rfc822-header") || part.is("message/global") || part.is("message/global-headers")) {
        return new Returned(Headers.parse(part.text()), part.text());
      }
    }
    String text = notification(message);
    Matcher marker = RETURNED_MARKER.matcher(text);
    if (marker.find()) {
      String rest = text.substring(marker.end());
      return new Returned(Headers.parse(rest), rest);
    }
    return new Returned(Headers.NONE, "");
  }

  /** The human-readable text of the report: its text parts other than a returned message, up to a bound. */
  static String notification(MimeParts message) {
    StringBuilder text = new StringBuilder();
    for (MimeParts.Part part : message.parts()) {
      if (part.mimeType().startsWith("text/") && !part.mimeType().contains("rfc822") || part.mimeType().isEmpty()) {
        String body = part.is("text/html") ? stripTags(part.text()) : part.text();
        text.append(body, 0, Math.min(body.length(), MimeParts.MAX_PART_TEXT - Math.min(text.length(), MimeParts.MAX_PART_TEXT))).append('\n');
        if (text.length() >= MimeParts.MAX_PART_TEXT) break;
      }
    }
    return text.toString();
  }

  static String stripTags(String html) {
    StringBuilder out = new StringBuilder(html.length());
    boolean inTag = false;
    for (int i = 0; i < html.length(); i++) {
      char c = html.charAt(i);
      if (c == '<') inTag = true;
      else if (c == '>' && inTag) {
        inTag = false;
        out.append(' ');
      } else if (!inTag) out.append(c);
    }
    return out.toString().replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
  }

  static boolean looksLikeBounce(MimeParts message) {
    Headers top = message.headers();
    if (top.has("x-failed-recipients")) return true;
    String contentType = top.first("content-type").toLowerCase(Locale.ROOT);
    if (contentType.contains("report-type=delivery-status") || contentType.contains("report-type=\"delivery-status\"")) return true;
    String from = top.first("from");
    String subject = top.first("subject");
    if (BOUNCE_SENDER.matcher(from).find() && !isAutoReplySubject(subject) || BOUNCE_SUBJECT.matcher(subject).find()) return true;
    // A returned original beside words that name a delivery failure: a bounce in any language's subject.
    boolean returnsOriginal = message.parts().stream().anyMatch(p -> p.mimeType().contains("rfc822"));
    String words = ReplyClassifier.normalize(notification(message));
    return returnsOriginal && !isAutoReply(top) && ReplyClassifier.byWords(words) != null;
  }

  static boolean isAutoReply(Headers top) {
    String autoSubmitted = top.first("auto-submitted").toLowerCase(Locale.ROOT);
    if (autoSubmitted.startsWith("auto-replied")) return true;
    if (top.has("x-autoreply") || top.has("x-autorespond") || top.has("x-autoresponder")) return true;
    String precedence = top.first("precedence").toLowerCase(Locale.ROOT);
    if (precedence.equals("auto_reply")) return true;
    return isAutoReplySubject(top.first("subject"));
  }

  static boolean isAutoReplySubject(String subject) {
    return AUTO_SUBJECT.matcher(subject.strip()).find();
  }

  static boolean isUnsubscribeRequest(Headers top) {
    String subject = top.first("subject").strip().toLowerCase(Locale.ROOT);
    String to = top.first("to").toLowerCase(Locale.ROOT);
    return subject.startsWith("unsubscribe") || to.matches("(?s).{0,200}\\bunsubscribe[+@-].{0,400}");
  }

  static Optional<String> messageId(Headers returned) {
    String id = returned.first("message-id").strip();
    if (id.startsWith("<") && id.indexOf('>') > 0) id = id.substring(1, id.indexOf('>'));
    return id.isBlank() || id.length() > 998 ? Optional.empty() : Optional.of(id);
  }

  /** Herald's VERP return path: where the bounce was sent, else in the returned header, else anywhere in the text. */
  static Optional<String> verp(MimeParts message, Returned returned) {
    Headers top = message.headers();
    for (String name : List.of("x-original-to", "delivered-to", "envelope-to", "to", "x-envelope-to")) {
      for (String value : top.all(name)) {
        Optional<String> found = verpIn(value);
        if (found.isPresent()) return found;
      }
    }
    for (String name : List.of("return-path", "sender", "from", "errors-to")) {
      Optional<String> found = verpIn(returned.headers().first(name));
      if (found.isPresent()) return found;
    }
    for (MimeParts.Part part : message.parts()) {
      Optional<String> found = verpIn(part.text());
      if (found.isPresent()) return found;
    }
    return Optional.empty();
  }

  static Optional<String> verpIn(String text) {
    Matcher m = VERP.matcher(text);
    return m.find() ? Optional.of(m.group().toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** The first address in a field or text, lower case, or null. */
  static String firstAddress(String text) {
    Matcher m = ADDRESS.matcher(text);
    return m.find() ? m.group() : null;
  }

  /** All addresses in {@code text}, in order, each once. */
  static Set<String> addresses(String text) {
    Set<String> found = new LinkedHashSet<>();
    Matcher m = ADDRESS.matcher(text);
    while (m.find() && found.size() < 100) found.add(m.group().toLowerCase(Locale.ROOT));
    return found;
  }

  /** A parameter of a Content-Type value ("report-type"), lower case, or "". */
  static String parameter(String contentType, String name) {
    Matcher m = Pattern.compile("(?i);\\s*" + Pattern.quote(name) + "\\s*=\\s*\"?([^\";\\s]{1,100})").matcher(contentType);
    return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "";
  }
}
