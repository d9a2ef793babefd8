package dev.herald.privacy;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.tenancy.AuditLog;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the public privacy page says about the installation itself, set by the operator at run time: where the data is
 * stored (a region or country, in the operator's words) and whom to contact about privacy (an address, a name, a
 * postal address).
 */
@Service
class TransparencySettings {
  static final int MAX_REGION = 200;
  static final int MAX_CONTACT = 2000;
  private final JdbcClient jdbc;
  private final AuditLog audit;

  TransparencySettings(JdbcClient jdbc, AuditLog audit) {
    this.jdbc = jdbc;
    this.audit = audit;
  }

  record Values(String region, String contact) {}

  Values get() {
    return jdbc.sql("select region, contact from privacy_setting").query(Values.class).optional().orElse(new Values("", ""));
  }

  @Transactional
  Values save(String region, String contact) {
    String r = Text.requireOneLine("region", region == null ? "" : region).strip();
    if (r.length() > MAX_REGION) throw Refused.invalid("region", "At most " + MAX_REGION + " characters.");
    String c = Text.requireNoControls("contact", contact == null ? "" : contact).strip();
    if (c.length() > MAX_CONTACT) throw Refused.invalid("contact", "At most " + MAX_CONTACT + " characters.");
    jdbc.sql("""
        insert into privacy_setting (id, region, contact) values (true, ?, ?)
        on conflict (id) do update set region = excluded.region, contact = excluded.contact, updated_at = now()""").params(r, c).update();
    audit.record(null, "privacy_page.changed", "privacy_setting", null, "region=" + r);
    return new Values(r, c);
  }
}
