package dev.herald.privacy;

import dev.herald.platform.Dates;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SignedLinks;
import dev.herald.platform.SystemMail;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The link through which a person downloads the archive of their own access request, without an account: on the
 * public origin, signed (HMAC under the installation's key, {@link SignedLinks}) for the organization and the request,
 * and expiring with the archive itself ({@link Archives#VALIDITY}), so the link never outlives what it points to nor
 * the other way round. Mailed to the person when a self-service request completes, whoever completes it (the
 * organization's member, or the request itself when the organization chose so): the address was proven by the
 * confirmation link, so the mail goes where the request came from.
 *
 * <p>Mailed as Herald's own mail, which no organization's suppression list or restriction screens: a person whose
 * processing is restricted still gets their own data (GDPR art. 15 is not processing they objected to).
 */
@Component
class ArchiveLinks {
  static final String PURPOSE = "privacy-archive";
  private final SignedLinks links;
  private final HeraldProperties properties;
  private final SystemMail mail;

  ArchiveLinks(SignedLinks links, HeraldProperties properties, SystemMail mail) {
    this.links = links;
    this.properties = properties;
    this.mail = mail;
  }

  /** What a link's token says: the archive it names, or that it is past its time, or that it is not one of ours. */
  sealed interface Verified {}

  record Valid(long organizationId, long requestId) implements Verified {}

  record Expired() implements Verified {}

  record Invalid() implements Verified {}

  /** The download link of the request's archive, valid until the archive expires (the same link on every call). */
  String link(long organizationId, long requestId, Instant expiresAt) {
    return properties.publicLink("/p/privacy/archive?token="
        + links.sign(PURPOSE, expiresAt, Long.toString(organizationId), Long.toString(requestId)));
  }

  Verified verify(String token) {
    List<String> values = links.verify(PURPOSE, token).orElse(null);
    if (values == null) return links.expired(PURPOSE, token).isPresent() ? new Expired() : new Invalid();
    if (values.size() != 2) return new Invalid();
    try {
      return new Valid(Long.parseLong(values.get(0)), Long.parseLong(values.get(1)));
    } catch (NumberFormatException e) {
      return new Invalid();
    }
  }

  /** Mails the person the link to their archive, in the caller's transaction (a completion rolled back mails nothing). */
  void mail(String address, String organizationName, String link, Instant expiresAt) {
    String name = organizationName.replaceAll("[\\r\\n\\t]+", " ").strip();
    mail.send(new SystemMail.SystemMessage(address, "Your personal data from " + name,
        "You asked " + name + " for a copy of the personal data it holds about you. It is ready: one ZIP file with a\n"
            + "readable summary (summary.html) and the same data as JSON and CSV.\n\n"
            + "Download it here, without an account (the link works until " + Dates.time(expiresAt) + ", when the file is deleted):\n"
            + link + "\n\n"
            + "Keep the link to yourself: whoever has it can download your data.",
        "privacy_archive"));
  }
}
