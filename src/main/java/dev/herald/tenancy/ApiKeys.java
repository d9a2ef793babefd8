package dev.herald.tenancy;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.Tokens;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.web.util.matcher.IpAddressMatcher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Organization API keys. A key reads {@code hrld_<prefix>_<secret>}; only the prefix (to tell keys
 * apart) and the SHA-256 of the whole key are stored, so the key is shown exactly once.
 */
@Service
class ApiKeys {
  static final String KEY_START = "hrld_";
  /** last_used_at is written at most this often per key, so busy keys do not write on every call */
  private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);
  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final Clock clock;
  private final Organizations organizations;

  ApiKeys(JdbcClient jdbc, AuditLog audit, Clock clock, Organizations organizations) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.clock = clock;
    this.organizations = organizations;
  }

  record ApiKey(long id, long organizationId, String name, String prefix, List<String> scopes, List<String> ipAllowlist,
      Instant createdAt, Instant lastUsedAt, Instant revokedAt) {}

  record Created(ApiKey key, String secret) {}

  private static final String COLUMNS = "id, organization_id, name, prefix, scopes, ip_allowlist, created_at, last_used_at, revoked_at";

  /** {@code held}: the creator's permissions; a key gets no scope that grants more than its creator holds. */
  @Transactional
  Created create(long orgId, Long createdBy, Set<Permission> held, String name, List<String> scopeCodes, List<String> allowlist) {
    String cleanName = name == null ? "" : Text.requireOneLine("name", name).trim();
    if (cleanName.isEmpty() || cleanName.length() > 100) throw Refused.invalid("name", "Give the key a name of 1 to 100 characters.");
    if (scopeCodes == null || scopeCodes.isEmpty()) throw Refused.invalid("scopes", "Choose at least one scope.");
    Set<String> scopes = new LinkedHashSet<>();
    for (String code : scopeCodes) {
      String c = code.trim();
      if (ApiScope.fromCode(c).isEmpty()) {
        throw Refused.invalid("scopes", "Unknown scope '" + c + "'. Known scopes: "
            + String.join(", ", Arrays.stream(ApiScope.values()).map(ApiScope::code).toList()) + ".");
      }
      scopes.add(c);
    }
    Members.requireHeld(held, ApiScope.permissionsOf(scopes), "scopes", "You can only give a key scopes whose permissions you hold yourself.");
    // A key with account:export can take every subscriber, message and event out of Herald at once: the owners' decision
    // alone, whatever permissions a group may have given someone else (and never a key's or the operator's).
    if (scopes.contains(ApiScope.account_export.code())
        && (createdBy == null || organizations.roleOf(orgId, createdBy).orElse(null) != Role.owner)) {
      throw Refused.invalid("scopes", "Only an owner of the organization can give a key the scope account:export.");
    }
    List<String> cidrs = new ArrayList<>();
    for (String entry : allowlist == null ? List.<String>of() : allowlist) {
      String e = entry.trim();
      if (e.isEmpty()) continue;
      if (!isCidr(e)) throw Refused.invalid("ipAllowlist", "'" + e + "' is not an IP address or CIDR block such as 203.0.113.0/24.");
      cidrs.add(e);
    }
    String prefix = Tokens.newToken().replaceAll("[^A-Za-z0-9]", "").substring(0, 10).toLowerCase(Locale.ROOT);
    String secret = KEY_START + prefix + "_" + Tokens.newToken();
    long id = jdbc.sql("""
        insert into api_key (organization_id, name, prefix, secret_hash, scopes, ip_allowlist, created_by)
        values (?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(orgId, cleanName, prefix, Tokens.hash(secret), scopes.toArray(String[]::new), cidrs.toArray(String[]::new), createdBy)
        .query(Long.class).single();
    audit.record(orgId, "api_key.created", "api_key", id, cleanName + " [" + String.join(", ", scopes) + "]");
    return new Created(find(orgId, id).orElseThrow(), secret);
  }

  List<ApiKey> list(long orgId) {
    return jdbc.sql("select " + COLUMNS + " from api_key where organization_id = ? order by revoked_at nulls first, created_at desc")
        .param(orgId).query(ApiKeys::map).list();
  }

  Optional<ApiKey> find(long orgId, long id) {
    return jdbc.sql("select " + COLUMNS + " from api_key where organization_id = ? and id = ?").params(orgId, id)
        .query(ApiKeys::map).optional();
  }

  /** Revokes a key of this organization; another organization's key id is simply "not found". */
  @Transactional
  boolean revoke(long orgId, long id) {
    int n = jdbc.sql("update api_key set revoked_at = now() where organization_id = ? and id = ? and revoked_at is null")
        .params(orgId, id).update();
    if (n == 1) audit.record(orgId, "api_key.revoked", "api_key", id, null);
    return n == 1 || find(orgId, id).isPresent();
  }

  sealed interface Check {}
  record Valid(ApiKeyPrincipal principal) implements Check {}
  record Invalid(String reason) implements Check {}

  /** Checks a presented key: exists, not revoked, caller's address allowed. */
  Check authenticate(String presented, String remoteAddress) {
    if (presented == null || !presented.startsWith(KEY_START)) return new Invalid("The API key is malformed.");
    String[] parts = presented.substring(KEY_START.length()).split("_", 2);
    if (parts.length != 2) return new Invalid("The API key is malformed.");
    Optional<StoredKey> stored = jdbc.sql("""
        select id, organization_id, prefix, secret_hash, scopes, ip_allowlist, revoked_at, last_used_at
        from api_key where prefix = ?""").param(parts[0])
        .query((rs, n) -> new StoredKey(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
            List.of((String[]) rs.getArray(5).getArray()), List.of((String[]) rs.getArray(6).getArray()),
            rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant(),
            rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant()))
        .optional();
    if (stored.isEmpty() || !Tokens.sameHash(stored.get().secretHash(), Tokens.hash(presented))) {
      return new Invalid("The API key is not valid.");
    }
    StoredKey key = stored.get();
    if (key.revokedAt() != null) return new Invalid("The API key was revoked.");
    if (!key.ipAllowlist().isEmpty() && key.ipAllowlist().stream().noneMatch(c -> new IpAddressMatcher(c).matches(remoteAddress))) {
      return new Invalid("The API key may not be used from " + remoteAddress + ".");
    }
    Instant now = clock.instant();
    if (key.lastUsedAt() == null || key.lastUsedAt().isBefore(now.minus(LAST_USED_RESOLUTION))) {
      jdbc.sql("update api_key set last_used_at = ? where id = ?").params(java.sql.Timestamp.from(now), key.id()).update();
    }
    return new Valid(new ApiKeyPrincipal(key.id(), key.organizationId(), key.prefix(), ApiScope.permissionsOf(key.scopes())));
  }

  private record StoredKey(long id, long organizationId, String prefix, String secretHash, List<String> scopes,
      List<String> ipAllowlist, Instant revokedAt, Instant lastUsedAt) {}

  private static ApiKey map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new ApiKey(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
        List.of((String[]) rs.getArray(5).getArray()), List.of((String[]) rs.getArray(6).getArray()),
        rs.getTimestamp(7).toInstant(), rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant(),
        rs.getTimestamp(9) == null ? null : rs.getTimestamp(9).toInstant());
  }

  static boolean isCidr(String value) {
    String[] parts = value.split("/", 2);
    // Only literal addresses: InetAddress would otherwise resolve a host name through DNS.
    if (!parts[0].matches("[0-9.]+|[0-9a-fA-F:]+")) return false;
    try {
      InetAddress address = InetAddress.getByName(parts[0]);
      if (parts.length == 1) return true;
      int bits = Integer.parseInt(parts[1]);
      return bits >= 0 && bits <= address.getAddress().length * 8;
    } catch (UnknownHostException | NumberFormatException e) {
      return false;
    }
  }
}
