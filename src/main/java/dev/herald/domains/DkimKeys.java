package dev.herald.domains;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.Base64;

/**
 * Generates DKIM key pairs. Private keys leave here PKCS#8-encoded (what {@code KeyFactory} reads back, for the
 * JDK's RSA and for BouncyCastle's or the JDK's Ed25519 signer) and go straight into {@code Secrets}; they are never
 * logged nor returned by the API. The public key is the DNS record's {@code p=}: the SubjectPublicKeyInfo for RSA
 * (RFC 6376 3.6.1), the raw 32 bytes for Ed25519 (RFC 8463 4.2).
 */
final class DkimKeys {
  /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw key is what follows it. */
  private static final int ED25519_SPKI_PREFIX = 12;

  record Generated(DkimAlgorithm algorithm, String publicKey, byte[] pkcs8) {
    @Override
    public String toString() {
      return "Generated[" + algorithm + ", p=" + publicKey + ", private key hidden]";
    }
  }

  private DkimKeys() {}

  static Generated generate(DkimAlgorithm algorithm) {
    try {
      KeyPair pair = switch (algorithm) {
        case RSA -> {
          KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
          generator.initialize(2048);
          yield generator.generateKeyPair();
        }
        case ED25519 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      };
      byte[] spki = pair.getPublic().getEncoded();
      byte[] published = algorithm == DkimAlgorithm.RSA ? spki : Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX, spki.length);
      return new Generated(algorithm, Base64.getEncoder().encodeToString(published), pair.getPrivate().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("The JDK cannot generate " + algorithm + " keys", e);
    }
  }

  /**
   * {@code hr<yyyymm><n>r} for RSA, {@code ...e} for Ed25519: the month says how old a key is at a glance, {@code n}
   * (empty, then b, c, ...) tells apart pairs made in one month.
   */
  static String selector(YearMonth month, int pairOfMonth, DkimAlgorithm algorithm) {
    String n = pairOfMonth == 0 ? "" : String.valueOf((char) ('a' + pairOfMonth));
    return "hr%04d%02d%s%s".formatted(month.getYear(), month.getMonthValue(), n, algorithm == DkimAlgorithm.RSA ? "r" : "e");
  }

  /** The TXT value to publish at {@code <selector>._domainkey.<domain>}. */
  static String record(DkimAlgorithm algorithm, String publicKey) {
    return "v=DKIM1; k=" + algorithm.text() + "; p=" + publicKey;
  }
}
