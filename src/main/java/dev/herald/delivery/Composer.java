package dev.herald.delivery;

import dev.herald.domains.SendingDomains;
import dev.herald.mail.EmailAddress;
import dev.herald.messages.LinkTracking;
import dev.herald.messages.MessageBuilder;
import dev.herald.messages.OutgoingMessage;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * Checks a {@link SendRequest} and builds its message, before any row is written: the sender on a verified domain,
 * each address (refusals name the field and index, {@code to[1]}), bodies, headers (the builder refuses line breaks),
 * attachments and the size cap, tags and metadata. The first problem refuses the message.
 */
@Component
class Composer {
  static final int MAX_RECIPIENTS = 1_000;
  static final int MAX_TAGS = 10;
  static final int MAX_METADATA = 10_000;
  private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

  /** One envelope recipient: Bcc included, each address once. */
  record Recipient(RecipientKind kind, EmailAddress address) {}

  /**
   * A message ready to queue; {@code links} are its tracked URLs, link number i + 1 at index i, stored once with the
   * message (the recipient's tokens go in at delivery, {@link StoredMessageSource}).
   */
  record Composed(long sendingDomainId, String from, String subject, Instant date, OutgoingMessage message,
      List<Recipient> recipients, List<String> tags, String metadata, boolean trackOpens, boolean trackClicks, List<String> links) {}

  private final SendingDomains domains;
  private final Clock clock;
  private final ObjectMapper json;
  private final long maxSize;

  Composer(SendingDomains domains, Clock clock, ObjectMapper json, HeraldProperties properties) {
    this.domains = domains;
    this.clock = clock;
    this.json = json;
    this.maxSize = properties.sending().maxMessageSize().toBytes();
  }

  /**
   * What the messages of one request share, looked up once for the request instead of once per message: the sender's
   * verified domain (with its keys: two queries) and its tracking host (one more). A batch of 1,000 messages from one
   * domain asked the database 2,000 times for the same answer (measured in bench/mta.sh's profile: per-message
   * round trips on the request thread and in PostgreSQL). One request is one moment: a domain unverified while a
   * batch is being composed is caught by the next request, as it would be had the batch arrived a moment earlier.
   */
  static final class Lookups {
    private final Map<String, Optional<SendingDomains.VerifiedDomain>> verified = new HashMap<>();
    private final Map<Long, String> trackingHosts = new HashMap<>();
  }

  Composed compose(long organizationId, SendRequest request) {
    return compose(organizationId, request, new Lookups());
  }

  Composed compose(long organizationId, SendRequest request, Lookups lookups) {
    if (request == null) throw Refused.invalid("from", "Send a message object.");
    EmailAddress from = address("from", request.from());
    SendingDomains.VerifiedDomain domain = lookups.verified
        .computeIfAbsent(from.asciiDomain().toLowerCase(Locale.ROOT), d -> domains.verifiedDomainFor(organizationId, from.address()))
        .orElseThrow(() -> Refused.invalid("from", "The from address must be on a verified sending domain of this organization; "
            + from.domain() + " is not."));
    List<Recipient> recipients = recipients(request);
    if (request.text() == null && request.html() == null) throw Refused.invalid("text", "A message needs text, html or both.");
    List<Attachment> attachments = attachments(request.attachments());
    requireSize(request, attachments);
    List<String> tags = tags(request.tags());
    String metadata = metadata(request.metadata());

    Instant date = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    MessageBuilder builder = new MessageBuilder().from(from.address(), request.fromName()).date(date);
    for (Recipient r : recipients) {
      switch (r.kind()) {
        case TO -> builder.to(r.address().address(), null);
        case CC -> builder.cc(r.address().address(), null);
        case BCC -> { } // in the envelope only
      }
    }
    if (recipients.stream().allMatch(r -> r.kind() == RecipientKind.BCC)) builder.undisclosedRecipients();
    if (request.replyTo() != null) builder.replyTo(address("replyTo", request.replyTo()).address(), null);
    String subject = request.subject() == null ? "" : request.subject();
    builder.subject(subject);
    if (request.text() != null) builder.text(request.text());
    boolean trackOpens = Boolean.TRUE.equals(request.trackOpens());
    boolean trackClicks = Boolean.TRUE.equals(request.trackClicks());
    List<String> links = List.of();
    if (request.html() != null && (trackOpens || trackClicks)) {
      // The API has no unsubscribe link of Herald's own to spare; a sender's own is skipped with data-herald-track="off".
      LinkTracking.Rewritten tracked = LinkTracking.rewrite(request.html(),
          lookups.trackingHosts.computeIfAbsent(domain.id(), id -> domains.trackingHost(domain)), trackOpens, trackClicks, Set.of());
      builder.html(tracked.html());
      links = tracked.links();
    } else if (request.html() != null) {
      builder.html(request.html());
    }
    if (request.headers() != null) request.headers().forEach(builder::header);
    for (Attachment a : attachments) builder.attachment(a.filename(), a.contentType(), a.bytes());
    return new Composed(domain.id(), from.address(), subject, date, builder.build(), recipients, tags, metadata, trackOpens, trackClicks,
        links);
  }

