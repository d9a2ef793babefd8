package dev.herald.privacy;

import dev.herald.platform.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * The self-service rate limit's key for an address: HMAC-SHA256 under an installation key kept in {@link Secrets}, so
 * the table holds nothing anyone could match by hashing an address, as they could a plain digest.
 */
@Component
class AddressMacs {
  static final String KEY_NAME = "privacy:self-service-key";
  private final Secrets secrets;
  private volatile byte[] key;

  AddressMacs(Secrets secrets) {
    this.secrets = secrets;
  }

  String of(long organizationId, String addressKey) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key(), "HmacSHA256"));
      return HexFormat.of().formatHex(m.doFinal((organizationId + "|" + addressKey).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private byte[] key() {
    byte[] k = key;
    if (k == null) {
      k = secrets.getOrCreate(KEY_NAME, () -> {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        return fresh;
      });
      key = k;
    }
    return k;
  }
}
