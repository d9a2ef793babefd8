package dev.herald.feedback;

import dev.herald.mail.EmailAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * One inbound message (from the SMTP listener or a mailbox), parsed ({@link FeedbackParser}) and acted on
 * ({@link FeedbackActions}). Whom it is about comes from Herald's signed return path: the envelope recipient the
 * listener accepted, or the one found in the returned headers; the message's own claims never choose an organization.
 * A mailbox's message without one is about its own organization, by the reported address.
 */
@Component
class InboundFeedback {
  private final Attributions attributions;
  private final FeedbackActions actions;

  InboundFeedback(Attributions attributions, FeedbackActions actions) {
    this.attributions = attributions;
    this.actions = actions;
  }

  /** What one message came to: the parsed kind and what each of its reports did (empty: nothing to act on). */
  record Processed(ParsedFeedback.Kind kind, List<FeedbackActions.Acted> acted, int repeated) {}

  /**
   * @param envelopeRecipient the bounce address the listener accepted it for, or null (a mailbox)
   * @param mailboxOrganization the organization of the mailbox it was found in, or null (the listener)
   */
  Processed process(byte[] raw, String envelopeRecipient, Long mailboxOrganization, FeedbackSource source) {
    ParsedFeedback parsed = FeedbackParser.parse(raw);
    if ((envelopeRecipient != null && attributions.namesForward(envelopeRecipient))
        || parsed.originalReturnPath().filter(attributions::namesForward).isPresent()) {
      // About a campaign forwarded to a friend: recorded nowhere, so the friend's address is kept nowhere.
      return new Processed(parsed.kind(), List.of(), 0);
    }
    Optional<Attributions.Attribution> attribution = Optional.ofNullable(envelopeRecipient).flatMap(attributions::ofAddress)
        .or(() -> parsed.originalReturnPath().flatMap(attributions::ofAddress))
        .filter(a -> mailboxOrganization == null || a.organizationId() == mailboxOrganization);
    List<FeedbackActions.Acted> acted = new ArrayList<>();
    int repeated = 0;
    String type = parsed.feedbackType().orElse("");
    if (attribution.isPresent()) {
      Attributions.Attribution a = attribution.get();
      Optional<FeedbackVerdict> verdict = about(parsed, a.address());
      if (verdict.isPresent()) {
        FeedbackVerdict v = verdict.get();
        var done = actions.act(new FeedbackActions.Report(a.organizationId(), SynchronousBounces.dedupeKey(a.recipientId(), v.feedbackClass()),
            source, v, a.address(), a, type));
        if (done.isPresent()) acted.add(done.get());
        else repeated++;
      }
    } else if (mailboxOrganization != null) {
      String original = parsed.originalMessageId().orElseGet(() -> sha256(raw));
      for (FeedbackVerdict v : parsed.recipients()) {
        if (FeedbackActions.valid(v.recipient()).isEmpty()) continue;
        String key = "address:" + FeedbackActions.valid(v.recipient()).map(EmailAddress::key).orElseThrow() + ":" + v.feedbackClass().text()
            + ":" + FeedbackActions.clip(original, 200);
        var done = actions.act(new FeedbackActions.Report(mailboxOrganization, key, source, v, v.recipient(), null, type));
        if (done.isPresent()) acted.add(done.get());
        else repeated++;
      }
    }
    return new Processed(parsed.kind(), acted, repeated);
  }

  /**
   * The verdict about Herald's recipient: the one naming its address, else the only or first one (a forwarded mailbox
   * reports another address; the signed return path is what counts). A mailed unsubscribe request names nobody.
   */
  static Optional<FeedbackVerdict> about(ParsedFeedback parsed, String address) {
    List<FeedbackVerdict> all = parsed.recipients();
    String wanted = address.toLowerCase(Locale.ROOT);
    return all.stream().filter(v -> v.recipient() != null && v.recipient().toLowerCase(Locale.ROOT).equals(wanted)).findFirst()
        .or(() -> all.stream().findFirst());
  }

  static String sha256(byte[] raw) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
