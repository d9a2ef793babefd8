package dev.herald.feedback;

import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * An organization's recent feedback, newest first, for its panel page and {@code GET .../feedback-events}: what came
 * back, what it was classified as and what Herald did with it. Filtered by class, reason and a piece of the address.
 */
@Service
class FeedbackLog {
  private final JdbcClient jdbc;

  FeedbackLog(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** One stored piece of feedback. {@code messageId} and {@code campaignId} are null when no return path named a message. */
  record Event(long id, Instant occurredAt, FeedbackSource source, FeedbackClass feedbackClass, FeedbackReason reason,
      FeedbackAction action, String address, String status, String replyCode, String diagnostic, String remoteMta,
      String feedbackType, Long messageId, Long campaignId) {}

  /** Blank or null values filter nothing. {@code address} matches any part of the address, without regard to case. */
  record Filter(FeedbackClass feedbackClass, FeedbackReason reason, String address) {
    boolean any() {
      return feedbackClass != null || reason != null || (address != null && !address.isBlank());
    }
  }

  record Page(List<Event> items, long total, int page, int size) {}

  private static final String WHERE = " " + """
       where organization_id = :org
         and (:class = '' or feedback_class = :class)
         and (:reason = '' or reason = :reason)
         and (:address = '' or lower(address) like '%' || :address || '%' escape '\\')""";

  /**
   * Newest first by time, then id, so rows of the same instant keep their order between pages. Offset paging, as the
   * other listings of the panel: a person reads a few pages, where an offset costs little ({@code feedback_event_org_time}).
   */
  Page search(long organizationId, Filter f, int page, int size) {
    String address = f.address() == null ? "" : likeEscape(Text.requireNoControls("address", f.address()).strip().toLowerCase(Locale.ROOT));
    String cls = f.feedbackClass() == null ? "" : f.feedbackClass().text();
    String reason = f.reason() == null ? "" : f.reason().text();
    long total = jdbc.sql("select count(*) from feedback_event" + WHERE)
        .param("org", organizationId).param("class", cls).param("reason", reason).param("address", address)
        .query(Long.class).single();
    List<Event> items = jdbc.sql("""
        select id, occurred_at, source, feedback_class, reason, action, address, status, reply_code, diagnostic, remote_mta, feedback_type,
          message_id, campaign_id from feedback_event""" + WHERE + " order by occurred_at desc, id desc limit :size offset :offset")
        .param("org", organizationId).param("class", cls).param("reason", reason).param("address", address)
        .param("size", size).param("offset", (long) page * size)
        .query(FeedbackLog::event).list();
    return new Page(items, total, page, size);
  }

  private static Event event(ResultSet rs, int i) throws SQLException {
    return new Event(rs.getLong(1), rs.getTimestamp(2).toInstant(), TextEnum.fromText(FeedbackSource.class, rs.getString(3)),
        TextEnum.fromText(FeedbackClass.class, rs.getString(4)),
        // reason has no check constraint (the classifier's names may grow): an unknown one reads as undefined
        TextEnum.find(FeedbackReason.class, rs.getString(5)).orElse(FeedbackReason.UNDEFINED),
        TextEnum.fromText(FeedbackAction.class, rs.getString(6)), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
        rs.getString(11), rs.getString(12), rs.getObject(13, Long.class), rs.getObject(14, Long.class));
  }

  private static String likeEscape(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
