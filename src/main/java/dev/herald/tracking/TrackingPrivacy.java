package dev.herald.tracking;

import dev.herald.platform.TextEnum;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * An organization's privacy settings for tracking, and a campaign's own that win over them. Without any: anonymous
 * counts and no IP address ({@link #DEFAULT}), privacy first; an organization that wants segments on engagement turns
 * on {@link TrackingMode#IDENTIFIED}. A reader whose browser sends Do Not Track or Global Privacy Control is recorded
 * anonymously whatever the setting (the count stays right, nothing ties it to them).
 */
@Service
class TrackingPrivacy {
  static final Setting DEFAULT = new Setting(TrackingMode.ANONYMOUS, IpStorage.NONE);

  /** One setting; {@code campaign} says whether it is a campaign's own. */
  record Setting(TrackingMode mode, IpStorage ip) {}

  /** The settings of some organizations, as the writer applies them. */
  record Settings(Map<Long, Setting> organizations, Map<Long, Setting> campaigns) {
    Setting effective(long organizationId, Long campaignId) {
      Setting own = campaignId == null ? null : campaigns.get(campaignId);
      if (own != null) return own;
      return organizations.getOrDefault(organizationId, DEFAULT);
    }
  }

  private final JdbcClient jdbc;
  private final dev.herald.campaigns.Campaigns campaigns;

  TrackingPrivacy(JdbcClient jdbc, dev.herald.campaigns.Campaigns campaigns) {
    this.jdbc = jdbc;
    this.campaigns = campaigns;
  }

  /** The organization's setting, from what a form or client sent; a refusal names the field that is not one of the texts. */
  @Transactional
  void saveOrganization(long organizationId, String mode, String ip) {
    save(organizationId, 0, parse(mode, ip));
  }

  /** A campaign's own setting; the campaign must be the organization's. */
  @Transactional
  void saveCampaign(long organizationId, long campaignId, String mode, String ip) {
    if (campaigns.find(organizationId, campaignId).isEmpty()) throw dev.herald.platform.Refused.invalid("campaign", "Choose a campaign.");
    save(organizationId, campaignId, parse(mode, ip));
  }

  private static Setting parse(String mode, String ip) {
    TrackingMode m = TextEnum.parse(TrackingMode.class, "mode", mode);
    IpStorage i = TextEnum.parse(IpStorage.class, "ip", ip);
    if (m == null) throw dev.herald.platform.Refused.invalid("mode", "Choose what opens and clicks say about who.");
    if (i == null) throw dev.herald.platform.Refused.invalid("ip", "Choose what is kept of IP addresses.");
    return new Setting(m, i);
  }

  Settings of(Collection<Long> organizationIds) {
    Map<Long, Setting> organizations = new HashMap<>();
    Map<Long, Setting> campaigns = new HashMap<>();
    if (organizationIds.isEmpty()) return new Settings(organizations, campaigns);
    jdbc.sql("select organization_id, campaign_id, mode, ip from tracking_privacy where organization_id = any (?)")
        .param(organizationIds.toArray(Long[]::new))
        .query(rs -> {
          Setting s = new Setting(TextEnum.fromText(TrackingMode.class, rs.getString(3)), TextEnum.fromText(IpStorage.class, rs.getString(4)));
          if (rs.getLong(2) == 0) organizations.put(rs.getLong(1), s);
          else campaigns.put(rs.getLong(2), s);
        });
    return new Settings(organizations, campaigns);
  }

  Setting organization(long organizationId) {
    return own(organizationId, 0).orElse(DEFAULT);
  }

  /** A campaign's own setting, if it has one. */
  Optional<Setting> campaign(long organizationId, long campaignId) {
    return own(organizationId, campaignId);
  }

  /** The campaigns of the organization with a setting of their own. */
  Map<Long, Setting> campaigns(long organizationId) {
    Map<Long, Setting> out = new java.util.LinkedHashMap<>();
    jdbc.sql("select campaign_id, mode, ip from tracking_privacy where organization_id = ? and campaign_id <> 0 order by campaign_id desc")
        .param(organizationId)
        .query(rs -> {
          out.put(rs.getLong(1), new Setting(TextEnum.fromText(TrackingMode.class, rs.getString(2)), TextEnum.fromText(IpStorage.class,
              rs.getString(3))));
        });
    return out;
  }

  @Transactional
  void save(long organizationId, long campaignId, Setting setting) {
    jdbc.sql("""
        insert into tracking_privacy (organization_id, campaign_id, mode, ip) values (?, ?, ?, ?)
        on conflict (organization_id, campaign_id) do update set mode = excluded.mode, ip = excluded.ip, updated_at = now()""")
        .params(organizationId, campaignId, setting.mode().text(), setting.ip().text()).update();
  }

  /** A campaign back on the organization's setting; not found when the organization gave it none. */
  @Transactional
  void clear(long organizationId, long campaignId) {
    int removed = jdbc.sql("delete from tracking_privacy where organization_id = ? and campaign_id = ? and campaign_id <> 0")
        .params(organizationId, campaignId).update();
    if (removed == 0) throw dev.herald.platform.Refused.notFound("Campaign setting");
  }

  private Optional<Setting> own(long organizationId, long campaignId) {
    return jdbc.sql("select mode, ip from tracking_privacy where organization_id = ? and campaign_id = ?").params(organizationId, campaignId)
        .query((rs, i) -> new Setting(TextEnum.fromText(TrackingMode.class, rs.getString(1)), TextEnum.fromText(IpStorage.class,
            rs.getString(2))))
        .optional();
  }

  /** The address as the setting keeps it: nothing, its network (/24, /48), or whole; null when nothing is kept. */
  static String keep(IpStorage storage, String ip) {
    if (ip == null || ip.isBlank() || storage == IpStorage.NONE) return null;
    java.net.InetAddress address;
    try {
      address = java.net.InetAddress.ofLiteral(ip.strip());
    } catch (IllegalArgumentException notAnAddress) {
      return null;
    }
    if (storage == IpStorage.FULL) return address.getHostAddress();
    byte[] bytes = address.getAddress();
    int keep = bytes.length == 4 ? 3 : 6;
    for (int i = keep; i < bytes.length; i++) bytes[i] = 0;
    try {
      return java.net.InetAddress.getByAddress(bytes).getHostAddress();
    } catch (java.net.UnknownHostException impossible) {
      return null;
    }
  }
}
