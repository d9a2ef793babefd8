package dev.herald.messages;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * A DKIM private key with the domain ({@code d=}) and selector ({@code s=}) it signs for. The private key
 * is kept in its stored form ({@link #privateKey()}: PKCS#8 DER for RSA, the 32-byte seed for Ed25519 as
 * RFC 8463 publishes it), which {@code domains} keeps encrypted through {@code platform.Secrets}.
 * {@link #toString()} never shows it.
 */
public record DkimKey(Algorithm algorithm, String domain, String selector, byte[] privateKey) {
  private static final Pattern SELECTOR = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern DOMAIN = Pattern.compile("(?=.{1,253}$)" + SELECTOR.pattern());
  private static final int RSA_BITS = 2048;

  /** The signing algorithms of RFC 6376 and RFC 8463, by their {@code a=} and {@code k=} names. */
  public enum Algorithm {
    RSA_SHA256("rsa-sha256", "rsa"),
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String tag;
    private final String keyType;

    Algorithm(String tag, String keyType) {
      this.tag = tag;
      this.keyType = keyType;
    }

    /** The {@code a=} value. */
    public String tag() {
      return tag;
    }

    /** The {@code k=} value of the DNS record. */
    public String keyType() {
      return keyType;
    }
  }

  /**
   * Checks the names (a domain in ASCII form, a selector made of DNS labels) and that the key parses, so a
   * bad key fails when it is loaded rather than on the first message.
   */
  public DkimKey {
    Objects.requireNonNull(algorithm, "algorithm");
    if (domain == null || !DOMAIN.matcher(domain).matches()) {
      throw new IllegalArgumentException("a DKIM domain is an ASCII domain name (punycode for IDN), was " + domain);
    }
    if (selector == null || !SELECTOR.matcher(selector).matches()) {
      throw new IllegalArgumentException("a DKIM selector is one or more DNS labels, was " + selector);
    }
    domain = domain.toLowerCase(Locale.ROOT);
    privateKey = Objects.requireNonNull(privateKey, "privateKey").clone();
    publicKeyOf(algorithm, privateKey);
  }

  /** A new RSA-2048 key. */
  public static DkimKey newRsa(String domain, String selector) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(RSA_BITS);
      return new DkimKey(Algorithm.RSA_SHA256, domain, selector, generator.generateKeyPair().getPrivate().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA is part of every JDK", e);
    }
  }

  /** A new Ed25519 key (RFC 8463). */
  public static DkimKey newEd25519(String domain, String selector) {
    byte[] seed = new byte[Ed25519PrivateKeyParameters.KEY_SIZE];
    new SecureRandom().nextBytes(seed);
    return new DkimKey(Algorithm.ED25519_SHA256, domain, selector, seed);
  }

  @Override
  public byte[] privateKey() {
    return privateKey.clone();
  }

  /** The name of the TXT record to publish: {@code selector._domainkey.domain}. */
  public String dnsName() {
    return selector + "._domainkey." + domain;
  }

  /** The TXT record's value: {@code v=DKIM1; k=rsa; p=...} (RSA: SubjectPublicKeyInfo; Ed25519: the raw 32 bytes). */
  public String dnsRecord() {
    return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + Base64.getEncoder().encodeToString(publicKeyOf(algorithm, privateKey));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DkimKey k && k.algorithm == algorithm && k.domain.equals(domain) && k.selector.equals(selector)
        && Arrays.equals(k.privateKey, privateKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, domain, selector);
  }

  @Override
  public String toString() {
    return "DkimKey[" + algorithm.tag() + " " + dnsName() + "]";
  }

  /** The JDK private key of an RSA key: parsed once per signer, not per message. */
  PrivateKey rsaPrivateKey() {
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(privateKey));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an RSA private key in PKCS#8 form", e);
    }
  }

  Ed25519PrivateKeyParameters ed25519PrivateKey() {
    if (privateKey.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
      throw new IllegalArgumentException("an Ed25519 private key is its 32-byte seed");
    }
    return new Ed25519PrivateKeyParameters(privateKey, 0);
  }

  private static byte[] publicKeyOf(Algorithm algorithm, byte[] privateKey) {
    return switch (algorithm) {
      case RSA_SHA256 -> {
        try {
          KeyFactory rsa = KeyFactory.getInstance("RSA");
          if (!(rsa.generatePrivate(new PKCS8EncodedKeySpec(privateKey)) instanceof RSAPrivateCrtKey crt)) {
            throw new IllegalArgumentException("an RSA DKIM key needs its CRT parameters (a PKCS#8 key from any key generator has them)");
          }
          if (crt.getModulus().bitLength() < 1024) throw new IllegalArgumentException("RSA DKIM keys have at least 1024 bits (RFC 8301)");
          PublicKey key = rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
          yield key.getEncoded();
        } catch (GeneralSecurityException e) {
          throw new IllegalArgumentException("not an RSA private key in PKCS#8 form", e);
        }
      }
      case ED25519_SHA256 -> {
        if (privateKey.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
          throw new IllegalArgumentException("an Ed25519 private key is its 32-byte seed");
        }
        yield new Ed25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
      }
    };
  }
}
