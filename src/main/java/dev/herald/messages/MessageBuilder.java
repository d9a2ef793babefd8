package dev.herald.messages;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.Tokens;
import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds a message's wire bytes with Angus Mail: text and HTML as multipart/alternative, inline images
 * in multipart/related, attachments in multipart/mixed (each level only when needed); RFC 2047 encoded
 * words for non-ASCII header text, RFC 2231 for file names; 7bit, quoted-printable or base64 as Angus
 * chooses from the content (QP for mostly-ASCII text and for lines over 998 octets); CRLF line ends.
 *
 * <p>Every header value given is refused ({@link Refused#invalid}, naming the header) if it holds a line
 * break or another control character, so no input can add a header (DESIGN.md security rule 9). The same
 * input gives the same bytes: MIME boundaries come from the Message-ID, so a message rendered again for a
 * retry, with the same Message-ID and Date, is byte for byte the one sent before.
 *
 * <p>One builder per message; not thread-safe.
 */
public final class MessageBuilder {
  /** Headers the builder writes itself or that only the MTA may add: a custom header may not set them. */
  private static final Set<String> RESERVED = Set.of("from", "to", "cc", "bcc", "reply-to", "sender", "subject", "date",
      "message-id", "mime-version", "dkim-signature", "return-path", "received", "list-unsubscribe",
      "list-unsubscribe-post", "feedback-id", "in-reply-to", "references");
  private static final Pattern FIELD_NAME = Pattern.compile("[!-9;-~]{1,76}");
  private static final Pattern ATOMS = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
  private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*");
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);
  private static final int MAX_TEXT = 2_000;
  private static final int MAX_NAME = 200;
  private static final int MAX_LINE = 998;
  static {
    // Jakarta Mail 2.1 looks its StreamProvider up through ServiceLoader, scanning the class path, for every part
    // it creates: a third of the build time, measured. Naming Angus's provider makes that lookup a Class.forName.
    if (System.getProperty("jakarta.mail.util.StreamProvider") == null) {
      System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
    }
  }

  private static final Session ASCII = session(false);
  /** Writes header text as UTF-8, for SMTPUTF8 messages only (RFC 6532). */
  private static final Session UTF8 = session(true);

  private record Mailbox(EmailAddress address, String displayName) {}

  private record Attachment(String fileName, String contentType, byte[] bytes, String contentId) {}

  private Mailbox from;
  private final List<Mailbox> to = new ArrayList<>();
  private final List<Mailbox> cc = new ArrayList<>();
  private final List<Mailbox> replyTo = new ArrayList<>();
  private String subject = "";
  private String text;
  private String html;
  private final List<Attachment> inline = new ArrayList<>();
  private final List<Attachment> attachments = new ArrayList<>();
  private String messageId;
  private Instant date;
  private String listUnsubscribe;
  private boolean oneClick;
  private String feedbackId;
  private boolean undisclosed;
  private final Map<String, String> headers = new LinkedHashMap<>();
  /** Tests only: every text part encoded by Angus, as before session 8, to compare the bytes with. */
  private boolean angusEncodes;
  /** Tests and measurements only: the message written by Angus (text parts encoded here), as before session 11. */
  private boolean angusWrites;

  MessageBuilder angusEncodesText() {
    angusEncodes = true;
    return this;
  }

  MessageBuilder angusWrites() {
    angusWrites = true;
    return this;
  }

  public MessageBuilder from(String address, String displayName) {
    from = mailbox("from", "From", address, displayName);
    return this;
  }

  public MessageBuilder to(String address, String displayName) {
    to.add(mailbox("to", "To", address, displayName));
    return this;
  }

  public MessageBuilder cc(String address, String displayName) {
    cc.add(mailbox("cc", "Cc", address, displayName));
    return this;
  }

  /**
   * A message whose recipients are all Bcc: with no To or Cc given, the To header is the empty group {@code
   * undisclosed-recipients:;}. RFC 5322 §3.6.3 also allows leaving To out, but a message without To scores as spam
   * (SpamAssassin's MISSING_HEADERS, and Gmail files such mail more harshly), and the empty group is what Postfix
   * (undisclosed_recipients_header) and the usual mail clients write. A To or Cc given as well wins: then the group
   * is not written. Asked for explicitly, so a caller that forgot its recipients is still refused.
   */
  public MessageBuilder undisclosedRecipients() {
    undisclosed = true;
    return this;
  }

  public MessageBuilder replyTo(String address, String displayName) {
    replyTo.add(mailbox("replyTo", "Reply-To", address, displayName));
    return this;
  }

  public MessageBuilder subject(String subject) {
    this.subject = oneLine("subject", "Subject", subject, MAX_TEXT);
    return this;
  }

  /** The plain-text version; any line ends (LF, CR, CRLF) become CRLF. */
  public MessageBuilder text(String text) {
    this.text = text; // line ends made CRLF when the part is written (ourText, crlf)
    return this;
  }

  /** The HTML version; inline images are referred to as {@code cid:<contentId>}. */
  public MessageBuilder html(String html) {
    this.html = html;
    return this;
  }

  /** An image shown in the HTML, referred to as {@code src="cid:contentId"}. */
  public MessageBuilder inlineImage(String contentId, String contentType, byte[] bytes) {
    String field = "inlineImages[" + inline.size() + "]";
    if (contentId == null || !ATOMS.matcher(contentId.replaceFirst("@", ".")).matches() || contentId.length() > MAX_NAME) {
      throw Refused.invalid(field + ".contentId", "A content id is letters, digits and . _ - @ (like logo@example.com).");
    }
    String type = contentType(field, contentType);
    if (!type.toLowerCase(Locale.ROOT).startsWith("image/")) throw Refused.invalid(field + ".contentType", "An inline image has an image/ content type.");
    inline.add(new Attachment(null, type, required(field, bytes), contentId));
    return this;
  }

  public MessageBuilder attachment(String fileName, String contentType, byte[] bytes) {
    String field = "attachments[" + attachments.size() + "]";
    String name = oneLine(field + ".fileName", "Content-Disposition", fileName, 255);
    if (name.isBlank()) throw Refused.invalid(field + ".fileName", "An attachment needs a file name.");
    attachments.add(new Attachment(name, contentType(field, contentType), required(field, bytes), null));
    return this;
  }

  /**
   * The Message-ID without angle brackets ({@code id@domain}); by default a random one on the From
   * address's domain. Give the stored one when rendering a message again for a retry.
   */
  public MessageBuilder messageId(String messageId) {
    int at = messageId == null ? -1 : messageId.lastIndexOf('@');
    if (at < 1 || messageId.length() > MAX_NAME || !ATOMS.matcher(messageId.substring(0, at)).matches()
        || !DOMAIN.matcher(messageId.substring(at + 1)).matches()) {
      throw Refused.invalid("messageId", "A Message-ID is id@domain, in ASCII letters, digits and punctuation, without < >.");
    }
    this.messageId = messageId;
    return this;
  }

  /** The Date header; by default the time of {@link #build()}. Give the stored one when rendering again. */
  public MessageBuilder date(Instant date) {
    this.date = date;
    return this;
  }

  /**
   * List-Unsubscribe (RFC 2369) with an https URL, a mailto address, or both; with {@code oneClick}
   * (bulk mail: Gmail and Yahoo require it) also List-Unsubscribe-Post (RFC 8058), which needs the URL.
   * The DKIM signer covers both headers.
   */
  public MessageBuilder listUnsubscribe(URI https, String mailto, boolean oneClick) {
    List<String> entries = new ArrayList<>();
    if (https != null) {
      if (!"https".equalsIgnoreCase(https.getScheme()) || https.getHost() == null) {
        throw Refused.invalid("listUnsubscribe", "The List-Unsubscribe URL must be an absolute https URL.");
      }
      String url = https.toASCIIString();
      if (url.length() > 900) throw Refused.invalid("listUnsubscribe", "The List-Unsubscribe URL must be at most 900 characters.");
      entries.add("<" + url + ">");
    }
    if (mailto != null) {
      Mailbox mailbox = mailbox("listUnsubscribe", "List-Unsubscribe", mailto, null);
      if (mailbox.address().smtputf8()) {
        throw Refused.invalid("listUnsubscribe", "The List-Unsubscribe address must be ASCII in its local part.");
      }
      entries.add("<mailto:" + mailbox.address().asciiAddress() + "?subject=unsubscribe>");
    }
    if (entries.isEmpty()) throw Refused.invalid("listUnsubscribe", "List-Unsubscribe needs an https URL, a mailto address or both.");
    if (oneClick && https == null) {
      throw Refused.invalid("listUnsubscribe", "One-click unsubscribe (List-Unsubscribe-Post) needs an https URL.");
    }
    this.listUnsubscribe = String.join(", ", entries);
    this.oneClick = oneClick;
    return this;
  }

  /** Feedback-ID for Gmail's feedback loop, {@code a:b:c:SenderId}: printable ASCII. */
  public MessageBuilder feedbackId(String feedbackId) {
    String value = oneLine("feedbackId", "Feedback-ID", feedbackId, MAX_NAME);
    if (!value.chars().allMatch(c -> c > 32 && c < 127)) {
      throw Refused.invalid("feedbackId", "The Feedback-ID header is printable ASCII without spaces (like campaign:list:org:herald).");
    }
    this.feedbackId = value;
    return this;
  }

  /** A header of the sender's own (X-Campaign, X-Mailer, ...); not one the builder or the MTA writes. */
  public MessageBuilder header(String name, String value) {
    if (name == null || !FIELD_NAME.matcher(name).matches()) {
      throw Refused.invalid("headers", "A header name is printable ASCII without spaces or colons, at most 76 characters.");
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (RESERVED.contains(lower) || lower.startsWith("content-")) {
      throw Refused.invalid("headers." + name, "The " + name + " header is written by Herald and cannot be set.");
    }
    if (headers.keySet().stream().anyMatch(name::equalsIgnoreCase)) {
      throw Refused.invalid("headers." + name, "The " + name + " header is given twice.");
    }
    if (headers.size() >= 50) throw Refused.invalid("headers", "A message has at most 50 headers of its own.");
    headers.put(name, oneLine("headers." + name, name, value, MAX_TEXT));
    return this;
  }

  /** The wire bytes; refuses a message without From, without recipients, or without a body. */
  public OutgoingMessage build() {
    if (from == null) throw Refused.invalid("from", "A message needs a From address.");
    if (to.isEmpty() && cc.isEmpty() && !undisclosed) throw Refused.invalid("to", "A message needs at least one recipient.");
    if (text == null && html == null) throw Refused.invalid("text", "A message needs a text or an HTML body.");
    if (!inline.isEmpty() && html == null) throw Refused.invalid("inlineImages", "Inline images need an HTML body.");
    boolean smtpUtf8 = from.address().smtputf8() || to.stream().anyMatch(m -> m.address().smtputf8())
        || cc.stream().anyMatch(m -> m.address().smtputf8()) || replyTo.stream().anyMatch(m -> m.address().smtputf8());
    String id = messageId != null ? messageId : Tokens.newToken() + "@" + from.address().asciiDomain();
    if (!angusEncodes && !angusWrites && inline.isEmpty() && attachments.isEmpty()) {
      OutgoingMessage direct = direct(id, smtpUtf8);
      if (direct != null) return direct;
    }
    return viaAngus(id, smtpUtf8);
  }

  /**
   * Custom headers Angus does not append but puts at a place of its own (its InternetHeaders lists them among the
   * headers it orders): a message with one of them is left to Angus, so that its header order stays Angus's.
   */
  private static final Set<String> PLACED_BY_ANGUS = Set.of("resent-date", "resent-from", "resent-sender", "resent-to", "resent-cc",
      "resent-bcc", "resent-message-id", "comments", "keywords", "errors-to", "status");

  /**
   * The message written here, straight to its bytes, when each part is one this builder encodes (7bit, or
   * quoted-printable for tracking placeholders) and no file goes with it: text, HTML, or both as multipart/alternative,
   * the campaign's and the send API's usual message. The bytes are those Angus wrote (MessageBuilderSameBytesTest
   * builds every message both ways): the same header lines in Angus's order, folded and RFC 2047-encoded by Angus's
   * own MimeUtility and InternetAddress (a few short strings), the same part layout. Through Angus the bodies were
   * copied through three stream layers, the multipart objects found their content handlers through the activation
   * framework, and the whole message was scanned again for line ends: half of the send API's build time (JFR profile
   * of bench/mta.sh). Null when a part's encoding is Angus's choice (a body that is neither 7bit nor tracked, which
   * Angus encodes by its own count), or a custom header is one Angus places itself: then Angus builds the message.
   *
   * <p>No wire-form check after: every line here is either a header line measured below, a 7bit body line (at most 998
   * octets, CRLF-ended: Ascii.of), quoted-printable (76 octets) or a boundary line.
   */
  private OutgoingMessage direct(String id, boolean smtpUtf8) {
    if (headers.keySet().stream().anyMatch(name -> PLACED_BY_ANGUS.contains(name.toLowerCase(Locale.ROOT)))) return null;
    OurText textPart = text == null ? null : ourText(text, "plain");
    if (text != null && textPart == null) return null;
    OurText htmlPart = html == null ? null : ourText(html, "html");
    if (html != null && htmlPart == null) return null;
    boolean alternative = textPart != null && htmlPart != null;
    String boundary = alternative ? new Boundaries(id).next() : null;
    try {
      // In the order of Angus's InternetHeaders: its fixed list first, then the others in the order they were set.
      List<String> lines = new ArrayList<>(12 + headers.size());
      lines.add("Date: " + dateHeader(date != null ? date : Instant.now()));
      lines.add("From: " + addressHeader("From", List.of(from), smtpUtf8));
      if (!replyTo.isEmpty()) lines.add("Reply-To: " + addressHeader("Reply-To", replyTo, smtpUtf8));
      if (!to.isEmpty()) lines.add("To: " + addressHeader("To", to, smtpUtf8));
      else if (cc.isEmpty()) lines.add("To: undisclosed-recipients:;");
      if (!cc.isEmpty()) lines.add("Cc: " + addressHeader("Cc", cc, smtpUtf8));
      lines.add("Message-ID: <" + id + ">");
      lines.add("Subject: " + MimeUtility.fold(9, MimeUtility.encodeText(subject, "UTF-8", null)));
      lines.add("MIME-Version: 1.0");
      OurText only = alternative ? null : textPart != null ? textPart : htmlPart;
      if (alternative) {
        lines.add("Content-Type: multipart/alternative; boundary=\"" + boundary + "\"");
      } else {
        lines.add("Content-Type: " + only.contentType());
        lines.add("Content-Transfer-Encoding: " + only.encoding());
      }
      if (listUnsubscribe != null) lines.add("List-Unsubscribe: " + MimeUtility.fold(18, listUnsubscribe));
      if (oneClick) lines.add("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
      if (feedbackId != null) lines.add("Feedback-ID: " + feedbackId);
      for (Map.Entry<String, String> header : headers.entrySet()) {
        String name = header.getKey();
        lines.add(name + ": " + MimeUtility.fold(name.length() + 2, MimeUtility.encodeText(header.getValue(), "UTF-8", null)));
      }
      requireShortHeaderLines(lines);
      // Sized to the octet (for ASCII header lines), so the bytes need no copy at the end.
      int size = 2;
      for (String line : lines) size += line.length() + 2;
      if (alternative) {
        size += 3 * (boundary.length() + 4) + 2 + textPart.size() + 2 + htmlPart.size() + 2;
      } else {
        byte[] body = only.body();
        int n = body.length;
        size += n + (n == 1 || n > 1 && (body[n - 2] != '\r' || body[n - 1] != '\n') ? 2 : 0);
      }
      WireBytes out = new WireBytes(size);
      for (String line : lines) out.line(line, smtpUtf8);
      out.crlf();
      if (alternative) {
        out.line("--" + boundary, false);
        textPart.writeTo(out);
        out.crlf();
        out.line("--" + boundary, false);
        htmlPart.writeTo(out);
        out.crlf();
        out.line("--" + boundary + "--", false);
      } else {
        out.write(only.body(), 0, only.body().length);
        // A single-part body given without a final line end: SMTP ends the data with CRLF.CRLF on its own line anyway.
        if (!out.endsWithCrlf()) out.crlf();
      }
      return new OutgoingMessage(out.toByteArray(), id, smtpUtf8);
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is part of every JDK", e);
    }
  }

  /** Angus's address header value (MimeMessage.setAddressHeader): folded after the header's name. */
  private static String addressHeader(String name, List<Mailbox> mailboxes, boolean smtpUtf8) {
    InternetAddress[] addresses = addresses(mailboxes, smtpUtf8);
    return smtpUtf8 ? InternetAddress.toUnicodeString(addresses, name.length() + 2) : InternetAddress.toString(addresses, name.length() + 2);
  }

  /** A text part this builder encodes: its Content-Type, its transfer encoding, and its body in that encoding. */
  private record OurText(String contentType, String encoding, byte[] body) {
    /** The octets writeTo writes. */
    int size() {
      return 14 + contentType.length() + 2 + 27 + encoding.length() + 2 + 2 + body.length;
    }

    /** As Angus writes a body part with these two headers: the header lines, a blank line, the body. */
    void writeTo(WireBytes out) {
      out.line("Content-Type: " + contentType, false);
      out.line("Content-Transfer-Encoding: " + encoding, false);
      out.crlf();
      out.write(body, 0, body.length);
    }
  }

  /**
   * The part as {@link #textPart} encodes it itself (same charset, encoding and bytes), or null when it leaves the
   * encoding to Angus: a body that holds no placeholder and is not 7bit.
   */
  private static OurText ourText(String given, String subtype) {
    if (LinkTracking.hasPlaceholder(given)) {
      byte[] ascii = QuotedPrintable.encodeAscii(given);
      if (ascii != null) return new OurText("text/" + subtype + "; charset=us-ascii", "quoted-printable", ascii);
      String body = crlf(given);
      String charset = charset(body, false);
      byte[] bytes = body.getBytes(charset.equals("us-ascii") ? StandardCharsets.US_ASCII : StandardCharsets.UTF_8);
      return new OurText("text/" + subtype + "; charset=" + charset, "quoted-printable", QuotedPrintable.encode(bytes));
    }
    Ascii ascii = Ascii.of(given);
    return ascii != null && ascii.sevenBit() ? new OurText("text/" + subtype + "; charset=us-ascii", "7bit", ascii.bytes()) : null;
  }

  /** The message built by Angus Mail: for inline images and attachments, and bodies whose encoding Angus chooses. */
  private OutgoingMessage viaAngus(String id, boolean smtpUtf8) {
    try {
      MimeMessage message = new FixedIdMessage(smtpUtf8 ? UTF8 : ASCII, id);
      message.setFrom(address(from, smtpUtf8));
      if (!to.isEmpty()) message.setRecipients(MimeMessage.RecipientType.TO, addresses(to, smtpUtf8));
      if (to.isEmpty() && cc.isEmpty()) message.setHeader("To", "undisclosed-recipients:;");
      if (!cc.isEmpty()) message.setRecipients(MimeMessage.RecipientType.CC, addresses(cc, smtpUtf8));
      if (!replyTo.isEmpty()) message.setReplyTo(addresses(replyTo, smtpUtf8));
      message.setSubject(subject, "UTF-8");
      message.setHeader("Date", dateHeader(date != null ? date : Instant.now()));
      if (listUnsubscribe != null) message.setHeader("List-Unsubscribe", MimeUtility.fold(18, listUnsubscribe));
      if (oneClick) message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
      if (feedbackId != null) message.setHeader("Feedback-ID", feedbackId);
      for (Map.Entry<String, String> header : headers.entrySet()) {
        String name = header.getKey();
        message.setHeader(name, MimeUtility.fold(name.length() + 2, MimeUtility.encodeText(header.getValue(), "UTF-8", null)));
      }
      requireShortHeaderLines(Collections.list(message.getAllHeaderLines()));
      body(message, new Boundaries(id));
      message.saveChanges();
      WireBytes out = new WireBytes(8192 + length(text) + length(html));
      message.writeTo(out);
      // A single-part body given without a final line end: SMTP ends the data with CRLF.CRLF on its own line anyway.
      if (!out.endsWithCrlf()) out.write(new byte[] {'\r', '\n'});
      byte[] bytes = out.toByteArray();
      requireWireForm(bytes);
      return new OutgoingMessage(bytes, id, smtpUtf8);
    } catch (MessagingException | IOException e) {
      throw new IllegalStateException("Angus Mail could not build the message", e);
    }
  }

  /** The body: only the multipart levels the content needs. */
  private void body(MimeMessage message, Boundaries boundaries) throws MessagingException, IOException {
    if ((text == null || html == null) && inline.isEmpty() && attachments.isEmpty()) {
      String only = crlf(text != null ? text : html);
      boolean sevenBit = sevenBit(only);
      message.setText(only, charset(only, sevenBit), text != null ? "plain" : "html");
      encoding(message, only, sevenBit);
      return;
    }
    MimeBodyPart content;
    String rootType = text != null && html != null ? "multipart/alternative" : "text/html";
    if (text != null && html != null) {
      MimeMultipart alternative = boundaries.multipart("alternative", null);
      alternative.addBodyPart(textPart(text, "plain", angusEncodes));
      alternative.addBodyPart(textPart(html, "html", angusEncodes));
      content = wrap(alternative);
    } else {
      content = textPart(text != null ? text : html, text != null ? "plain" : "html", angusEncodes);
    }
    if (!inline.isEmpty()) {
      // RFC 2387: the type parameter names the root part's type.
      MimeMultipart related = boundaries.multipart("related", rootType);
      related.addBodyPart(content);
      for (Attachment image : inline) related.addBodyPart(binaryPart(image));
      content = wrap(related);
    }
    if (!attachments.isEmpty()) {
      MimeMultipart mixed = boundaries.multipart("mixed", null);
      mixed.addBodyPart(content);
      for (Attachment attachment : attachments) mixed.addBodyPart(binaryPart(attachment));
      content = wrap(mixed);
    }
    message.setContent((Multipart) content.getContent());
  }

  /**
   * Folding happens only between words, so a word of ASCII text longer than a mail line (a subject or custom
   * header without spaces) cannot be sent: refused, naming the header (non-ASCII text is in short encoded words).
   */
  private void requireShortHeaderLines(List<String> lines) {
    for (String line : lines) {
      // Three UTF-8 octets per char at most (a surrogate pair is four for two): a shorter line cannot be too long.
      if (line.length() <= MAX_LINE / 3) continue;
      for (String physical : line.split("\r\n")) {
        if (physical.getBytes(StandardCharsets.UTF_8).length > MAX_LINE) {
          String name = line.substring(0, line.indexOf(':'));
          String field = switch (name.toLowerCase(Locale.ROOT)) {
            case "subject", "from", "to", "cc" -> name.toLowerCase(Locale.ROOT);
            case "reply-to" -> "replyTo";
            default -> headers.containsKey(name) ? "headers." + name : "form";
          };
          throw Refused.invalid(field, "The " + name + " header has a word too long for a mail line (998 characters).");
        }
      }
    }
  }

  /**
   * A text part. One in 7bit, or in quoted-printable because it holds tracking placeholders, is encoded here, into a
   * part Angus writes as it is: through Angus, its text went through a charset encoder and the quoted-printable
   * encoder byte by byte behind three stream layers, a fifth of a campaign message's CPU (bench/campaign.sh's profile).
   * The same bytes ({@code MessageBuilderSameBytesTest} compares both ways); any other part is left to Angus.
   */
  private static MimeBodyPart textPart(String given, String subtype, boolean angusEncodes) throws MessagingException {
    boolean placeholder = LinkTracking.hasPlaceholder(given);
    if (!angusEncodes) {
      // An ASCII body with placeholders (a tracked campaign's HTML) goes to quoted-printable straight from its text:
      // the encoder ends lines as Ascii.of would, and the pass to bytes before it was 5 % of a campaign message.
      byte[] encoded = placeholder ? QuotedPrintable.encodeAscii(given) : null;
      if (encoded != null) return encodedPart(subtype, "us-ascii", true, encoded);
      // An ASCII body (the usual one) goes to CRLF-ended bytes in one pass that also finds whether it is 7bit.
      Ascii ascii = Ascii.of(given);
      if (ascii != null && (ascii.sevenBit() || placeholder)) {
        return ourPart(subtype, "us-ascii", placeholder, ascii.bytes());
      }
      if (ascii == null && placeholder) {
        String body = crlf(given);
        String charset = charset(body, false);
        return ourPart(subtype, charset, true, body.getBytes(charset.equals("us-ascii") ? StandardCharsets.US_ASCII : StandardCharsets.UTF_8));
      }
    }
    String body = crlf(given);
    boolean sevenBit = sevenBit(body);
    MimeBodyPart part = new MimeBodyPart();
    part.setText(body, charset(body, sevenBit), subtype);
    encoding(part, body, sevenBit);
    return part;
  }

  /**
   * A body holding tracking placeholders goes in quoted-printable, where they stay readable for {@link
   * LinkTracking#personalize} (base64, which Angus picks for mostly non-ASCII text, would hide them).
   *
   * <p>Otherwise a body that is {@link #sevenBit} is named 7bit here, which is what Angus would choose: left unnamed,
   * Angus finds the encoding by writing the whole body once more through its charset encoder byte by byte, a quarter
   * of the build time of a 20 KB message of short lines (measured: DkimSigningThroughput). Any other body is left to
   * Angus (quoted-printable or base64 by its own count). Same bytes either way.
   */
  private static void encoding(Part part, String body, boolean sevenBit) throws MessagingException {
    if (LinkTracking.hasPlaceholder(body)) {
      part.setHeader("Content-Transfer-Encoding", "quoted-printable");
    } else if (sevenBit) {
      part.setHeader("Content-Transfer-Encoding", "7bit");
    }
  }

  private static MimeBodyPart ourPart(String subtype, String charset, boolean quotedPrintable, byte[] bytes) throws MessagingException {
    return encodedPart(subtype, charset, quotedPrintable, quotedPrintable ? QuotedPrintable.encode(bytes) : bytes);
  }

  private static MimeBodyPart encodedPart(String subtype, String charset, boolean quotedPrintable, byte[] encoded)
      throws MessagingException {
    InternetHeaders headers = new InternetHeaders();
    headers.setHeader("Content-Type", "text/" + subtype + "; charset=" + charset);
    headers.setHeader("Content-Transfer-Encoding", quotedPrintable ? "quoted-printable" : "7bit");
    return new MimeBodyPart(headers, encoded);
  }

  /**
   * An all-ASCII body as bytes with CRLF line ends (as crlf makes them), and whether it is 7bit (sevenBit): one pass
   * instead of three over a campaign message's every part (the line ends, the check and the charset encoder).
   */
  private record Ascii(byte[] bytes, boolean sevenBit) {
    /** Null when the body holds a character outside ASCII. */
    static Ascii of(String body) {
      byte[] in = body.getBytes(StandardCharsets.ISO_8859_1);
      int n = in.length;
      if (n != body.length()) return null; // a surrogate pair became one '?'
      // The bare CRs and LFs, each to become CRLF; most texts end their lines with LF alone.
      int[] bare = new int[16];
      int bares = 0;
      int lineStart = 0;
      boolean sevenBit = true;
      for (int i = Plain.skip(in, 0); i < n; i = Plain.skip(in, i + 1)) {
        byte b = in[i];
        if (b < 0 || b == '?' && body.charAt(i) != '?') return null;
        if (b == '\r' || b == '\n') {
          if (i - lineStart > MAX_LINE) sevenBit = false;
          if (b == '\r' && i + 1 < n && in[i + 1] == '\n') {
            i++;
          } else {
            if (bares == bare.length) bare = Arrays.copyOf(bare, bares * 2);
            bare[bares++] = i;
          }
          lineStart = i + 1;
        } else if (b != '\t' && b != '?') {
          sevenBit = false; // another control character, or DEL
        }
      }
      if (n - lineStart > MAX_LINE) sevenBit = false;
      if (bares == 0) return new Ascii(in, sevenBit);
      byte[] out = new byte[n + bares];
      int from = 0;
      int size = 0;
      for (int k = 0; k < bares; k++) {
        int at = bare[k];
        System.arraycopy(in, from, out, size, at - from);
        size += at - from;
        out[size++] = '\r';
        out[size++] = '\n';
        from = at + 1;
      }
      System.arraycopy(in, from, out, size, n - from);
      return new Ascii(out, sevenBit);
    }

    /**
     * The text as octets, or null when it holds a character outside ASCII. Every character is one octet in
     * ISO-8859-1 (for a string Java stores in one byte per character, a plain copy): one above 0x7f is a negative
     * octet, one above 0xff becomes '?' in place of itself, a surrogate pair one '?' for two characters.
     */
    static byte[] bytes(String text) {
      byte[] in = text.getBytes(StandardCharsets.ISO_8859_1);
      if (in.length != text.length()) return null;
      for (int i = Plain.skip(in, 0); i < in.length; i = Plain.skip(in, i + 1)) {
        byte b = in[i];
        if (b < 0 || b == '?' && text.charAt(i) != '?') return null;
      }
      return in;
    }
  }

  /**
   * Finding the next octet that is not plain printable ASCII eight octets at a time: the loop octet by octet (in
   * Ascii.of, char by char before) was the largest single cost of building a message, a third of it in the send API.
   */
  static final class Plain {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Plain() {}

    /**
     * The index from {@code from} on of the first octet outside 0x20-0x7e or that is {@code ?} (which stands for a
     * character ISO-8859-1 could not encode), or the array's length.
     */
    static int skip(byte[] a, int from) {
      return skip(a, from, a.length, '?');
    }

    /** The index in [from, end) of the first octet outside 0x20-0x7e or that is {@code other}, or {@code end}. */
    static int skip(byte[] a, int from, int end, int other) {
      int i = from;
      long others = other * ONES;
      for (; i + 8 <= end; i += 8) {
        long x = (long) LONGS.get(a, i);
        // Any octet with its high bit, below 0x20 (x - 0x20.. borrows into the high bit), 0x7f or other (a zero after xor).
        long o = x ^ others;
        long d = x ^ (0x7f * ONES);
        if (((x | ((x - 0x20 * ONES) & ~x) | ((o - ONES) & ~o) | ((d - ONES) & ~d)) & HIGHS) != 0) break;
      }
      for (; i < end; i++) {
        byte b = a[i];
        if (b < 0x20 || b == 0x7f || b == other) return i;
      }
      return i;
    }
  }

  /**
   * Angus's "all ASCII" (jakarta.mail's MimeUtility.getEncoding for text): no octet outside printable ASCII but CR, LF
   * and TAB (DEL counts as outside), and no line longer than 998 octets.
   */
  static boolean sevenBit(String body) {
    int line = 0;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\r' || c == '\n') {
        line = 0;
        continue;
      }
      if (c >= 0x7f || (c < 0x20 && c != '\t') || ++line > MAX_LINE) return false;
    }
    return true;
  }

  /**
   * Angus's quoted-printable encoder ({@code QPEncoderStream}, lines of at most 76 octets) on a whole body at once:
   * CR, LF and CRLF each end a line as CRLF; a space is written as it is unless a line end or the body's end follows
   * (then {@code =20}); octets below 0x20 (tab included), from 0x7f, and {@code =} as {@code =XX}; a soft line break
   * ({@code =CRLF}) before an octet or escape that would pass 75 octets.
   */
  static final class QuotedPrintable {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final int PER_LINE = 75;
    private byte[] out;
    private int size;
    private int count;
    private boolean gotSpace;
    private boolean gotCr;

    private QuotedPrintable(int capacity) {
      out = new byte[capacity];
    }

    static byte[] encode(byte[] in) {
      int n = in.length;
      QuotedPrintable qp = new QuotedPrintable(n + n / 8 + 16);
      for (int i = 0; i < n; ) {
        int run = qp.gotSpace ? 0 : literalRun(in, i, Math.min(n, i + PER_LINE - qp.count));
        if (run > 0) {
          // Octets written as they are, as next() would write them one by one (no line end or escape among them).
          qp.room(run);
          System.arraycopy(in, i, qp.out, qp.size, run);
          qp.size += run;
          qp.count += run;
          qp.gotCr = false;
          i += run;
        } else {
          qp.next(in[i++] & 0xff);
        }
      }
      return qp.finish();
    }

    /**
     * How many octets from {@code from} (before {@code end}) are written as they are: printable ASCII but {@code =},
     * and spaces but the last (a space before a line end or at the body's end is encoded, so the last is left to
     * next(), which looks at what follows it). The loop octet by octet through next() was a fifth of a campaign
     * message's build time; this one goes eight octets at a time.
     */
    private static int literalRun(byte[] in, int from, int end) {
      int i = Plain.skip(in, from, end, '=');
      if (i > from && in[i - 1] == ' ') i--;
      return i - from;
    }

    /**
     * {@link #encode} of {@code Ascii.of(text).bytes()} without those bytes, or null when {@code text} holds a
     * character outside ASCII. The same steps: CR, LF and CRLF in the text end a line as CRLF here just as Ascii.of
     * would have made them CRLF first.
     */
    static byte[] encodeAscii(String text) {
      byte[] in = Ascii.bytes(text);
      return in == null ? null : encode(in);
    }

    /** One input octet: a space is held until the next one says whether it ends a line (then it is encoded). */
    private void next(int c) {
      if (gotSpace) {
        output(' ', c == '\r' || c == '\n');
        gotSpace = false;
      }
      if (c == '\r') {
        gotCr = true;
        crlf();
      } else {
        if (c == '\n') {
          if (!gotCr) crlf();
        } else if (c == ' ') {
          gotSpace = true;
        } else {
          output(c, c < 0x20 || c >= 0x7f || c == '=');
        }
        gotCr = false;
      }
    }

    private byte[] finish() {
      if (gotSpace) output(' ', true);
      return Arrays.copyOf(out, size);
    }

    private void crlf() {
      room(2);
      out[size++] = '\r';
      out[size++] = '\n';
      count = 0;
    }

    private void output(int c, boolean encode) {
      room(6);
      if (encode) {
        if ((count += 3) > PER_LINE) {
          softBreak();
          count = 3;
        }
        out[size++] = '=';
        out[size++] = HEX[c >> 4];
        out[size++] = HEX[c & 0xf];
      } else {
        if (++count > PER_LINE) {
          softBreak();
          count = 1;
        }
        out[size++] = (byte) c;
      }
    }

    private void softBreak() {
      out[size++] = '=';
      out[size++] = '\r';
      out[size++] = '\n';
    }

    private void room(int n) {
      if (size + n > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, size + n));
    }
  }

  private static MimeBodyPart binaryPart(Attachment attachment) throws MessagingException {
    MimeBodyPart part = new MimeBodyPart();
    part.setDataHandler(new DataHandler(new ByteArrayDataSource(attachment.bytes(), attachment.contentType())));
    part.setHeader("Content-Transfer-Encoding", "base64");
    if (attachment.contentId() != null) {
      part.setContentID("<" + attachment.contentId() + ">");
      part.setDisposition(Part.INLINE);
    } else {
      part.setDisposition(Part.ATTACHMENT);
      part.setFileName(attachment.fileName());
    }
    return part;
  }

  private static MimeBodyPart wrap(MimeMultipart multipart) throws MessagingException {
    MimeBodyPart part = new MimeBodyPart();
    part.setContent(multipart);
    return part;
  }

  /** A loop, not {@code chars().allMatch}: the stream cost a sixth of the build time of a 20 KB message (measured). */
  private static String charset(String body, boolean sevenBit) {
    // A 7bit body is ASCII: the scan of a 20 KB body showed in the send API's profile (bench/mta.sh), once is enough.
    if (sevenBit) return "us-ascii";
    for (int i = 0; i < body.length(); i++) if (body.charAt(i) >= 128) return "utf-8";
    return "us-ascii";
  }

  /** MIME boundaries derived from the Message-ID: the same message gives the same bytes. */
  private static final class Boundaries {
    /** Cloned per message: MessageDigest.getInstance looks the provider up each time (3 % of the send API's build). */
    private static final MessageDigest SHA_256;
    static {
      try {
        SHA_256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every JDK", e);
      }
    }
    private final String seed;
    private int next;

    Boundaries(String messageId) {
      byte[] hash;
      try {
        hash = ((MessageDigest) SHA_256.clone()).digest(messageId.getBytes(StandardCharsets.UTF_8));
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
      }
      // "=_" cannot occur in quoted-printable or base64 text, so the boundary cannot collide with encoded content.
      seed = "=_" + HexFormat.of().formatHex(hash, 0, 12);
    }

    /** The next boundary: numbered in the order the multiparts are made (alternative, related, mixed). */
    String next() {
      return seed + "." + next++;
    }

    MimeMultipart multipart(String subtype, String type) {
      String boundary = next();
      String header = "multipart/" + subtype + "; boundary=\"" + boundary + "\"" + (type == null ? "" : "; type=\"" + type + "\"");
      return new MimeMultipart(subtype) {
        {
          contentType = header;
        }
      };
    }
  }

  /** Angus sets a random Message-ID on save; this one keeps ours. */
  private static final class FixedIdMessage extends MimeMessage {
    private final String id;

    FixedIdMessage(Session session, String id) {
      super(session);
      this.id = id;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", "<" + id + ">");
    }
  }

  private static Mailbox mailbox(String field, String header, String address, String displayName) {
    String name = displayName == null ? null : oneLine(field, header, displayName, MAX_NAME).strip();
    oneLine(field, header, address == null ? "" : address, MAX_NAME);
    return switch (EmailAddress.parse(address)) {
      case EmailAddress.Valid valid -> new Mailbox(valid.address(), name == null || name.isEmpty() ? null : name);
      case EmailAddress.Invalid invalid -> throw Refused.invalid(field, "The " + header + " address is not valid: " + invalid.reason() + ".");
    };
  }

  private static InternetAddress address(Mailbox mailbox, boolean smtpUtf8) {
    EmailAddress a = mailbox.address();
    InternetAddress address = new InternetAddress();
    // Without SMTPUTF8 the domain goes in its ASCII form; with it the address stays as the person wrote it.
    address.setAddress(smtpUtf8 ? a.address() : a.asciiAddress());
    try {
      if (mailbox.displayName() != null) address.setPersonal(mailbox.displayName(), "UTF-8");
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is part of every JDK", e);
    }
    return address;
  }

  private static InternetAddress[] addresses(List<Mailbox> mailboxes, boolean smtpUtf8) {
    return mailboxes.stream().map(m -> address(m, smtpUtf8)).toArray(InternetAddress[]::new);
  }

  /**
   * A header value: one line of text. CR and LF would let the value start new headers (header injection);
   * NUL and the other control characters are not allowed in header text either (RFC 5322 §3.2.5).
   */
  private static String oneLine(String field, String header, String value, int max) {
    if (value == null) throw Refused.invalid(field, "The " + header + " header needs a value.");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw Refused.invalid(field, "The " + header + " header must be one line: no line breaks or control characters.");
      }
    }
    if (value.length() > max) throw Refused.invalid(field, "The " + header + " header is longer than " + max + " characters.");
    return value;
  }

  private static String contentType(String field, String contentType) {
    try {
      ContentType type = new ContentType(oneLine(field + ".contentType", "Content-Type", contentType, MAX_NAME));
      if (type.getPrimaryType().equalsIgnoreCase("multipart")) throw new ParseException("multipart");
      // Parameters are kept (a text file's charset); a text file given without one is labelled UTF-8 by Angus.
      return type.toString();
    } catch (ParseException e) {
      throw Refused.invalid(field + ".contentType", "Not a content type for a file (like image/png or application/pdf).");
    }
  }

  private static byte[] required(String field, byte[] bytes) {
    if (bytes == null) throw Refused.invalid(field, "The file has no content.");
    return bytes;
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }

  /**
   * ByteArrayOutputStream without its lock, sized for the bodies up front: Angus writes a 7bit body through a plain
   * FilterOutputStream one byte at a time, and ByteArrayOutputStream takes its monitor and checks its capacity for
   * every one of them (the largest single cost of building in the send API's profile).
   */
  private static final class WireBytes extends OutputStream {
    private byte[] buffer;
    private int count;

    WireBytes(int capacity) {
      buffer = new byte[capacity];
    }

    @Override
    public void write(int b) {
      if (count == buffer.length) buffer = Arrays.copyOf(buffer, buffer.length * 2);
      buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int offset, int length) {
      Objects.checkFromIndexSize(offset, length, b.length);
      if (count + length > buffer.length) buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, count + length));
      System.arraycopy(b, offset, buffer, count, length);
      count += length;
    }

    /** A header or boundary line and its CRLF: chars as octets (Angus's LineOutputStream), UTF-8 only for SMTPUTF8. */
    void line(String line, boolean utf8) {
      if (utf8) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        write(bytes, 0, bytes.length);
      } else {
        int n = line.length();
        if (count + n > buffer.length) buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, count + n));
        for (int i = 0; i < n; i++) buffer[count++] = (byte) line.charAt(i);
      }
      crlf();
    }

    void crlf() {
      write('\r');
      write('\n');
    }

    boolean endsWithCrlf() {
      return count >= 2 && buffer[count - 2] == '\r' && buffer[count - 1] == '\n';
    }

    byte[] toByteArray() {
      return count == buffer.length ? buffer : Arrays.copyOf(buffer, count);
    }
  }

  /**
   * Any line ends (LF, CR, CRLF) as CRLF; a loop, because the regex took half the build time (measured), copying the
   * text between line ends in one piece (appending char by char was a fifth of the build time of a 20 KB body).
   */
  private static String crlf(String body) {
    if (body == null) return null;
    StringBuilder out = null;
    int copied = 0;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\r' && c != '\n') continue;
      boolean bareCr = c == '\r' && (i + 1 == body.length() || body.charAt(i + 1) != '\n');
      boolean bareLf = c == '\n' && (i == 0 || body.charAt(i - 1) != '\r');
      if (bareCr || bareLf) {
        if (out == null) out = new StringBuilder(body.length() + body.length() / 16 + 16);
        out.append(body, copied, i).append("\r\n");
        copied = i + 1;
      }
    }
    return out == null ? body : out.append(body, copied, body.length()).toString();
  }

  /** What the signer and SMTP need; a failure here is a bug in the builder, not the sender's input. */
  private static void requireWireForm(byte[] bytes) {
    int lineStart = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        if (i == 0 || bytes[i - 1] != '\r') throw new IllegalStateException("built a bare LF at byte " + i);
        if (i - 1 - lineStart > MAX_LINE) throw new IllegalStateException("built a line longer than 998 octets at byte " + lineStart);
        lineStart = i + 1;
      } else if (bytes[i] == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n')) {
        throw new IllegalStateException("built a bare CR at byte " + i);
      }
    }
    if (bytes.length - lineStart > MAX_LINE) throw new IllegalStateException("built a line longer than 998 octets");
  }

  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

  /**
   * The Date header's value, as {@link #DATE} formats it in UTC ("Sun, 6 Dec 2026 17:30:05 +0000"), by hand for the
   * years of four digits: the formatter was 4 % of the send API's build time (JFR profile of bench/mta.sh).
   */
  static String dateHeader(Instant instant) {
    java.time.OffsetDateTime t = instant.atOffset(ZoneOffset.UTC);
    if (t.getYear() < 1000 || t.getYear() > 9999) return DATE.format(t);
    StringBuilder s = new StringBuilder(31).append(DAYS[t.getDayOfWeek().ordinal()]).append(", ").append(t.getDayOfMonth()).append(' ')
        .append(MONTHS[t.getMonthValue() - 1]).append(' ').append(t.getYear()).append(' ');
    two(s, t.getHour()).append(':');
    two(s, t.getMinute()).append(':');
    return two(s, t.getSecond()).append(" +0000").toString();
  }

  private static StringBuilder two(StringBuilder s, int n) {
    return s.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
  }

  private static Session session(boolean utf8) {
    Properties properties = new Properties();
    properties.setProperty("mail.mime.allowutf8", Boolean.toString(utf8));
    return Session.getInstance(properties);
  }
}
