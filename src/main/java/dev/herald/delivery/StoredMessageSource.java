package dev.herald.delivery;

import dev.herald.audiences.SuppressionScreen;
import dev.herald.messages.LinkTracking;
import dev.herald.platform.SqlFragment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The send API's messages: built once when accepted and stored in outbound_message.content, one copy for all
 * recipients. A message with tracking holds placeholders where the tracking tokens go; each recipient's tokens are
 * written over them here, when delivery asks for that recipient's message, not when the message is accepted: the
 * content stays one copy however many recipients there are, and since the tokens are an HMAC of the ids (nothing
 * random, nothing stored), every call for the same recipient gives the same bytes, so a retry sends what was sent
 * before. The placeholders have the tokens' length, so the MIME structure and line lengths do not change
 * ({@link LinkTracking}).
 *
 * <p>Each recipient is screened again when delivery asks for it, as a campaign's are: a message accepted while the
 * person was free may wait in the queue (a paused destination, retries for days) while they get suppressed (a
 * complaint, the organization's own entry) or their processing restricted (GDPR art. 18, which stops every mail to
 * them, the organization's transactional mail included). Such a recipient is answered {@link NotSent} with the reason,
 * which the message page and API show. An erased person's waiting rows never get here: the erasure ends them itself.
 */
@Component
class StoredMessageSource implements MessageSource {
  private final JdbcClient jdbc;
  private final LinkTracking tracking;
  private final SuppressionScreen screen;

  StoredMessageSource(JdbcClient jdbc, LinkTracking tracking, SuppressionScreen screen) {
    this.jdbc = jdbc;
    this.tracking = tracking;
    this.screen = screen;
  }

  @Override
  public MessageSourceKind kind() {
    return MessageSourceKind.API;
  }

  @Override
  public Answer content(Wanted wanted) {
    return contents(List.of(wanted)).get(wanted);
  }

  /** The bytes for one recipient, not screened (for tests comparing what a batch gives). */
  Content content(long messageId, long recipientId) {
    return jdbc.sql("select content, smtputf8, track_opens or track_clicks from outbound_message where id = ? and source = ?")
        .params(messageId, MessageSourceKind.API.text())
        .query((rs, i) -> new Content(rs.getBoolean(3) ? tracking.personalize(rs.getBytes(1), messageId, recipientId) : rs.getBytes(1),
            rs.getBoolean(2)))
        .optional()
        .orElseThrow(() -> new IllegalStateException("No stored message " + messageId));
  }

  /**
   * One query for the batch's messages and one per organization in it (a batch is one destination's, nearly always
   * one organization's) for the recipients that may not be mailed any more; recipients of an untracked message share
   * its one array, those of a tracked one get their own copy with their tokens written in.
   */
  @Override
  public Map<Wanted, Answer> contents(Collection<Wanted> wanted) {
    Map<Long, Content> byMessage = new HashMap<>();
    Map<Long, Long> organizationOf = new HashMap<>();
    Set<Long> tracked = new HashSet<>();
    jdbc.sql("select id, content, smtputf8, track_opens or track_clicks, organization_id from outbound_message where id = any (?) and source = ?")
        .params(wanted.stream().map(Wanted::messageId).distinct().toArray(Long[]::new), MessageSourceKind.API.text())
        .query(rs -> {
          byMessage.put(rs.getLong(1), new Content(rs.getBytes(2), rs.getBoolean(3)));
          if (rs.getBoolean(4)) tracked.add(rs.getLong(1));
          if (rs.getObject(5) != null) organizationOf.put(rs.getLong(1), rs.getLong(5));
        });
    Map<Long, String> stopped = stopped(wanted, organizationOf);
    Map<Wanted, Answer> answers = new HashMap<>();
    for (Wanted w : wanted) {
      Content c = byMessage.get(w.messageId());
      if (c == null) throw new IllegalStateException("No stored message " + w.messageId());
      String stop = stopped.get(w.recipientId());
      if (stop != null) answers.put(w, new NotSent(stop));
      else answers.put(w, tracked.contains(w.messageId())
          ? new Content(tracking.personalize(c.bytes(), w.messageId(), w.recipientId()), c.smtpUtf8()) : c);
    }
    return answers;
  }

  /**
   * Recipient id → why it must not be sent any more ("Not sent: " and the screen's reason), for those the
   * organization's or the installation's suppression lists now hold, and those whose processing is restricted. An
   * objection to marketing does not stop this mail, as at acceptance: it is the organization's
   * transactional mail.
   */
  private Map<Long, String> stopped(Collection<Wanted> wanted, Map<Long, Long> organizationOf) {
    Map<Long, List<Long>> byOrganization = new HashMap<>();
    for (Wanted w : wanted) {
      Long org = organizationOf.get(w.messageId());
      if (org != null) byOrganization.computeIfAbsent(org, k -> new ArrayList<>()).add(w.recipientId());
    }
    Map<Long, String> stopped = new HashMap<>();
    byOrganization.forEach((org, ids) -> {
      SqlFragment refusal = screen.refusalSql(org, "r", "sup_");
      SqlFragment restricted = screen.restrictedSql(org, "r", "rst_", false);
      jdbc.sql("select r.id, 'Not sent: ' || coalesce(" + refusal.sqlOver("r") + ", " + restricted.sqlOver("r") + ")"
              + " from (select id, address_key as email_key from outbound_recipient where id = any (:ids)) r")
          .params(restricted.paramsWith(refusal.paramsWith(Map.of("ids", ids.toArray(Long[]::new)))))
          .query(rs -> {
            if (rs.getString(2) != null) stopped.put(rs.getLong(1), rs.getString(2));
          });
    });
    return stopped;
  }
}
