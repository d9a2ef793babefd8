package dev.herald.privacy;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.tenancy.AuditLog;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The sub-processors the operator lists (the other companies that process personal data for this installation: hosting,
 * backups, a smarthost), shown on the public privacy page and written into every data-subject access archive as the
 * recipients of the person's data ({@link #list()}).
 */
@Service
public class SubProcessors {
  static final int MAX_FIELD = 200;
  static final int MAX_URL = 2000;
  private final JdbcClient jdbc;
  private final AuditLog audit;

  SubProcessors(JdbcClient jdbc, AuditLog audit) {
    this.jdbc = jdbc;
    this.audit = audit;
  }

  /** One sub-processor: who, for what, where the data is processed, and a link to its own terms (may be empty). */
  public record SubProcessor(long id, String name, String purpose, String location, String url) {}

  /** Every sub-processor, by name: what the privacy page and the access archive show. */
  public List<SubProcessor> list() {
    return jdbc.sql("select id, name, purpose, location, url from privacy_subprocessor order by lower(name), id")
        .query(SubProcessor.class).list();
  }

  @Transactional
  SubProcessor add(String name, String purpose, String location, String url) {
    String n = line("name", name, "Name the sub-processor.");
    String p = line("purpose", purpose, "Say what it does with personal data.");
    String l = line("location", location, "Say where it processes the data (a country or region).");
    String u = link(url);
    long id = jdbc.sql("insert into privacy_subprocessor (name, purpose, location, url) values (?, ?, ?, ?) returning id")
        .params(n, p, l, u).query(Long.class).single();
    audit.record(null, "subprocessor.added", "privacy_subprocessor", id, n);
    return new SubProcessor(id, n, p, l, u);
  }

  @Transactional
  boolean remove(long id) {
    String name = jdbc.sql("delete from privacy_subprocessor where id = ? returning name").param(id).query(String.class).optional()
        .orElse(null);
    if (name != null) audit.record(null, "subprocessor.removed", "privacy_subprocessor", id, name);
    return name != null;
  }

  private static String line(String field, String value, String missing) {
    String v = Text.requireOneLine(field, value == null ? "" : value).strip();
    if (v.isEmpty()) throw Refused.invalid(field, missing);
    if (v.length() > MAX_FIELD) throw Refused.invalid(field, "At most " + MAX_FIELD + " characters.");
    return v;
  }

  /** Empty, or an absolute http(s) address: the public page links to it, so nothing else (javascript:, data:) is taken. */
  static String link(String url) {
    String v = Text.requireOneLine("url", url == null ? "" : url).strip();
    if (v.isEmpty()) return "";
    if (v.length() > MAX_URL) throw Refused.invalid("url", "At most " + MAX_URL + " characters.");
    try {
      URI uri = new URI(v);
      if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null) return v;
    } catch (URISyntaxException e) {
      // refused below
    }
    throw Refused.invalid("url", "Give an address starting with https:// (or http://).");
  }
}
