package dev.herald.delivery;

import dev.herald.domains.SendingDomains;
import dev.herald.messages.DkimKey;
import dev.herald.messages.DkimSigner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DKIM signer of each sending domain, kept for {@link #KEEP}: the worker signs every message with its domain's
 * active keys, and asking for them (and decrypting them) per message would cost a query and a key parse each. A
 * rotation or a newly published key takes effect within {@link #KEEP}; the old key stays published during a
 * rotation, so the signatures made meanwhile still verify.
 */
final class Signers {
  static final Duration KEEP = Duration.ofMinutes(1);

  /** The signer of one sending domain; {@code signer} is empty when the domain has no key to sign with now. */
  record Signing(String domain, Optional<DkimSigner> signer, Instant loadedAt) {}

  /** {@code organizationId} null: the installation's own domain (Herald's system mail). */
  private record Key(Long organizationId, String domain) {}

  private static final Logger log = LoggerFactory.getLogger(Signers.class);

  private final SendingDomains domains;
  private final Clock clock;
  private final boolean openSsl;
  private final Map<Key, Signing> signers = new ConcurrentHashMap<>();

  Signers(SendingDomains domains, Clock clock) {
    this(domains, clock, true);
  }

  /** {@code openSsl}: {@code herald.sending.dkim-rsa-openssl}, RSA signatures by OpenSSL's libcrypto when it loads. */
  Signers(SendingDomains domains, Clock clock, boolean openSsl) {
    this.domains = domains;
    this.clock = clock;
    this.openSsl = openSsl;
    log.info("DKIM RSA signatures are made by {}", DkimSigner.rsaImplementation(openSsl));
  }

  /**
   * The signer for mail of the organization from {@code fromAddress}; with no organization, Herald's own mail, signed
   * for the installation's domain of the system sender. {@code signer} is empty for a domain that is no longer verified or has no active key
   * (its DKIM records not published and checked): the worker holds such mail rather than send it unsigned.
   */
  Signing forSender(Long organizationId, String fromAddress) {
    String domain = fromAddress.substring(fromAddress.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    Key key = new Key(organizationId, domain);
    Instant now = clock.instant();
    Signing cached = signers.get(key);
    if (fresh(cached, now)) return cached;
    // One load per domain at a time: when the lanes start together (or the entry ages out under load) they would
    // otherwise all query and parse the same keys at once, which showed in the worker's profile.
    return signers.compute(key, (k, old) -> fresh(old, now) ? old : load(organizationId, fromAddress, domain, now));
  }

  private static boolean fresh(Signing signing, Instant now) {
    return signing != null && !now.isAfter(signing.loadedAt().plus(KEEP)) && !now.isBefore(signing.loadedAt());
  }

  private Signing load(Long organizationId, String fromAddress, String domain, Instant now) {
    return (organizationId == null ? domains.verifiedInstallationDomainFor(fromAddress) : domains.verifiedDomainFor(organizationId, fromAddress))
        .map(d -> {
          List<DkimKey> keys = d.keys().stream()
              .map(k -> switch (k.algorithm()) {
                case RSA -> new DkimKey(DkimKey.Algorithm.RSA_SHA256, d.name(), k.selector(), domains.privateKey(k));
                case ED25519 -> new DkimKey(DkimKey.Algorithm.ED25519_SHA256, d.name(), k.selector(), ed25519Seed(domains.privateKey(k)));
              })
              .toList();
          return new Signing(d.name(), keys.isEmpty() ? Optional.<DkimSigner>empty() : Optional.of(new DkimSigner(keys, clock, openSsl)), now);
        })
        .orElseGet(() -> new Signing(domain, Optional.empty(), now));
  }

  /**
   * {@code domains} stores an Ed25519 key as the JDK's PKCS#8 (RFC 8410 §7: a fixed 16-byte prefix, then the 32-byte
   * seed in an OCTET STRING at the end); the signer takes the seed, as RFC 8463 publishes keys.
   */
  static byte[] ed25519Seed(byte[] pkcs8) {
    if (pkcs8.length == 32) return pkcs8;
    if (pkcs8.length != 48) throw new IllegalStateException("an Ed25519 PKCS#8 key without attributes has 48 bytes, not " + pkcs8.length);
    return java.util.Arrays.copyOfRange(pkcs8, 16, 48);
  }
}