  private static EmailAddress address(String field, String value) {
    return switch (EmailAddress.parse(value)) {
      case EmailAddress.Valid valid -> valid.address();
      case EmailAddress.Invalid invalid -> throw Refused.invalid(field, "Not a valid address: " + invalid.reason() + ".");
    };
  }

  /** To, Cc and Bcc in that order, each address once (the first field that names it wins). */
  private static List<Recipient> recipients(SendRequest request) {
    Map<String, Recipient> unique = new LinkedHashMap<>();
    add(unique, "to", RecipientKind.TO, request.to());
    add(unique, "cc", RecipientKind.CC, request.cc());
    add(unique, "bcc", RecipientKind.BCC, request.bcc());
    if (unique.isEmpty()) throw Refused.invalid("to", "A message needs at least one recipient in to, cc or bcc.");
    if (unique.size() > MAX_RECIPIENTS) throw Refused.invalid("to", "A message has at most " + MAX_RECIPIENTS + " recipients.");
    return List.copyOf(unique.values());
  }

  private static void add(Map<String, Recipient> unique, String field, RecipientKind kind, List<String> addresses) {
    if (addresses == null) return;
    for (int i = 0; i < addresses.size(); i++) {
      EmailAddress address = address(field + "[" + i + "]", addresses.get(i));
      unique.putIfAbsent(address.key(), new Recipient(kind, address));
    }
  }

  private record Attachment(String filename, String contentType, byte[] bytes) {}

  private static List<Attachment> attachments(List<SendRequest.Attachment> given) {
    if (given == null) return List.of();
    List<Attachment> out = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      String field = "attachments[" + i + "]";
      SendRequest.Attachment a = given.get(i);
      if (a == null) throw Refused.invalid(field, "An attachment is an object with filename, contentType and content.");
      if (a.content() == null) throw Refused.invalid(field + ".content", "An attachment needs its content in base64.");
      byte[] bytes;
      try {
        // line breaks allowed (MIME's base64 has them); the MIME decoder would also skip every other stray character
        bytes = Base64.getDecoder().decode(WHITESPACE.matcher(a.content()).replaceAll(""));
      } catch (IllegalArgumentException e) {
        throw Refused.invalid(field + ".content", "The content is not valid base64.");
      }
      out.add(new Attachment(a.filename(), a.contentType() == null ? "application/octet-stream" : a.contentType(), bytes));
    }
    return out;
  }

  private void requireSize(SendRequest request, List<Attachment> attachments) {
    long size = length(request.text()) + length(request.html());
    for (Attachment a : attachments) size += a.bytes().length;
    if (size > maxSize) {
      throw Refused.invalid(attachments.isEmpty() ? "html" : "attachments", "The message is larger than the limit of " + maxSize
          + " bytes (text, HTML and attachments together).");
    }
  }

  private static long length(String s) {
    return s == null ? 0 : s.length();
  }

  private static List<String> tags(List<String> given) {
    if (given == null) return List.of();
    if (given.size() > MAX_TAGS) throw Refused.invalid("tags", "A message has at most " + MAX_TAGS + " tags.");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      String field = "tags[" + i + "]";
      String tag = given.get(i) == null ? "" : Text.requireOneLine(field, given.get(i)).trim();
      if (tag.isEmpty() || tag.length() > 100) throw Refused.invalid(field, "A tag is 1 to 100 characters.");
      if (!out.contains(tag)) out.add(tag);
    }
    return out;
  }

  private String metadata(Map<String, Object> given) {
    if (given == null) return "{}";
    String text = json.writeValueAsString(given);
    if (text.length() > MAX_METADATA) throw Refused.invalid("metadata", "metadata is at most " + MAX_METADATA + " characters of JSON.");
    // PostgreSQL's jsonb refuses JSON's escape for NUL (the only control it cannot hold).
    if (text.contains("\\u0000")) throw Refused.invalid("metadata", "metadata holds a NUL character, which cannot be stored.");
    return text;
  }
}
