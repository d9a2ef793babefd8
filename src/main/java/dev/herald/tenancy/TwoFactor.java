package dev.herald.tenancy;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import dev.herald.platform.Tokens;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** TOTP (RFC 6238, 30 s steps, 6 digits, SHA-1 as every authenticator app expects) and recovery codes. */
@Service
class TwoFactor {
  private static final int RECOVERY_CODES = 10;
  private final TimeBasedOneTimePasswordGenerator totp = new TimeBasedOneTimePasswordGenerator();
  private final SecureRandom random = new SecureRandom();
  private final JdbcClient jdbc;
  private final Clock clock;

  TwoFactor(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  String newSecret() {
    byte[] bytes = new byte[20];
    random.nextBytes(bytes);
    return new Base32().encodeToString(bytes).replace("=", "");
  }

  String otpauthUri(String secret, String email) {
    String label = URLEncoder.encode("Herald:" + email, StandardCharsets.UTF_8).replace("+", "%20");
    return "otpauth://totp/" + label + "?secret=" + secret + "&issuer=Herald";
  }

  /** The otpauth URI as an inline SVG QR code for the enrolment page. */
  String qrSvg(String content) {
    try {
      BitMatrix m = new QRCodeWriter().encode(content, BarcodeFormat.QR_CODE, 0, 0);
      StringBuilder path = new StringBuilder();
      for (int y = 0; y < m.getHeight(); y++) {
        for (int x = 0; x < m.getWidth(); x++) if (m.get(x, y)) path.append('M').append(x).append(',').append(y).append("h1v1h-1z");
      }
      return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-4 -4 " + (m.getWidth() + 8) + " " + (m.getHeight() + 8)
          + "\" width=\"200\" height=\"200\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">"
          + "<rect x=\"-4\" y=\"-4\" width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"" + path + "\"/></svg>";
    } catch (WriterException e) {
      throw new IllegalStateException("QR encoding failed", e);
    }
  }

  /** Accepts the code of the current step and of one step either side (clock drift of phones). */
  boolean verify(String secret, String code) {
    return matchingStep(secret, code).isPresent();
  }

  /**
   * For sign-in: the code must also belong to a later time step than the last one this user signed in
   * with, so a code seen over someone's shoulder cannot be used again within its window. Records the step.
   */
  boolean verifyOnce(long userId, String secret, String code) {
    OptionalLong step = matchingStep(secret, code);
    if (step.isEmpty()) return false;
    return jdbc.sql("update app_user set totp_last_step = ? where id = ? and (totp_last_step is null or totp_last_step < ?)")
        .params(step.getAsLong(), userId, step.getAsLong()).update() == 1;
  }

  /** The 30-second time step (counted from the epoch) whose code this is, if it is one of the accepted three. */
  private OptionalLong matchingStep(String secret, String code) {
    if (secret == null || code == null) return OptionalLong.empty();
    String digits = code.replaceAll("\\s", "");
    if (!digits.matches("\\d{6}")) return OptionalLong.empty();
    SecretKeySpec key = new SecretKeySpec(new Base32().decode(secret), totp.getAlgorithm());
    Instant now = clock.instant();
    try {
      for (int step = -1; step <= 1; step++) {
        Instant at = now.plus(Duration.ofSeconds(30L * step));
        if (Tokens.sameHash(totp.generateOneTimePasswordString(key, at), digits)) return OptionalLong.of(at.getEpochSecond() / 30);
      }
    } catch (InvalidKeyException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** Replaces the user's recovery codes; returns them in clear text, to show once. */
  @Transactional
  List<String> newRecoveryCodes(long userId) {
    jdbc.sql("delete from totp_recovery_code where user_id = ?").param(userId).update();
    List<String> codes = new ArrayList<>();
    Base32 base32 = new Base32();
    for (int i = 0; i < RECOVERY_CODES; i++) {
      byte[] bytes = new byte[5];
      random.nextBytes(bytes);
      String raw = base32.encodeToString(bytes).toLowerCase(Locale.ROOT);
      String code = raw.substring(0, 4) + "-" + raw.substring(4, 8);
      codes.add(code);
      jdbc.sql("insert into totp_recovery_code (user_id, code_hash) values (?, ?)").params(userId, Tokens.hash(code)).update();
    }
    return codes;
  }

  /** Uses up a recovery code: true once per code. */
  boolean useRecoveryCode(long userId, String code) {
    if (code == null) return false;
    String normalized = code.trim().toLowerCase(Locale.ROOT);
    return jdbc.sql("update totp_recovery_code set used_at = now() where user_id = ? and code_hash = ? and used_at is null")
        .params(userId, Tokens.hash(normalized)).update() == 1;
  }

  int remainingRecoveryCodes(long userId) {
    return jdbc.sql("select count(*) from totp_recovery_code where user_id = ? and used_at is null").param(userId)
        .query(Integer.class).single();
  }
}
