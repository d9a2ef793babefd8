package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.junit.jupiter.api.Test;

/** The worked example of RFC 8463 Appendix A: its keys, its message and its two relaxed/relaxed signatures. */
class DkimRfc8463Test {
  /** A.1: the Ed25519 private key (the seed) and the RSA private key, both for football.example.com. */
  static final String ED25519_SEED = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
  static final String ED25519_PUBLIC = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
  static final String RSA_PKCS1 = """
      MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi
      Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM
      KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB
      AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm
      6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe
      zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy
      6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc
      uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy
      WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd
      WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a
      licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst
      o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe
      uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL""";
  /** A.2: the RSA key's DNS record value. */
  static final String RSA_PUBLIC = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx"
      + "/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
  static final String BODY_HASH = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";
  static final String UNSIGNED = crlf("""
      From: Joe SixPack <joe@football.example.com>
      To: Suzie Q <suzie@shopping.example.net>
      Subject: Is dinner ready?
      Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)
      Message-ID: <20030712040037.46341.5F8J@football.example.com>

      Hi.

      We lost the game.  Are you hungry yet?

      Joe.
      """);
  /** A.3: the message as signed in the RFC. */
  static final String SIGNED = crlf("""
      DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;
       d=football.example.com; i=@football.example.com;
       q=dns/txt; s=brisbane; t=1528637909; h=from : to :
       subject : date : message-id : from : subject : date;
       bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
       b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus
       Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==
      DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
       d=football.example.com; i=@football.example.com;
       q=dns/txt; s=test; t=1528637909; h=from : to : subject :
       date : message-id : from : subject : date;
       bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
       b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3
       DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz
       dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=
      """) + UNSIGNED;

  static DkimKey ed25519Key() {
    return new DkimKey(DkimKey.Algorithm.ED25519_SHA256, "football.example.com", "brisbane", Base64.getDecoder().decode(ED25519_SEED));
  }

  static DkimKey rsaKey() throws Exception {
    RSAPrivateKey pkcs1 = RSAPrivateKey.getInstance(Base64.getMimeDecoder().decode(RSA_PKCS1));
    byte[] pkcs8 = new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE), pkcs1).getEncoded();
    return new DkimKey(DkimKey.Algorithm.RSA_SHA256, "football.example.com", "test", pkcs8);
  }

  @Test
  void body_hash_is_the_rfc_one() throws Exception {
    byte[] message = UNSIGNED.getBytes(StandardCharsets.US_ASCII);
    byte[] body = DkimCanonical.body(message, DkimCanonical.split(message).bodyStart());
    assertThat(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body))).isEqualTo(BODY_HASH);
  }

  @Test
  void keys_give_the_published_dns_records() throws Exception {
    assertThat(ed25519Key().dnsRecord()).isEqualTo("v=DKIM1; k=ed25519; p=" + ED25519_PUBLIC);
    assertThat(rsaKey().dnsRecord()).isEqualTo("v=DKIM1; k=rsa; p=" + RSA_PUBLIC);
    assertThat(rsaKey().dnsName()).isEqualTo("test._domainkey.football.example.com");
  }

  @Test
  void both_rfc_signatures_verify_with_our_canonicalization() throws Exception {
    byte[] message = SIGNED.getBytes(StandardCharsets.US_ASCII);
    List<DkimCanonical.Field> fields = DkimCanonical.split(message).fields();
    assertThat(verifies(message, fields.get(0), "ed25519")).isTrue();
    assertThat(verifies(message, fields.get(1), "rsa")).isTrue();
    // And not once a signed field changes.
    byte[] altered = SIGNED.replace("Is dinner ready?", "Is dinner  ready ?").getBytes(StandardCharsets.US_ASCII);
    List<DkimCanonical.Field> alteredFields = DkimCanonical.split(altered).fields();
    assertThat(verifies(altered, alteredFields.get(0), "ed25519")).isFalse();
    assertThat(verifies(altered, alteredFields.get(1), "rsa")).isFalse();
  }

  @Test
  void our_dual_signature_of_the_rfc_message_verifies_here_and_matches_the_rfc_body_hash() throws Exception {
    DkimSigner signer = new DkimSigner(List.of(ed25519Key(), rsaKey()), Clock.fixed(Instant.ofEpochSecond(1528637909), ZoneOffset.UTC));
    byte[] signed = signer.sign(UNSIGNED.getBytes(StandardCharsets.US_ASCII));
    List<DkimCanonical.Field> fields = DkimCanonical.split(signed).fields();
    // From is signed once more than it occurs, so a second From added later breaks the signature.
    assertThat(fields.get(0).raw().replace("\r\n\t", "")).contains("a=ed25519-sha256;", "c=relaxed/relaxed;",
        "d=football.example.com;", "s=brisbane;", "t=1528637909;", "h=from:from:to:subject:date:message-id;", "bh=" + BODY_HASH + ";");
    assertThat(fields.get(1).raw().replace("\r\n\t", "")).contains("a=rsa-sha256;", "s=test;").doesNotContain("l=");
    assertThat(verifies(signed, fields.get(0), "ed25519")).isTrue();
    assertThat(verifies(signed, fields.get(1), "rsa")).isTrue();
  }

  /**
   * A verifier written for this test from RFC 6376 §6.1.3 and RFC 8463 §3, independent of the signer's
   * folding: it reads h= and b= from the field, removes b='s value and checks the signature over the
   * canonicalized fields.
   */
  static boolean verifies(byte[] message, DkimCanonical.Field signature, String keyType) throws Exception {
    List<DkimCanonical.Field> fields = DkimCanonical.split(message).fields();
    String raw = signature.raw();
    String tags = raw.substring(raw.indexOf(':') + 1).replaceAll("\r\n[ \t]", " ");
    List<String> names = Arrays.stream(tag(tags, "h").split(":")).map(String::strip).map(DkimCanonical::asciiLower).toList();
    byte[] signatureBytes = Base64.getDecoder().decode(tag(tags, "b").replaceAll("[ \t]", ""));
    byte[] body = DkimCanonical.body(message, DkimCanonical.split(message).bodyStart());
    if (!Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body)).equals(tag(tags, "bh"))) return false;
    String withoutB = raw.replaceAll("(?s)(b\\s*=)[^;]*$", "$1");
    String own = DkimCanonical.header(withoutB);
    byte[] headerData = DkimSigner.headerData(fields.stream().filter(f -> !f.lowerName().equals("dkim-signature")).toList(), names);
    byte[] data = concat(headerData, own.substring(0, own.length() - 2).getBytes(StandardCharsets.ISO_8859_1));
    if (keyType.equals("rsa")) {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(RSA_PUBLIC))));
      rsa.update(data);
      return rsa.verify(signatureBytes);
    }
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
    return new Ed25519PublicKeyParameters(Base64.getDecoder().decode(ED25519_PUBLIC), 0)
        .verify(org.bouncycastle.math.ec.rfc8032.Ed25519.Algorithm.Ed25519, null, digest, 0, digest.length, signatureBytes, 0);
  }

  private static String tag(String tags, String name) {
    Matcher m = Pattern.compile("(?:^|;)\\s*" + name + "\\s*=([^;]*)").matcher(tags);
    if (!m.find()) throw new AssertionError("no " + name + "= in " + tags);
    return m.group(1).strip();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static String crlf(String text) {
    return text.replace("\n", "\r\n");
  }
}
