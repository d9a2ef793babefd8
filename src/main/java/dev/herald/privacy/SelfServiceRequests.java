package dev.herald.privacy;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refused;
import dev.herald.platform.SignedLinks;
import dev.herald.platform.SystemMail;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Requests a person makes themselves on an organization's hosted page: a copy of their data (access) or its erasure.
 * Identity is proven by a signed link mailed to the address, valid {@link #LINK_VALIDITY}; only confirming it opens the
 * request. The form's answer and the mail are the same whether the organization holds the address or not, so neither
 * the page nor the mail tells anything about it; data leaves only through the verified link (the archive's download
 * link is signed too). Rate limited per network and per address (the address kept only as an HMAC under an
 * installation key, and for a day).
 */
@Component
class SelfServiceRequests {
  static final Duration LINK_VALIDITY = Duration.ofHours(24);
  static final int PER_NETWORK = 10;
  static final Duration NETWORK_WINDOW = Duration.ofMinutes(10);
  static final int PER_ADDRESS = 3;
  static final Duration ADDRESS_WINDOW = Duration.ofHours(24);
  static final List<RequestType> OFFERED = List.of(RequestType.ACCESS, RequestType.ERASURE);
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private final JdbcClient jdbc;
  private final Clock clock;
  private final SignedLinks links;
  private final SystemMail mail;
  private final HeraldProperties properties;
  private final AddressMacs macs;
  private final DataSubjectRequests requests;
  private final RequestCompletion completion;
  private final Archives archives;
  private final ArchiveLinks archiveLinks;
  private final SecureRandom random = new SecureRandom();

  SelfServiceRequests(JdbcClient jdbc, Clock clock, SignedLinks links, SystemMail mail, HeraldProperties properties, AddressMacs macs,
      DataSubjectRequests requests, RequestCompletion completion, Archives archives, ArchiveLinks archiveLinks) {
    this.archives = archives;
    this.archiveLinks = archiveLinks;
    this.jdbc = jdbc;
    this.clock = clock;
    this.links = links;
    this.mail = mail;
    this.properties = properties;
    this.macs = macs;
    this.requests = requests;
    this.completion = completion;
  }

  /** Counts an attempt from this network; false when it is over {@link #PER_NETWORK} in {@link #NETWORK_WINDOW}. */
  @Transactional
  boolean allowNetwork(String ip) {
    Instant now = clock.instant();
    forgetOldAttempts(now);
    jdbc.sql("insert into privacy_self_service_attempt (ip, attempted_at) values (?, ?)").params(ip, Timestamp.from(now)).update();
    return jdbc.sql("select count(*) from privacy_self_service_attempt where ip = ? and attempted_at > ?")
        .params(ip, Timestamp.from(now.minus(NETWORK_WINDOW))).query(Integer.class).single() <= PER_NETWORK;
  }

  /**
   * Mails the confirmation link for {@code type} to the address, unless the address had {@link #PER_ADDRESS} of them in
   * {@link #ADDRESS_WINDOW} (then nothing is sent, and the caller answers the same). Refuses only what the visitor typed
   * wrong: the kind, or an address that is not one.
   */
  @Transactional
  void ask(long organizationId, String organizationName, RequestType type, String address) {
    if (type == null || !OFFERED.contains(type)) throw Refused.invalid("type", "Choose a copy of your data or its erasure.");
    EmailAddress parsed = switch (EmailAddress.parse(address)) {
      case EmailAddress.Valid v -> v.address();
      case EmailAddress.Invalid i -> throw Refused.invalid("email", "Not a valid email address: " + i.reason() + ".");
    };
    Instant now = clock.instant();
    forgetOldAttempts(now);
    String mac = macs.of(organizationId, parsed.key());
    // Not locked: two concurrent asks for one address may both pass the count, one mail over the limit at most.
    int recent = jdbc.sql("select count(*) from privacy_self_service_attempt where address_mac = ? and attempted_at > ?")
        .params(mac, Timestamp.from(now.minus(ADDRESS_WINDOW))).query(Integer.class).single();
    if (recent >= PER_ADDRESS) return;
    jdbc.sql("insert into privacy_self_service_attempt (address_mac, attempted_at) values (?, ?)").params(mac, Timestamp.from(now)).update();
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    String token = links.sign("privacy-request", LINK_VALIDITY, Long.toString(organizationId), type.text(),
        B64.encodeToString(parsed.address().getBytes(StandardCharsets.UTF_8)), B64.encodeToString(nonce));
    String what = type == RequestType.ACCESS ? "a copy of the personal data " + organizationName + " holds about you"
        : "the erasure of the personal data " + organizationName + " holds about you";
    mail.send(new SystemMail.SystemMessage(parsed.address(), "Confirm your request to " + oneLine(organizationName),
        "Someone, hopefully you, asked for " + what + ".\n\n"
            + "Confirm the request here (the link works for " + LINK_VALIDITY.toHours() + " hours):\n"
            + properties.publicLink("/p/privacy/confirm?token=" + token) + "\n\n"
            + "If you did not ask for this, ignore this message: nothing will happen.",
        "privacy_request"));
  }

  /** What a valid confirmation link asks for. */
  record Pending(long organizationId, RequestType type, String address, String nonce) {}

  Optional<Pending> pending(String token) {
    return links.verify("privacy-request", token).flatMap(SelfServiceRequests::pendingOf);
  }

  boolean expired(String token) {
    return links.expired("privacy-request", token).isPresent();
  }

  private static Optional<Pending> pendingOf(List<String> v) {
    if (v.size() != 4) return Optional.empty();
    try {
      return Optional.of(new Pending(Long.parseLong(v.get(0)), dev.herald.platform.TextEnum.fromText(RequestType.class, v.get(1)),
          new String(B64D.decode(v.get(2)), StandardCharsets.UTF_8), v.get(3)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The request a confirmed link opened, and (for a completed access request) the signed link to its archive. */
  record Confirmed(DataSubjectRequests.Request request, String archiveLink) {}

  /**
   * Opens the request the link asks for (once: the same link again finds it), then completes it at once when the
   * organization chose so. An access archive is then offered through a signed link, valid as long as the archive (and
   * mailed too, by the completion).
   */
  @Transactional
  Confirmed confirm(Pending p) {
    boolean fresh = jdbc.sql("select count(*) from privacy_request where verification = ?").param(p.nonce()).query(Integer.class).single() == 0;
    DataSubjectRequests.Request r = requests.open(p.organizationId(), p.type(), p.address(), RequestChannel.SELF_SERVICE,
        Actors.SELF_SERVICE, null, p.nonce());
    if (fresh) {
      requests.step(r.id(), RequestAction.VERIFIED, Actors.SELF_SERVICE, "the address was proven by the link mailed to it");
      if (requests.selfServiceCompletes(p.organizationId())) {
        r = completion.complete(p.organizationId(), r.id(), Actors.SELF_SERVICE, "completed at once, as the organization chose",
            RequestCompletion.Rectification.NONE);
      }
    }
    String archive = r.type() == RequestType.ACCESS && r.status() == RequestStatus.COMPLETED ? archiveLink(p.organizationId(), r.id()) : null;
    return new Confirmed(r, archive);
  }

  /** The signed link to the request's archive while it lasts (the one the completion mailed), or null. */
  private String archiveLink(long organizationId, long requestId) {
    return archives.available(organizationId, requestId).map(a -> archiveLinks.link(organizationId, requestId, a.expiresAt())).orElse(null);
  }

  private void forgetOldAttempts(Instant now) {
    // Nothing older than the longest window is read again.
    jdbc.sql("delete from privacy_self_service_attempt where attempted_at <= ?").param(Timestamp.from(now.minus(ADDRESS_WINDOW))).update();
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n\\t]+", " ").strip();
  }
}
