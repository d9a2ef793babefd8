package dev.herald.suppression;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Restrictions of processing (GDPR art. 18) and objections to direct marketing (art. 21) of one person in one
 * organization, by address key. They are not suppression entries: the person stays on their lists and their data is
 * kept; what they stop is read by the senders through audiences' {@link dev.herald.audiences.SuppressionScreen} port
 * ({@code restrictedSql}, {@code unrestrictedSql}, {@code restriction}). A restriction keeps every mail from them and
 * leaves them out of segments and exports; an objection keeps campaigns from them. Privacy's requests call this class.
 */
@Service
public class Restrictions {
  static final int MAX_REASON = 500;

  private final JdbcClient jdbc;
  private final ApplicationEventPublisher events;
  private final AuditLog audit;
  private final Clock clock;

  Restrictions(JdbcClient jdbc, ApplicationEventPublisher events, AuditLog audit, Clock clock) {
    this.jdbc = jdbc;
    this.events = events;
    this.audit = audit;
    this.clock = clock;
  }

  /** One restriction as stored: the address as normalized when it was placed, its kind and reason. */
  public record Restriction(long id, long organizationId, String address, RestrictionKind kind, String reason, Instant createdAt) {}

  /**
   * Restricts processing of the address's data, or records their objection to marketing, in the organization. Calling
   * it again with the same kind changes nothing but the reason (when one is given). A person may have both kinds.
   *
   * @param address as the person or member wrote it; refused (field {@code address}) when it is not an address
   * @param reason why, as recorded (an objection to direct marketing needs none, art. 21(3)); at most
   *     {@value #MAX_REASON} characters
   */
  @Transactional
  public void restrict(long organizationId, String address, RestrictionKind kind, String reason) {
    EmailAddress parsed = parse(address);
    if (kind == null) throw Refused.invalid("kind", "kind is one of " + TextEnum.texts(RestrictionKind.class) + ".");
    String why = reason == null ? "" : Text.requireNoControls("reason", reason).strip();
    if (why.length() > MAX_REASON) throw Refused.invalid("reason", "A reason is at most " + MAX_REASON + " characters.");
    Optional<Long> inserted = jdbc.sql("""
        insert into suppression_restriction (organization_id, address, address_key, kind, reason) values (?, ?, ?, ?, ?)
        on conflict (organization_id, address_key, kind) do nothing returning id""")
        .params(organizationId, parsed.address(), parsed.key(), kind.text(), why).query(Long.class).optional();
    if (inserted.isPresent()) {
      events.publishEvent(new SuppressionEvents.RestrictionAdded(organizationId, inserted.get(), parsed.address(), kind, why, clock.instant()));
      // never the address: erasing the person must leave no copy of it in the audit log
      audit.record(organizationId, "suppression.restricted", "suppression_restriction", inserted.get(), kind.text());
    } else if (!why.isEmpty()) {
      jdbc.sql("update suppression_restriction set reason = ? where organization_id = ? and address_key = ? and kind = ?")
          .params(why, organizationId, parsed.key(), kind.text()).update();
    }
  }

  /** Lifts the restriction or objection of the address; false when it had none of that kind. */
  @Transactional
  public boolean lift(long organizationId, String address, RestrictionKind kind) {
    EmailAddress parsed = parse(address);
    if (kind == null) throw Refused.invalid("kind", "kind is one of " + TextEnum.texts(RestrictionKind.class) + ".");
    Optional<Restriction> lifted = jdbc.sql("""
        delete from suppression_restriction where organization_id = ? and address_key = ? and kind = ?
        returning id, organization_id, address, kind, reason, created_at""")
        .params(organizationId, parsed.key(), kind.text()).query((rs, n) -> restriction(rs)).optional();
    lifted.ifPresent(r -> {
      events.publishEvent(new SuppressionEvents.RestrictionLifted(organizationId, r.id(), r.address(), kind, clock.instant()));
      audit.record(organizationId, "suppression.restriction_lifted", "suppression_restriction", r.id(), kind.text());
    });
    return lifted.isPresent();
  }

  /**
   * What holds for the address in the organization: {@link RestrictionKind#RESTRICTION} when processing is restricted
   * (whether or not they also objected), {@link RestrictionKind#OBJECTION} when they only objected to marketing, empty
   * when neither (or when the text is no address at all).
   */
  public Optional<RestrictionKind> of(long organizationId, String address) {
    if (!(EmailAddress.parse(address) instanceof EmailAddress.Valid valid)) return Optional.empty();
    List<RestrictionKind> kinds = jdbc.sql("select kind from suppression_restriction where organization_id = ? and address_key = ?")
        .params(organizationId, valid.address().key()).query((rs, n) -> TextEnum.fromText(RestrictionKind.class, rs.getString(1)))
        .list();
    return kinds.contains(RestrictionKind.RESTRICTION) ? Optional.of(RestrictionKind.RESTRICTION) : kinds.stream().findFirst();
  }

  /** Every restriction of the address in the organization (none, one, or both kinds), with their reasons. */
  public List<Restriction> all(long organizationId, String address) {
    if (!(EmailAddress.parse(address) instanceof EmailAddress.Valid valid)) return List.of();
    return jdbc.sql("""
        select id, organization_id, address, kind, reason, created_at from suppression_restriction
        where organization_id = ? and address_key = ? order by kind""")
        .params(organizationId, valid.address().key()).query((rs, n) -> restriction(rs)).list();
  }

  private static EmailAddress parse(String address) {
    return switch (EmailAddress.parse(address)) {
      case EmailAddress.Valid v -> v.address();
      case EmailAddress.Invalid i -> throw Refused.invalid("address", "Not a valid email address: " + i.reason() + ".");
    };
  }

  private static Restriction restriction(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Restriction(rs.getLong("id"), rs.getLong("organization_id"), rs.getString("address"),
        TextEnum.fromText(RestrictionKind.class, rs.getString("kind")), rs.getString("reason"), rs.getTimestamp("created_at").toInstant());
  }
}
