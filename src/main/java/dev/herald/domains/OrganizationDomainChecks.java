package dev.herald.domains;

import dev.herald.platform.TextEnum;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The last DNS checks of an organization's sending domains as stored by the periodic and on-demand checks, for reports
 * (the deliverability panel): read from the database, never looked up again, so a page load asks DNS nothing. One query.
 */
@Component
public class OrganizationDomainChecks {
  private final JdbcClient jdbc;

  OrganizationDomainChecks(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** The last check of one record: its state, what DNS had when it differed, and what the check said. */
  public record Check(RecordState state, String found, String detail, Instant checkedAt) {}

  /**
   * One domain and its records' last checks. {@code spf} is the domain's own SPF, {@code returnPathSpf} the SPF of
   * its return path ({@code bounces.<domain>}, the envelope sender receivers check SPF against), {@code dkim} the
   * checks of the active keys' records (the keys that sign), {@code dmarc} the DMARC policy found by the tree walk.
   * A check is null when the record was never checked. {@code dmarcSpfAligned}: the DMARC check found the return
   * path aligned with the From domain under the policy's SPF alignment (DKIM, signed with d= the From domain, is
   * aligned whenever it passes).
   */
  public record DomainCheck(long id, String name, String unicodeName, boolean verified, Instant checkedAt, Check spf,
      Check returnPathSpf, Check returnPathMx, List<Check> dkim, Check dmarc, boolean dmarcSpfAligned, String returnPath) {}

  /** The organization's domains by name. */
  public List<DomainCheck> of(long organizationId) {
    record Row(long id, String name, String unicodeName, boolean verified, Instant checkedAt) {}
    Map<Long, Row> domains = new LinkedHashMap<>();
    Map<Long, Map<String, Check>> checks = new LinkedHashMap<>();
    Map<Long, List<Check>> dkim = new LinkedHashMap<>();
    jdbc.sql("""
        select d.id, d.name, d.unicode_name, d.verified, d.checked_at, c.record, c.state, c.found, c.detail, c.checked_at, k.status
        from sending_domain d
        left join domain_record_check c on c.domain_id = d.id
        left join dkim_key k on k.domain_id = d.id and c.record = 'dkim:' || k.selector
        where d.organization_id = ? order by d.unicode_name, d.id, c.record""")
        .param(organizationId).query(rs -> {
          long id = rs.getLong(1);
          domains.computeIfAbsent(id, x -> {
            try {
              return new Row(id, rs.getString(2), rs.getString(3), rs.getBoolean(4), instant(rs.getTimestamp(5)));
            } catch (java.sql.SQLException e) {
              throw new IllegalStateException(e);
            }
          });
          String record = rs.getString(6);
          if (record == null) return;
          Check check = new Check(TextEnum.fromText(RecordState.class, rs.getString(7)), rs.getString(8), rs.getString(9),
              instant(rs.getTimestamp(10)));
          if (record.startsWith("dkim:")) {
            if (KeyStatus.ACTIVE.text().equals(rs.getString(11))) dkim.computeIfAbsent(id, x -> new ArrayList<>()).add(check);
          } else {
            checks.computeIfAbsent(id, x -> new LinkedHashMap<>()).put(record, check);
          }
        });
    List<DomainCheck> out = new ArrayList<>();
    for (Row d : domains.values()) {
      Map<String, Check> c = checks.getOrDefault(d.id(), Map.of());
      Check dmarc = c.get("dmarc");
      // DomainChecks.dmarc says "SPF aligned" or "SPF not aligned (...)" in its detail; read back here, in the module that wrote it.
      boolean spfAligned = dmarc != null && dmarc.state() == RecordState.OK && dmarc.detail().contains("; SPF aligned");
      out.add(new DomainCheck(d.id(), d.name(), d.unicodeName(), d.verified(), d.checkedAt(), c.get("spf"), c.get("return_path_spf"),
          c.get("return_path_mx"), dkim.getOrDefault(d.id(), List.of()), dmarc, spfAligned, DnsPlan.returnPath(d.name())));
    }
    return out;
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
